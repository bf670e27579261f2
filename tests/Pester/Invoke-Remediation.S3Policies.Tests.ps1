BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0004'

    # The account role allows exactly the three jobs' actions and the actions only their undo needs.
    $jobs = Get-RemediationJob | Where-Object Id -In 's3-enable-access-logging', 'aws-s3-bucket-policy-allow-https', 'aws-s3-cloudtrail-public-access'
    $actions = @($jobs.IamActions) + @($jobs.UndoIamActions) | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'S3PolicyRemediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'S3PolicyRemediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 's3-policy-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/S3PolicyRemediation"; ExternalId = $externalId }

    function New-TestBucket([hashtable] $Settings = @{}) {
        $name = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 12))"
        if ($Settings.ContainsKey('Policy')) { $Settings.Policy = $Settings.Policy.Replace('{bucket}', $name) }
        New-AwsSandboxS3Bucket -Sandbox $sandbox -AccountId $cloud.accountId -Name $name @Settings | Out-Null
        $name
    }

    # The replaced system's payload; -Properties become ObjectChain properties (a trail's S3BucketName).
    function New-Finding([string] $RuleId, [string] $ObjectId, [hashtable] $Properties = @{}) {
        $chain = @{ cloudAccountId = $cloud.accountId; region = 'us-east-1'
            properties = @($Properties.GetEnumerator() | ForEach-Object { @{ name = $_.Key; type = 'string'; stringV = $_.Value } }) } | ConvertTo-Json -Depth 6 -Compress
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = $RuleId; RuleName = 'S3 finding'; Service = 'S3'
                FindingInfo = @{ FindingId = "f-$ObjectId"; ObjectId = $ObjectId; Region = 'us-east-1'; ObjectChain = $chain; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-Bucket([string] $Name) { Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name $Name }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on bucket policies and access logging' {
    It 'adds the HTTPS deny: -WhatIf shows it as JSON, the run keeps the other statement, Undo-Remediation takes it out again' {
        $bucket = New-TestBucket @{ Policy = '{"Version":"2012-10-17","Id":"keep","Statement":{"Sid":"Reader","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"}}' }
        $finding = New-Finding '688d093c-3b8d-11eb-adc1-0242ac120002' $bucket
        $before = (Get-Bucket $bucket).policy

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'aws-s3-bucket-policy-allow-https'
        ($planned.Actions[0].After | ConvertFrom-Json).Condition.Bool.'aws:SecureTransport' | Should -Be 'false'
        (Get-Bucket $bucket).policy | Should -Be $before

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $statements = @(((Get-Bucket $bucket).policy | ConvertFrom-Json).Statement)
        $statements.Sid | Should -Be @('Reader', 'AllowSSLRequestsOnly')

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        ((Get-Bucket $bucket).policy | ConvertFrom-Json).Statement.Sid | Should -Be 'Reader'
    }

    It 'turns on access logging to the -LoggingBucketPrefix bucket it creates, and the undo turns logging off only' {
        $bucket = New-TestBucket
        $target = "pester-logs-$($cloud.accountId)-us-east-1"

        $result = New-Finding '5c8c265e7a550e1fb6560c67' $bucket | Invoke-Remediation @aws @role -LoggingBucketPrefix pester-logs -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $result.Actions.Operation | Should -Be @('s3:CreateBucket', 's3:PutBucketPolicy', 's3:PutBucketLogging')
        (Get-Bucket $bucket).logging.targetBucket | Should -Be $target
        (Get-Bucket $bucket).logging.targetPrefix | Should -Be "s3bucket/$bucket/"
        $logs = Get-Bucket $target
        $logs.encryption.algorithm | Should -Be 'AES256'
        $logs.objectOwnership | Should -Be 'BucketOwnerEnforced'
        ($logs.policy | ConvertFrom-Json).Statement.Principal.Service | Should -Be 'logging.s3.amazonaws.com'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-Bucket $bucket).logging | Should -BeNullOrEmpty
        Get-Bucket $target | Should -Not -BeNullOrEmpty
    }

    It 'makes a trail''s bucket private: public statements go, CloudTrail''s and a conditional one stay, all public access blocked; undo restores both' {
        $bucket = New-TestBucket @{ NoPublicAccessBlock = $true; Policy = '{"Version":"2012-10-17","Statement":[' +
            '{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{bucket}/AWSLogs/*"},' +
            '{"Sid":"Public","Effect":"Allow","Principal":{"AWS":["*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*"},' +
            '{"Sid":"Office","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::{bucket}/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}' }
        $finding = New-Finding '5c8c265d7a550e1fb6560c65' 'org-trail' @{ S3BucketName = $bucket }
        $before = (Get-Bucket $bucket).policy

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        ($planned.Actions[0].Before | ConvertFrom-Json).Sid | Should -Be 'Public'

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        ((Get-Bucket $bucket).policy | ConvertFrom-Json).Statement.Sid | Should -Be @('AWSCloudTrailWrite', 'Office')
        (Get-Bucket $bucket).publicAccessBlock.blockPublicPolicy | Should -BeTrue
        $result.Notes | Should -Match 'Office'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        ((Get-Bucket $bucket).policy | ConvertFrom-Json | ConvertTo-Json -Depth 10 -Compress) | Should -Be ($before | ConvertFrom-Json | ConvertTo-Json -Depth 10 -Compress)
        (Get-Bucket $bucket).publicAccessBlock | Should -BeNullOrEmpty
    }

    It 'refuses a -LoggingBucketPrefix that cannot begin a bucket name, naming it' {
        { Invoke-Remediation -Job s3-enable-access-logging -ResourceId some-bucket @aws -LoggingBucketPrefix 'Logs_Bucket' -ErrorAction Stop } |
            Should -Throw -ErrorId 'LoggingBucketPrefixInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage "*'Logs_Bucket'*"
    }
}
