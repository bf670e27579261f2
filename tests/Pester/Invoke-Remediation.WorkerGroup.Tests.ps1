# Invoke-Remediation -WorkerGroup: findings are queued for the group's workers, all or none, and -Wait returns
# their runs. Workers run in-process (Start-RemediationWorker in another runspace) against the AWS sandbox.

BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation -WorkerGroup' {
    BeforeEach {
        $script:store = "local:$(New-TestStoreFolder -Root $TestDrive)"
        $script:deployment = New-TestWorkerGroup -Store $store -Name prod -RoleArn $ctx.RoleArn -OrganizationId $ctx.OrganizationId
    }

    It 'queues findings and returns typed requests that bind to Get-RemediationRun' {
        $findings = 1..3 | ForEach-Object { New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx) }
        $requests = @($findings | Invoke-Remediation -WorkerGroup prod -Store $store -Confirm:$false)
        $requests.Count | Should -Be 3
        $requests | ForEach-Object { $_ | Should -BeOfType ([RemediationTools.RemediationRequest]) }
        $requests.WorkerGroup | Sort-Object -Unique | Should -Be 'prod'
        $requests.JobId | Sort-Object -Unique | Should -Be 'security-group-close-port-5432'
        @($requests.RequestId | Sort-Object -Unique).Count | Should -Be 3
        # Nothing ran yet (no worker is running): the request is Queued, with no result.
        $queued = $requests[0] | Get-RemediationRun -Store $store
        $queued.Status | Should -Be 'Queued'
        $queued.Result | Should -BeNullOrEmpty
    }

    It 'queues nothing when one finding is for an account outside the group, naming it' {
        $inGroup = New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx)
        $outside = New-TestFindingJson -Context $ctx -GroupId 'sg-0123456789abcdef0' -AccountId '999999999999'
        { @($inGroup, $outside) | Invoke-Remediation -WorkerGroup prod -Store $store -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'CloudAccountNotInGroup,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*999999999999*'
        $worker = Start-TestWorkerInRunspace -Deployment $deployment -Store $store -Aws $ctx.Aws -StopWhenIdle
        $null = Wait-TestWorkerInRunspace -Worker $worker
        Get-RemediationRun -Store $store -WorkerGroup prod | Should -BeNullOrEmpty
    }

    It 'queues nothing with -WhatIf' {
        $finding = New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx)
        $finding | Invoke-Remediation -WorkerGroup prod -Store $store -WhatIf | Should -BeNullOrEmpty
        $worker = Start-TestWorkerInRunspace -Deployment $deployment -Store $store -Aws $ctx.Aws -StopWhenIdle
        $null = Wait-TestWorkerInRunspace -Worker $worker
        Get-RemediationRun -Store $store -WorkerGroup prod | Should -BeNullOrEmpty
    }

    It 'waits with -Wait and writes each run with its result once a worker has fixed the finding' {
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $finding = New-TestFindingJson -Context $ctx -GroupId $groupId
        # The dispatch waits in a thread job; once its request is queued, a worker drains the queue here.
        $manifest = Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1'
        $waiting = Start-ThreadJob {
            Import-Module $using:manifest
            $using:finding | Invoke-Remediation -WorkerGroup prod -Store $using:store -Wait -Timeout ([timespan]::FromMinutes(3)) -Confirm:$false
        }
        try {
            $folder = $store.Substring('local:'.Length)
            $null = Wait-TestCondition -TimeoutSeconds 60 -Because 'the queued request' {
                Get-ChildItem -LiteralPath (Join-Path $folder 'queues') -Recurse -File -Filter '*.req' -ErrorAction SilentlyContinue | Where-Object { $_.Directory.Name -eq 'ready' }
            }
            $aws = $ctx.Aws
            $null = $deployment | Start-RemediationWorker -Store $store @aws -StopWhenIdle -WarningAction SilentlyContinue
            $run = $waiting | Receive-Job -Wait -ErrorAction Stop -InformationVariable jobInformation
            $summary = @($jobInformation | Where-Object { $_.Tags -contains 'RemediationSummary' })
        }
        finally {
            $waiting | Remove-Job -Force -ErrorAction SilentlyContinue
        }
        $run | Should -BeOfType ([RemediationTools.RemediationRun])
        $run.Result.Status | Should -Be 'Remediated'
        Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        (Get-RemediationRun -Store $store -WorkerGroup prod -Id $run.RequestId).Result.Status | Should -Contain 'Remediated'
        $summary.Count | Should -Be 1
        "$($summary[0].MessageData)" | Should -Be '1 finding: 1 Remediated'
    }

    It 'queues the findings of files piped from Get-ChildItem, and of Get-Content lines' {
        $folder = Join-Path $TestDrive 'findings'
        $null = New-Item -ItemType Directory -Path $folder -Force
        Set-Content -LiteralPath (Join-Path $folder 'a.json') -Value (New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx))
        Set-Content -LiteralPath (Join-Path $folder 'b.json') -Value (New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx))
        $requests = @(Get-ChildItem $folder -Filter *.json | Invoke-Remediation -WorkerGroup prod -Store $store -Confirm:$false)
        $requests.Count | Should -Be 2
        $requests | ForEach-Object { $_ | Should -BeOfType ([RemediationTools.RemediationRequest]) }
        $lines = @(Get-Content -LiteralPath (Join-Path $folder 'a.json'))
        $lines.Count | Should -BeGreaterThan 1
        @($lines | Invoke-Remediation -WorkerGroup prod -Store $store -Confirm:$false).Count | Should -Be 1
    }

    It 'stops waiting after -Timeout with a warning, leaving the request queued' {
        $finding = New-TestFindingJson -Context $ctx -GroupId (New-TestOpenSecurityGroup -Context $ctx)
        $runs = $finding | Invoke-Remediation -WorkerGroup prod -Store $store -Wait -Timeout ([timespan]::FromSeconds(1)) -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $runs | Should -BeNullOrEmpty
        ($warnings -join ' ') | Should -Match '1 of 1 request'
    }

    It 'refuses -RoleArn, -ExternalId or -CloudAccount with -WorkerGroup, -Wait and -Timeout at binding: they are separate parameter sets' {
        $finding = New-TestFindingJson -Context $ctx -GroupId 'sg-0123456789abcdef0'
        $ambiguous = 'AmbiguousParameterSet,RemediationTools.Commands.InvokeRemediationCommand'
        { $finding | Invoke-Remediation -WorkerGroup prod -Store $store -RoleArn $ctx.RoleArn -ExternalId x -ErrorAction Stop } | Should -Throw -ErrorId $ambiguous
        { $finding | Invoke-Remediation -WorkerGroup prod -Store $store -CloudAccount @{ RoleArn = $ctx.RoleArn; ExternalId = 'x' } -ErrorAction Stop } | Should -Throw -ErrorId $ambiguous
        { $finding | Invoke-Remediation -Wait -RoleArn $ctx.RoleArn -ExternalId x -ErrorAction Stop } | Should -Throw -ErrorId $ambiguous
        { $finding | Invoke-Remediation -Timeout ([timespan]::FromSeconds(5)) -MaxChanges 1 -ErrorAction Stop } | Should -Throw -ErrorId $ambiguous
        { $finding | Invoke-Remediation -Store $store -AllowDisruptive -ErrorAction Stop } | Should -Throw -ExpectedMessage '*Parameter set cannot be resolved*'
    }

    It 'refuses a -Timeout that is not positive at binding, naming it' {
        $finding = New-TestFindingJson -Context $ctx -GroupId 'sg-0123456789abcdef0'
        { $finding | Invoke-Remediation -WorkerGroup prod -Store $store -Wait -Timeout ([timespan]::FromSeconds(-5)) -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage "*'-00:00:05'*"
    }

    It '-Wait without -WorkerGroup asks for -WorkerGroup: it is mandatory in the worker-group sets' {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1')).AddStatement()
            $null = $ps.AddCommand('Invoke-Remediation').AddParameter('Finding', '{}').AddParameter('Wait')
            # Without a host nothing can prompt, so PowerShell reports the missing parameter.
            $record = try { $null = $ps.Invoke(); $ps.Streams.Error[0] } catch { $_.Exception.InnerException.ErrorRecord }
            $record.FullyQualifiedErrorId | Should -Be 'MissingMandatoryParameter,RemediationTools.Commands.InvokeRemediationCommand'
            $record.Exception.Message | Should -BeLike '*WorkerGroup*'
        } finally { $ps.Dispose() }
    }

    It 'reports an unknown worker group as WorkerGroupNotFound' {
        $finding = New-TestFindingJson -Context $ctx -GroupId 'sg-0123456789abcdef0'
        { $finding | Invoke-Remediation -WorkerGroup nosuch -Store $store -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.InvokeRemediationCommand'
    }
}

