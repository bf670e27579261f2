BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0013'
    $script:caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'iam-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }

    # A cloud account with a role that allows exactly the IAM jobs' actions and those only their undo needs.
    function New-IamCloudAccount {
        $cloud = New-AwsSandboxAccount -Sandbox $sandbox
        $actions = Get-RemediationJob | Where-Object Service -EQ 'IAM' | ForEach-Object { @($_.IamActions) + @($_.UndoIamActions) } | Where-Object { $_ } | Sort-Object -Unique
        $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                    Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
        $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = @($actions); Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'IamRemediation'; AssumeRolePolicyDocument = $trust }
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'IamRemediation'; PolicyName = 'job'; PolicyDocument = $policy }
        [pscustomobject]@{ AccountId = $cloud.accountId; Role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/IamRemediation"; ExternalId = $externalId } }
    }

    # The replaced system's payload; account-wide findings name the account as ObjectId.
    function New-Finding([string] $AccountId, [string] $RuleId, [string] $ObjectId, [string] $Region = 'us-east-1') {
        @{ notificationInfo = @{ CloudAccountID = $AccountId; RuleID = $RuleId; RuleName = 'IAM'; Service = 'IAM'
                FindingInfo = @{ FindingId = "f-$RuleId-$Region"; ObjectId = $ObjectId; Region = $Region; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    function Get-PasswordPolicy([string] $AccountId) {
        try { $xml = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $AccountId -Service iam -Action GetAccountPasswordPolicy }
        catch { if ("$_" -match 'NoSuchEntity') { return $null } else { throw } }
        $node = $xml.SelectSingleNode('//*[local-name()="PasswordPolicy"]')
        $policy = [ordered]@{}
        foreach ($child in $node.ChildNodes) { $policy[$child.LocalName] = $child.InnerText }
        [pscustomobject]$policy
    }

    function Test-Certificate([string] $AccountId, [string] $Name) {
        try { $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $AccountId -Service iam -Action GetServerCertificate -Parameters @{ ServerCertificateName = $Name }; $true }
        catch { if ("$_" -match 'NoSuchEntity') { $false } else { throw } }
    }

    $script:minLengthRule = '5c8c260b7a550e1fb6560bf4'
    $script:reuseRule = '5c8c26107a550e1fb6560bfc'
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on the IAM account password policy' {
    It 'plans both jobs with -WhatIf, creates one policy with both settings from findings of two regions, and Undo-Remediation removes it' {
        $account = New-IamCloudAccount
        $role = $account.Role
        $findings = @((New-Finding $account.AccountId $minLengthRule $account.AccountId 'us-east-1'), (New-Finding $account.AccountId $reuseRule $account.AccountId 'eu-west-1'))

        # Results come as each finding ends (the two regions run side by side): sorted by job for the checks.
        $planned = @($findings | Invoke-Remediation @aws @role -WhatIf | Sort-Object JobId)
        $planned.Status | Should -Be @('Planned', 'Planned')
        $planned.JobId | Should -Be @('aws-iam-password-policy-min-length', 'aws-iam-password-reuse-prevention')
        $planned[0].Actions[0].Before | Should -BeLike 'no password policy*'
        $planned[0].Notes | Should -Match 'implicit'
        Get-PasswordPolicy $account.AccountId | Should -BeNullOrEmpty

        $results = $findings | Invoke-Remediation @aws @role -Confirm:$false
        $results.Status | Should -Be @('Remediated', 'Remediated')
        $policy = Get-PasswordPolicy $account.AccountId
        $policy.MinimumPasswordLength | Should -Be '14'
        $policy.PasswordReusePrevention | Should -Be '24'
        @($policy.RequireSymbols, $policy.RequireNumbers, $policy.RequireUppercaseCharacters, $policy.RequireLowercaseCharacters) | Should -Be @('true', 'true', 'true', 'true')
        ($findings | Invoke-Remediation @aws @role -Confirm:$false).Status | Should -Be @('AlreadyCompliant', 'AlreadyCompliant')

        # Undone in reverse order: the setting the later change raised goes back first, then the policy created goes.
        $withUndo = @($results | Where-Object UndoRecord)
        [array]::Reverse($withUndo)
        ($withUndo | ForEach-Object { ($_ | Undo-Remediation @aws @role -Confirm:$false).Status }) | Should -Be @($withUndo | ForEach-Object { 'Remediated' })
        Get-PasswordPolicy $account.AccountId | Should -BeNullOrEmpty
    }

    It 'raises an existing policy to -MinimumLength and -ReusePrevention, keeping every other setting' {
        $account = New-IamCloudAccount
        $role = $account.Role
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.AccountId -Service iam -Action UpdateAccountPasswordPolicy -Parameters @{
            MinimumPasswordLength = 10; RequireSymbols = 'true'; AllowUsersToChangePassword = 'true'; MaxPasswordAge = 90; PasswordReusePrevention = 3; HardExpiry = 'true' }

        $results = @((New-Finding $account.AccountId $minLengthRule $account.AccountId), (New-Finding $account.AccountId $reuseRule $account.AccountId)) |
            Invoke-Remediation @aws @role -MinimumLength 16 -ReusePrevention 12 -Confirm:$false
        $results.Status | Should -Be @('Remediated', 'Remediated')
        $policy = Get-PasswordPolicy $account.AccountId
        $policy.MinimumPasswordLength | Should -Be '16'
        $policy.PasswordReusePrevention | Should -Be '12'
        $policy.RequireSymbols | Should -Be 'true'
        $policy.RequireNumbers | Should -Be 'false'
        $policy.AllowUsersToChangePassword | Should -Be 'true'
        $policy.MaxPasswordAge | Should -Be '90'
        $policy.HardExpiry | Should -Be 'true'
    }

    It 'refuses -MinimumLength and -ReusePrevention outside IAM''s ranges, naming the value' {
        { Invoke-Remediation -Job aws-iam-password-policy-min-length -ResourceId 123456789012 @aws -MinimumLength 5 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*5*'
        { Invoke-Remediation -Job aws-iam-password-reuse-prevention -ResourceId 123456789012 @aws -ReusePrevention 25 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*25*'
    }
}

Describe 'Invoke-Remediation on IAM server certificates and root access keys' {
    It 'plans the deletion of an expired certificate with -WhatIf, deletes it with -Force, and has no undo record' {
        $account = New-IamCloudAccount
        $role = $account.Role
        $null = New-AwsSandboxServerCertificate -Sandbox $sandbox -AccountId $account.AccountId -Name 'old-web' -Expiration (Get-Date).AddDays(-2)
        $null = New-AwsSandboxServerCertificate -Sandbox $sandbox -AccountId $account.AccountId -Name 'new-web' -Expiration (Get-Date).AddDays(60)
        $finding = New-Finding $account.AccountId '7fe4eb28-3b82-11eb-adc1-0242ac120002' 'old-web'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.Actions.Operation | Should -Be 'iam:DeleteServerCertificate'
        $planned.Notes | Should -Match 'cannot be undone'
        (Get-RemediationJob -Id aws-iam-server-certificate-expired).ConfirmImpact | Should -Be 'High'
        Test-Certificate $account.AccountId 'old-web' | Should -BeTrue

        $result = $finding | Invoke-Remediation @aws @role -Force
        $result.Status | Should -Be 'Remediated'
        $result.UndoRecord | Should -BeNullOrEmpty
        Test-Certificate $account.AccountId 'old-web' | Should -BeFalse

        (New-Finding $account.AccountId '7fe4eb28-3b82-11eb-adc1-0242ac120002' 'new-web' | Invoke-Remediation @aws @role -Force).Status | Should -Be 'AlreadyCompliant'
        Test-Certificate $account.AccountId 'new-web' | Should -BeTrue
    }

    It 'fails with ManualActionRequired and the steps when the root user has access keys, and is compliant without' {
        $account = New-IamCloudAccount
        $role = $account.Role
        $finding = New-Finding $account.AccountId '5c8c26137a550e1fb6560c01' $account.AccountId
        ($finding | Invoke-Remediation @aws @role -Confirm:$false).Status | Should -Be 'AlreadyCompliant'

        Set-AwsSandboxRootAccessKey -Sandbox $sandbox -AccountId $account.AccountId -Count 1 | Out-Null
        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'Failed'
        $result.ErrorCode | Should -Be 'ManualActionRequired'
        $result.Reason | Should -Match 'root user.*delete every access key'
        $result.Actions | Should -BeNullOrEmpty
    }
}
