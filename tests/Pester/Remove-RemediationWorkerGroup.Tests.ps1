BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
}

Describe 'Remove-RemediationWorkerGroup' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:prod = New-TestWorkerGroup -Store $store -Name prod
        $null = New-TestWorkerGroup -Store $store -Name dev
    }

    It 'keeps the group with -WhatIf' {
        Remove-RemediationWorkerGroup -Store $store -Name prod -WhatIf
        (Get-RemediationWorkerGroup -Store $store).Name | Should -Be @('dev', 'prod')
    }

    It 'deletes one group and writes nothing' {
        Remove-RemediationWorkerGroup -Store $store -Name prod -Confirm:$false | Should -BeNullOrEmpty
        (Get-RemediationWorkerGroup -Store $store).Name | Should -Be 'dev'
    }

    It 'deletes every group piped from Get-RemediationWorkerGroup' {
        Get-RemediationWorkerGroup -Store $store | Remove-RemediationWorkerGroup -Store $store -Confirm:$false
        Get-RemediationWorkerGroup -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses a worker of the deleted group' {
        Remove-RemediationWorkerGroup -Store $store -Name prod -Confirm:$false
        { $prod | Start-RemediationWorker -Store $store -AccessKey AKIDEXAMPLE -SecretKey example -Region us-east-1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.StartRemediationWorkerCommand'
    }

    It 'writes WorkerGroupNotFound for a group that does not exist and goes on with the next one' {
        $errors = $null
        'staging', 'dev' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
            Remove-RemediationWorkerGroup -Store $store -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupNotFound,RemediationTools.Commands.RemoveRemediationWorkerGroupCommand'
        $errors[0].TargetObject | Should -Be 'staging'
        (Get-RemediationWorkerGroup -Store $store).Name | Should -Be 'prod'
    }

    It 'declares ConfirmImpact High' {
        $type = (Get-Command Remove-RemediationWorkerGroup).ImplementingType
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}
