BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    # As in every job test: EC2 lags a read behind each change and pages by 5; the cloud account has no default VPC.
    Set-AwsSandboxConsistency -Sandbox $sandbox -ReadLag 1 -MaxPageSize 5
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox -NoDefaultVpc
    $script:externalId = 'o-pester0001'
    $script:findingTemplate = Get-Content -Raw (Join-Path $repoRoot 'examples/findings/security-group-close-port-5432.json')

    function New-TestRole([string] $Name, [string[]] $Actions, [string] $ExternalId = $script:externalId) {
        $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                    Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $ExternalId } } }) } | ConvertTo-Json -Depth 6 -Compress
        $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $Actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = $Name; AssumeRolePolicyDocument = $trust }
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = $Name; PolicyName = 'jobs'; PolicyDocument = $policy }
        "arn:aws:iam::$($cloud.accountId):role/$Name"
    }

    function New-TestGroup([hashtable[]] $Rules) {
        $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeVpcs
        $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
        $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
            GroupName = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"; GroupDescription = 'pester'; VpcId = $vpcId }
        $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
        foreach ($rule in $Rules) {
            $p = @{ GroupId = $groupId; 'IpPermissions.1.IpProtocol' = $rule.Protocol }
            if ($rule.Protocol -ne '-1') { $p['IpPermissions.1.FromPort'] = $rule.From; $p['IpPermissions.1.ToPort'] = $rule.To }
            if ($rule.Cidr -match ':') { $p['IpPermissions.1.Ipv6Ranges.1.CidrIpv6'] = $rule.Cidr } else { $p['IpPermissions.1.IpRanges.1.CidrIp'] = $rule.Cidr }
            $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters $p
        }
        $groupId
    }

    function New-TestFinding([string] $GroupId) {
        $finding = $findingTemplate | ConvertFrom-Json
        $finding.notificationInfo.CloudAccountID = $cloud.accountId
        $finding.notificationInfo.FindingInfo.ObjectId = $GroupId
        $finding | ConvertTo-Json -Depth 10
    }

    function Get-Rules([string] $GroupId) { Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $GroupId }

    $script:jobActions = (Get-RemediationJob -Id security-group-close-port-5432).IamActions
    $script:roleArn = New-TestRole -Name 'Remediation' -Actions $jobActions
    # Roles cannot be assumed with root keys (as in AWS): the caller is an IAM user of the hosting account.
    $script:caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = $roleArn; ExternalId = $externalId }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation' {
    Context 'a security group open to the world on 5432' {
        BeforeEach {
            $script:group = New-TestGroup @(
                @{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }
                @{ Protocol = 'tcp'; From = 5400; To = 5500; Cidr = '::/0' }
                @{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '10.0.0.0/16' }
                @{ Protocol = 'tcp'; From = 443; To = 443; Cidr = '0.0.0.0/0' }
            )
            $script:finding = New-TestFinding $group
            $script:before = Get-Rules $group
        }

        It 'with -WhatIf returns a Planned result and changes nothing' {
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            $result = $finding | Invoke-Remediation @aws @role -WhatIf
            $result | Should -BeOfType ([RemediationTools.RemediationResult])
            $result.Status | Should -Be 'Planned'
            $result.Actions.Count | Should -BeGreaterThan 0
            Get-Rules $group | Should -Be $before
            $calls = Get-AwsSandboxCallCount -Sandbox $sandbox
            $calls.Keys | Where-Object { $_ -match 'Authorize|Revoke' } | Should -BeNullOrEmpty
        }

        It 'removes only the public access to 5432 and keeps every other rule' {
            $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            $result.AccountId | Should -Be $cloud.accountId
            $result.ResourceId | Should -Be $group
            $result.JobId | Should -Be 'security-group-close-port-5432'
            Get-Rules $group | Should -Be @(
                'tcp 443 from 0.0.0.0/0'
                'tcp 5400-5431 from ::/0'
                'tcp 5432 from 10.0.0.0/16'
                'tcp 5433-5500 from ::/0'
            )
        }

        It 'records before and after for every action' {
            $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
            foreach ($action in $result.Actions) {
                $action.Operation | Should -Match '^ec2:'
                ($action.Before + $action.After) | Should -Not -BeNullOrEmpty
            }
            ($result.Actions.Before -join ' ') | Should -Match '0\.0\.0\.0/0'
        }

        It 'changes nothing the second time and says AlreadyCompliant' {
            $null = $finding | Invoke-Remediation @aws @role -Confirm:$false
            $afterFirst = Get-Rules $group
            $second = $finding | Invoke-Remediation @aws @role -Confirm:$false
            $second.Status | Should -Be 'AlreadyCompliant'
            Get-Rules $group | Should -Be $afterFirst
        }

        It 'revokes the whole range rule with -RangeMode Remove' {
            $result = $finding | Invoke-Remediation @aws @role -RangeMode Remove -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            Get-Rules $group | Should -Be @('tcp 443 from 0.0.0.0/0', 'tcp 5432 from 10.0.0.0/16')
        }

        It 'assumes the role once for many findings' {
            $second = New-TestFinding (New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }))
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            $results = @($finding, $second) | Invoke-Remediation @aws @role -Confirm:$false
            $results.Status | Should -Be @('Remediated', 'Remediated')
            (Get-AwsSandboxCallCount -Sandbox $sandbox)['sts:AssumeRole'] | Should -Be 1
        }

        It 'reads findings from files with -Path wildcards' {
            $folder = Join-Path $TestDrive 'findings'
            $null = New-Item -ItemType Directory -Path $folder -Force
            Set-Content -Path (Join-Path $folder 'one.json') -Value $finding
            $result = Invoke-Remediation -Path (Join-Path $folder '*.json') @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
        }

        It 'takes the finding as an object from ConvertFrom-Json' {
            $result = $finding | ConvertFrom-Json | Invoke-Remediation @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
        }

        It 'uses the caller''s own credentials when no role is given' {
            $own = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            $result = $finding | Invoke-Remediation @own -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            (Get-AwsSandboxCallCount -Sandbox $sandbox)['sts:AssumeRole'] | Should -BeNullOrEmpty
        }

        It 'honours AWS_ENDPOINT_URL when -EndpointUrl is not given' {
            $env:AWS_ENDPOINT_URL = $sandbox.Endpoint
            try {
                $result = $finding | Invoke-Remediation -AccessKey $caller.accessKeyId -SecretKey $caller.secretAccessKey -Region us-east-1 @role -Confirm:$false
                $result.Status | Should -Be 'Remediated'
            }
            finally { Remove-Item Env:AWS_ENDPOINT_URL }
        }

        It 'uses a named profile from the shared credentials file, and $StoredAWSCredentials / $StoredAWSRegion when no parameter is given' {
            $credentialsFile = Join-Path $TestDrive 'credentials'
            Set-Content -LiteralPath $credentialsFile -Value @(
                '[pester-caller]'
                "aws_access_key_id = $($caller.accessKeyId)"
                "aws_secret_access_key = $($caller.secretAccessKey)"
            )
            $savedFile = $env:AWS_SHARED_CREDENTIALS_FILE
            $env:AWS_SHARED_CREDENTIALS_FILE = $credentialsFile
            try {
                ($finding | Invoke-Remediation -ProfileName pester-caller -Region us-east-1 -EndpointUrl $sandbox.Endpoint @role -WhatIf).Status | Should -Be 'Planned'
                $global:StoredAWSCredentials = 'pester-caller'
                $global:StoredAWSRegion = 'us-east-1'
                ($finding | Invoke-Remediation -EndpointUrl $sandbox.Endpoint @role -Confirm:$false).Status | Should -Be 'Remediated'
            }
            finally {
                Remove-Variable -Name StoredAWSCredentials, StoredAWSRegion -Scope Global -ErrorAction SilentlyContinue
                $env:AWS_SHARED_CREDENTIALS_FILE = $savedFile
            }
        }

        It 'reports a refused external ID as AssumeRoleDenied and changes nothing' {
            $result = $finding | Invoke-Remediation @aws -RoleArn $roleArn -ExternalId 'o-wrong' -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'AssumeRoleDenied,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].Exception.Message | Should -Match 'o-wrong'
            $result.Status | Should -Be 'Failed'
            Get-Rules $group | Should -Be $before
        }

        It 'reports AccessDenied as Failed with the missing IAM action' {
            $weakRole = New-TestRole -Name "NoRevoke$(Get-Random)" -Actions @($jobActions | Where-Object { $_ -ne 'ec2:RevokeSecurityGroupIngress' })
            $result = $finding | Invoke-Remediation @aws -RoleArn $weakRole -ExternalId $externalId -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable errs
            $result.Status | Should -Be 'Failed'
            $result.ErrorCode | Should -Be 'UnauthorizedOperation'
            $result.MissingIamActions | Should -Contain 'ec2:RevokeSecurityGroupIngress'
            # The error names the finding and what failed, in words, and carries the result.
            $result.FindingId | Should -Not -BeNullOrEmpty
            $errs.Count | Should -Be 1
            $errs[0].Exception.Message | Should -BeLike "Finding '$($result.FindingId)': $($result.JobId) on $($result.ResourceId) (account *) failed: *"
            $errs[0].Exception.Message | Should -Not -Match 'Exception|\(Parameter '
            $errs[0].TargetObject.FindingId | Should -Be $result.FindingId
        }
    }

    Context 'finding forms, accounts and safety rails' {
        It 'fixes one resource named by -Job, -ResourceId, -AccountId and -Region' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }, @{ Protocol = 'tcp'; From = 22; To = 22; Cidr = '0.0.0.0/0' })
            $result = Invoke-Remediation -Job security-group-close-port-5432 -ResourceId $group -AccountId $cloud.accountId @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            $result.AccountId | Should -Be $cloud.accountId
            $result.Region | Should -Be 'us-east-1'
            Get-Rules $group | Should -Be @('tcp 22 from 0.0.0.0/0')
        }

        It 'takes the resource as an ARN, with the account and region from the ARN' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $arn = "arn:aws:ec2:us-east-1:$($cloud.accountId):security-group/$group"
            $result = Invoke-Remediation -Job security_group_close_port_5432 -ResourceId $arn @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            $result.ResourceId | Should -Be $group
            $result.AccountId | Should -Be $cloud.accountId
        }

        It 'takes a plain hashtable finding (Job, ResourceId, AccountId, Region)' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $result = @{ Job = 'security-group-close-port-5432'; ResourceId = $group; AccountId = $cloud.accountId; Region = 'us-east-1' } |
                Invoke-Remediation @aws @role -Confirm:$false
            $result.Status | Should -Be 'Remediated'
        }

        It 'reports a -ResourceId that the job cannot use as FindingInvalid and changes nothing' {
            $result = Invoke-Remediation -Job security-group-close-port-5432 -ResourceId 'i-0123456789abcdef0' -AccountId $cloud.accountId @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $result | Should -BeNullOrEmpty
            $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].Exception.Message | Should -Match 'i-0123456789abcdef0'
        }

        It 'uses the role of each account from -CloudAccount hashtables, deriving the account ID from the role ARN' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            $result = New-TestFinding $group | Invoke-Remediation @aws -CloudAccount @{ RoleArn = $roleArn; ExternalId = $externalId } -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            (Get-AwsSandboxCallCount -Sandbox $sandbox)['sts:AssumeRole'] | Should -Be 1
        }

        It 'refuses a finding of another account than the credentials as AccountMismatch naming both, and changes nothing' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $before = Get-Rules $group
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            # No role: the caller's own credentials, which are of the hosting account; the finding is for the cloud account.
            $result = New-TestFinding $group | Invoke-Remediation @aws -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $calls = Get-AwsSandboxCallCount -Sandbox $sandbox
            $result.Status | Should -Be 'Failed'
            $result.ErrorCode | Should -Be 'AccountMismatch'
            $result.AccountId | Should -Be $cloud.accountId
            $result.Reason | Should -BeLike "*account $($cloud.accountId), but the caller's own credentials belong to account $($hosting.accountId)*"
            $errs[0].FullyQualifiedErrorId | Should -Be 'AccountMismatch,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].CategoryInfo.Category | Should -Be 'SecurityError'
            @($calls.Keys | Where-Object { $_ -like 'ec2:*' }) | Should -BeNullOrEmpty
            $calls['sts:GetCallerIdentity'] | Should -Be 1
            Get-Rules $group | Should -Be $before
        }

        It 'takes -CloudAccount objects with AccountId, RoleArn and ExternalId properties' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $account = [pscustomobject]@{ AccountId = $cloud.accountId; RoleArn = $roleArn; ExternalId = $externalId }
            (New-TestFinding $group | Invoke-Remediation @aws -CloudAccount $account -Confirm:$false).Status | Should -Be 'Remediated'
        }

        It 'rejects a -CloudAccount whose account ID is not the role''s account, naming both, before touching anything' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $before = Get-Rules $group
            { New-TestFinding $group | Invoke-Remediation @aws -CloudAccount @{ AccountId = '999999999999'; RoleArn = $roleArn; ExternalId = $externalId } -ErrorAction Stop } |
                Should -Throw -ErrorId 'CloudAccountInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*999999999999*'
            { New-TestFinding $group | Invoke-Remediation @aws -CloudAccount @{ RoleArn = $roleArn } -ErrorAction Stop } |
                Should -Throw -ErrorId 'CloudAccountInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*ExternalId*'
            Get-Rules $group | Should -Be $before
        }

        It 'stops after -MaxChanges changes and reports the rest as Skipped with the reason' {
            $findings = 1..4 | ForEach-Object { New-TestFinding (New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })) }
            $results = $findings | Invoke-Remediation @aws @role -MaxChanges 2 -ThrottleLimit 1 -Confirm:$false
            $results.Status | Should -Be @('Remediated', 'Remediated', 'Skipped', 'Skipped')
            $results[3].Reason | Should -Match '-MaxChanges 2'
        }

        It 'skips a resource tagged remediation:skip = true' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateTags -Parameters @{ 'ResourceId.1' = $group; 'Tag.1.Key' = 'remediation:skip'; 'Tag.1.Value' = 'true' }
            $result = New-TestFinding $group | Invoke-Remediation @aws @role -Confirm:$false
            $result.Status | Should -Be 'Skipped'
            Get-Rules $group | Should -Be @('tcp 5432 from 0.0.0.0/0')
        }

        It 'runs many findings across accounts as one batch: results for all, one AssumeRole, read calls shared' {
            $groups = 1..12 | ForEach-Object { New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }) }
            Reset-AwsSandboxCallCount -Sandbox $sandbox
            $results = $groups | ForEach-Object { New-TestFinding $_ } | Invoke-Remediation @aws @role -ThrottleLimit 4 -Confirm:$false
            @($results).Count | Should -Be 12
            @($results | Where-Object Status -eq 'Remediated').Count | Should -Be 12
            ($results.ResourceId | Sort-Object) | Should -Be ($groups | Sort-Object)
            $calls = Get-AwsSandboxCallCount -Sandbox $sandbox
            $calls['sts:AssumeRole'] | Should -Be 1
            $calls['ec2:DescribeNetworkInterfaces'] | Should -Be 1
            # One batched read for the plans, then the verify reads (and one re-read each, as the sandbox lags a read)
            # batched across the findings that run at once: never one per finding (that would be 1 + 12 * 2).
            $calls['ec2:DescribeSecurityGroups'] | Should -BeGreaterOrEqual 3
            $calls['ec2:DescribeSecurityGroups'] | Should -BeLessOrEqual (1 + 12)
        }

        It 'takes AWS Security Hub findings (ASFF) in an EventBridge event, one result per finding' {
            $groups = 1..2 | ForEach-Object { New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }) }
            $asff = foreach ($g in $groups) {
                @{ SchemaVersion = '2018-10-08'; Id = "finding-$g"; AwsAccountId = $cloud.accountId; Region = 'us-east-1'; GeneratorId = 'security-control/EC2.13'
                   Compliance = @{ Status = 'FAILED'; SecurityControlId = 'EC2.13' }
                   Resources = @(@{ Type = 'AwsEc2SecurityGroup'; Id = "arn:aws:ec2:us-east-1:$($cloud.accountId):security-group/$g"; Region = 'us-east-1' }) }
            }
            $event = @{ 'detail-type' = 'Security Hub Findings - Imported'; detail = @{ findings = @($asff) } } | ConvertTo-Json -Depth 8
            $results = $event | Invoke-Remediation -Job security-group-close-port-5432 @aws @role -Confirm:$false
            $results.Status | Should -Be @('Remediated', 'Remediated')
            ($results.ResourceId | Sort-Object) | Should -Be ($groups | Sort-Object)
            $results.RuleId | Should -Be @('EC2.13', 'EC2.13')
        }

        It 'reports a Security Hub control that no job serves as FindingInvalid naming the control' {
            $asff = @{ SchemaVersion = '2018-10-08'; Id = 'x'; AwsAccountId = $cloud.accountId; Region = 'us-east-1'
                       Compliance = @{ SecurityControlId = 'Config.1' }; Resources = @(@{ Type = 'AwsAccount'; Id = "AWS::::Account:$($cloud.accountId)" }) }
            $asff | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].Exception.Message | Should -Match 'Config\.1'
        }

        It 'with -WhatIf and -MaxChanges plans exactly as many findings as the real run would change' {
            $findings = 1..3 | ForEach-Object { New-TestFinding (New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })) }
            $results = $findings | Invoke-Remediation @aws @role -MaxChanges 1 -ThrottleLimit 1 -WhatIf
            $results.Status | Should -Be @('Planned', 'Skipped', 'Skipped')
        }
    }

    Context 'the other EC2 network jobs, through the cmdlet' {
        BeforeAll {
            $script:own = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
        }

        It 'closes port 22 on every group of an instance (ec2-close-port-22) and leaves 3389 open' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 22; To = 22; Cidr = '0.0.0.0/0' }, @{ Protocol = 'tcp'; From = 3389; To = 3389; Cidr = '0.0.0.0/0' })
            $instance = New-AwsSandboxInstance -Sandbox $sandbox -AccountId $cloud.accountId -NetworkInterfaces @(, @($group))
            $result = Invoke-Remediation -Job ec2-close-port-22 -ResourceId $instance -AccountId $cloud.accountId @own -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            $result.ResourceId | Should -Be $instance
            Get-Rules $group | Should -Be @('tcp 3389 from 0.0.0.0/0')
        }

        It 'denies tcp 22 and 3389 from the internet on the default network ACL without deleting its allow-all entry' {
            $acls = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeNetworkAcls -Parameters @{ 'Filter.1.Name' = 'default'; 'Filter.1.Value.1' = 'true' }
            $aclId = $acls.SelectSingleNode('//*[local-name()="networkAclId"]').InnerText
            $result = Invoke-Remediation -Job aws-ec2-administration-ports-ingress-allowed -ResourceId $aclId -AccountId $cloud.accountId @own -Confirm:$false
            $result.Status | Should -Be 'Remediated'
            $after = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeNetworkAcls -Parameters @{ 'NetworkAclId.1' = $aclId }
            $entries = $after.SelectNodes('//*[local-name()="entrySet"]/*[local-name()="item"]')
            $denies = @($entries | Where-Object { $_.ruleAction -eq 'deny' -and $_.egress -eq 'false' -and $_.SelectSingleNode('*[local-name()="portRange"]') })
            @($denies | ForEach-Object { $_.portRange.from } | Sort-Object -Unique) | Should -Be @('22', '3389')
            @($entries | Where-Object { $_.ruleNumber -eq '100' -and $_.egress -eq 'false' -and $_.ruleAction -eq 'allow' }).Count | Should -Be 1
            (Invoke-Remediation -Job aws-ec2-administration-ports-ingress-allowed -ResourceId $aclId -AccountId $cloud.accountId @own -Confirm:$false).Status | Should -Be 'AlreadyCompliant'
        }

        It 'revokes every rule of a VPC''s default group and skips any other group' {
            $groups = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeSecurityGroups -Parameters @{ 'Filter.1.Name' = 'group-name'; 'Filter.1.Value.1' = 'default' }
            $defaultGroup = $groups.SelectSingleNode('//*[local-name()="groupId"]').InnerText
            (Invoke-Remediation -Job aws-ec2-default-security-group-traffic -ResourceId $defaultGroup -AccountId $cloud.accountId @own -Confirm:$false).Status | Should -Be 'Remediated'
            Get-Rules $defaultGroup | Should -BeNullOrEmpty
            $other = New-TestGroup @(@{ Protocol = 'tcp'; From = 443; To = 443; Cidr = '0.0.0.0/0' })
            $skipped = Invoke-Remediation -Job aws-ec2-default-security-group-traffic -ResourceId $other -AccountId $cloud.accountId @own -Confirm:$false
            $skipped.Status | Should -Be 'Skipped'
            Get-Rules $other | Should -Be @('tcp 443 from 0.0.0.0/0')
        }
    }

    Context 'a High-impact job: security-group-not-attached-delete deletes the group' {
        BeforeAll {
            $script:own = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
            function Test-GroupExists([string] $GroupId) {
                try { $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeSecurityGroups -Parameters @{ 'GroupId.1' = $GroupId }; $true }
                catch { if ("$_" -match 'InvalidGroup.NotFound') { $false } else { throw } }
            }
            $script:deleteJob = @{ Job = 'security-group-not-attached-delete'; AccountId = $cloud.accountId }
        }

        It 'is not applied, where the host cannot ask, without -Force or -Confirm:$false, and says how to consent' {
            $group = New-TestGroup @()
            $run = Invoke-TestWithoutPrompt 'Invoke-Remediation @Parameters' ($deleteJob + $own + @{ ResourceId = $group })
            $run.Output.Count | Should -Be 1
            $run.Output[0].Status | Should -Be 'Planned'
            $run.Output[0].Reason | Should -Match 'needs confirmation.*-Force or -Confirm:\$false'
            $run.Errors.Count | Should -Be 1
            $run.Errors[0].FullyQualifiedErrorId | Should -Be 'ConfirmationRequired,RemediationTools.Commands.InvokeRemediationCommand'
            Test-GroupExists $group | Should -BeTrue
        }

        It 'asks nothing more for a Medium-impact job in that host' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $run = Invoke-TestWithoutPrompt 'Invoke-Remediation @Parameters' ($own + @{ Job = 'security-group-close-port-5432'; ResourceId = $group; AccountId = $cloud.accountId })
            $run.Errors | Should -BeNullOrEmpty
            $run.Output[0].Status | Should -Be 'Remediated'
        }

        It 'is applied without asking when $ConfirmPreference is None, as PowerShell does for High-impact changes' {
            $group = New-TestGroup @()
            $run = Invoke-TestWithoutPrompt '$ConfirmPreference = ''None''; Invoke-Remediation @Parameters' ($deleteJob + $own + @{ ResourceId = $group })
            $run.Errors | Should -BeNullOrEmpty
            $run.Output[0].Status | Should -Be 'Remediated'
            Test-GroupExists $group | Should -BeFalse
        }

        It 'only plans with -WhatIf, even with -Force' {
            $group = New-TestGroup @()
            $result = Invoke-Remediation @deleteJob @own -ResourceId $group -Force -WhatIf
            $result.Status | Should -Be 'Planned'
            Test-GroupExists $group | Should -BeTrue
        }

        It 'is applied with -Force, and with -Confirm:$false, in a host that cannot ask' {
            $forced = New-TestGroup @()
            $consented = New-TestGroup @()
            $run = Invoke-TestWithoutPrompt 'Invoke-Remediation @Parameters -Force' ($deleteJob + $own + @{ ResourceId = $forced })
            $run.Errors | Should -BeNullOrEmpty
            $run.Output[0].Status | Should -Be 'Remediated'
            (Invoke-TestWithoutPrompt 'Invoke-Remediation @Parameters -Confirm:$false' ($deleteJob + $own + @{ ResourceId = $consented })).Output[0].Status | Should -Be 'Remediated'
            Test-GroupExists $forced | Should -BeFalse
            Test-GroupExists $consented | Should -BeFalse
        }
    }

    Context 'bad input' {
        It 'reports a finding without a rule ID as FindingInvalid naming the field, and goes on with the next' {
            $group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
            $good = New-TestFinding $group
            $bad = $good | ConvertFrom-Json
            $bad.notificationInfo.PSObject.Properties.Remove('RuleID')
            $results = @(($bad | ConvertTo-Json -Depth 10), $good) | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].Exception.Message | Should -Match 'RuleI[Dd]'
            @($results).Count | Should -Be 1
            $results.Status | Should -Be 'Remediated'
        }

        It 'reports a rule ID that no job serves as JobNotFound' {
            $finding = (New-TestFinding 'sg-0123456789abcdef0') -replace '5c8c25f07a550e1fb6560bc6', 'ffffffffffffffffffffffff'
            $finding | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'JobNotFound,RemediationTools.Commands.InvokeRemediationCommand'
            $errs[0].Exception.Message | Should -Match 'ffffffffffffffffffffffff'
        }

        It 'reports a missing -LiteralPath file as PathNotFound' {
            Invoke-Remediation -LiteralPath (Join-Path $TestDrive 'missing.json') @aws -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,RemediationTools.Commands.InvokeRemediationCommand'
        }

        It 'stops with a clear error on an unknown profile' {
            $finding = New-TestFinding 'sg-0123456789abcdef0'
            { $finding | Invoke-Remediation -ProfileName 'no-such-profile-xyz' -Region us-east-1 -EndpointUrl $sandbox.Endpoint -ErrorAction Stop } |
                Should -Throw -ErrorId 'AwsConfigurationInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*no-such-profile-xyz*'
        }

        It 'stops with a clear error when no region is set anywhere' {
            $saved = @{}
            foreach ($name in 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE', 'AWS_CONFIG_FILE') { $saved[$name] = [Environment]::GetEnvironmentVariable($name) }
            try {
                foreach ($name in 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE') { [Environment]::SetEnvironmentVariable($name, $null) }
                $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
                $finding = New-TestFinding 'sg-0123456789abcdef0'
                { $finding | Invoke-Remediation -AccessKey $caller.accessKeyId -SecretKey $caller.secretAccessKey -EndpointUrl $sandbox.Endpoint -ErrorAction Stop } |
                    Should -Throw -ErrorId 'AwsConfigurationInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*-Region*'
            }
            finally {
                foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
            }
        }

        It 'rejects -RoleArn without -ExternalId before touching anything' {
            $finding = New-TestFinding 'sg-0123456789abcdef0'
            { $finding | Invoke-Remediation @aws -RoleArn $roleArn -ErrorAction Stop } | Should -Throw -ExpectedMessage '*ExternalId*'
        }

        It 'rejects a -RoleArn that is not a role ARN, naming it' {
            $finding = New-TestFinding 'sg-0123456789abcdef0'
            { $finding | Invoke-Remediation @aws -RoleArn 'not-an-arn' -ExternalId x -ErrorAction Stop } | Should -Throw -ExpectedMessage '*not-an-arn*'
        }
    }
}
