<#
.SYNOPSIS
Onboards cloud accounts for remediation: creates the account role in each cloud account, the worker role in the
hosting account, tightens each account role's trust to the worker role, and tests every account.

.DESCRIPTION
A runbook to copy. Each cloud account is a hashtable of the AWS connection parameters of that account's
administrator (ProfileName, or AccessKey and SecretKey, plus Region and, for an emulator, EndpointUrl); the
hosting account is one such hashtable too. The steps:

1. New-RemediationAccountRole in every cloud account, trusting the hosting account while the worker role does
   not exist yet.
2. New-RemediationWorkerRole in the hosting account, allowed to assume exactly those roles.
3. New-RemediationAccountRole again, now trusting only the worker role (the permission policy is unchanged).
4. Test-RemediationAccountRole for every account, from -TestSource: the worker role's credentials. Without
   it the hosting account's administrator tries, and the reports rightly say the role refuses it.

Writes one report per account and returns them; a run against already onboarded accounts changes nothing.
Run it without -Sandbox against AWS; with -Sandbox it starts the AWS sandbox, creates the accounts there and
tests from the worker role's instance-profile credentials, as an EC2 worker would.
#>
[CmdletBinding()]
param(
    # Connection parameters per cloud account (hashtables).
    [hashtable[]] $CloudAccount,
    # Connection parameters of the hosting account's administrator.
    [hashtable] $HostingAccount,
    # The hosting account's 12-digit ID.
    [string] $HostingAccountId,
    # The organization ID, required as external ID by every account role.
    [string] $OrganizationId = 'o-onboard0001',
    # The jobs whose permissions the account roles grant (wildcards allowed).
    [string[]] $Job = '*',
    # Credentials that assume the account roles in the test step (a hashtable with AccessKey, SecretKey, SessionToken).
    [hashtable] $TestSource,
    # Run against the AWS sandbox: two cloud accounts and a hosting account are created there.
    [switch] $Sandbox,
    # The built module folder.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/RemediationTools'),
    # The built sandbox assembly (with -Sandbox).
    [string] $SandboxPath = (Join-Path $PSScriptRoot '../out/sandbox/RemediationTools.AwsSandbox.dll')
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
$server = $null
if ($Sandbox) {
    Import-Module (Join-Path $PSScriptRoot '../tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $server = Start-AwsSandbox -Path $SandboxPath
}
try {
    if ($Sandbox) {
        $connection = @{ Region = 'us-east-1'; EndpointUrl = $server.Endpoint }
        $hostingRoot = New-AwsSandboxAccount -Sandbox $server
        # Roles cannot be assumed with root keys: the hosting account's administrator is an IAM user.
        $admin = New-AwsSandboxUser -Sandbox $server -AccountId $hostingRoot.accountId -UserName 'onboarding-admin'
        $HostingAccount = @{ AccessKey = $admin.accessKeyId; SecretKey = $admin.secretAccessKey } + $connection
        $CloudAccount = foreach ($i in 1..2) {
            $root = New-AwsSandboxAccount -Sandbox $server
            @{ AccessKey = $root.accessKeyId; SecretKey = $root.secretAccessKey } + $connection
        }
    }
    if ($Sandbox) { $HostingAccountId = $hostingRoot.accountId }
    if (-not $CloudAccount -or -not $HostingAccount -or -not $HostingAccountId) {
        throw 'Give -CloudAccount, -HostingAccount and -HostingAccountId, or use -Sandbox.'
    }

    Write-Host "== 1. Account roles, trusting hosting account $HostingAccountId with external ID $OrganizationId"
    $accountRoles = @(foreach ($account in $CloudAccount) {
            New-RemediationAccountRole -HostingAccountId $HostingAccountId -ExternalId $OrganizationId -Job $Job @account
        })
    $accountRoles | ForEach-Object { Write-Host ("  {0,-9} {1}" -f $_.Status, $_.RoleArn) }

    Write-Host '== 2. Worker role and instance profile in the hosting account'
    $workerRole = $accountRoles | New-RemediationWorkerRole @HostingAccount
    Write-Host ("  {0,-9} {1} (instance profile {2})" -f $workerRole.Status, $workerRole.RoleArn, $workerRole.InstanceProfileName)

    Write-Host '== 3. Account roles now trust only the worker role'
    for ($i = 0; $i -lt $CloudAccount.Count; $i++) {
        $account = $CloudAccount[$i]
        $role = New-RemediationAccountRole -WorkerRoleArn $workerRole.RoleArn -ExternalId $OrganizationId -Job $Job @account
        Write-Host ("  {0,-9} {1} {2}" -f $role.Status, $role.RoleArn, ($role.Changes -join '; '))
        $accountRoles[$i] = $role
    }

    Write-Host '== 4. Readiness of every account'
    if ($Sandbox) {
        # What an EC2 worker launched with the instance profile gets from the instance metadata service.
        $session = Get-AwsSandboxInstanceProfileCredential -Sandbox $server -AccountId $HostingAccountId -InstanceProfileName $workerRole.InstanceProfileName
        $TestSource = @{ AccessKey = $session.accessKeyId; SecretKey = $session.secretAccessKey; SessionToken = $session.sessionToken }
    }
    $source = if ($TestSource) {
        @{ SourceAccessKey = $TestSource.AccessKey; SourceSecretKey = $TestSource.SecretKey; SourceSessionToken = $TestSource.SessionToken }
    }
    else {
        @{ SourceAccessKey = $HostingAccount.AccessKey; SourceSecretKey = $HostingAccount.SecretKey }
    }
    for ($i = 0; $i -lt $CloudAccount.Count; $i++) {
        $account = $CloudAccount[$i]
        $report = $accountRoles[$i] | Test-RemediationAccountRole @account @source
        Write-Host ("  {0} ready: {1}{2}" -f $report.AccountId, $report.IsReady, $(if ($report.Findings) { ' - ' + ($report.Findings -join ' ') }))
        $report
    }
}
finally {
    if ($server) { $server | Stop-AwsSandbox }
}
