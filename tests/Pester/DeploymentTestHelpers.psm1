# Shared set-up of the deployment tests (Deploy-, Update-, Remove-, Get-RemediationWorker): the sandbox with a hosting
# and a cloud account, a worker group on the AWS store, the worker role and instance profile, and the sandbox's instance
# launcher set to boot each instance as its user data would (tests/Pester/Start-SandboxInstanceWorker.sh).

function Initialize-TestDeploymentSandbox {
    <#
    .SYNOPSIS
    Returns the context of Initialize-TestWorkerSandbox plus Store (a fresh aws:<name> installation), Group (the
    New-RemediationWorkerGroup output, with the secret), Role (the New-RemediationWorkerRole output), Secret (plain),
    Images (the two image references that "pull"; any other never starts) and Broken (one that never starts).
    #>
    [CmdletBinding()]
    param()
    $ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
    $aws = $ctx.Aws
    $store = "aws:pester$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $group = New-RemediationWorkerGroup -Store $store @aws -Name prod -OrganizationId $ctx.OrganizationId -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId -Confirm:$false -WarningAction SilentlyContinue
    $role = New-RemediationWorkerRole -RoleArn $ctx.RoleArn -WorkerGroup prod -Store $store @aws -Confirm:$false -WarningAction SilentlyContinue
    $images = Set-TestInstanceLauncher -Context $ctx
    $ctx | Add-Member -NotePropertyMembers @{
        Store  = $store
        Group  = $group
        Role   = $role
        Secret = Get-TestPlainSecret $group.ClientSecret
        Images = $images
        Broken = '111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.0.0-broken'
    } -PassThru
}

function Set-TestInstanceLauncher {
    <#
    .SYNOPSIS
    Sets the sandbox's instance launcher to boot instances with Start-SandboxInstanceWorker.sh; returns the two image
    references that "pull" (any other image never starts).
    #>
    [CmdletBinding()]
    [OutputType([string[]])]
    param([Parameter(Mandatory)] $Context)
    $images = @('111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:1.0.0', '111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:1.1.0')
    $launcher = Join-Path $PSScriptRoot 'Start-SandboxInstanceWorker.sh'
    $worker = Join-Path (Get-TestWorkerPath) 'remediation-worker.dll'
    Set-AwsSandboxInstanceLauncher -Sandbox $Context.Sandbox -Command '/bin/bash' -ArgumentList (@($launcher, $worker) + $images) | Out-Null
    $images
}

function Get-TestWorkerInstance {
    <# .SYNOPSIS The sandbox's instances tagged for a worker group (prod by default), in -State (all states without it). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Context, [string[]] $State, [string] $WorkerGroup = 'prod')
    @(Get-AwsSandboxInstance -Sandbox $Context.Sandbox | Where-Object {
            $_.Tags.'remediation:worker-group' -eq $WorkerGroup -and (-not $State -or $State -contains $_.State)
        })
}

Export-ModuleMember -Function Initialize-TestDeploymentSandbox, Set-TestInstanceLauncher, Get-TestWorkerInstance
