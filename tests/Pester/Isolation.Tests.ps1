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
