<#
.SYNOPSIS
Deploys a worker group's workers on EC2, dispatches findings to them, rolls them onto a new image, and removes them.

.DESCRIPTION
The EC2 flow from a session with the hosting account's credentials (the profile, environment or AWS Tools session of
the SDK chain):

1. New-RemediationWorkerGroup -Store aws: the group in the AWS store (DynamoDB table, SQS queue), secret shown once.
2. New-RemediationWorkerRole -WorkerGroup: the workers' EC2 role and instance profile; they may assume the account
   roles, use their group's queue and partition, read their secret parameter, and pull the image from -EcrRepositoryArn.
3. Deploy-RemediationWorker -Wait: the secret into an SSM SecureString, a security group without ingress, instances
   that run the worker container, and a wait until every worker reports Healthy.
4. Invoke-Remediation -WorkerGroup -Wait: the findings of a folder fixed by the workers on EC2.
5. Update-RemediationWorker (with -NewImageUri): replacements first, the old instances terminated once the new ones are Healthy.
6. Remove-RemediationWorker -RemoveSecret and Remove-RemediationWorkerGroup (with -Remove).

The secret never leaves the pipeline: it goes from New-RemediationWorkerGroup's output straight into
Deploy-RemediationWorker, which writes it only to SSM.

.EXAMPLE
./Deployment.ps1 -Name prod -OrganizationId o-abc123 -CloudAccount $roles -FindingFolder ./findings `
    -ImageUri 111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.1.0 -ProfileName hosting -Region us-east-1
#>
[CmdletBinding()]
param(
    # The worker group to create.
    [Parameter(Mandatory)] [string] $Name,
    # The organization ID: every account role's external ID.
    [Parameter(Mandatory)] [string] $OrganizationId,
    # The cloud accounts: New-RemediationAccountRole output, or objects with RoleArn and ExternalId.
    [Parameter(Mandatory)] [object[]] $CloudAccount,
    # A folder of finding payloads (*.json).
    [Parameter(Mandatory)] [string] $FindingFolder,
    # The worker image to deploy.
    [Parameter(Mandatory)] [string] $ImageUri,
    # An image to roll the workers onto after the findings are fixed; none when omitted.
    [string] $NewImageUri,
    # How many workers.
    [ValidateRange(1, 20)] [int] $Count = 1,
    # The AWS store installation: aws or aws:<name>.
    [string] $Store = 'aws',
    # Removes the workers, the secret and the group at the end.
    [switch] $Remove,
    # How long to wait for the workers and the runs.
    [timespan] $Timeout = '00:10:00',
    # The hosting account's AWS parameters (else the SDK chain).
    [string] $ProfileName,
    [string] $Region,
    [string] $AccessKey,
    [string] $SecretKey,
    [string] $EndpointUrl
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$aws = @{}
foreach ($parameter in 'ProfileName', 'Region', 'AccessKey', 'SecretKey', 'EndpointUrl') {
    if ($PSBoundParameters.ContainsKey($parameter)) { $aws[$parameter] = $PSBoundParameters[$parameter] }
}

$group = $CloudAccount | New-RemediationWorkerGroup -Name $Name -OrganizationId $OrganizationId -Store $Store @aws -Confirm:$false -WarningAction SilentlyContinue
Write-Host "Worker group $Name created on $Store (client ID $($group.ClientId))."
$ecr = if ($ImageUri -match '^(?<account>\d{12})\.dkr\.ecr\.(?<region>[a-z0-9-]+)\.amazonaws\.com/(?<repository>[^:@]+)') {
    @{ EcrRepositoryArn = "arn:aws:ecr:$($Matches.region):$($Matches.account):repository/$($Matches.repository)" }
}
else { @{} }
$role = $CloudAccount | New-RemediationWorkerRole -WorkerGroup $Name -Store $Store @ecr @aws -Confirm:$false -WarningAction SilentlyContinue
Write-Host "Worker role $($role.RoleName), instance profile $($role.InstanceProfileName)."

$deployed = @($group | Deploy-RemediationWorker -ImageUri $ImageUri -InstanceProfileName $role.InstanceProfileName -Count $Count -Store $Store @aws -Wait -Timeout $Timeout -Confirm:$false)
foreach ($worker in $deployed) {
    Write-Host "Deployed $($worker.InstanceId) ($($worker.State), Healthy: $($worker.Healthy)) running $($worker.ImageUri)."
}

$runs = @(Get-ChildItem -LiteralPath $FindingFolder -Filter *.json | ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName } |
        Invoke-Remediation -WorkerGroup $Name -Store $Store @aws -Wait -Timeout $Timeout -Confirm:$false)
foreach ($run in $runs) {
    Write-Host "Run $($run.RequestId): $($run.Status), $($run.Result.Status) by $($run.WorkerId)."
}

if ($NewImageUri) {
    $updated = @(Update-RemediationWorker -WorkerGroup $Name -ImageUri $NewImageUri -Store $Store @aws -Timeout $Timeout -Confirm:$false)
    foreach ($worker in $updated) {
        Write-Host "Updated to $($worker.InstanceId) running $($worker.ImageUri) (Healthy: $($worker.Healthy))."
    }
}

Get-RemediationWorker -WorkerGroup $Name -Store $Store @aws | ForEach-Object {
    Write-Host "Worker $($_.WorkerId) on $($_.InstanceId): $($_.State) (instance $($_.InstanceState))."
}

if ($Remove) {
    $removed = @(Remove-RemediationWorker -WorkerGroup $Name -RemoveSecret @aws -Confirm:$false)
    Remove-RemediationWorkerGroup -Name $Name -Store $Store @aws -Confirm:$false
    Write-Host "Removed $($removed.Count) worker instance(s), the secret parameter and the group."
}

$runs
