BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $script:orgId = 'o-pester00001'
}

Describe 'Add-RemediationCloudAccount' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $null = New-TestWorkerGroup -Store $store -Name prod -RoleArn 'arn:aws:iam::222222222222:role/RemediationTools'
    }

    It 'adds the accounts piped as objects with RoleArn and ExternalId, in one change' {
        $group = @(
            [pscustomobject]@{ RoleArn = 'arn:aws:iam::444444444444:role/RemediationTools'; ExternalId = $orgId }
            [pscustomobject]@{ RoleArn = 'arn:aws:iam::333333333333:role/Remediation/Prod'; ExternalId = $orgId }
        ) | Add-RemediationCloudAccount -Store $store -WorkerGroup prod -PassThru
        @($group).Count | Should -Be 1
        $group | Should -BeOfType ([RemediationTools.RemediationWorkerGroup])
        $group.CloudAccounts.AccountId | Should -Be @('222222222222', '333333333333', '444444444444')
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts.RoleArn |
            Should -Be @('arn:aws:iam::222222222222:role/RemediationTools', 'arn:aws:iam::333333333333:role/Remediation/Prod', 'arn:aws:iam::444444444444:role/RemediationTools')
    }

    It 'replaces the role of an account already in the group' {
        Add-RemediationCloudAccount -Store $store prod -RoleArn 'arn:aws:iam::222222222222:role/NewRole' -ExternalId $orgId
        $accounts = (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts
        $accounts | Should -HaveCount 1
        $accounts[0].RoleArn | Should -Be 'arn:aws:iam::222222222222:role/NewRole'
    }

    It 'changes nothing with -WhatIf and writes nothing without -PassThru' {
        $before = Get-RemediationWorkerGroup -Store $store prod
        Add-RemediationCloudAccount -Store $store prod -RoleArn 'arn:aws:iam::444444444444:role/R' -ExternalId $orgId -WhatIf | Should -BeNullOrEmpty
        $after = Get-RemediationWorkerGroup -Store $store prod
        $after.CloudAccounts.AccountId | Should -Be '222222222222'
        $after.Modified | Should -Be $before.Modified
        Add-RemediationCloudAccount -Store $store prod -RoleArn 'arn:aws:iam::444444444444:role/R' -ExternalId $orgId | Should -BeNullOrEmpty
    }

    It 'writes CloudAccountInvalid for a value that is not a role ARN, naming it' {
        { Add-RemediationCloudAccount -Store $store prod -RoleArn 'arn:aws:iam::444444444444:user/alice' -ExternalId $orgId -ErrorAction Stop } |
            Should -Throw -ErrorId 'CloudAccountInvalid,RemediationTools.Commands.AddRemediationCloudAccountCommand' -ExpectedMessage '*arn:aws:iam::444444444444:user/alice*'
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts.AccountId | Should -Be '222222222222'
    }

    It 'refuses an external ID that differs from the organization ID with WorkerGroupInvalid, adding nothing' {
        $errors = $null
        @(
            [pscustomobject]@{ RoleArn = 'arn:aws:iam::444444444444:role/R'; ExternalId = $orgId }
            [pscustomobject]@{ RoleArn = 'arn:aws:iam::555555555555:role/R'; ExternalId = 'o-other000001' }
        ) | Add-RemediationCloudAccount -Store $store -WorkerGroup prod -ErrorVariable errors -ErrorAction SilentlyContinue
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupInvalid,RemediationTools.Commands.AddRemediationCloudAccountCommand'
        $errors[0].Exception.Message | Should -BeLike '*o-other000001*'
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts.AccountId | Should -Be '222222222222'
    }

    It 'writes WorkerGroupNotFound for a group that does not exist' {
        { Add-RemediationCloudAccount -Store $store staging -RoleArn 'arn:aws:iam::444444444444:role/R' -ExternalId $orgId -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.AddRemediationCloudAccountCommand' -ExpectedMessage "*'staging'*"
    }
}
