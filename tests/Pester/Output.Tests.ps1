# How the public output types read: table views at 80 columns, ConvertTo-Json and ConvertTo-Csv / Export-Csv.
BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force

    # The whole text of one column of a one-row table, wrapped lines joined (spaces dropped: wrapping may break at them).
    # Columns are found from the dash line under the headers: each starts at its dashes and ends where the next starts.
    function Get-TableCell([string[]] $Lines, [string] $Label) {
        $lines = @($Lines | Where-Object { $_.Trim() })
        $dashIndex = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match '^-+( +-+)*\s*$' })
        if ($dashIndex -lt 1) { throw "No table header in:`n$($Lines -join "`n")" }
        $starts = [regex]::Matches($lines[$dashIndex], '-+') | ForEach-Object Index
        $header = $lines[$dashIndex - 1]
        $column = -1
        for ($i = 0; $i -lt $starts.Count; $i++) {
            $end = if ($i + 1 -lt $starts.Count) { $starts[$i + 1] } else { $header.Length }
            if ($header.Substring($starts[$i], [Math]::Min($end, $header.Length) - $starts[$i]).Trim() -eq $Label) { $column = $i }
        }
        if ($column -lt 0) { throw "No column '$Label' in: $header" }
        $start = $starts[$column]
        $text = foreach ($line in $lines[($dashIndex + 1)..($lines.Count - 1)]) {
            if ($line.Length -le $start) { continue }
            $end = if ($column + 1 -lt $starts.Count) { [Math]::Min($starts[$column + 1], $line.Length) } else { $line.Length }
            $line.Substring($start, $end - $start)
        }
        ($text -join '') -replace '\s', ''
    }

    function New-TestAction($Before, $After) {
        [RemediationTools.RemediationAction]@{ Operation = 'ec2:RevokeSecurityGroupIngress'; Target = 'sg-0123456789abcdef0'; Description = 'Revoke.'; Before = $Before; After = $After }
    }

    function New-TestResult([string] $ResourceId = 'sg-0123456789abcdef0', [string] $Status = 'Remediated') {
        $result = [RemediationTools.RemediationResult]::new()
        $result.JobId = 'aws-s3-remove-fullaccess-authenticatedusers'
        $result.AccountId = '123456789012'
        $result.Region = 'ap-southeast-2'
        $result.ResourceId = $ResourceId
        $result.Status = $Status
        $result.Duration = [timespan]::FromMilliseconds(1234)
        $result.Actions = [RemediationTools.RemediationAction[]]@((New-TestAction 'tcp 22 from 0.0.0.0/0' $null), (New-TestAction $null 'tcp 22 from 10.0.0.0/8'))
        $result.MissingIamActions = [string[]]@('ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress')
        $result.Notes = [string[]]@('sg-0123456789abcdef0 is shared by 2 instances.')
        $result
    }

    $requestId = '0123456789abcdef0123456789abcdef'
    $bucket = 'a' * 20 + '-logs-' + 'b' * 37
    $result = New-TestResult
    $run = [RemediationTools.RemediationRun]@{
        Id = $requestId; RequestId = $requestId; WorkerGroup = 'production'; WorkerId = 'w-0123456789ab'; Status = 'AttemptFailed'; Attempts = 2
        Enqueued = [datetimeoffset]'2026-01-02T03:04:05Z'; Started = [datetimeoffset]'2026-01-02T03:05:00Z'; Finished = [datetimeoffset]'2026-01-02T03:06:07Z'
        Result = (New-TestResult -Status AlreadyCompliant); LogLines = [string[]]@('first line', 'second line')
    }
    $worker = [RemediationTools.RemediationWorkerInfo]@{
        WorkerId = 'w-0123456789ab'; WorkerGroup = 'production'; Host = 'ip-10-0-1-23'; State = 'InstanceGone'; JobsDone = 1234
        LastHeartbeat = [datetimeoffset]::UtcNow; HeartbeatInterval = '00:00:10'; PollInterval = [timespan]::FromSeconds(20)
    }

    # One object per view, with the longest values of their kind, and the columns that must show whole.
    $script:samples = [ordered]@{
        'RemediationTools.RemediationResult' = @{
            Object = $result
            Cells = @{ Status = 'Remediated'; JobId = 'aws-s3-remove-fullaccess-authenticatedusers'; Region = 'ap-southeast-2'; ResourceId = 'sg-0123456789abcdef0' }
        }
        'RemediationTools.RemediationAction' = @{
            Object = New-TestAction 'tcp 22 from 0.0.0.0/0' 'tcp 22 from 10.0.0.0/8'
            Cells = @{ Operation = 'ec2:RevokeSecurityGroupIngress'; Target = 'sg-0123456789abcdef0'; Before = 'tcp22from0.0.0.0/0'; After = 'tcp22from10.0.0.0/8' }
        }
        'RemediationTools.RemediationJobInfo' = @{
            Object = Get-RemediationJob -Id aws-s3-remove-fullaccess-authenticatedusers
            Cells = @{ Id = 'aws-s3-remove-fullaccess-authenticatedusers'; Service = 'S3'; ConfirmImpact = 'Medium' }
        }
        'RemediationTools.RemediationPolicy' = @{
            Object = [RemediationTools.RemediationPolicy]@{ Jobs = [string[]]@('s3-remove-public-access'); Actions = [string[]]@('s3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock'); Documents = [string[]]@('{}'); CharacterCount = 6144 }
            Cells = @{ Jobs = 's3-remove-public-access'; Actions = '2'; CharacterCount = '6144' }
        }
        'RemediationTools.RemediationAccountRole' = @{
            Object = [RemediationTools.RemediationAccountRole]@{ Status = 'Created'; RoleArn = 'arn:aws:iam::222222222222:role/RemediationTools'; ExternalId = 'o-abc1234567'; AccountId = '222222222222'; Jobs = [string[]]@('a', 'b', 'c') }
            Cells = @{ Status = 'Created'; RoleArn = 'arn:aws:iam::222222222222:role/RemediationTools'; ExternalId = 'o-abc1234567'; Jobs = '3' }
        }
        'RemediationTools.RemediationWorkerRole' = @{
            Object = [RemediationTools.RemediationWorkerRole]@{ Status = 'Updated'; RoleArn = 'arn:aws:iam::111111111111:role/RemediationToolsWorker'; InstanceProfileName = 'RemediationToolsWorker'; AccountRoleArns = [string[]]@('x', 'y') }
            Cells = @{ Status = 'Updated'; RoleArn = 'arn:aws:iam::111111111111:role/RemediationToolsWorker'; InstanceProfileName = 'RemediationToolsWorker'; Accounts = '2' }
        }
        'RemediationTools.RemediationAccountRoleReport' = @{
            Object = [RemediationTools.RemediationAccountRoleReport]@{ RoleArn = 'arn:aws:iam::222222222222:role/RemediationTools'; IsReady = $false; HasDrift = $true; Findings = [string[]]@('one', 'two') }
            Cells = @{ IsReady = 'False'; RoleArn = 'arn:aws:iam::222222222222:role/RemediationTools'; HasDrift = 'True'; Findings = '2' }
        }
        'RemediationTools.RemediationWorkerGroup' = @{
            Object = [RemediationTools.RemediationWorkerGroup]@{ Name = 'production-eu'; OrganizationId = 'o-abc1234567'; Description = 'The production accounts of the EU organization unit'; CloudAccounts = [RemediationTools.RemediationCloudAccount[]]@([RemediationTools.RemediationCloudAccount]::new(), [RemediationTools.RemediationCloudAccount]::new()) }
            Cells = @{ Name = 'production-eu'; Accounts = '2'; OrganizationId = 'o-abc1234567'; Description = 'TheproductionaccountsoftheEUorganizationunit' }
        }
        'RemediationTools.WorkerGroupDeployment' = @{
            Object = [RemediationTools.WorkerGroupDeployment]@{ GroupName = 'production-eu'; ClientId = '01234567-89ab-cdef-0123-456789abcdef'; ProcessCommand = 'REMEDIATION_CLIENT_SECRET_FILE=/home/me/.remediation-tools/secrets/prod.secret remediation-worker' }
            Cells = @{ GroupName = 'production-eu'; ClientId = '01234567-89ab-cdef-0123-456789abcdef'; ProcessCommand = 'REMEDIATION_CLIENT_SECRET_FILE=/home/me/.remediation-tools/secrets/prod.secretremediation-worker' }
        }
        'RemediationTools.RemediationWorkerInfo' = @{
            Object = $worker
            Cells = @{ WorkerId = 'w-0123456789ab'; Host = 'ip-10-0-1-23'; State = 'InstanceGone'; JobsDone = '1234' }
        }
        'RemediationTools.RemediationWorkerDeployment' = @{
            Object = [RemediationTools.RemediationWorkerDeployment]@{ InstanceId = 'i-0123456789abcdef0'; WorkerGroup = 'production'; State = 'shutting-down'; ImageUri = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/remediation-worker:0.2.0' }
            Cells = @{ InstanceId = 'i-0123456789abcdef0'; WorkerGroup = 'production'; State = 'shutting-down'; ImageUri = '111111111111.dkr.ecr.eu-west-1.amazonaws.com/remediation-worker:0.2.0' }
        }
        'RemediationTools.RemediationRun' = @{
            Object = $run
            Cells = @{ RequestId = $requestId; Status = 'AttemptFailed'; Result = 'AlreadyCompliant'; When = ([datetimeoffset]'2026-01-02T03:06:07Z').ToLocalTime().ToString('yyyy-MM-ddHH:mm') }
        }
        'RemediationTools.RemediationRequest' = @{
            Object = [RemediationTools.RemediationRequest]@{ RequestId = $requestId; WorkerGroup = 'production'; JobId = 'aws-s3-remove-fullaccess-authenticatedusers'; ResourceId = $bucket }
            Cells = @{ RequestId = $requestId; JobId = 'aws-s3-remove-fullaccess-authenticatedusers'; ResourceId = $bucket }
        }
    }
}

Describe 'Table views' {
    It 'has a sample here for every view of the format file' {
        [xml] $format = Get-Content -Raw -LiteralPath (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.Format.ps1xml')
        $views = @($format.Configuration.ViewDefinitions.View | ForEach-Object { $_.ViewSelectedBy.TypeName })
        ($views | Sort-Object) | Should -Be ($samples.Keys | Sort-Object)
    }

    It 'fits <_> in 80 columns and shows its key columns whole' -ForEach @(
        'RemediationTools.RemediationResult', 'RemediationTools.RemediationAction', 'RemediationTools.RemediationJobInfo',
        'RemediationTools.RemediationPolicy', 'RemediationTools.RemediationAccountRole', 'RemediationTools.RemediationWorkerRole',
        'RemediationTools.RemediationAccountRoleReport', 'RemediationTools.RemediationWorkerGroup', 'RemediationTools.WorkerGroupDeployment',
        'RemediationTools.RemediationWorkerInfo', 'RemediationTools.RemediationWorkerDeployment', 'RemediationTools.RemediationRun',
        'RemediationTools.RemediationRequest'
    ) {
        $sample = $samples[$_]
        $sample.Object.PSObject.TypeNames[0] | Should -Be $_
        $lines = @($sample.Object | Out-String -Width 80 -Stream)
        $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        foreach ($cell in $sample.Cells.GetEnumerator()) {
            Get-TableCell $lines $cell.Key | Should -BeExactly $cell.Value -Because "column $($cell.Key) of:`n$($lines -join "`n")"
        }
        @(@($lines | Where-Object { $_ -match '^-+( +-+)*\s*$' })[0] -split ' +' | Where-Object { $_ }).Count | Should -BeLessOrEqual 5 -Because 'a view has at most five columns'
        $lines | Where-Object { $_ -match '…' } | Should -BeNullOrEmpty -Because 'no value is cut'
    }

    It 'wraps a 63-character bucket name of a result instead of cutting it' {
        $lines = @((New-TestResult -ResourceId $bucket) | Out-String -Width 80 -Stream)
        $lines | Where-Object { $_.Length -gt 80 } | Should -BeNullOrEmpty
        Get-TableCell $lines ResourceId | Should -BeExactly $bucket
        Get-TableCell $lines Region | Should -BeExactly 'ap-southeast-2'
        ($lines -join "`n") | Should -Not -Match '…|\.\.\.'
    }
}

