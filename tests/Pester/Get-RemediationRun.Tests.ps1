BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    function New-RunRecord([string] $Id, [RemediationTools.RemediationRunStatus] $Status, [datetimeoffset] $Finished, [int] $Attempt = 1, [string] $RequestId = $Id) {
        [RemediationTools.RemediationRun]@{
            Id = $Id; RequestId = $RequestId; WorkerGroup = 'prod'; WorkerId = 'w-test'; Status = $Status; Attempts = $Attempt
            Enqueued = $Finished.AddMinutes(-1); Started = $Finished.AddSeconds(-5); Finished = $Finished
            Error = $(if ($Status -ne 'Completed') { 'AccessDenied' }); LogLines = [string[]]@('line one')
        }
    }
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Get-RemediationRun' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:d = New-TestWorkerGroup -Store $store -Name prod -RoleArn $ctx.RoleArn -OrganizationId $ctx.OrganizationId
    }

    Context 'recorded runs' {
        BeforeEach {
            $script:now = [datetimeoffset]::UtcNow
            Add-TestRun -Folder $folder -Run (New-RunRecord 'aaaa0001' Completed $now.AddDays(-2))
            Add-TestRun -Folder $folder -Run (New-RunRecord 'bbbb0002-1' AttemptFailed $now.AddHours(-2) 1 'bbbb0002')
            Add-TestRun -Folder $folder -Run (New-RunRecord 'bbbb0002' DeadLettered $now.AddHours(-1) 3)
            Add-TestRun -Folder $folder -Run (New-RunRecord 'cccc0003' Completed $now.AddMinutes(-1))
        }

        It 'writes every run of the group, oldest first, as typed objects' {
            $runs = Get-RemediationRun -Store $store -WorkerGroup prod
            $runs | Should -HaveCount 4
            $runs | ForEach-Object { $_ | Should -BeOfType ([RemediationTools.RemediationRun]) }
            $runs.Id | Should -Be @('aaaa0001', 'bbbb0002-1', 'bbbb0002', 'cccc0003')
            $runs[0].LogLines | Should -Be 'line one'
        }

        It 'filters by -Status' {
            (Get-RemediationRun -Store $store prod -Status Completed).Id | Should -Be @('aaaa0001', 'cccc0003')
            (Get-RemediationRun -Store $store prod -Status DeadLettered).Attempts | Should -Be 3
        }

        It 'filters by -Since, local time included' {
            (Get-RemediationRun -Store $store prod -Since $now.AddHours(-3).UtcDateTime).Id | Should -Be @('bbbb0002-1', 'bbbb0002', 'cccc0003')
            (Get-RemediationRun -Store $store prod -Since $now.AddMinutes(-30).LocalDateTime).Id | Should -Be 'cccc0003'
        }

        It 'selects the runs of one request with -Id, also by property name as RequestId' {
            (Get-RemediationRun -Store $store prod -Id bbbb0002).Status | Should -Be @('AttemptFailed', 'DeadLettered')
            ([pscustomobject]@{ WorkerGroup = 'prod'; RequestId = 'cccc0003' } | Get-RemediationRun -Store $store).Id | Should -Be 'cccc0003'
        }

        It 'writes RunNotFound for an -Id without runs' {
            { Get-RemediationRun -Store $store prod -Id dddd0004 -ErrorAction Stop } |
                Should -Throw -ErrorId 'RunNotFound,RemediationTools.Commands.GetRemediationRunCommand' -ExpectedMessage '*dddd0004*'
        }

        It 'shows a table with request, status, result, attempts and finish time' {
            $text = Get-RemediationRun -Store $store prod -Status DeadLettered | Out-String -Width 160
            $text | Should -Match 'RequestId\s+Status\s+Result\s+Attempts\s+Finished'
            $text | Should -Match 'bbbb0002\s+DeadLettered\s+3'
        }
    }

    It 'shows the run a worker recorded for a queued finding, with its result and log' {
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $requestId = Add-TestQueuedFinding -Folder $folder -WorkerGroup prod -FindingJson (New-TestFindingJson -Context $ctx -GroupId $groupId)
        $aws = $ctx.Aws
        $null = $d | Start-RemediationWorker -Store $store @aws -StopWhenIdle
        $run = Get-RemediationRun -Store $store -WorkerGroup prod -Id $requestId
        $run.RequestId | Should -Be $requestId
        $run.Status | Should -Be 'Completed'
        $run.Attempts | Should -Be 1
        $run.Result | Should -BeOfType ([RemediationTools.RemediationResult])
        $run.Result.Status | Should -Be 'Remediated'
        $run.Result.ResourceId | Should -Be $groupId
        $run.LogLines.Count | Should -BeGreaterThan 0
        (Get-RemediationRun -Store $store prod -Status Completed -Since ([datetime]::UtcNow.AddMinutes(-5))).RequestId | Should -Be $requestId
    }

    It 'reports an unknown group as WorkerGroupNotFound' {
        $store = "local:$(New-TestStoreFolder -Root $TestDrive)"
        Get-RemediationRun -Store $store -WorkerGroup nosuchgroup -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupNotFound,RemediationTools.Commands.GetRemediationRunCommand'
    }

    It 'writes nothing for a group without runs' {
        Get-RemediationRun -Store $store -WorkerGroup prod | Should -BeNullOrEmpty
    }
}
