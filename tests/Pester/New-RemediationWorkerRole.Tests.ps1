BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hostingRoot = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloudRoot = New-AwsSandboxAccount -Sandbox $sandbox
    $script:hostingAdmin = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hostingRoot.accountId -UserName 'hosting-admin'
    $script:externalId = 'o-pester0002'
    $script:cloudAws = @{ AccessKey = $cloudRoot.accessKeyId; SecretKey = $cloudRoot.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:hostingAws = @{ AccessKey = $hostingAdmin.accessKeyId; SecretKey = $hostingAdmin.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    function Test-Role([string] $Account, [string] $Name) {
        try { $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $Account -Service iam -Action GetRole -Parameters @{ RoleName = $Name }; $true } catch { $false }
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'New-RemediationWorkerRole' {
    It 'extends the policy when accounts are added later' {
        $first = "arn:aws:iam::$($cloudRoot.accountId):role/RemediationTools"
        $second = 'arn:aws:iam::333333333333:role/RemediationTools'
        (New-RemediationWorkerRole -RoleArn $first -RoleName 'Workers' @hostingAws).Status | Should -Be 'Created'
        $extended = New-RemediationWorkerRole -RoleArn $second -RoleName 'Workers' @hostingAws
        $extended.Status | Should -Be 'Updated'
        $extended.AccountRoleArns | Should -Be @($first, $second | Sort-Object)
        $extended.InstanceProfileName | Should -Be 'Workers'
    }

    It 'refuses a wildcard ARN without -AllowAnyAccountRole' {
        { New-RemediationWorkerRole -RoleArn 'arn:aws:iam::*:role/RemediationTools' -RoleName 'Wild' @hostingAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleRequestInvalid,RemediationTools.Commands.NewRemediationWorkerRoleCommand' -ExpectedMessage '*AllowAnyAccountRole*'
        Test-Role $hostingRoot.accountId 'Wild' | Should -BeFalse
    }

    It 'writes a wildcard resource with -AllowAnyAccountRole, with a warning' {
        $role = New-RemediationWorkerRole -AllowAnyAccountRole -RoleName 'Any' @hostingAws -WarningVariable warnings -WarningAction SilentlyContinue
        $role.AccountRoleArns | Should -Be @('arn:aws:iam::*:role/*')
        $warnings.Count | Should -Be 1
    }

    It 'changes nothing with -WhatIf' {
        New-RemediationWorkerRole -RoleArn "arn:aws:iam::$($cloudRoot.accountId):role/RemediationTools" -RoleName 'Preview' @hostingAws -WhatIf | Should -BeNullOrEmpty
        Test-Role $hostingRoot.accountId 'Preview' | Should -BeFalse
    }
}