Describe 'ConvertTo-Json' {
    It 'writes a result with the status by name and a compact duration, without -EnumsAsStrings' {
        $json = $result | ConvertTo-Json -Depth 4
        $json | Should -Match '"Status": "Remediated"'
        $json | Should -Match '"Duration": "00:00:01.2340000"'
        $json | Should -Not -Match 'Ticks|TotalMilliseconds'
        $back = $json | ConvertFrom-Json
        $back.Actions[0].Before | Should -Be 'tcp 22 from 0.0.0.0/0'
        $back.MissingIamActions | Should -Be @('ec2:RevokeSecurityGroupIngress', 'ec2:AuthorizeSecurityGroupIngress')
    }

    It 'writes a run with its result, a worker and a request with names and text, never numbers or TimeSpan objects' {
        $runJson = $run | ConvertTo-Json -Depth 5 | ConvertFrom-Json
        $runJson.Status | Should -BeExactly 'AttemptFailed'
        $runJson.Result.Status | Should -BeExactly 'AlreadyCompliant'
        $runJson.Result.Duration | Should -BeExactly '00:00:01.2340000'
        $runJson.LogLines | Should -Be @('first line', 'second line')
        $workerJson = $worker | ConvertTo-Json | ConvertFrom-Json
        $workerJson.State | Should -BeExactly 'InstanceGone'
        $workerJson.HeartbeatInterval | Should -BeExactly '00:00:10'
        $workerJson.PollInterval | Should -BeExactly '00:00:20'
        $requestJson = $samples['RemediationTools.RemediationRequest'].Object | ConvertTo-Json | ConvertFrom-Json
        $requestJson.ResourceId | Should -BeExactly $bucket
        $requestJson.PSObject.Properties.Value | Where-Object { $null -ne $_ -and $_.GetType().Name -eq 'PSCustomObject' } | Should -BeNullOrEmpty
    }

    It 'keeps the statuses enums that compare with their names' {
        $result.Status | Should -BeOfType ([RemediationTools.RemediationStatus])
        $result.Status -eq 'Remediated' | Should -BeTrue
        (@($result, (New-TestResult -Status Failed)) | Where-Object Status -eq Failed).Status | Should -Be 'Failed'
        $run.Status -eq [RemediationTools.RemediationRunStatus]::AttemptFailed | Should -BeTrue
        [timespan] $result.Duration | Should -Be ([timespan]::FromMilliseconds(1234))
    }

    It 'refuses a duration that is not one, naming the value' {
        { $result.Duration = 'soon' } | Should -Throw -ExpectedMessage "*'soon' is not a duration*"
    }
}

