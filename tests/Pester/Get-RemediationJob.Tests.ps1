BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
}

Describe 'Get-RemediationJob' {
    It 'lists the catalog as typed job objects' {
        $jobs = @(Get-RemediationJob)
        $jobs.Count | Should -BeGreaterThan 0
        $jobs | ForEach-Object { $_ | Should -BeOfType ([RemediationTools.RemediationJobInfo]) }
        $jobs.Id | Should -Contain 'security-group-close-port-5432'
    }

    It 'describes security-group-close-port-5432 with its rule ID and exact IAM actions' {
        $job = Get-RemediationJob -Id security-group-close-port-5432
        $job.RuleIds | Should -Be @('5c8c25f07a550e1fb6560bc6')
        $job.Service | Should -Be 'EC2'
        $job.IamActions | Should -Contain 'ec2:RevokeSecurityGroupIngress'
        $job.IamActions | Should -Contain 'ec2:AuthorizeSecurityGroupIngress'
        @($job.IamActions | Sort-Object -Unique) | Should -Be @($job.IamActions)
    }

    It 'marks the jobs that delete or cannot be undone exactly as Irreversible, ConfirmImpact High, and shows it in the table' {
        $jobs = @(Get-RemediationJob)
        @($jobs | Where-Object Irreversible | ForEach-Object Id | Sort-Object) | Should -Be @('aws-iam-server-certificate-expired', 'ebs-encrypt-volume', 'security-group-not-attached-delete')
        @($jobs | Where-Object UndoIrreversible | ForEach-Object Id) | Should -Be @('ebs-encrypt-volume')
        $jobs | ForEach-Object { $_.ConfirmImpact | Should -Be $(if ($_.Irreversible) { 'High' } else { 'Medium' }) }
        $table = Get-RemediationJob -Id security-group-not-attached-delete, security-group-close-port-5432 | Format-Table | Out-String -Width 200
        $table | Should -Match 'ConfirmImpact'
        $table | Should -Match 'security-group-not-attached-delete\s+EC2\s+SecurityGroup\s+High'
        $table | Should -Match 'security-group-close-port-5432\s+EC2\s+SecurityGroup\s+Medium'
    }

    It 'finds a job by wildcard and by its underscore alias' {
        (Get-RemediationJob -Id 'security-group-close-port-*').Id | Should -Contain 'security-group-close-port-5432'
        (Get-RemediationJob -Id 'security_group_close_port_5432').Id | Should -Be 'security-group-close-port-5432'
    }

    It 'lists the EC2 network jobs of the catalog with their rule IDs' {
        @(Get-RemediationJob -Id 'ec2-close-port-*').Count | Should -Be 13
        (Get-RemediationJob -RuleId 'bd9d77b6-635d-4e06-9760-8957d8eaeb38').Id | Should -Be 'aws-ec2-close-port-11211'
        (Get-RemediationJob -RuleId '04700175-adbe-49e1-bc7a-bc9605597ce2').Id | Should -Be 'ec2-close-port-9200-9300'
        (Get-RemediationJob -RuleId '5c8c25ec7a550e1fb6560bbe').Id | Should -Be 'security-group-close-port-22'
        (Get-RemediationJob -RuleId '5c8c25ef7a550e1fb6560bc4').Id | Should -Be 'security-group-close-port-3389'
        $acl = Get-RemediationJob -RuleId '1ec4a1f2-3e08-11eb-b378-0242ac130002'
        $acl.Id | Should -Be 'aws-ec2-administration-ports-ingress-allowed'
        $acl.ResourceType | Should -Be 'NetworkAcl'
        $acl.IamActions | Should -Be @('ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry', 'ec2:DescribeNetworkAcls', 'ec2:DescribeVpcs')
        $default = Get-RemediationJob -RuleId '5c8c25f37a550e1fb6560bca'
        $default.Id | Should -Be 'aws-ec2-default-security-group-traffic'
        $default.UndoIamActions | Should -Be @('ec2:AuthorizeSecurityGroupEgress', 'ec2:AuthorizeSecurityGroupIngress')
        (Get-RemediationJob -Id 'ec2-close-port-22').IamActions | Should -Contain 'ec2:DescribeInstances'
    }

    It 'maps a rule ID to the job that serves it' {
        (Get-RemediationJob -RuleId '5c8c25f07a550e1fb6560bc6').Id | Should -Be 'security-group-close-port-5432'
    }

    It 'filters by service' {
        $ec2 = @(Get-RemediationJob -Service EC2)
        $ec2.Count | Should -BeGreaterThan 0
        $ec2.Service | Sort-Object -Unique | Should -Be 'EC2'
        @(Get-RemediationJob -Service 'NoSuchService*').Count | Should -Be 0
    }

    It 'binds job IDs from the pipeline by property name' {
        ([pscustomobject]@{ Id = 'security-group-close-port-5432' } | Get-RemediationJob).Id | Should -Be 'security-group-close-port-5432'
    }

    It 'reports an unknown exact job ID as an error naming it, and goes on with the others' {
        $jobs = @(Get-RemediationJob -Id 'no-such-job', 'security-group-close-port-5432' -ErrorVariable errs -ErrorAction SilentlyContinue)
        $jobs.Id | Should -Be 'security-group-close-port-5432'
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'JobNotFound,RemediationTools.Commands.GetRemediationJobCommand'
        $errs[0].Exception.Message | Should -Match 'no-such-job'
    }

    It 'reports an unknown rule ID as an error naming it' {
        Get-RemediationJob -RuleId 'ffffffffffffffffffffffff' -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'JobNotFound,RemediationTools.Commands.GetRemediationJobCommand'
        $errs[0].Exception.Message | Should -Match 'ffffffffffffffffffffffff'
    }

    It 'completes job IDs on -Id' {
        $line = 'Get-RemediationJob -Id security-group-close'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'security-group-close-port-5432'
    }

    It 'completes regions on -Region of the AWS cmdlets' {
        $line = 'Invoke-Remediation -Region eu-cent'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'eu-central-1'
    }

    It 'formats jobs as a table of at most five columns' {
        $table = Get-RemediationJob -Id security-group-close-port-5432 | Format-Table | Out-String
        $table | Should -Match 'security-group-close-port-5432'
        $table | Should -Match 'ResourceType'
    }
}