Describe 'Invoke-Remediation -WorkerGroup on the AWS store' {
    BeforeEach {
        # A new installation per test: SQS refuses to create a queue again within 60 s of deleting it.
        $script:awsStore = "aws:pester$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $script:aws = $ctx.Aws
        $script:awsDeployment = New-RemediationWorkerGroup -Store $awsStore @aws -Name prod -OrganizationId $ctx.OrganizationId -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId -Confirm:$false -WarningAction SilentlyContinue
    }

    It 'creates the group in the table, queues, waits with -Wait for a worker on the AWS store, and shows the run' {
        $awsDeployment.Environment['REMEDIATION_STORE'] | Should -Be $awsStore
        (Get-RemediationWorkerGroup -Store $awsStore @aws).Name | Should -Be 'prod'
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $finding = New-TestFindingJson -Context $ctx -GroupId $groupId
        $manifest = Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1'
        $waiting = Start-ThreadJob {
            Import-Module $using:manifest
            $awsParameters = $using:aws
            $using:finding | Invoke-Remediation -WorkerGroup prod -Store $using:awsStore @awsParameters -Wait -Timeout ([timespan]::FromMinutes(3)) -Confirm:$false
        }
        try {
            $queueName = "$($awsStore.Substring('aws:'.Length))-prod"
            $null = Wait-TestCondition -TimeoutSeconds 60 -Because 'the queued request' {
                $queues = Invoke-RestMethod -Uri "$($ctx.Sandbox.Endpoint)_sandbox/sqs"
                @($queues | Where-Object { $_.QueueArn.EndsWith(":$queueName") -and @($_.Messages).Count -gt 0 }).Count -gt 0
            }
            $null = $awsDeployment | Start-RemediationWorker -Store $awsStore @aws -StopWhenIdle -WarningAction SilentlyContinue
            $run = $waiting | Receive-Job -Wait -ErrorAction Stop -InformationVariable jobInformation
            $summary = @($jobInformation | Where-Object { $_.Tags -contains 'RemediationSummary' })
        }
        finally {
            $waiting | Remove-Job -Force -ErrorAction SilentlyContinue
        }
        $run | Should -BeOfType ([RemediationTools.RemediationRun])
        $run.Result.Status | Should -Be 'Remediated'
        Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        (Get-RemediationRun -Store $awsStore @aws -WorkerGroup prod -Id $run.RequestId).Status | Should -Be 'Completed'
        (Get-RemediationWorker -Store $awsStore @aws -WorkerGroup prod).State | Should -Be 'Stopped'
    }

    It 'removes the group with its queues and items' {
        Remove-RemediationWorkerGroup -Store $awsStore @aws -Name prod -Confirm:$false
        Get-RemediationWorkerGroup -Store $awsStore @aws | Should -BeNullOrEmpty
        $queues = Invoke-RestMethod -Uri "$($ctx.Sandbox.Endpoint)_sandbox/sqs"
        @($queues | Where-Object { $_.QueueArn -like "*:$($awsStore.Substring('aws:'.Length))-prod*" }).Count | Should -Be 0
    }
}
