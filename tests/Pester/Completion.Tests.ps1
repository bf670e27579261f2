# Tab completion as a user gets it (TabExpansion2): -ProfileName from the shared config and credentials files on every
# cmdlet that has it, -Service from the catalog, and cloud accounts from the worker groups of the store.

BeforeDiscovery {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $script:profileCmdletNames = @(Get-Command -Module RemediationTools -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('ProfileName') } | ForEach-Object Name)
}

BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force

    function Get-Completion([string] $Line) {
        @((TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches)
    }
}

Describe 'Completion of -ProfileName' {
    BeforeAll {
        $script:savedConfig = $env:AWS_CONFIG_FILE
        $script:savedCredentials = $env:AWS_SHARED_CREDENTIALS_FILE
        $config = Join-Path $TestDrive 'aws-config'
        $credentials = Join-Path $TestDrive 'aws-credentials'
        Set-Content -LiteralPath $config -Value @(
            '[default]', 'region = us-east-1'
            '[profile security-audit]', 'role_arn = arn:aws:iam::111111111111:role/Audit', 'source_profile = default'
            '[ profile  prod-admin ]', 'region = eu-west-1'
            '[sso-session corp]', 'sso_region = us-east-1'
            '[services local]', 'ec2 =', '  endpoint_url = http://localhost:4566'
        )
        Set-Content -LiteralPath $credentials -Value @(
            '[default]', 'aws_access_key_id = AKIAEXAMPLE', 'aws_secret_access_key = x'
            '[ci-keys]', 'aws_access_key_id = AKIAEXAMPLE2', 'aws_secret_access_key = y'
        )
        $env:AWS_CONFIG_FILE = $config
        $env:AWS_SHARED_CREDENTIALS_FILE = $credentials
        $script:profileCmdlets = @(Get-Command -Module RemediationTools -CommandType Cmdlet | Where-Object { $_.Parameters.ContainsKey('ProfileName') })
    }

    AfterAll {
        $env:AWS_CONFIG_FILE = $savedConfig
        $env:AWS_SHARED_CREDENTIALS_FILE = $savedCredentials
    }

    It 'completes the profiles of both files, [profile x] of config and [x] of credentials, not other sections' {
        $found = Get-Completion 'Invoke-Remediation -ProfileName '
        @($found.CompletionText) | Should -Be @('ci-keys', 'default', 'prod-admin', 'security-audit')
    }

    It 'completes by prefix, case-insensitively' {
        @((Get-Completion 'New-RemediationAccountRole -ProfileName SEC').CompletionText) | Should -Be @('security-audit')
    }

    It 'completes on every cmdlet that has -ProfileName (<_>)' -ForEach $profileCmdletNames {
        @((Get-Completion "$_ -ProfileName ci").CompletionText) | Should -Be @('ci-keys')
    }

    It 'has cmdlets with -ProfileName to complete on' {
        $profileCmdlets.Count | Should -BeGreaterThan 10
    }

    It 'completes -SourceProfileName of Test-RemediationAccountRole the same way' {
        @((Get-Completion 'Test-RemediationAccountRole -SourceProfileName prod').CompletionText) | Should -Be @('prod-admin')
    }

    It 'completes nothing, without an error, when neither file exists' {
        $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'missing-config'
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'missing-credentials'
        try {
            $found = Get-Completion 'Invoke-Remediation -ProfileName '
            @($found | Where-Object ResultType -eq 'ParameterValue') | Should -BeNullOrEmpty
        }
        finally {
            $env:AWS_CONFIG_FILE = Join-Path $TestDrive 'aws-config'
            $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $TestDrive 'aws-credentials'
        }
    }
}

Describe 'Completion of -Service' {
    It 'completes the services of the catalog''s jobs' {
        $expected = @(Get-RemediationJob | ForEach-Object Service | Sort-Object -Unique)
        @((Get-Completion 'Get-RemediationJob -Service ').CompletionText) | Should -Be $expected
        $expected | Should -Contain 'EC2'
    }

    It 'completes by prefix' {
        @((Get-Completion 'Get-RemediationJob -Service kin').CompletionText) | Should -Be @('Kinesis')
    }
}

Describe 'Completion of cloud accounts from the worker groups of the store' {
    BeforeAll {
        $folder = New-TestStoreFolder -Root $TestDrive
        $script:store = "local:$folder"
        $null = New-TestWorkerGroup -Store $store -Name prod -RoleArn @(
            'arn:aws:iam::222222222222:role/RemediationTools'
            'arn:aws:iam::333333333333:role/RemediationTools')
        $null = New-TestWorkerGroup -Store $store -Name dev -RoleArn 'arn:aws:iam::444444444444:role/RemediationTools'
    }

    It 'completes -AccountId of Remove-RemediationCloudAccount with the accounts of the named group' {
        @((Get-Completion "Remove-RemediationCloudAccount -Store '$store' -WorkerGroup prod -AccountId ").CompletionText) |
            Should -Be @('222222222222', '333333333333')
        @((Get-Completion "Remove-RemediationCloudAccount -Store '$store' -WorkerGroup prod -AccountId 33").CompletionText) |
            Should -Be @('333333333333')
    }

    It 'completes -CloudAccount as a hashtable of every group''s account that the cmdlet binds' {
        $completer = [RemediationTools.Completers.CloudAccountCompleter]::new()
        $results = @($completer.CompleteArgument('Invoke-Remediation', 'CloudAccount', '4', $null, @{ Store = $store }))
        $results.Count | Should -Be 1
        $results[0].CompletionText | Should -BeLike "@{ AccountId = '444444444444'; RoleArn = 'arn:aws:iam::444444444444:role/RemediationTools'; ExternalId = '*' }"
        $results[0].ToolTip | Should -BeLike '*worker group dev*'
        $value = Invoke-Expression $results[0].CompletionText
        $value.RoleArn | Should -Be 'arn:aws:iam::444444444444:role/RemediationTools'
        @($completer.CompleteArgument('Invoke-Remediation', 'CloudAccount', '', $null, @{ Store = $store })).Count | Should -Be 3
    }

    It 'completes -CloudAccount of Invoke-Remediation and Undo-Remediation from the default store' {
        $saved = $env:REMEDIATION_STORE
        try {
            $env:REMEDIATION_STORE = $store
            foreach ($cmdlet in 'Invoke-Remediation -Job s3-list-buckets -ResourceId x', 'Undo-Remediation -Path ./run.json') {
                $texts = @((Get-Completion "$cmdlet -CloudAccount 3").CompletionText)
                $texts.Count | Should -Be 1 -Because "$cmdlet completes the one account that starts with 3"
                $texts[0] | Should -BeLike "@{ AccountId = '333333333333'; RoleArn = 'arn:aws:iam::333333333333:role/RemediationTools'; *"
            }
        }
        finally {
            $env:REMEDIATION_STORE = $saved
        }
    }

    It 'completes nothing, without an error, from a store that cannot be opened' {
        @((Get-Completion "Remove-RemediationCloudAccount -Store nosuchkind:x -WorkerGroup prod -AccountId ") | Where-Object ResultType -eq 'ParameterValue') |
            Should -BeNullOrEmpty
    }
}
