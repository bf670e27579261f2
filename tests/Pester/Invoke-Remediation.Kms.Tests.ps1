BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0013'

    # The account role allows exactly the two jobs' actions and those only their undo needs.
    $jobs = Get-RemediationJob | Where-Object Id -In 'aws-kms-key-rotates', 'aws-cloudtrail-logs-encrypted'
    $actions = @($jobs.IamActions) + @($jobs.UndoIamActions) | Where-Object { $_ } | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'KmsRemediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'KmsRemediation'; PolicyName = 'job'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'kms-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'eu-west-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/KmsRemediation"; ExternalId = $externalId }

    # The replaced system's payloads for the key rotation and trail encryption rules.
    function New-Finding([string] $RuleId, [string] $ObjectId, [string] $Service) {
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = $RuleId; RuleName = 'rule'; Service = $Service
                FindingInfo = @{ FindingId = "f-$ObjectId"; ObjectId = $ObjectId; Region = 'eu-west-1'; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-Key([string] $KeyId) { Get-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId | Where-Object KeyId -EQ $KeyId }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on KMS key rotation' {
    It 'plans with -WhatIf, turns rotation on for real, says AlreadyCompliant the second time, and Undo-Remediation turns it off' {
        $key = New-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId -Region eu-west-1 -Alias 'alias/app-data'
        $finding = New-Finding '5c8c26217a550e1fb6560c12' 'alias/app-data' 'KMS'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'aws-kms-key-rotates'
        $planned.Actions.Operation | Should -Be 'kms:EnableKeyRotation'
        (Get-Key $key.keyId).KeyRotationEnabled | Should -BeFalse

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        (Get-Key $key.keyId).KeyRotationEnabled | Should -BeTrue
        ($finding | Invoke-Remediation @aws @role -Confirm:$false).Status | Should -Be 'AlreadyCompliant'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-Key $key.keyId).KeyRotationEnabled | Should -BeFalse
    }

    It 'skips an asymmetric key with the reason' {
        $key = New-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId -Region eu-west-1 -KeySpec RSA_2048
        $result = New-Finding '5c8c26217a550e1fb6560c12' $key.arn 'KMS' | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Skipped'
        $result.Reason | Should -Match 'asymmetric'
    }
}

Describe 'Invoke-Remediation on CloudTrail log encryption' {
    It 'plans the key and its policy with -WhatIf, creates the key once for real, reuses it for a second trail, and Undo-Remediation keeps the key' {
        $null = New-AwsSandboxTrail -Sandbox $sandbox -AccountId $cloud.accountId -Name main -S3BucketName trail-logs -HomeRegion eu-west-1
        $null = New-AwsSandboxTrail -Sandbox $sandbox -AccountId $cloud.accountId -Name audit -S3BucketName trail-logs -HomeRegion eu-west-1
        $finding = New-Finding '5c8c25e47a550e1fb6560bac' 'main' 'CloudTrail'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'aws-cloudtrail-logs-encrypted'
        $planned.Actions.Operation | Should -Be @('kms:CreateKey', 'kms:CreateAlias', 'kms:EnableKeyRotation', 'cloudtrail:UpdateTrail')
        $statements = ($planned.Actions[0].After | ConvertFrom-Json).Statement
        ($statements | Where-Object Sid -EQ 'Allow CloudTrail to encrypt logs').Condition.StringLike.'kms:EncryptionContext:aws:cloudtrail:arn' |
            Should -Be "arn:aws:cloudtrail:*:$($cloud.accountId):trail/*"
        Get-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId | Where-Object Aliases -Contains 'alias/remediation-cloudtrail' | Should -BeNullOrEmpty

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $key = @(Get-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId | Where-Object Aliases -Contains 'alias/remediation-cloudtrail')
        $key.Count | Should -Be 1
        $key[0].KeyRotationEnabled | Should -BeTrue

        $second = New-Finding '5c8c25e47a550e1fb6560bac' 'audit' 'CloudTrail' | Invoke-Remediation @aws @role -Confirm:$false
        $second.Status | Should -Be 'Remediated'
        $second.Actions.Operation | Should -Be 'cloudtrail:UpdateTrail'
        @(Get-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId | Where-Object Aliases -Contains 'alias/remediation-cloudtrail').Count | Should -Be 1
        ($finding | Invoke-Remediation @aws @role -Confirm:$false).Status | Should -Be 'AlreadyCompliant'

        $undo = $result | Undo-Remediation @aws @role -Confirm:$false
        $undo.Status | Should -Be 'Remediated'
        $undo.Notes -join ' ' | Should -Match 'is kept'
        ($finding | Invoke-Remediation @aws @role -WhatIf).Actions.Operation | Should -Be 'cloudtrail:UpdateTrail'
        @(Get-AwsSandboxKmsKey -Sandbox $sandbox -AccountId $cloud.accountId | Where-Object Aliases -Contains 'alias/remediation-cloudtrail').Count | Should -Be 1
    }
}