Describe 'ConvertTo-Csv and Export-Csv' {
    It 'writes one readable value per column of a result' {
        $rows = @($result, (New-TestResult -ResourceId $bucket -Status Failed)) | ConvertTo-Csv | ConvertFrom-Csv
        $rows | Should -HaveCount 2
        $rows[0].Actions | Should -BeExactly 'ec2:RevokeSecurityGroupIngress sg-0123456789abcdef0: tcp 22 from 0.0.0.0/0 -> (none); ec2:RevokeSecurityGroupIngress sg-0123456789abcdef0: (none) -> tcp 22 from 10.0.0.0/8'
        $rows[0].MissingIamActions | Should -BeExactly 'ec2:RevokeSecurityGroupIngress; ec2:AuthorizeSecurityGroupIngress'
        $rows[0].Notes | Should -BeExactly 'sg-0123456789abcdef0 is shared by 2 instances.'
        $rows[0].Duration | Should -BeExactly '00:00:01.2340000'
        $rows[1].Status | Should -BeExactly 'Failed'
        $rows[1].ResourceId | Should -BeExactly $bucket
        $rows | ForEach-Object { $_.PSObject.Properties.Value } | Where-Object { $_ -match 'System\.|RemediationTools\.|\[\]' } | Should -BeNullOrEmpty
    }

    It 'writes the lists of jobs and roles as their items joined' {
        $row = Get-RemediationJob -Id security-group-close-port-5432 | ConvertTo-Csv | ConvertFrom-Csv
        $row.IamActions -split '; ' | Should -Contain 'ec2:RevokeSecurityGroupIngress'
        $row.RuleIds | Should -Match '^[0-9a-f]{24}(; |$)'
        $role = $samples['RemediationTools.RemediationAccountRole'].Object | ConvertTo-Csv | ConvertFrom-Csv
        $role.Jobs | Should -BeExactly 'a; b; c'
        @($row, $role) | ForEach-Object { $_.PSObject.Properties.Value } | Where-Object { $_ -match 'System\.|\[\]' } | Should -BeNullOrEmpty
    }

    It 'round-trips runs and workers through Export-Csv and Import-Csv as text' {
        $file = Join-Path $TestDrive 'runs.csv'
        $run | Export-Csv -LiteralPath $file
        $row = Import-Csv -LiteralPath $file
        $row.Status | Should -BeExactly 'AttemptFailed'
        $row.LogLines | Should -BeExactly 'first line; second line'
        $row.Result | Should -BeExactly 'AlreadyCompliant aws-s3-remove-fullaccess-authenticatedusers sg-0123456789abcdef0'
        $workerFile = Join-Path $TestDrive 'workers.csv'
        $worker | Export-Csv -LiteralPath $workerFile
        (Import-Csv -LiteralPath $workerFile).HeartbeatInterval | Should -BeExactly '00:00:10'
        Get-Content -LiteralPath $file, $workerFile | Should -Not -Match 'System\.|\[\]'
    }
}
