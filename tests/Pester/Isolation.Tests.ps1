# Dependency isolation: the module works in a session that already loaded another AWSSDK.Core, as a
# session with AWS Tools for PowerShell does. Each test runs in a fresh `dotnet pwsh -NoProfile`
# that loads AWSSDK.Core 3.7.402 (netstandard2.0, restored by build/Tools.proj) before the module.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:otherAwsCore = Join-Path (Get-TestNuGetPackagePath -Id AWSSDK.Core -Version 3.7.402) 'lib/netstandard2.0/AWSSDK.Core.dll'
    $script:manifestPath = Get-TestManifestPath
}

Describe 'Dependency isolation' {
    It 'has AWSSDK.Core 3.7.402 to load first' {
        $otherAwsCore | Should -Exist
        [System.Reflection.AssemblyName]::GetAssemblyName($otherAwsCore).Version.Major | Should -Be 3
    }

    It 'runs Get-RemediationJob after another AWSSDK.Core was loaded' {
        $run = Invoke-TestPwsh -Parameters @{ OtherAwsCore = $otherAwsCore; Manifest = $manifestPath } -ScriptBlock {
            Add-Type -Path $OtherAwsCore
            $before = [Amazon.Runtime.AWSCredentials].Assembly.GetName().Version.ToString()
            Import-Module -Name $Manifest
            $jobs = @(Get-RemediationJob)
            [pscustomobject]@{
                LoadedFirst = $before
                StillLoaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' } |
                        ForEach-Object { $_.GetName().Version.ToString() })
                JobCount    = $jobs.Count
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $run.Result[0].LoadedFirst | Should -BeLike '3.*'
        $run.Result[0].StillLoaded | Should -Contain $run.Result[0].LoadedFirst
        $run.Result[0].JobCount | Should -BeGreaterThan 0
    }

    It 'runs Invoke-Remediation (which uses AWSSDK) after another AWSSDK.Core was loaded, with its own AWSSDK in a named load context' {
        $parameters = @{
            OtherAwsCore  = $otherAwsCore
            Manifest      = $manifestPath
            SandboxModule = Join-Path (Get-TestRepositoryRoot) 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1'
            SandboxDll    = Get-TestSandboxPath
            FindingFile   = Join-Path (Get-TestRepositoryRoot) 'examples/findings/security-group-close-port-5432.json'
        }
        $run = Invoke-TestPwsh -Parameters $parameters -ScriptBlock {
            Add-Type -Path $OtherAwsCore
            Import-Module -Name $Manifest
            Import-Module -Name $SandboxModule
            $sandbox = Start-AwsSandbox -Path $SandboxDll
            try {
                $account = New-AwsSandboxAccount -Sandbox $sandbox
                $vpc = (Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action DescribeVpcs).SelectSingleNode('//*[local-name()="vpcId"]').InnerText
                $group = (Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
                        GroupName = 'isolation'; GroupDescription = 'isolation'; VpcId = $vpc }).SelectSingleNode('//*[local-name()="groupId"]').InnerText
                $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
                    GroupId = $group; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
                $finding = Get-Content -Raw $FindingFile | ConvertFrom-Json
                $finding.notificationInfo.CloudAccountID = $account.accountId
                $finding.notificationInfo.FindingInfo.ObjectId = $group
                $result = $finding | Invoke-Remediation -AccessKey $account.accessKeyId -SecretKey $account.secretAccessKey -Region us-east-1 -EndpointUrl $sandbox.Endpoint -Confirm:$false
                $awsCores = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'AWSSDK.Core' }
                [pscustomobject]@{
                    Status   = [string]$result.Status
                    Contexts = @($awsCores | ForEach-Object { '{0}@{1}' -f $_.GetName().Version.Major, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
                }
            }
            finally {
                $sandbox | Stop-AwsSandbox
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $run.Result[0].Status | Should -Be 'Remediated'
        $run.Result[0].Contexts | Should -Contain '3@Default'
        $run.Result[0].Contexts | Should -Contain '4@RemediationTools.Dependencies'
    }
}

# Start-up: Import-Module and command discovery load no AWS SDK assembly; the first cmdlet that calls AWS loads
# them, into the module's own load context. (build/bench/Import.ps1 measures the time; this pins the cause.)
Describe 'Module import' {
    It 'loads no AWSSDK assembly at Import-Module, Get-Command, parameter discovery, help, tab completion or Get-RemediationPolicy' {
        $run = Invoke-TestPwsh -Parameters @{ Manifest = $manifestPath } -ScriptBlock {
            function Get-AwsSdkLoaded {
                @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name } | Where-Object { $_ -like 'AWSSDK.*' } | Sort-Object)
            }
            function Get-DependencyContext {
                @([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'RemediationTools.Dependencies' |
                        ForEach-Object { $_.Assemblies } | ForEach-Object { $_.GetName().Name } | Sort-Object)
            }
            Import-Module -Name $Manifest
            $afterImport = Get-AwsSdkLoaded
            $commands = @(Get-Command -Module RemediationTools)
            # Reading every cmdlet's parameters makes PowerShell reflect over their types, as tab completion,
            # Get-Help and the binder do.
            $parameterCount = ($commands | ForEach-Object { $_.Parameters.get_Count() } | Measure-Object -Sum).Sum
            $null = Get-Help Invoke-Remediation -Full
            $jobCompletions = @((TabExpansion2 -inputScript 'Invoke-Remediation -Job ec2-close' -cursorColumn 33).CompletionMatches)
            $regionCompletions = @((TabExpansion2 -inputScript 'Invoke-Remediation -Region us-ea' -cursorColumn 31).CompletionMatches)
            $afterDiscovery = Get-AwsSdkLoaded
            $policy = Get-RemediationPolicy -Job security-group-close-port-22
            $jobs = @(Get-RemediationJob)
            [pscustomobject]@{
                AfterImport     = $afterImport
                AfterDiscovery  = $afterDiscovery
                AfterLocalWork  = Get-AwsSdkLoaded
                DependencyCtx   = Get-DependencyContext
                CommandCount    = $commands.Count
                ParameterCount  = $parameterCount
                JobCompletions  = @($jobCompletions.CompletionText)
                RegionCompletions = @($regionCompletions.CompletionText)
                PolicyJobs      = @($policy.Jobs)
                JobCount        = $jobs.Count
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $result = $run.Result[0]
        $result.CommandCount | Should -BeGreaterThan 20
        $result.ParameterCount | Should -BeGreaterThan 100
        $result.JobCompletions | Should -Contain 'ec2-close-port-22'
        $result.RegionCompletions | Should -Contain 'us-east-1'
        $result.PolicyJobs | Should -Contain 'security-group-close-port-22'
        $result.JobCount | Should -BeGreaterThan 0
        @($result.AfterImport) | Should -BeNullOrEmpty -Because 'Import-Module must not load the AWS SDK'
        @($result.AfterDiscovery) | Should -BeNullOrEmpty -Because 'no AWSSDK type may appear in a cmdlet parameter, the base cmdlet signatures or a completer'
        @($result.AfterLocalWork) | Should -BeNullOrEmpty -Because 'Get-RemediationPolicy and Get-RemediationJob call no AWS API'
        @($result.DependencyCtx) | Should -BeNullOrEmpty
    }

    It 'loads no AWSSDK assembly at Import-Module after a session that had another AWSSDK.Core in the default context' {
        # pwsh replays the methods its previous start compiled (a multicore JIT profile shared by the user's
        # processes) on a background thread, asking for their assemblies by name without a requester. After a
        # session with AWS Tools that asks for AWSSDK.Core; the module must not answer it with its own SDK.
        # A private cache folder holds the profile; the first start records it, the second replays and records the
        # methods it compiled, which is when the profile names AWSSDK.Core in the default context.
        $environment = @{ XDG_CACHE_HOME = Join-Path $TestDrive 'jit-profile-cache' }
        foreach ($start in 1, 2) {
            $recorded = Invoke-TestPwsh -Environment $environment -Parameters @{ OtherAwsCore = $otherAwsCore; Manifest = $manifestPath } -ScriptBlock {
                Add-Type -Path $OtherAwsCore
                $region = [Amazon.RegionEndpoint]::GetBySystemName('us-east-1').SystemName
                Import-Module -Name $Manifest
                [pscustomobject]@{ Region = $region; JobCount = @(Get-RemediationJob).Count }
            }
            $recorded.ExitCode | Should -Be 0 -Because $recorded.ErrorText
            $recorded.Result[0].Region | Should -Be 'us-east-1'
        }
        Get-ChildItem -Path (Join-Path $environment.XDG_CACHE_HOME 'powershell') -Filter 'StartupProfileData-*' | Should -Not -BeNullOrEmpty

        $run = Invoke-TestPwsh -Environment $environment -Parameters @{ Manifest = $manifestPath } -ScriptBlock {
            Import-Module -Name $Manifest
            $null = Get-Command -Module RemediationTools
            [pscustomobject]@{
                AwsLoaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK.*' } |
                        ForEach-Object { '{0}@{1}' -f $_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        @($run.Result[0].AwsLoaded) | Should -BeNullOrEmpty
    }

    It 'loads no AWSSDK assembly for the worker group, run and worker cmdlets on the local store' {
        $storeHome = Join-Path $TestDrive 'import-local-store'
        $run = Invoke-TestPwsh -Parameters @{ Manifest = $manifestPath } -Environment @{ REMEDIATION_HOME = $storeHome; REMEDIATION_STORE = 'local' } -ScriptBlock {
            Import-Module -Name $Manifest
            $loaded = [ordered]@{}
            function Add-Loaded([string] $Step) {
                $loaded[$Step] = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { $_.GetName().Name } | Where-Object { $_ -like 'AWSSDK.*' })
            }
            $null = New-RemediationWorkerGroup -Name dev -OrganizationId o-abc1234567 -RoleArn arn:aws:iam::222222222222:role/RemediationTools -ExternalId o-abc1234567 -WarningAction SilentlyContinue
            Add-Loaded 'New-RemediationWorkerGroup'
            $null = Add-RemediationCloudAccount -WorkerGroup dev -RoleArn arn:aws:iam::333333333333:role/RemediationTools -ExternalId o-abc1234567
            Add-Loaded 'Add-RemediationCloudAccount'
            $groups = @(Get-RemediationWorkerGroup)
            Add-Loaded 'Get-RemediationWorkerGroup'
            $runs = @(Get-RemediationRun -WorkerGroup dev)
            Add-Loaded 'Get-RemediationRun'
            $workers = @(Get-RemediationWorker -WorkerGroup dev)
            Add-Loaded 'Get-RemediationWorker'
            $null = Remove-RemediationWorkerGroup -Name dev -Confirm:$false
            Add-Loaded 'Remove-RemediationWorkerGroup'
            [pscustomobject]@{
                GroupNames  = @($groups.Name)
                RunCount    = $runs.Count
                WorkerCount = $workers.Count
                AwsLoaded   = @($loaded.Keys | Where-Object { $loaded[$_].Count -gt 0 } | ForEach-Object { '{0}: {1}' -f $_, ($loaded[$_] -join ', ') })
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $run.Result[0].GroupNames | Should -Be @('dev')
        $run.Result[0].RunCount | Should -Be 0
        $run.Result[0].WorkerCount | Should -Be 0
        @($run.Result[0].AwsLoaded) | Should -BeNullOrEmpty -Because 'the local store needs no AWS SDK'
    }

    It 'loads AWSSDK.Core and AWSSDK.EC2 into its own load context once Invoke-Remediation -WhatIf calls AWS' {
        $parameters = @{
            Manifest      = $manifestPath
            SandboxModule = Join-Path (Get-TestRepositoryRoot) 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1'
            SandboxDll    = Get-TestSandboxPath
            FindingFile   = Join-Path (Get-TestRepositoryRoot) 'examples/findings/security-group-close-port-5432.json'
        }
        $run = Invoke-TestPwsh -Parameters $parameters -ScriptBlock {
            Import-Module -Name $Manifest
            $beforeRun = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK.*' }).Count
            Import-Module -Name $SandboxModule
            $sandbox = Start-AwsSandbox -Path $SandboxDll
            try {
                $account = New-AwsSandboxAccount -Sandbox $sandbox
                $vpc = (Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action DescribeVpcs).SelectSingleNode('//*[local-name()="vpcId"]').InnerText
                $group = (Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
                        GroupName = 'import'; GroupDescription = 'import'; VpcId = $vpc }).SelectSingleNode('//*[local-name()="groupId"]').InnerText
                $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
                    GroupId = $group; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
                $finding = Get-Content -Raw $FindingFile | ConvertFrom-Json
                $finding.notificationInfo.CloudAccountID = $account.accountId
                $finding.notificationInfo.FindingInfo.ObjectId = $group
                $result = $finding | Invoke-Remediation -AccessKey $account.accessKeyId -SecretKey $account.secretAccessKey -Region us-east-1 -EndpointUrl $sandbox.Endpoint -WhatIf
                [pscustomobject]@{
                    BeforeRun = $beforeRun
                    Status    = [string]$result.Status
                    Loaded    = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -like 'AWSSDK.*' } |
                            ForEach-Object { '{0}@{1}' -f $_.GetName().Name, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
                }
            }
            finally {
                $sandbox | Stop-AwsSandbox
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $run.Result[0].BeforeRun | Should -Be 0
        $run.Result[0].Status | Should -Be 'Planned'
        $run.Result[0].Loaded | Should -Contain 'AWSSDK.Core@RemediationTools.Dependencies'
        $run.Result[0].Loaded | Should -Contain 'AWSSDK.EC2@RemediationTools.Dependencies'
    }
}
