BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
}

Describe 'Remove-RemediationCloudAccount' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $null = New-TestWorkerGroup -Store $store -Name prod -RoleArn @(
            'arn:aws:iam::222222222222:role/RemediationTools'
            'arn:aws:iam::333333333333:role/RemediationTools'
            'arn:aws:iam::444444444444:role/RemediationTools')
    }

    It 'removes accounts by ID and writes the group with -PassThru' {
        $group = Remove-RemediationCloudAccount -Store $store -WorkerGroup prod -AccountId 333333333333 -PassThru
        $group | Should -BeOfType ([RemediationTools.RemediationWorkerGroup])
        $group.CloudAccounts.AccountId | Should -Be @('222222222222', '444444444444')
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts.AccountId | Should -Be @('222222222222', '444444444444')
    }

    It 'binds AccountId by property name from the group''s CloudAccounts' {
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts | Where-Object AccountId -ne '222222222222' |
            Remove-RemediationCloudAccount -Store $store -WorkerGroup prod
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts.AccountId | Should -Be '222222222222'
    }

    It 'changes nothing with -WhatIf' {
        Remove-RemediationCloudAccount -Store $store prod 333333333333 -WhatIf | Should -BeNullOrEmpty
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts | Should -HaveCount 3
    }

    It 'writes CloudAccountNotInGroup for an account that is not in the group, and removes none' {
        { Remove-RemediationCloudAccount -Store $store prod -AccountId 333333333333, 999999999999 -ErrorAction Stop } |
            Should -Throw -ErrorId 'CloudAccountNotInGroup,RemediationTools.Commands.RemoveRemediationCloudAccountCommand' -ExpectedMessage '*999999999999*'
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts | Should -HaveCount 3
    }

    It 'refuses to remove the last account with WorkerGroupInvalid' {
        { Remove-RemediationCloudAccount -Store $store prod -AccountId 222222222222, 333333333333, 444444444444 -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupInvalid,RemediationTools.Commands.RemoveRemediationCloudAccountCommand' -ExpectedMessage '*at least one cloud account*'
        (Get-RemediationWorkerGroup -Store $store prod).CloudAccounts | Should -HaveCount 3
    }

    It 'refuses an account ID that is not 12 digits before touching the store' {
        { Remove-RemediationCloudAccount -Store $store prod -AccountId 12345 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.RemoveRemediationCloudAccountCommand' -ExpectedMessage '*12345*'
    }

    It 'writes WorkerGroupNotFound for a group that does not exist' {
        { Remove-RemediationCloudAccount -Store $store staging -AccountId 222222222222 -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.RemoveRemediationCloudAccountCommand'
    }
}
