BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
}

Describe 'Get-RemediationWorkerGroup' {
    BeforeEach {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $script:prod = New-TestWorkerGroup -Store $store -Name prod -RoleArn 'arn:aws:iam::222222222222:role/RemediationTools', 'arn:aws:iam::333333333333:role/RemediationTools'
        $null = New-TestWorkerGroup -Store $store -Name prod-eu
        $null = New-TestWorkerGroup -Store $store -Name dev
    }

    It 'writes every group as a typed object, sorted by name, without any secret' {
        $groups = Get-RemediationWorkerGroup -Store $store
        $groups | Should -HaveCount 3
        $groups | ForEach-Object { $_ | Should -BeOfType ([RemediationTools.RemediationWorkerGroup]) }
        $groups.Name | Should -Be @('dev', 'prod', 'prod-eu')
        $groups[1].ClientId | Should -Be $prod.ClientId
        $groups[1].CloudAccounts | Should -HaveCount 2
        $groups[1].CloudAccounts[0] | Should -BeOfType ([RemediationTools.RemediationCloudAccount])
        $groups[0].PSObject.Properties.Name | Where-Object { $_ -match 'Secret|Hash' } | Should -BeNullOrEmpty
    }

    It 'matches names with wildcards and without regard to case' {
        (Get-RemediationWorkerGroup -Store $store -Name 'PROD*').Name | Should -Be @('prod', 'prod-eu')
        (Get-RemediationWorkerGroup -Store $store -Name 'Dev').Name | Should -Be 'dev'
        (Get-RemediationWorkerGroup -Store $store -Name 'dev', '*-eu').Name | Should -Be @('dev', 'prod-eu')
    }

    It 'writes nothing and no error for a wildcard that matches nothing' {
        $errors = $null
        Get-RemediationWorkerGroup -Store $store -Name 'staging*' -ErrorVariable errors | Should -BeNullOrEmpty
        $errors | Should -BeNullOrEmpty
    }

    It 'writes WorkerGroupNotFound for a name that matches nothing, and goes on with the next name' {
        $errors = $null
        $found = Get-RemediationWorkerGroup -Store $store -Name 'staging', 'dev' -ErrorVariable errors -ErrorAction SilentlyContinue
        $found.Name | Should -Be 'dev'
        @($errors).Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be 'WorkerGroupNotFound,RemediationTools.Commands.GetRemediationWorkerGroupCommand'
        $errors[0].TargetObject | Should -Be 'staging'
        $errors[0].Exception.Message | Should -BeLike "*'staging'*"
    }

    It 'binds Name and WorkerGroup by property name from the pipeline' {
        ([pscustomobject]@{ WorkerGroup = 'dev' }, [pscustomobject]@{ Name = 'prod' } | Get-RemediationWorkerGroup -Store $store).Name | Should -Be @('dev', 'prod')
    }

    It 'reads the store of $env:REMEDIATION_HOME when -Store is not given' {
        $saved = $env:REMEDIATION_HOME, $env:REMEDIATION_STORE
        try {
            $env:REMEDIATION_HOME = $folder
            $env:REMEDIATION_STORE = $null
            (Get-RemediationWorkerGroup).Name | Should -Be @('dev', 'prod', 'prod-eu')
            $env:REMEDIATION_STORE = "local:$(New-TestStoreFolder -Root $TestDrive)"
            Get-RemediationWorkerGroup | Should -BeNullOrEmpty
        }
        finally {
            $env:REMEDIATION_HOME, $env:REMEDIATION_STORE = $saved
        }
    }

    It 'completes group names of the store named by -Store' {
        $line = "Get-RemediationWorkerGroup -Store '$store' -Name pro"
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Be @('prod', 'prod-eu')
    }

    It 'completes group names of the default store for the other cmdlets' {
        $saved = $env:REMEDIATION_HOME, $env:REMEDIATION_STORE
        try {
            $env:REMEDIATION_HOME = $folder
            $env:REMEDIATION_STORE = $null
            foreach ($line in 'Remove-RemediationWorkerGroup d', 'Add-RemediationCloudAccount -WorkerGroup d', 'Get-RemediationRun -WorkerGroup d', 'Start-RemediationWorker -WorkerGroup d') {
                $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
                $completion.CompletionMatches.CompletionText | Should -Be 'dev' -Because $line
            }
        }
        finally {
            $env:REMEDIATION_HOME, $env:REMEDIATION_STORE = $saved
        }
    }

    It 'shows a table with the name, the number of accounts and the organization' {
        $text = Get-RemediationWorkerGroup -Store $store -Name prod | Out-String
        $text | Should -Match 'Name\s+Accounts\s+AllowDisruptive\s+OrganizationId'
        $text | Should -Match 'prod\s+2\s+False\s+o-pester00001'
    }
    Context 'choosing the AWS store' {
        It 'refuses AWS parameters with the local store, naming them' {
            { Get-RemediationWorkerGroup -Store $store -Region us-east-1 -ProfileName p -ErrorAction Stop } |
                Should -Throw -ErrorId 'StoreUnavailable,RemediationTools.Commands.GetRemediationWorkerGroupCommand' -ExpectedMessage '*-ProfileName, -Region apply to the AWS store only*'
        }

        It 'refuses an AWS store name that cannot name a table and queues' {
            { Get-RemediationWorkerGroup -Store 'aws:bad.name' -ErrorAction Stop } |
                Should -Throw -ErrorId 'StoreUnavailable,RemediationTools.Commands.GetRemediationWorkerGroupCommand' -ExpectedMessage "*'aws:bad.name'*"
        }

        It 'stops with AwsConfigurationInvalid on an unknown profile, before any AWS call' {
            $saved = $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE
            try {
                $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'no-config'
                $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'no-credentials'
                { Get-RemediationWorkerGroup -Store aws -ProfileName 'no-such-profile-xyz' -Region us-east-1 -EndpointUrl 'http://127.0.0.1:9' -ErrorAction Stop } |
                    Should -Throw -ErrorId 'AwsConfigurationInvalid,RemediationTools.Commands.GetRemediationWorkerGroupCommand' -ExpectedMessage '*no-such-profile-xyz*'
            }
            finally {
                $env:AWS_CONFIG_FILE, $env:AWS_SHARED_CREDENTIALS_FILE = $saved
            }
        }
    }
}
