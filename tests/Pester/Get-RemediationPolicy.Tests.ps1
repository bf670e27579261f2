BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $script:jobs = @(Get-RemediationJob)
}

Describe 'Get-RemediationPolicy' {
    It 'is the union of every job''s actions, de-duplicated and sorted, by default' {
        $policy = Get-RemediationPolicy
        $policy | Should -BeOfType ([RemediationTools.RemediationPolicy])
        $expected = @($jobs.IamActions | Sort-Object -Unique -CaseSensitive:$false | Sort-Object { $_ } -Culture '')
        @($policy.Actions).Count | Should -Be @($jobs.IamActions | ForEach-Object ToLowerInvariant | Sort-Object -Unique).Count
        @($policy.Actions | ForEach-Object ToLowerInvariant | Sort-Object) | Should -Be @($expected | ForEach-Object ToLowerInvariant | Sort-Object)
        $policy.Jobs | Should -Be @($jobs.Id)
    }

    It 'takes Get-RemediationJob output on the pipeline' {
        $policy = $jobs[0] | Get-RemediationPolicy
        $policy.Jobs | Should -Be @($jobs[0].Id)
        @($policy.Actions | Sort-Object) | Should -Be @($jobs[0].IamActions | Sort-Object -Unique)
    }

    It 'writes valid IAM JSON with -AsJson' {
        $json = Get-RemediationPolicy -Job $jobs[0].Id -AsJson
        $document = $json | ConvertFrom-Json
        $document.Version | Should -Be '2012-10-17'
        $document.Statement | ForEach-Object { $_.Effect | Should -Be 'Allow'; $_.Resource | Should -Be '*'; $_.Sid | Should -Match '^[A-Za-z0-9]+$' }
        @($document.Statement.Action | Sort-Object) | Should -Be @($jobs[0].IamActions | Sort-Object -Unique)
    }

    It 'splits into several documents that each fit -MaxPolicySize' {
        $documents = @(Get-RemediationPolicy -MaxPolicySize 256 -AsJson)
        $documents.Count | Should -BeGreaterThan 1
        foreach ($document in $documents) { ($document -replace '\s', '').Length | Should -BeLessOrEqual 256 }
        @($documents | ForEach-Object { ($_ | ConvertFrom-Json).Statement.Action } | Sort-Object -Unique).Count |
            Should -Be (Get-RemediationPolicy).Actions.Count
    }

    It 'adds the jobs'' undo actions only with -IncludeUndo' {
        $job = $jobs | Where-Object { $candidate = $_; @($candidate.UndoIamActions | Where-Object { $candidate.IamActions -notcontains $_ }).Count -gt 0 } | Select-Object -First 1
        $job | Should -Not -BeNullOrEmpty -Because 'a job of the catalog needs actions for its undo only'
        $undoOnly = @($job.UndoIamActions | Where-Object { $job.IamActions -notcontains $_ })
        $plain = Get-RemediationPolicy -Job $job.Id
        $withUndo = Get-RemediationPolicy -Job $job.Id -IncludeUndo
        $plain.IncludeUndo | Should -BeFalse
        $withUndo.IncludeUndo | Should -BeTrue
        @($plain.Actions | Sort-Object) | Should -Be @($job.IamActions | Sort-Object -Unique)
        @($withUndo.Actions | Sort-Object) | Should -Be @(@($job.IamActions) + @($job.UndoIamActions) | Sort-Object -Unique)
        foreach ($action in $undoOnly) { $plain.Actions | Should -Not -Contain $action }
        @((Get-RemediationPolicy -Job $job.Id -IncludeUndo -AsJson | ConvertFrom-Json).Statement.Action | Sort-Object) | Should -Be @($withUndo.Actions | Sort-Object)
    }

    It 'writes JobNotFound for an unknown job' {
        { Get-RemediationPolicy -Job 'no-such-job' -ErrorAction Stop } |
            Should -Throw -ErrorId 'JobNotFound,RemediationTools.Commands.GetRemediationPolicyCommand' -ExpectedMessage '*no-such-job*'
    }

    It 'writes the worker role''s AWS-store statements with -WorkerGroup: its queues, and the table limited to its partitions' {
        $policy = Get-RemediationPolicy -WorkerGroup Prod, dev -Store aws:Sec -AccountId 111111111111 -Region eu-west-1
        $policy.WorkerGroups | Should -Be @('dev', 'prod')
        $policy.Jobs | Should -BeNullOrEmpty
        $document = $policy.Documents[0] | ConvertFrom-Json
        $queues = $document.Statement | Where-Object Sid -eq 'WorkerGroupQueues'
        @($queues.Resource) | Should -Be @('arn:aws:sqs:eu-west-1:111111111111:Sec-dev', 'arn:aws:sqs:eu-west-1:111111111111:Sec-dev-dlq', 'arn:aws:sqs:eu-west-1:111111111111:Sec-prod', 'arn:aws:sqs:eu-west-1:111111111111:Sec-prod-dlq')
        $table = $document.Statement | Where-Object Sid -eq 'WorkerGroupTable'
        $table.Resource | Should -Be 'arn:aws:dynamodb:eu-west-1:111111111111:table/Sec'
        @($table.Condition.'ForAllValues:StringEquals'.'dynamodb:LeadingKeys') | Should -Be @('dev', 'prod')
        @($document.Statement.Action) | Should -Not -Contain 'dynamodb:Scan'
        ($policy.Statements | Where-Object Sid -eq 'WorkerGroupTable').Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys'] | Should -Be @('dev', 'prod')
    }

    It 'refuses -WorkerGroup for a store that is not on AWS, and a bad account ID at binding' {
        { Get-RemediationPolicy -WorkerGroup prod -Store local -AccountId 111111111111 -Region us-east-1 -ErrorAction Stop } | Should -Throw -ExpectedMessage "*-Store 'local'*"
        { Get-RemediationPolicy -WorkerGroup prod -AccountId 1111 -Region us-east-1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.GetRemediationPolicyCommand'
    }
}
