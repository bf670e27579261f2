BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    function New-WorkerRecord([string] $Group, [string] $Id, [datetimeoffset] $LastHeartbeat, [RemediationTools.RemediationWorkerState] $State = 'Healthy') {
        [RemediationTools.RemediationWorkerInfo]@{
            WorkerId = $Id; WorkerGroup = $Group; Host = 'host-a'; Version = '1.0.0'; Started = $LastHeartbeat.AddMinutes(-5)
            LastHeartbeat = $LastHeartbeat; State = $State; JobsDone = 7; HeartbeatInterval = [timespan]::FromSeconds(10)
        }
    }
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Get-RemediationWorker' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:d = New-TestWorkerGroup -Store $store -Name prod -RoleArn $ctx.RoleArn -OrganizationId $ctx.OrganizationId
        $null = New-TestWorkerGroup -Store $store -Name dev
    }

    It 'shows a running worker as Healthy and a stopped one as Stopped, with host, version and start time' {
        $worker = Start-TestWorkerInRunspace -Deployment $d -Store $store -Aws $ctx.Aws -StopAfter ([timespan]::FromSeconds(10))
        $healthy = Wait-TestCondition -Because 'a Healthy worker' { Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy }
        $healthy | Should -BeOfType ([RemediationTools.RemediationWorkerInfo])
        $healthy.Version | Should -Match '^\d+\.\d+\.\d+$'
        $healthy.Started | Should -BeLessOrEqual $healthy.LastHeartbeat
        $healthy.JobsDone | Should -Be 0
        $null = Wait-TestWorkerInRunspace $worker
        $stopped = Get-RemediationWorker -Store $store -WorkerGroup prod
        $stopped.WorkerId | Should -Be $healthy.WorkerId
        $stopped.State | Should -Be 'Stopped'
        Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy | Should -BeNullOrEmpty
    }

    It 'calls a worker Stale after three missed heartbeats, and filters by -State' {
        $now = [datetimeoffset]::UtcNow
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord prod w-fresh $now)
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord prod w-silent $now.AddSeconds(-31))
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord dev w-gone $now.AddMinutes(-10) Stopped)
        $workers = Get-RemediationWorker -Store $store
        ($workers | Sort-Object WorkerId | ForEach-Object { "$($_.WorkerId)=$($_.State)" }) | Should -Be @('w-fresh=Healthy', 'w-gone=Stopped', 'w-silent=Stale')
        (Get-RemediationWorker -Store $store -State Stale).WorkerId | Should -Be 'w-silent'
        (Get-RemediationWorker -Store $store -WorkerGroup dev).WorkerId | Should -Be 'w-gone'
    }

    It 'shows a worker that cannot read its queue as Unhealthy with the reason, and Healthy again once it can' {
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $requestId = Add-TestQueuedFinding -Folder $folder -WorkerGroup prod -FindingJson (New-TestFindingJson -Context $ctx -GroupId $groupId)
        # A file where the worker must make its leased/ folder: every claim fails, as a folder of another user does.
        $leased = Join-Path $folder 'queues/prod/leased'
        Set-Content -LiteralPath $leased -Value 'not a folder'
        $worker = Start-TestWorkerInRunspace -Deployment $d -Store $store -Aws $ctx.Aws -StopAfter ([timespan]::FromSeconds(20))
        $sick = Wait-TestCondition -Because 'an Unhealthy worker' { Get-RemediationWorker -Store $store -WorkerGroup prod -State Unhealthy }
        $sick.StateReason | Should -BeLike "*the last poll of the queue failed*$leased*"
        $sick.LastPollFailure | Should -Not -BeNullOrEmpty
        $sick.LastPollError | Should -BeLike "*$leased*"
        Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy | Should -BeNullOrEmpty
        Remove-Item -LiteralPath $leased
        $well = Wait-TestCondition -Because 'the worker Healthy again' { Get-RemediationWorker -Store $store -WorkerGroup prod -State Healthy }
        $well.WorkerId | Should -Be $sick.WorkerId
        $well.StateReason | Should -BeNullOrEmpty
        $well.LastPoll | Should -BeGreaterThan $sick.LastPollFailure
        $run = Wait-TestCondition -Because 'the request done' { Get-RemediationRun -Store $store -WorkerGroup prod -Id $requestId -Status Completed -ErrorAction SilentlyContinue }
        $run.Result.Status | Should -Be 'Remediated'
        $null = Wait-TestWorkerInRunspace $worker
    }

    It 'calls a heartbeating worker whose last poll failed Unhealthy, and Stale once its heartbeats stop' {
        $now = [datetimeoffset]::UtcNow
        $failing = New-WorkerRecord prod w-failing $now
        $failing.LastPoll = $now.AddMinutes(-1); $failing.LastPollFailure = $now.AddSeconds(-1); $failing.LastPollError = 'Access to the path ''/store/queues/prod/leased'' is denied.'
        $failing.PollInterval = [timespan]::FromSeconds(10)
        Add-TestWorker -Folder $folder -Worker $failing
        $silent = New-WorkerRecord prod w-silent $now.AddSeconds(-31)
        $silent.LastPollFailure = $now.AddSeconds(-40)
        Add-TestWorker -Folder $folder -Worker $silent
        $unhealthy = Get-RemediationWorker -Store $store -WorkerGroup prod -State Unhealthy
        $unhealthy.WorkerId | Should -Be 'w-failing'
        $unhealthy.StateReason | Should -BeLike '*/store/queues/prod/leased*'
        (Get-RemediationWorker -Store $store -WorkerGroup prod -State Stale).WorkerId | Should -Be 'w-silent'
        ($unhealthy | Format-Table | Out-String) | Should -Match 'w-failing\s+host-a\s+Unhealthy'
    }

    It 'binds the group by property name from Get-RemediationWorkerGroup' {
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord dev w-dev ([datetimeoffset]::UtcNow))
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord prod w-prod ([datetimeoffset]::UtcNow))
        (Get-RemediationWorkerGroup -Store $store -Name dev | Get-RemediationWorker -Store $store).WorkerId | Should -Be 'w-dev'
    }

    It 'reports an unknown group as WorkerGroupNotFound' {
        Get-RemediationWorker -Store $store -WorkerGroup nosuchgroup -ErrorVariable errs -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $errs[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupNotFound,RemediationTools.Commands.GetRemediationWorkerCommand'
        $errs[0].Exception.Message | Should -Match 'nosuchgroup'
    }

    It 'refuses a state that does not exist' {
        { Get-RemediationWorker -Store $store -State Sleeping -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,RemediationTools.Commands.GetRemediationWorkerCommand' -ExpectedMessage '*Sleeping*'
    }

    It 'shows a table with the worker, host, state, last heartbeat and jobs done' {
        Add-TestWorker -Folder $folder -Worker (New-WorkerRecord prod w-table ([datetimeoffset]::UtcNow))
        $text = Get-RemediationWorker -Store $store | Out-String -Width 160
        $text | Should -Match 'WorkerId\s+Host\s+State\s+LastHeartbeat\s+JobsDone'
        $text | Should -Match 'w-table\s+host-a\s+Healthy\s+.+\s+7'
    }
}
