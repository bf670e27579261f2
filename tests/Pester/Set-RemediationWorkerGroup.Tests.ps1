BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
}

Describe 'Set-RemediationWorkerGroup' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $null = New-TestWorkerGroup -Store $store -Name prod
    }

    It 'changes the description and allows disruptive jobs, writing the group with -PassThru' {
        $group = Set-RemediationWorkerGroup -Store $store -Name prod -Description 'Production' -AllowDisruptive -PassThru
        $group | Should -BeOfType ([RemediationTools.RemediationWorkerGroup])
        $group.Description | Should -Be 'Production'
        $group.AllowDisruptive | Should -BeTrue
        $stored = Get-RemediationWorkerGroup -Store $store prod
        $stored.Description | Should -Be 'Production'
        $stored.AllowDisruptive | Should -BeTrue
        $stored.Modified | Should -BeGreaterThan $stored.Created
    }

    It 'forbids disruptive jobs again with -AllowDisruptive:$false and leaves the description alone' {
        Set-RemediationWorkerGroup -Store $store prod -Description 'Production' -AllowDisruptive
        Set-RemediationWorkerGroup -Store $store prod -AllowDisruptive:$false | Should -BeNullOrEmpty
        $stored = Get-RemediationWorkerGroup -Store $store prod
        $stored.AllowDisruptive | Should -BeFalse
        $stored.Description | Should -Be 'Production'
    }

    It 'changes nothing with -WhatIf' {
        Set-RemediationWorkerGroup -Store $store prod -Description 'Changed' -AllowDisruptive -WhatIf
        $stored = Get-RemediationWorkerGroup -Store $store prod
        $stored.Description | Should -BeNullOrEmpty
        $stored.AllowDisruptive | Should -BeFalse
        $stored.Modified | Should -Be $stored.Created
    }

    It 'warns and changes nothing when neither -Description nor -AllowDisruptive is given' {
        Set-RemediationWorkerGroup -Store $store prod -WarningVariable warnings -WarningAction SilentlyContinue
        "$warnings" | Should -BeLike '*Nothing to change*'
        $stored = Get-RemediationWorkerGroup -Store $store prod
        $stored.Modified | Should -Be $stored.Created
    }

    It 'writes WorkerGroupNotFound for a group that does not exist' {
        { Set-RemediationWorkerGroup -Store $store -Name staging -Description x -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.SetRemediationWorkerGroupCommand' -ExpectedMessage "*'staging'*"
    }

    It 'changes every group piped from Get-RemediationWorkerGroup' {
        $null = New-TestWorkerGroup -Store $store -Name prod-eu
        $null = New-TestWorkerGroup -Store $store -Name dev
        Get-RemediationWorkerGroup -Store $store -Name prod* | Set-RemediationWorkerGroup -Store $store -AllowDisruptive
        (Get-RemediationWorkerGroup -Store $store | Where-Object AllowDisruptive).Name | Should -Be @('prod', 'prod-eu')
    }
}
