BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    $script:orgId = 'o-pester00001'
    $script:arnA = 'arn:aws:iam::222222222222:role/RemediationTools'
    $script:arnB = 'arn:aws:iam::333333333333:role/RemediationTools'
}

Describe 'New-RemediationWorkerGroup' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
    }

    It 'returns the deployment once, with the client secret as a SecureString, and stores the group' {
        $d = New-RemediationWorkerGroup -Store $store -Name prod -OrganizationId $orgId -RoleArn $arnA, $arnB -ExternalId $orgId -Description 'Production' -WarningVariable warnings -WarningAction SilentlyContinue
        $d | Should -BeOfType ([RemediationTools.WorkerGroupDeployment])
        $d.GroupName | Should -Be 'prod'
        $d.ClientId | Should -Not -BeNullOrEmpty
        $d.ClientSecret | Should -BeOfType ([securestring])
        (Get-TestPlainSecret $d.ClientSecret).Length | Should -BeGreaterOrEqual 32
        $d.ClientSecretVariable | Should -Be 'REMEDIATION_CLIENT_SECRET_FILE'
        $d.Environment['REMEDIATION_CLIENT_SECRET_FILE'] | Should -Be $d.ClientSecretFile
        $d.Environment['REMEDIATION_WORKER_GROUP'] | Should -Be 'prod'
        $d.Environment['REMEDIATION_CLIENT_ID'] | Should -Be $d.ClientId
        $d.Environment['REMEDIATION_STORE'] | Should -Be $store
        $d.ProcessCommand | Should -Match 'remediation-worker$'
        $d.DockerRunCommand | Should -Match '^docker run .*--mount type=bind,source=.*,target=/run/secrets/remediation-client-secret,readonly -e REMEDIATION_CLIENT_SECRET_FILE=/run/secrets/remediation-client-secret '
        $d.DockerRunCommand | Should -Not -Match 'AWS_SECRET_ACCESS_KEY|AWS_ACCESS_KEY_ID|AWS_SESSION_TOKEN|-e REMEDIATION_CLIENT_SECRET '
        "$warnings" | Should -BeLike "*shown only now*"

        $group = Get-RemediationWorkerGroup -Store $store -Name prod
        $group.Description | Should -Be 'Production'
        $group.OrganizationId | Should -Be $orgId
        $group.ClientId | Should -Be $d.ClientId
        $group.AllowDisruptive | Should -BeFalse
        $group.CloudAccounts.AccountId | Should -Be @('222222222222', '333333333333')
        $group.CloudAccounts.ExternalId | Should -Be @($orgId, $orgId)
    }

    It 'writes the secret to -ClientSecretPath readable by the owner only, and the commands name that file' {
        $path = Join-Path $TestDrive 'secrets/prod.secret'
        $d = New-RemediationWorkerGroup -Store $store -Name prod -OrganizationId $orgId -RoleArn $arnA -ExternalId $orgId -ClientSecretPath $path -WarningAction SilentlyContinue
        (Get-Content -Raw -LiteralPath $path).TrimEnd("`n") | Should -Be (Get-TestPlainSecret $d.ClientSecret)
        $d.ClientSecretFile | Should -Be $path
        $d.ProcessCommand | Should -Match ([regex]::Escape("REMEDIATION_CLIENT_SECRET_FILE='$path'"))
        $d.DockerRunCommand | Should -Match ([regex]::Escape("source='$path',target=/run/secrets/remediation-client-secret,readonly"))
        if ($IsWindows) {
            Set-ItResult -Skipped -Because 'Unix file modes do not exist on Windows'
            return
        }
        (Get-Item -LiteralPath $path).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite')
        (Get-Item -LiteralPath (Split-Path $path)).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        (Get-Item -LiteralPath $folder).UnixFileMode | Should -Be ([System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
    }

    It 'keeps the plain secret out of every file of the store, the command lines and the environment' {
        $d = New-TestWorkerGroup -Store $store -Name prod
        $plain = Get-TestPlainSecret $d.ClientSecret
        @(Get-ChildItem -LiteralPath $folder -Recurse -File).Count | Should -BeGreaterThan 0
        Find-TestTextInFiles -Path $folder -Text $plain | Should -BeNullOrEmpty
        $d.DockerRunCommand | Should -Not -Match ([regex]::Escape($plain))
        $d.ProcessCommand | Should -Not -Match ([regex]::Escape($plain))
        $d.Environment.Values | Should -Not -Contain $plain
        ($d | Out-String) | Should -Not -Match ([regex]::Escape($plain))
        (Get-RemediationWorkerGroup -Store $store prod | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($plain))
    }

    It 'gives every group its own client ID and secret' {
        $one = New-TestWorkerGroup -Store $store -Name one
        $two = New-TestWorkerGroup -Store $store -Name two
        $two.ClientId | Should -Not -Be $one.ClientId
        Get-TestPlainSecret $two.ClientSecret | Should -Not -Be (Get-TestPlainSecret $one.ClientSecret)
    }

    It 'takes cloud accounts from the pipeline: account role objects and hashtables, all in one group' {
        $d = @(
            [pscustomobject]@{ RoleArn = $arnA; ExternalId = $orgId; AccountId = '222222222222' }
            @{ RoleArn = $arnB; ExternalId = $orgId }
        ) | New-RemediationWorkerGroup -Store $store -Name dev -OrganizationId $orgId -AllowDisruptive -WarningAction SilentlyContinue
        @($d).Count | Should -Be 1
        $group = Get-RemediationWorkerGroup -Store $store dev
        $group.CloudAccounts.RoleArn | Should -Be @($arnA, $arnB)
        $group.AllowDisruptive | Should -BeTrue
    }

    It 'creates nothing with -WhatIf' {
        $d = New-RemediationWorkerGroup -Store $store -Name prod -OrganizationId $orgId -RoleArn $arnA -ExternalId $orgId -WhatIf
        $d | Should -BeNullOrEmpty
        Get-RemediationWorkerGroup -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses an existing name with WorkerGroupExists and keeps the first group' {
        $first = New-TestWorkerGroup -Store $store -Name prod
        { New-RemediationWorkerGroup -Store $store -Name PROD -OrganizationId $orgId -RoleArn $arnB -ExternalId $orgId -WarningAction SilentlyContinue -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupExists,RemediationTools.Commands.NewRemediationWorkerGroupCommand' -ExpectedMessage '*PROD*'
        $group = Get-RemediationWorkerGroup -Store $store prod
        $group.ClientId | Should -Be $first.ClientId
        $group.CloudAccounts.AccountId | Should -Be '222222222222'
    }

    It 'refuses an external ID that differs from -OrganizationId with WorkerGroupInvalid, and creates nothing' {
        { New-RemediationWorkerGroup -Store $store -Name prod -OrganizationId $orgId -RoleArn $arnA -ExternalId 'o-other000001' -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupInvalid,RemediationTools.Commands.NewRemediationWorkerGroupCommand' -ExpectedMessage '*o-other000001*'
        Get-RemediationWorkerGroup -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses a bad <What> with WorkerGroupInvalid naming it' -ForEach @(
        @{ What = 'name'; Name = 'bad name!'; Org = 'o-pester00001'; Bad = 'bad name!' }
        @{ What = 'organization ID'; Name = 'prod'; Org = 'org-1'; Bad = 'org-1' }
    ) {
        { New-RemediationWorkerGroup -Store $store -Name $Name -OrganizationId $Org -RoleArn $arnA -ExternalId $Org -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupInvalid,RemediationTools.Commands.NewRemediationWorkerGroupCommand' -ExpectedMessage "*$Bad*"
        Get-RemediationWorkerGroup -Store $store | Should -BeNullOrEmpty
    }

    It 'refuses an object that is not a cloud account with CloudAccountInvalid, and creates no group' {
        $errors = $null
        $d = @(
            @{ RoleArn = $arnA; ExternalId = $orgId }
            @{ RoleArn = 'arn:aws:iam::12345:user/alice'; ExternalId = $orgId }
        ) | New-RemediationWorkerGroup -Store $store -Name prod -OrganizationId $orgId -ErrorVariable errors -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $d | Should -BeNullOrEmpty
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'CloudAccountInvalid,RemediationTools.Commands.NewRemediationWorkerGroupCommand'
        $errors[0].Exception.Message | Should -BeLike '*arn:aws:iam::12345:user/alice*'
        Get-RemediationWorkerGroup -Store $store | Should -BeNullOrEmpty
    }

    It 'uses $env:REMEDIATION_HOME when -Store is not given' {
        $saved = $env:REMEDIATION_HOME, $env:REMEDIATION_STORE
        try {
            $env:REMEDIATION_HOME = $folder
            $env:REMEDIATION_STORE = $null
            $d = New-RemediationWorkerGroup -Name home -OrganizationId $orgId -RoleArn $arnA -ExternalId $orgId -WarningAction SilentlyContinue
            $d.Environment['REMEDIATION_STORE'] | Should -Be $store
            (Get-RemediationWorkerGroup -Store $store).Name | Should -Be 'home'
        }
        finally {
            $env:REMEDIATION_HOME, $env:REMEDIATION_STORE = $saved
        }
    }

    It 'refuses a store that is not a store with StoreUnavailable' {
        { New-RemediationWorkerGroup -Store 'ftp://example' -Name prod -OrganizationId $orgId -RoleArn $arnA -ExternalId $orgId -ErrorAction Stop } |
            Should -Throw -ErrorId 'StoreUnavailable,RemediationTools.Commands.NewRemediationWorkerGroupCommand' -ExpectedMessage '*ftp://example*'
    }
}
