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

Describe 'Remove-RemediationAccountRole' {
    It 'keeps the role with -WhatIf, then removes it from the pipeline' {
        $role = New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -ExternalId $externalId -RoleName 'ToRemove' @cloudAws
        $role | Remove-RemediationAccountRole @cloudAws -WhatIf
        Test-Role $cloudRoot.accountId 'ToRemove' | Should -BeTrue
        $role | Remove-RemediationAccountRole @cloudAws -Confirm:$false
        Test-Role $cloudRoot.accountId 'ToRemove' | Should -BeFalse
    }

    It 'writes RoleNotFound for a role that does not exist' {
        { Remove-RemediationAccountRole -RoleName 'Missing' @cloudAws -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleNotFound,RemediationTools.Commands.RemoveRemediationAccountRoleCommand' -ExpectedMessage '*Missing*'
    }

    It 'declares ConfirmImpact High' {
        $type = (Get-Command Remove-RemediationAccountRole).ImplementingType
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact | Should -Be 'High'
    }
}
