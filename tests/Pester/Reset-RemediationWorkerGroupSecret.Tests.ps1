BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    # Credentials are checked before any AWS call, so a refused worker needs no AWS endpoint.
    $script:noAws = @{ AccessKey = 'AKIDEXAMPLE'; SecretKey = 'example'; Region = 'us-east-1' }
    function Get-StoreSnapshot([string] $Folder) {
        Get-ChildItem -LiteralPath $Folder -Recurse -File | Sort-Object FullName | ForEach-Object { "$($_.FullName) $((Get-FileHash -LiteralPath $_.FullName).Hash)" }
    }
}

Describe 'Reset-RemediationWorkerGroupSecret' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:old = New-TestWorkerGroup -Store $store -Name prod
    }

    It 'returns a different secret, once, as a SecureString, with the same client ID' {
        $new = Reset-RemediationWorkerGroupSecret -Store $store -Name prod -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
        $new | Should -BeOfType ([RemediationTools.WorkerGroupDeployment])
        $new.ClientSecret | Should -BeOfType ([securestring])
        $new.ClientId | Should -Be $old.ClientId
        $new.GroupName | Should -Be 'prod'
        Get-TestPlainSecret $new.ClientSecret | Should -Not -Be (Get-TestPlainSecret $old.ClientSecret)
        "$warnings" | Should -BeLike '*shown only now*'
    }

    It 'keeps neither the new nor the old secret in any file of the store' {
        $new = Reset-RemediationWorkerGroupSecret -Store $store -Name prod -Confirm:$false -WarningAction SilentlyContinue
        Find-TestTextInFiles -Path $folder -Text (Get-TestPlainSecret $new.ClientSecret) | Should -BeNullOrEmpty
        Find-TestTextInFiles -Path $folder -Text (Get-TestPlainSecret $old.ClientSecret) | Should -BeNullOrEmpty
    }

    It 'locks out a worker that uses the old secret' {
        $null = Reset-RemediationWorkerGroupSecret -Store $store -Name prod -Confirm:$false -WarningAction SilentlyContinue
        { $old | Start-RemediationWorker -Store $store @noAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerCredentialsRefused,RemediationTools.Commands.StartRemediationWorkerCommand'
        Get-RemediationWorker -Store $store | Should -BeNullOrEmpty
    }

    It 'changes nothing in the store with -WhatIf' {
        $before = Get-StoreSnapshot $folder
        Reset-RemediationWorkerGroupSecret -Store $store -Name prod -WhatIf | Should -BeNullOrEmpty
        Get-StoreSnapshot $folder | Should -Be $before
    }

    It 'binds the group name by property name and writes WorkerGroupNotFound for a missing group' {
        $errors = $null
        $out = [pscustomobject]@{ WorkerGroup = 'staging' }, [pscustomobject]@{ Name = 'prod' } |
            Reset-RemediationWorkerGroupSecret -Store $store -Confirm:$false -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $out.GroupName | Should -Be 'prod'
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupNotFound,RemediationTools.Commands.ResetRemediationWorkerGroupSecretCommand'
    }

    It 'declares ConfirmImpact High' {
        $type = (Get-Command Reset-RemediationWorkerGroupSecret).ImplementingType
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}
