<#
.SYNOPSIS
Creates a worker group, starts local worker processes for it, dispatches every finding in a folder to the group,
waits for the runs and reports them.

.DESCRIPTION
The whole worker-group flow: the group and its queue live in a local store folder that the admin's session and the
workers share (no server, one machine), or with -Store aws:<name> in DynamoDB and SQS in the hosting account, where
workers anywhere in AWS reach them with the hosting credentials of the SDK chain. The client secret is shown once by New-RemediationWorkerGroup;
this runbook hands it to the workers through their environment only and never writes it anywhere.

The workers need the hosting account's AWS credentials (an IAM user or role; AWS refuses AssumeRole with root
keys): they inherit this session's environment, plus -WorkerEnvironment (for example AWS_PROFILE and AWS_REGION).

.EXAMPLE
$roles = New-RemediationAccountRole -HostingAccountId 111111111111 -ExternalId o-abc123 -ProfileName cloud-account
./WorkerGroup.ps1 -Name prod -OrganizationId o-abc123 -CloudAccount $roles -FindingFolder ./findings -WorkerEnvironment @{ AWS_PROFILE = 'hosting'; AWS_REGION = 'us-east-1' }

.EXAMPLE
$env:AWS_PROFILE = 'hosting'; $env:AWS_REGION = 'eu-west-1'
./WorkerGroup.ps1 -Name prod -OrganizationId o-abc123 -CloudAccount $roles -FindingFolder ./findings -Store aws

The same on the AWS store: the table RemediationTools and the queues RemediationTools-prod(-dlq) in the hosting account.
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
    # How many worker processes to start.
    [ValidateRange(1, 16)] [int] $Workers = 2,
    # The store the session and the workers share: local, local:<folder>, aws or aws:<name>.
    [string] $Store = 'local',
    # The worker, as built by ./build.ps1 (out/worker).
    [string] $WorkerPath = (Join-Path $PSScriptRoot '../out/worker/remediation-worker.dll'),
    # Extra environment variables for the workers (hosting AWS credentials, region, endpoint).
    [hashtable] $WorkerEnvironment = @{},
    # How long to wait for the runs.
    [timespan] $Timeout = '00:05:00'
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$logFolder = Join-Path ([IO.Path]::GetTempPath()) "remediation-workers-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
$null = New-Item -ItemType Directory -Path $logFolder

# The secret goes into a file readable by this user only (0600 on Unix); the workers and the printed commands read
# it from there, so it is in no command line and no process environment.
$secretFile = Join-Path $logFolder "$Name.secret"
$deployment = $CloudAccount | New-RemediationWorkerGroup -Name $Name -OrganizationId $OrganizationId -Store $Store -ClientSecretPath $secretFile -Confirm:$false -WarningAction SilentlyContinue
Write-Host "Worker group $Name created (client ID $($deployment.ClientId)). To run a worker in a container:"
Write-Host "  $($deployment.DockerRunCommand)"
$environment = @{}
foreach ($pair in $deployment.Environment.GetEnumerator()) { $environment[$pair.Key] = $pair.Value }
foreach ($key in $WorkerEnvironment.Keys) { $environment[$key] = [string]$WorkerEnvironment[$key] }
$environment['REMEDIATION_POLL_SECONDS'] = '1'

$processes = foreach ($i in 1..$Workers) {
    Start-Process -FilePath dotnet -ArgumentList "`"$WorkerPath`"" -Environment $environment -NoNewWindow -PassThru `
        -RedirectStandardOutput (Join-Path $logFolder "worker-$i.log") -RedirectStandardError (Join-Path $logFolder "worker-$i.err")
}
Write-Host "Started $Workers worker process(es): $($processes.Id -join ', ')"

try {
    $findings = @(Get-ChildItem -LiteralPath $FindingFolder -Filter *.json | Get-Content -Raw)
    Write-Host "Dispatching $($findings.Count) finding(s) to $Name"
    $runs = @($findings | Invoke-Remediation -WorkerGroup $Name -Store $Store -Wait -Timeout $Timeout -Confirm:$false)
    Get-RemediationWorker -WorkerGroup $Name -Store $Store | Format-Table | Out-Host
    $runs
}
finally {
    # A graceful stop: SIGTERM lets each worker finish its running jobs (Ctrl+C does the same interactively).
    foreach ($process in $processes) {
        if ($process.HasExited) { continue }
        if ($IsWindows) { $process.Kill() } else { & kill -s TERM $process.Id }
    }
    foreach ($process in $processes) {
        if (-not $process.WaitForExit(30000)) { $process.Kill() }
    }
    Remove-Item -LiteralPath $logFolder -Recurse -Force
}
