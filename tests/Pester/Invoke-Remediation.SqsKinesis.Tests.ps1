BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0013'

    # The account role allows exactly the two jobs' actions and those only their undo needs.
    $jobs = Get-RemediationJob | Where-Object Id -In 'aws-sqs-queue-publicly-accessible', 'kinesis-encrypt-stream'
    $actions = @($jobs.IamActions) + @($jobs.UndoIamActions) | Where-Object { $_ } | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'StreamRemediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'StreamRemediation'; PolicyName = 'job'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'queue-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'eu-west-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/StreamRemediation"; ExternalId = $externalId }

    # The replaced system's payload for a rule and a resource.
    function New-Finding([string] $RuleId, [string] $ObjectId) {
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = $RuleId; RuleName = 'rule'; Service = 'SQS'
                FindingInfo = @{ FindingId = "f-$ObjectId"; ObjectId = $ObjectId; Region = 'eu-west-1'; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-QueuePolicy([string] $Name) {
        $arn = "arn:aws:sqs:eu-west-1:$($cloud.accountId):$Name"
        # Assigned first: Invoke-RestMethod writes a JSON array as one object, the assignment enumerates it.
        $queues = Invoke-RestMethod -Method Get -Uri ($sandbox.Endpoint + '_sandbox/sqs')
        $queue = $queues | Where-Object QueueArn -EQ $arn
        $queue.Attributes.PSObject.Properties['Policy']?.Value
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on public SQS queue policies' {
    It 'plans with -WhatIf, removes the public statement without a Sid and keeps the conditional one, and Undo-Remediation puts it back' {
        $arn = "arn:aws:sqs:eu-west-1:$($cloud.accountId):orders"
        $original = @{ Version = '2012-10-17'; Id = 'orders-policy'; Statement = @(
                @{ Effect = 'Allow'; Principal = '*'; Action = 'sqs:SendMessage'; Resource = $arn },
                @{ Sid = 'FromTopic'; Effect = 'Allow'; Principal = @{ AWS = '*' }; Action = 'sqs:SendMessage'; Resource = $arn
                    Condition = @{ ArnEquals = @{ 'aws:SourceArn' = "arn:aws:sns:eu-west-1:$($cloud.accountId):alerts" } } }) } | ConvertTo-Json -Depth 8 -Compress
        $null = New-AwsSandboxSqsQueue -Sandbox $sandbox -AccountId $cloud.accountId -Name orders -Region eu-west-1 -Policy $original
        $finding = New-Finding '09639b9d-98e8-493b-b8a4-916775a7dea9' 'orders'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'aws-sqs-queue-publicly-accessible'
        $planned.Actions.Operation | Should -Be 'sqs:SetQueueAttributes'
        ($planned.Actions[0].Before | ConvertFrom-Json).Principal | Should -Be '*'
        $planned.Notes | Should -Match 'FromTopic'
        Get-QueuePolicy orders | Should -Be $original

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $after = Get-QueuePolicy orders | ConvertFrom-Json
        $after.Id | Should -Be 'orders-policy'
        @($after.Statement).Sid | Should -Be @('FromTopic')
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'AlreadyCompliant'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        @((Get-QueuePolicy orders | ConvertFrom-Json).Statement).Count | Should -Be 2
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'Planned'
    }

    It 'removes a policy that held only public statements' {
        $url = New-AwsSandboxSqsQueue -Sandbox $sandbox -AccountId $cloud.accountId -Name open -Region eu-west-1 -Policy @{ Version = '2012-10-17'; Statement = @(
                @{ Sid = 'All'; Effect = 'Allow'; Principal = @{ AWS = @('*') }; Action = 'sqs:*'; Resource = '*' }) }

        $result = New-Finding '09639b9d-98e8-493b-b8a4-916775a7dea9' $url | Invoke-Remediation @aws @role -Confirm:$false

        $result.Status | Should -Be 'Remediated'
        Get-QueuePolicy open | Should -BeNullOrEmpty
    }
}

Describe 'Invoke-Remediation on unencrypted Kinesis streams' {
    It 'plans with -WhatIf, encrypts with alias/aws/kinesis once the stream is ACTIVE again, and Undo-Remediation stops the encryption' {
        $null = New-AwsSandboxKinesisStream -Sandbox $sandbox -AccountId $cloud.accountId -Name clicks -Region eu-west-1
        $finding = New-Finding 'ce603728-d631-4bae-8657-c22da6e5944e' 'clicks'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'kinesis-encrypt-stream'
        $planned.Actions.After | Should -Be 'EncryptionType KMS, KeyId alias/aws/kinesis'
        (Get-AwsSandboxKinesisStream -Sandbox $sandbox -Name clicks).encryptionType | Should -Be 'NONE'

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        $stream = Get-AwsSandboxKinesisStream -Sandbox $sandbox -Name clicks
        $stream.encryptionType | Should -Be 'KMS'
        $stream.keyId | Should -Be 'alias/aws/kinesis'
        $stream.status | Should -Be 'ACTIVE'
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'AlreadyCompliant'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-AwsSandboxKinesisStream -Sandbox $sandbox -Name clicks).encryptionType | Should -Be 'NONE'
    }

    It 'uses -KmsKeyId for the stream''s key' {
        $null = New-AwsSandboxKinesisStream -Sandbox $sandbox -AccountId $cloud.accountId -Name orders-stream -Region eu-west-1
        $key = "arn:aws:kms:eu-west-1:$($cloud.accountId):alias/streams"

        $result = New-Finding 'ce603728-d631-4bae-8657-c22da6e5944e' 'orders-stream' | Invoke-Remediation @aws @role -KmsKeyId $key -Confirm:$false

        $result.Status | Should -Be 'Remediated'
        (Get-AwsSandboxKinesisStream -Sandbox $sandbox -Name orders-stream).keyId | Should -Be $key
    }
}
