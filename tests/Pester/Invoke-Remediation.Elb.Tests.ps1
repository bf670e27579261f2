BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0005'

    # The account role allows exactly the job's actions and those only its undo needs.
    $job = Get-RemediationJob | Where-Object Id -EQ 'elb-enable-access-logs'
    $actions = @($job.IamActions) + @($job.UndoIamActions) | Where-Object { $_ } | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'ElbRemediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'ElbRemediation'; PolicyName = 'job'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'elb-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'eu-west-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/ElbRemediation"; ExternalId = $externalId }
    $script:loggingBucket = "vss-logging-target-$($cloud.accountId)-eu-west-1"

    # The replaced system's payload for the load balancer logging rule.
    function New-Finding([string] $ObjectId) {
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = '657c46b7-1cd0-4cce-80bb-9d195f49c987'; RuleName = 'ELB access logs'; Service = 'ELB'
                FindingInfo = @{ FindingId = "f-$ObjectId"; ObjectId = $ObjectId; Region = 'eu-west-1'; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-ClassicAccessLog([string] $Name) {
        $xml = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service elasticloadbalancing -Region eu-west-1 `
            -Action DescribeLoadBalancerAttributes -Parameters @{ Version = '2012-06-01'; LoadBalancerName = $Name }
        $log = $xml.SelectSingleNode('//*[local-name()="AccessLog"]')
        [pscustomobject]@{
            Enabled = $log.SelectSingleNode('*[local-name()="Enabled"]').InnerText
            Bucket = $log.SelectSingleNode('*[local-name()="S3BucketName"]')?.InnerText
            EmitInterval = $log.SelectSingleNode('*[local-name()="EmitInterval"]')?.InnerText
        }
    }

    function Get-V2Attribute([string] $Arn, [string] $Key) {
        $xml = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service elasticloadbalancing -Region eu-west-1 `
            -Action DescribeLoadBalancerAttributes -Parameters @{ Version = '2015-12-01'; LoadBalancerArn = $Arn }
        $xml.SelectNodes('//*[local-name()="member"]') | Where-Object { $_.SelectSingleNode('*[local-name()="Key"]').InnerText -eq $Key } |
            ForEach-Object { $_.SelectSingleNode('*[local-name()="Value"]').InnerText }
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on load balancer access logs' {
    It 'plans with -WhatIf, turns a classic load balancer''s logs on to the logging bucket it creates, and Undo-Remediation turns them off' {
        $null = New-AwsSandboxLoadBalancer -Sandbox $sandbox -AccountId $cloud.accountId -Name web -Region eu-west-1
        $finding = New-Finding 'web'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'elb-enable-access-logs'
        $planned.Actions.Operation | Should -Be @('s3:CreateBucket', 's3:PutBucketPolicy', 'elasticloadbalancing:ModifyLoadBalancerAttributes')
        ($planned.Actions[1].After | ConvertFrom-Json).Principal.AWS | Should -Be 'arn:aws:iam::156460612806:root'
        (Get-ClassicAccessLog web).Enabled | Should -Be 'false'
        Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name $loggingBucket | Should -BeNullOrEmpty

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $log = Get-ClassicAccessLog web
        $log.Enabled | Should -Be 'true'
        $log.Bucket | Should -Be $loggingBucket
        $log.EmitInterval | Should -Be '60'
        $bucket = Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name $loggingBucket
        $bucket.objectOwnership | Should -Be 'BucketOwnerEnforced'
        $bucket.encryption.algorithm | Should -Be 'AES256'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-ClassicAccessLog web).Enabled | Should -Be 'false'
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'Planned'
    }

    It 'turns on an application load balancer''s logs by ARN into the same bucket, and says AlreadyCompliant the second time' {
        $lb = New-AwsSandboxLoadBalancer -Sandbox $sandbox -AccountId $cloud.accountId -Name api -Type Application -Region eu-west-1

        $result = New-Finding $lb.arn | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        Get-V2Attribute $lb.arn 'access_logs.s3.enabled' | Should -Be 'true'
        Get-V2Attribute $lb.arn 'access_logs.s3.prefix' | Should -Be 'elb/api'
        (New-Finding $lb.arn | Invoke-Remediation @aws @role -Confirm:$false).Status | Should -Be 'AlreadyCompliant'
    }
}
