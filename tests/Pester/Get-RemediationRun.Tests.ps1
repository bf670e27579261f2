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

        It 'shows a table of request, status, result and time within 80 columns' {
            $lines = Get-RemediationRun -Store $store prod -Status DeadLettered, Completed | Out-String -Width 80 -Stream
            $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
            $text = $lines -join "`n"
            $text | Should -Match 'RequestId\s+Status\s+Result\s+When'
            $text | Should -Match ('bbbb0002\s+DeadLettered\s+' + [regex]::Escape($now.AddHours(-1).ToLocalTime().ToString('yyyy-MM-dd HH:mm')))
        }

        It 'takes several statuses' {
            (Get-RemediationRun -Store $store prod -Status DeadLettered, AttemptFailed).Id | Should -Be @('bbbb0002-1', 'bbbb0002')
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

    Context 'requests still in the queue' {
        BeforeEach {
            $json = 'sg-0123456789abcdef0', 'sg-0123456789abcdef1' | ForEach-Object { New-TestFindingJson -Context $ctx -GroupId $_ }
            $script:ids = @(Add-TestQueuedFinding -Folder $folder -WorkerGroup prod -FindingJson $json)
        }

        It 'shows queued requests as Queued, after the recorded runs' {
            Add-TestRun -Folder $folder -Run (New-RunRecord 'aaaa0001' Completed ([datetimeoffset]::UtcNow))
            $runs = @(Get-RemediationRun -Store $store -WorkerGroup prod)
            $runs.Status | Should -Be @('Completed', 'Queued', 'Queued')
            ($runs[1..2].RequestId | Sort-Object) | Should -Be ($ids | Sort-Object)
            $runs[1..2] | ForEach-Object { $_.Attempts | Should -Be 0; $_.Result | Should -BeNullOrEmpty; $_.Enqueued | Should -BeGreaterThan ([datetimeoffset]::UtcNow.AddMinutes(-5)) }
            (Get-RemediationRun -Store $store prod -Id $ids[0]).Status | Should -Be 'Queued'
        }

        It 'shows the request a worker holds as Running with the worker, and filters by -Status' {
            # A worker's claim, through the store's own contract (IRemediationStore.ReceiveAsync).
            $coreAssembly = [RemediationTools.RemediationRun].Assembly
            $core = $coreAssembly.GetType('RemediationTools.Core.Stores.StoreFactory', $true).GetMethod('Create').Invoke($null, @("local:$folder"))
            $receive = $coreAssembly.GetType('RemediationTools.Core.Stores.IRemediationStore', $true).GetMethod('ReceiveAsync')
            $lease = @($receive.Invoke($core, @('prod', 'w-pester', 1, [timespan]::FromMinutes(5), [timespan]::Zero, [Threading.CancellationToken]::None)).GetAwaiter().GetResult())[0]
            $running = Get-RemediationRun -Store $store prod -Status Running
            $running.RequestId | Should -Be $lease.Request.Id
            $running.WorkerId | Should -Be 'w-pester'
            $running.Attempts | Should -Be 1
            (Get-RemediationRun -Store $store prod -Status Queued).RequestId | Should -Be ($ids | Where-Object { $_ -ne $lease.Request.Id })
            @(Get-RemediationRun -Store $store prod -Status Queued, Running) | Should -HaveCount 2
            @(Get-RemediationRun -Store $store prod -Status Completed) | Should -HaveCount 0
            (Get-RemediationRun -Store $store prod -Status Running | Out-String -Width 80) | Should -Match ([regex]::Escape($lease.Request.Id) + '\s+Running')
        }
    }

    It 'shows a request of the AWS store as Queued until a worker completes it' {
        $aws = $ctx.Aws
        $awsStore = 'aws:pester' + [guid]::NewGuid().ToString('N').Substring(0, 8)
        $deployment = New-RemediationWorkerGroup -Store $awsStore @aws -Name prod -OrganizationId $ctx.OrganizationId -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId -WarningAction SilentlyContinue -Confirm:$false
        try {
            $groupId = New-TestOpenSecurityGroup -Context $ctx
            $before = [datetimeoffset]::UtcNow
            $request = New-TestFindingJson -Context $ctx -GroupId $groupId | Invoke-Remediation -WorkerGroup prod -Store $awsStore @aws -Confirm:$false
            $queued = Get-RemediationRun -Store $awsStore @aws -WorkerGroup prod
            $queued.RequestId | Should -Be $request.RequestId
            $queued.Status | Should -Be 'Queued'
            $queued.Enqueued | Should -BeGreaterOrEqual $before
            $null = $deployment | Start-RemediationWorker -Store $awsStore @aws -StopWhenIdle
            $done = @(Get-RemediationRun -Store $awsStore @aws -WorkerGroup prod)
            $done.Status | Should -Be 'Completed'
            $done.Result.Status | Should -Be 'Remediated'
            @(Get-RemediationRun -Store $awsStore @aws -WorkerGroup prod -Status Queued, Running) | Should -HaveCount 0
        }
        finally {
            Remove-RemediationWorkerGroup -Name prod -Store $awsStore @aws -Confirm:$false
        }
    }

    It 'completes every status for -Status, the queued and running ones too' {
        $line = 'Get-RemediationRun -WorkerGroup prod -Status '
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        ($completion.CompletionMatches.CompletionText | Sort-Object) | Should -Be @('AttemptFailed', 'Completed', 'DeadLettered', 'Queued', 'Running')
        $line = 'Get-RemediationRun -WorkerGroup prod -Status Ru'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be 'Running'
    }

    It 'refuses an unknown status at binding, naming it and the valid ones' {
        { Get-RemediationRun -Store $store prod -Status Finished -ErrorAction Stop } |
            Should -Throw -ErrorId 'CannotConvertArgumentNoMessage,RemediationTools.Commands.GetRemediationRunCommand' -ExpectedMessage '*Finished*Queued*Running*'
    }

    It 'has no Nullable or Object in its syntax' {
        (Get-Command Get-RemediationRun -Syntax) | Should -Not -Match 'Nullable|\[Object\]'
        (Get-Command Get-RemediationRun).Parameters['Status'].ParameterType | Should -Be ([RemediationTools.RemediationRunStatus[]])
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
