BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0003'

    # The account role allows exactly the S3 jobs' actions (their undo needs no more).
    $jobs = Get-RemediationJob | Where-Object Id -In 's3-remove-public-access', 's3-remove-public-admin-acl', 's3-enable-default-encryption', 's3-list-buckets'
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = @($jobs.IamActions | Sort-Object -Unique); Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'S3Remediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'S3Remediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 's3-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/S3Remediation"; ExternalId = $externalId }

    function New-TestBucket([hashtable] $Settings = @{}) {
        $name = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        New-AwsSandboxS3Bucket -Sandbox $sandbox -AccountId $cloud.accountId -Name $name @Settings | Out-Null
        $name
    }

    # The replaced system's payload for a bucket finding.
    function New-BucketFinding([string] $RuleId, [string] $Bucket, [string] $Region = 'us-east-1') {
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = $RuleId; RuleName = 'S3 bucket finding'; Service = 'S3'
                FindingInfo = @{ FindingId = "f-$Bucket"; ObjectId = $Bucket; Region = $Region; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-Bucket([string] $Name) { Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name $Name }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on S3 buckets' {
    It 'blocks public access: -WhatIf plans, the run turns all four settings on, Undo-Remediation deletes them again' {
        $bucket = New-TestBucket @{ Legacy = $true }
        $finding = New-BucketFinding '5c8c26507a550e1fb6560c57' $bucket

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 's3-remove-public-access'
        $planned.Actions[0].After | Should -Be 'BlockPublicAcls=true, IgnorePublicAcls=true, BlockPublicPolicy=true, RestrictPublicBuckets=true'
        (Get-Bucket $bucket).publicAccessBlock | Should -BeNullOrEmpty

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $block = (Get-Bucket $bucket).publicAccessBlock
        @($block.blockPublicAcls, $block.ignorePublicAcls, $block.blockPublicPolicy, $block.restrictPublicBuckets) | Should -Be @($true, $true, $true, $true)

        $undo = $result | Undo-Remediation @aws @role -Confirm:$false
        $undo.Status | Should -Be 'Remediated'
        (Get-Bucket $bucket).publicAccessBlock | Should -BeNullOrEmpty
    }

    It 'removes a public FULL_CONTROL grant, keeps the log delivery grants, and the undo puts it back' {
        $bucket = New-TestBucket @{ Legacy = $true; Grants = @(
                @{ accountId = $cloud.accountId; permission = 'FULL_CONTROL' }
                @{ group = 'LogDelivery'; permission = 'WRITE' }
                @{ group = 'LogDelivery'; permission = 'READ_ACP' }
                @{ group = 'AllUsers'; permission = 'FULL_CONTROL' }) }
        $before = @((Get-Bucket $bucket).grants | ForEach-Object { "$($_.grantee) $($_.permission)" })

        $result = Invoke-Remediation -Job s3-remove-public-admin-acl -ResourceId $bucket -AccountId $cloud.accountId @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $after = @((Get-Bucket $bucket).grants | ForEach-Object { "$($_.grantee) $($_.permission)" })
        $after | Should -Be @($before | Where-Object { $_ -notmatch 'AllUsers FULL_CONTROL' })
        $after | Should -Contain 'http://acs.amazonaws.com/groups/s3/LogDelivery WRITE'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        @((Get-Bucket $bucket).grants | ForEach-Object { "$($_.grantee) $($_.permission)" }) | Should -Be $before
    }

    It 'encrypts a bucket without default encryption with the -KmsKeyId key and a bucket key' {
        $bucket = New-TestBucket @{ NoEncryption = $true }
        $key = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'

        $result = New-BucketFinding '1d187035-9fff-48b2-a7c3-ffc56a4da5e6' $bucket | Invoke-Remediation @aws @role -KmsKeyId $key -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $encryption = (Get-Bucket $bucket).encryption
        $encryption.algorithm | Should -Be 'aws:kms'
        $encryption.kmsMasterKeyId | Should -Be $key
        $encryption.bucketKeyEnabled | Should -BeTrue
    }

    It 'never downgrades SSE-KMS' {
        $bucket = New-TestBucket @{ Encryption = @{ algorithm = 'aws:kms'; kmsMasterKeyId = 'alias/finance'; bucketKeyEnabled = $false } }

        $result = New-BucketFinding '1d187035-9fff-48b2-a7c3-ffc56a4da5e6' $bucket | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'AlreadyCompliant'
        (Get-Bucket $bucket).encryption.kmsMasterKeyId | Should -Be 'alias/finance'
    }

    It 'refuses a -KmsKeyId that is no KMS key, naming it' {
        { Invoke-Remediation -Job s3-enable-default-encryption -ResourceId some-bucket @aws -KmsKeyId 'my key' -ErrorAction Stop } |
            Should -Throw -ErrorId 'KmsKeyIdInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage "*'my key'*"
    }

    It 'lists the account''s buckets with their regions and changes nothing' {
        $east = New-TestBucket
        $west = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        New-AwsSandboxS3Bucket -Sandbox $sandbox -AccountId $cloud.accountId -Name $west -Region eu-west-1 | Out-Null

        $result = Invoke-Remediation -Job s3-list-buckets -ResourceId $cloud.accountId -AccountId $cloud.accountId @aws @role
        $result.Status | Should -Be 'AlreadyCompliant'
        $buckets = $result.Data.Buckets
        ($buckets | Where-Object Name -EQ $east).Region | Should -Be 'us-east-1'
        ($buckets | Where-Object Name -EQ $west).Region | Should -Be 'eu-west-1'
    }
}
