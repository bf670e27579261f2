BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:aws = $ctx.Aws
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Start-RemediationWorker' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:d = New-TestWorkerGroup -Store $store -Name prod -RoleArn $ctx.RoleArn -OrganizationId $ctx.OrganizationId
    }

    It 'registers, is Healthy while it runs, and stops cleanly after -StopAfter with its final record' {
        $worker = Start-TestWorkerInRunspace -Deployment $d -Store $store -Aws $aws -StopAfter ([timespan]::FromSeconds(10))
        $running = Wait-TestCondition -Because 'a Healthy worker' { Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy }
        $running | Should -BeOfType ([RemediationTools.RemediationWorkerInfo])
        $running.WorkerGroup | Should -Be 'prod'
        $running.Host | Should -Be ([Environment]::MachineName)
        $running.HeartbeatInterval | Should -Be ([timespan]::FromSeconds(10))

        $final = Wait-TestWorkerInRunspace $worker
        $final | Should -BeOfType ([RemediationTools.RemediationWorkerInfo])
        $final.WorkerId | Should -Be $running.WorkerId
        $final.State | Should -Be 'Stopped'
        $final.LastHeartbeat | Should -BeGreaterThan $running.LastHeartbeat
        (Get-RemediationWorker -Store $store -WorkerGroup prod).State | Should -Be 'Stopped'
    }

    It 'takes a queued finding, fixes it through the account role and records the run' {
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $requestId = Add-TestQueuedFinding -Folder $folder -WorkerGroup prod -FindingJson (New-TestFindingJson -Context $ctx -GroupId $groupId)
        $verbose = $d | Start-RemediationWorker -Store $store @aws -StopWhenIdle -Verbose 4>&1
        $final = $verbose | Where-Object { $_ -is [RemediationTools.RemediationWorkerInfo] }
        $final.JobsDone | Should -Be 1
        $final.JobsFailed | Should -Be 0

        $run = Get-RemediationRun -Store $store -WorkerGroup prod -Id $requestId
        $run.Status | Should -Be 'Completed'
        $run.WorkerId | Should -Be $final.WorkerId
        $run.Result.Status | Should -Be 'Remediated'
        $rules = Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Out-String
        $rules | Should -Not -Match '5432'
        $rules | Should -Match '443'

        $plain = Get-TestPlainSecret $d.ClientSecret
        ($verbose | Out-String) | Should -Not -Match ([regex]::Escape($plain))
        ($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String) | Should -Match "request $requestId Remediated"
        Find-TestTextInFiles -Path $folder -Text $plain | Should -BeNullOrEmpty
    }

    It 'reads the secret from -ClientSecretFile (trailing newline ignored) and fixes a queued finding' {
        $path = Join-Path $TestDrive 'prod.secret'
        Set-Content -LiteralPath $path -Value (Get-TestPlainSecret $d.ClientSecret)
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $requestId = Add-TestQueuedFinding -Folder $folder -WorkerGroup prod -FindingJson (New-TestFindingJson -Context $ctx -GroupId $groupId)
        $final = Start-RemediationWorker -Store $store -WorkerGroup prod -ClientId $d.ClientId -ClientSecretFile $path @aws -StopWhenIdle
        $final.JobsDone | Should -Be 1
        (Get-RemediationRun -Store $store -WorkerGroup prod -Id $requestId).Result.Status | Should -Be 'Remediated'
    }

    It 'refuses a missing -ClientSecretFile with ClientSecretUnavailable naming the file, before registering' {
        $path = Join-Path $TestDrive 'absent.secret'
        { Start-RemediationWorker -Store $store -WorkerGroup prod -ClientId $d.ClientId -ClientSecretFile $path @aws -StopAfter '00:00:02' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ClientSecretUnavailable,RemediationTools.Commands.StartRemediationWorkerCommand' -ExpectedMessage "*'$path'*"
        Get-RemediationWorker -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses a wrong client secret with WorkerCredentialsRefused and registers nothing' {
        $wrong = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        { Start-RemediationWorker -Store $store -WorkerGroup prod -ClientId $d.ClientId -ClientSecret $wrong @aws -StopAfter '00:00:02' -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerCredentialsRefused,RemediationTools.Commands.StartRemediationWorkerCommand' -ExpectedMessage "*'prod'*"
        Get-RemediationWorker -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses a wrong client ID with WorkerCredentialsRefused' {
        { Start-RemediationWorker -Store $store -WorkerGroup prod -ClientId 'someone-else' -ClientSecret $d.ClientSecret @aws -StopAfter '00:00:02' -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerCredentialsRefused,RemediationTools.Commands.StartRemediationWorkerCommand'
    }

    It 'stops a running worker whose secret is reset, and refuses the old secret at start' {
        # -StopAfter is far beyond the 10 s heartbeat that notices the reset: the worker returning at all is the proof.
        $worker = Start-TestWorkerInRunspace -Deployment $d -Store $store -Aws $aws -StopAfter ([timespan]::FromMinutes(10))
        $null = Wait-TestCondition -Because 'a Healthy worker' { Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy }
        $new = Reset-RemediationWorkerGroupSecret -Store $store -Name prod -Confirm:$false -WarningAction SilentlyContinue
        $final = Wait-TestWorkerInRunspace $worker
        $final.State | Should -Be 'Stopped'
        { $d | Start-RemediationWorker -Store $store @aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerCredentialsRefused,RemediationTools.Commands.StartRemediationWorkerCommand'
        ($new | Start-RemediationWorker -Store $store @aws -StopAfter '00:00:01').State | Should -Be 'Stopped'
    }

    It 'starts nothing with -WhatIf' {
        $d | Start-RemediationWorker -Store $store @aws -WhatIf | Should -BeNullOrEmpty
        Get-RemediationWorker -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses a group that does not exist with WorkerGroupNotFound' {
        { Start-RemediationWorker -Store $store -WorkerGroup staging -ClientId $d.ClientId -ClientSecret $d.ClientSecret @aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.StartRemediationWorkerCommand' -ExpectedMessage "*'staging'*"
    }

    It 'refuses -MaxJobs <MaxJobs> before starting' -ForEach @(@{ MaxJobs = 0 }, @{ MaxJobs = 65 }) {
        { $d | Start-RemediationWorker -Store $store @aws -MaxJobs $MaxJobs -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.StartRemediationWorkerCommand'
        Get-RemediationWorker -Store $store | Should -BeNullOrEmpty
    }
}
