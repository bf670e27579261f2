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
