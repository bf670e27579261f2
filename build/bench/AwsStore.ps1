<#
.SYNOPSIS
    Benchmark: worker groups on the AWS store (SQS + DynamoDB) with 1, 2, 4 and 8 worker processes.
.DESCRIPTION
    Starts the AWS sandbox with latency added to every AWS call (20 ms by default, a real network's order), a hosting
    account whose IAM user runs the workers, and a cloud account with the remediation role. For each worker count it
    creates a fresh worker group on the AWS store (New-RemediationWorkerGroup -Store aws:<name>), seeds security
    groups open on 5432, queues every finding with Invoke-Remediation -WorkerGroup, starts the remediation-worker
    processes (4 jobs each, REMEDIATION_STORE=aws:<name>, the secret from an owner-only file) and waits until every
    request has its final run. Prints per worker count: throughput; dispatch latency (enqueue to start of the job) on
    idle workers, p50 and p95 of a few findings sent one at a time, and its p50 under the load (mostly the backlog
    of 1,000 requests queued at once); and the SQS and DynamoDB calls per request of the load (sandbox counters). Goals: 4 workers at least 3x one worker,
    p50 dispatch under 1 s, at most 6 store calls per request. build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param(
    [int] $Requests = 1000,
    [int[]] $WorkerCounts = @(1, 2, 4, 8),
    [int] $LatencyMs = 20,
    [int] $LatencySamples = 10,
    [string] $ModulePath = $env:REMEDIATION_MODULE_PATH
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
if (-not $ModulePath) { $ModulePath = Join-Path $root 'out/RemediationTools' }
$workerDll = Join-Path $root 'out/worker/remediation-worker.dll'
if (-not (Test-Path -LiteralPath $workerDll)) { throw "The worker '$workerDll' does not exist. Run ./build.ps1 -Task Build first." }
$sandboxDll = Join-Path $root 'out/sandbox/RemediationTools.AwsSandbox.dll'

Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
Import-Module (Join-Path $root 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchHelpers.psm1') -Force

function Get-StoreCallCount {
    $counts = Get-AwsSandboxCallCount -Sandbox $sandbox
    [int](($counts.GetEnumerator() | Where-Object { $_.Key -like 'sqs:*' -or $_.Key -like 'dynamodb:*' } | Measure-Object -Property Value -Sum).Sum)
}

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('rt-bench-aws-store-' + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $work
$organizationId = 'o-bench12345'
$sandbox = Start-AwsSandbox -Path $sandboxDll
$workers = [System.Collections.Generic.List[System.Diagnostics.Process]]::new()
try {
    $accounts = Initialize-BenchAccount -Sandbox $sandbox -OrganizationId $organizationId
    $cloud = $accounts.Cloud
    $caller = $accounts.Caller
    # The scanner's payload of the 5432 rule (examples/findings), one per security group.
    $template = Get-Content -Raw -LiteralPath (Join-Path $root 'examples/findings/security-group-close-port-5432.json')
    $aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $rows = foreach ($count in $WorkerCounts) {
        $store = "aws:bench$count"
        $secretFile = Join-Path $work "bench$count.secret"
        $deployment = New-RemediationWorkerGroup -Store $store @aws -Name bench -OrganizationId $organizationId -RoleArn $accounts.RoleArn -ExternalId $organizationId -ClientSecretPath $secretFile -Confirm:$false -WarningAction SilentlyContinue

        Write-Host "Seeding $Requests security groups open on 5432 for $count worker(s)..."
        Set-AwsSandboxFault -Sandbox $sandbox -LatencyMs 0
        $findings = foreach ($i in 1..($Requests + $LatencySamples)) {
            $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{ GroupName = "db-$count-$i"; GroupDescription = 'db' }
            $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
            $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
                GroupId = $groupId; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0'
            }
            $finding = $template | ConvertFrom-Json
            $finding.notificationInfo.CloudAccountID = $cloud.accountId
            $finding.notificationInfo.FindingInfo.ObjectId = $groupId
            $finding.notificationInfo.FindingInfo.FindingId = "bench-$count-$i"
            $finding | ConvertTo-Json -Depth 10 -Compress
        }

        # The workers start and join first (idle, long-polling); then every finding is queued at once.
        Set-AwsSandboxFault -Sandbox $sandbox -LatencyMs $LatencyMs
        foreach ($n in 1..$count) {
            $started = Start-BenchWorker -WorkerDll $workerDll -Sandbox $sandbox -Caller $caller -Variables @{
                REMEDIATION_WORKER_GROUP = 'bench'; REMEDIATION_CLIENT_ID = $deployment.ClientId; REMEDIATION_CLIENT_SECRET_FILE = $secretFile
                REMEDIATION_STORE = $store; REMEDIATION_MAX_JOBS = '4'; REMEDIATION_POLL_SECONDS = '5'; REMEDIATION_HEALTH_FILE = (Join-Path $work "health-$count-$n")
            }
            $process = $started.Process
            $workers.Add($process)
        }

        # Dispatch latency on idle (long-polling) workers: a few findings one at a time, enqueue to start of the job.
        $idle = foreach ($finding in $findings[0..($LatencySamples - 1)]) {
            $run = $finding | Invoke-Remediation -WorkerGroup bench -Store $store @aws -Wait -Timeout '00:01:00' -Confirm:$false
            ([DateTimeOffset]$run.Started - [DateTimeOffset]$run.Enqueued).TotalMilliseconds
        }
        $findings = $findings[$LatencySamples..($findings.Count - 1)]

        Reset-AwsSandboxCallCount -Sandbox $sandbox
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $queued = @($findings | Invoke-Remediation -WorkerGroup bench -Store $store @aws -Confirm:$false)

        # The bench's own polls of the runs are store calls too: they are counted and left out of the per-request figure.
        $pollCalls = 0
        $deadline = [DateTime]::UtcNow.AddMinutes(15)
        do {
            if ([DateTime]::UtcNow -gt $deadline) { throw "The $Requests requests did not finish within 15 minutes with $count worker(s)." }
            Start-Sleep -Seconds 2
            $before = Get-StoreCallCount
            $runs = @(Get-RemediationRun -Store $store @aws -WorkerGroup bench -ErrorAction SilentlyContinue | Where-Object { $_.Status -in 'Completed', 'DeadLettered' })
            $pollCalls += (Get-StoreCallCount) - $before
        } while ($runs.Count -lt $queued.Count)
        $watch.Stop()
        Set-AwsSandboxFault -Sandbox $sandbox -LatencyMs 0
        $storeCalls = (Get-StoreCallCount) - $pollCalls
        foreach ($process in $workers) { if (-not $process.HasExited) { $process.Kill($true); $null = $process.WaitForExit(10000) } }
        $workers.Clear()

        $latencies = foreach ($run in $runs) { if ($run.Started) { ([DateTimeOffset]$run.Started - [DateTimeOffset]$run.Enqueued).TotalMilliseconds } }
        [pscustomobject]@{
            Workers               = $count
            'Requests/s'          = [math]::Round($queued.Count / $watch.Elapsed.TotalSeconds, 1)
            'Idle p50 (ms)'       = [math]::Round((Get-Percentile $idle 50))
            'Idle p95 (ms)'       = [math]::Round((Get-Percentile $idle 95))
            'Load p50 (ms)'       = [math]::Round((Get-Percentile $latencies 50))
            'Store calls/request' = [math]::Round($storeCalls / $queued.Count, 2)
            Remediated            = @($runs | Where-Object { $_.Result -and $_.Result.Status -eq 'Remediated' }).Count
        }
        Remove-RemediationWorkerGroup -Store $store @aws -Name bench -Confirm:$false
    }

    "AWS store, $Requests requests per worker count (after $LatencySamples one at a time), $LatencyMs ms added to every AWS call, 4 jobs per worker"
    $rows | Format-Table -AutoSize | Out-String
    $one = @($rows | Where-Object Workers -eq 1)
    $four = @($rows | Where-Object Workers -eq 4)
    if ($one.Count -and $four.Count) { 'Scaling, 4 workers over 1: {0:N1}x (goal: at least 3x)' -f ($four[0].'Requests/s' / $one[0].'Requests/s') }
    'Store calls are counted during dispatch and work: Invoke-Remediation''s queueing, the workers'' polls, heartbeats and records.'
}
finally {
    foreach ($process in $workers) { if (-not $process.HasExited) { $process.Kill($true) } }
    Stop-AwsSandbox -Sandbox $sandbox
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
