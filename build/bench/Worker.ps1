<#
.SYNOPSIS
    Benchmark: worker dispatch latency (enqueue to start) and the worker process's memory.
.DESCRIPTION
    Starts the AWS sandbox and one remediation-worker process (4 jobs at once) on a fresh local store, with a worker
    group created by New-RemediationWorkerGroup and 1,000 security groups open on 5432. Then:
      1. idle: samples the worker's VmRSS for a few seconds before any request (Linux /proc/<pid>/status);
      2. latency: queues requests one at a time on the idle worker and reads each run's Started - Enqueued;
      3. load: queues the remaining requests at once, samples VmRSS while they run, and reads VmHWM (peak) at the end.
    Requests are written to the store the way the dispatcher writes them (a file renamed into the ready folder).
    Prints median and 95th percentile latency, throughput, peak and idle RSS. Goals as a plain process: peak < 100 MB,
    idle < 64 MB. build.ps1 -Task Bench runs it.

    -Container runs the worker image (build.ps1 -Task Image) instead, as the seed's host would: --memory 128m
    --cpus 0.5, the store mounted, as the store's owner (the --user of the group's docker run command); it also
    reports the container's memory cgroup peak and fails on an OOM kill. WorkerContainer.ps1 runs it so.
#>
[CmdletBinding()]
param(
    [int] $Requests = 1000,
    [int] $LatencySamples = 40,
    [string] $ModulePath = $env:REMEDIATION_MODULE_PATH,
    [switch] $Container,
    [string] $Image = $(if ($env:REMEDIATION_IMAGE) { $env:REMEDIATION_IMAGE } else { 'remediation-worker:latest' })
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$root = Resolve-Path (Join-Path $PSScriptRoot '../..')
if (-not $ModulePath) { $ModulePath = Join-Path $root 'out/RemediationTools' }
if (-not $IsLinux) { Write-Warning 'Worker.ps1 reads /proc for memory figures: Linux only. Skipped.'; return }

$work = Join-Path ([System.IO.Path]::GetTempPath()) ('rt-bench-worker-' + [guid]::NewGuid().ToString('N'))
$null = New-Item -ItemType Directory -Path $work
# build.ps1 -Task Build publishes the worker to out/worker and the sandbox to out/sandbox.
# The worker as it ships (the self-contained publish of build.ps1 -Task Image, which Bench runs first) when it is there,
# with the image's GC setting; else the framework-dependent build on the shared runtime, whose mapped runtime files are
# shared with the sandbox's process here, so the idle trim cannot page them out of the worker (measured: 66.7 MB idle).
$shipped = Join-Path $root 'out/image/context/publish/remediation-worker'
$workerDll = if (Test-Path -LiteralPath $shipped) { $shipped } else { Join-Path $root 'out/worker/remediation-worker.dll' }
$containerName = $null
if (-not $Container -and -not (Test-Path -LiteralPath $workerDll)) { throw "The worker '$workerDll' does not exist. Run ./build.ps1 -Task Build first." }
$sandboxDll = Join-Path $root 'out/sandbox/RemediationTools.AwsSandbox.dll'

Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
Import-Module (Join-Path $root 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
Import-Module (Join-Path $PSScriptRoot 'BenchHelpers.psm1') -Force

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

function Get-ProcessMemory([int] $ProcessId) {
    $status = Get-Content -LiteralPath "/proc/$ProcessId/status"
    $kb = { param($name) [double](($status | Where-Object { $_ -like "${name}:*" }) -replace '[^0-9]', '') }
    [pscustomobject]@{ RssMB = (& $kb 'VmRSS') / 1024; PeakMB = (& $kb 'VmHWM') / 1024; AnonMB = (& $kb 'RssAnon') / 1024; FileMB = (& $kb 'RssFile') / 1024 }
}

$store = Join-Path $work 'store'
$ready = Join-Path $store 'queues/bench/ready'
$runs = Join-Path $store 'runs/bench'
$organizationId = 'o-bench12345'
$sandbox = Start-AwsSandbox -Path $sandboxDll
$worker = $null
try {
    $accounts = Initialize-BenchAccount -Sandbox $sandbox -OrganizationId $organizationId
    $cloud = $accounts.Cloud
    $caller = $accounts.Caller

    $env:REMEDIATION_STORE = "local:$store"
    # The worker reads the secret from an owner-only file, as the printed commands do; never from its environment.
    $secretFile = Join-Path $work 'bench.secret'
    $deployment = New-RemediationWorkerGroup -Name bench -OrganizationId $organizationId -RoleArn $accounts.RoleArn -ExternalId $organizationId -ClientSecretPath $secretFile -Confirm:$false

    Write-Host "Seeding $Requests security groups open on 5432..."
    $groupIds = foreach ($i in 1..$Requests) {
        $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{ GroupName = "db-$i"; GroupDescription = 'db' }
        $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
            GroupId = $groupId; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0'
        }
        $groupId
    }

    function Add-Request([string] $GroupId) {
        $id = [guid]::NewGuid().ToString('N')
        $now = [DateTimeOffset]::UtcNow
        $request = [ordered]@{
            Id = $id; WorkerGroup = 'bench'; JobId = $null; RangeMode = 'Split'; Enqueued = $now.ToString('o'); Attempts = 0
            Finding = [ordered]@{ FindingId = "f-$GroupId"; RuleId = '5c8c25f07a550e1fb6560bc6'; AccountId = $cloud.accountId; Region = 'us-east-1'; ResourceId = $GroupId }
        }
        $null = New-Item -ItemType Directory -Path $ready -Force
        $temp = Join-Path $ready ".$id.tmp"
        Set-Content -LiteralPath $temp -Value ($request | ConvertTo-Json -Compress -Depth 5) -NoNewline
        Move-Item -LiteralPath $temp -Destination (Join-Path $ready ('{0:D19}.{1}.0.req' -f $now.UtcTicks, $id))
        $id
    }

    function Wait-Runs([int] $Count) {
        $deadline = [DateTime]::UtcNow.AddMinutes(5)
        while (@(Get-ChildItem -LiteralPath $runs -Filter '*.json' -ErrorAction SilentlyContinue).Count -lt $Count) {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Only some of $Count runs finished within 5 minutes." }
            Start-Sleep -Milliseconds 20
        }
    }

    if ($Container) {
        $started = Start-BenchWorkerContainer -Image $Image -Sandbox $sandbox -Caller $caller -Work $work -SecretFile $secretFile -Store $store -Variables @{
            REMEDIATION_WORKER_GROUP = 'bench'; REMEDIATION_CLIENT_ID = $deployment.ClientId; REMEDIATION_MAX_JOBS = '4'
        }
        $containerName = $started.Name
    }
    else {
        $started = Start-BenchWorker -WorkerDll $workerDll -Sandbox $sandbox -Caller $caller -Variables @{
            REMEDIATION_WORKER_GROUP = 'bench'; REMEDIATION_CLIENT_ID = $deployment.ClientId; REMEDIATION_CLIENT_SECRET_FILE = $secretFile
            REMEDIATION_STORE = "local:$store"; REMEDIATION_MAX_JOBS = '4'; REMEDIATION_HEALTH_FILE = (Join-Path $work 'health')
            DOTNET_GCgen0size = '0x400000'
        }
        Write-Host "Worker process                               $workerDll"
    }
    $worker = $started.Process

    Start-Sleep -Seconds 3
    $idleBefore = Get-ProcessMemory $worker.Id

    # Latency: one request at a time on an idle worker (long-polling), enqueue to start of the job.
    $latencyIds = foreach ($i in 0..($LatencySamples - 1)) {
        Add-Request $groupIds[$i]
        Wait-Runs ($i + 1)
        Start-Sleep -Milliseconds (Get-Random -Minimum 50 -Maximum 250)
    }
    $latencies = foreach ($id in $latencyIds) {
        $run = Get-Content -LiteralPath (Join-Path $runs "$id.json") -Raw | ConvertFrom-Json
        ([DateTimeOffset]$run.Started - [DateTimeOffset]$run.Enqueued).TotalMilliseconds
    }

    # Load: the rest at once, memory sampled while the worker runs them.
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    foreach ($groupId in $groupIds[$LatencySamples..($Requests - 1)]) { $null = Add-Request $groupId }
    $enqueued = $watch.Elapsed.TotalSeconds
    $samples = [System.Collections.Generic.List[double]]::new()
    $deadline = [DateTime]::UtcNow.AddMinutes(10)
    while (@(Get-ChildItem -LiteralPath $runs -Filter '*.json').Count -lt $Requests) {
        if ([DateTime]::UtcNow -gt $deadline) { throw 'The load did not finish within 10 minutes.' }
        $samples.Add((Get-ProcessMemory $worker.Id).RssMB)
        Start-Sleep -Milliseconds 100
    }
    $watch.Stop()
    $loaded = Get-ProcessMemory $worker.Id
    $statuses = Get-ChildItem -LiteralPath $runs -Filter '*.json' | ForEach-Object { (Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json).Result.Status } | Group-Object -NoElement
    # The worker counts as idle after one empty long poll (REMEDIATION_POLL_SECONDS, 10 s by default).
    Start-Sleep -Seconds 15
    $idleAfter = Get-ProcessMemory $worker.Id

    '{0,-44} {1}' -f 'Dispatch latency (enqueue to start), median', ('{0:N0} ms' -f (Get-Median $latencies))
    '{0,-44} {1}' -f 'Dispatch latency, 95th percentile', ('{0:N0} ms' -f (Get-Percentile $latencies 95))
    '{0,-44} {1}' -f "Load: $($Requests - $LatencySamples) requests (queued in $('{0:N1}' -f $enqueued) s)", ('{0:N1} s, {1:N0} requests/s' -f $watch.Elapsed.TotalSeconds, (($Requests - $LatencySamples) / $watch.Elapsed.TotalSeconds))
    '{0,-44} {1}' -f 'Results', (($statuses | ForEach-Object { "$($_.Name)=$($_.Count)" }) -join ', ')
    '{0,-44} {1}' -f 'Worker RSS idle before requests', ('{0:N1} MB (goal < 64 MB)' -f $idleBefore.RssMB)
    '{0,-44} {1}' -f 'Worker RSS while working, max sampled', ('{0:N1} MB' -f ($samples | Measure-Object -Maximum).Maximum)
    '{0,-44} {1}' -f 'Worker peak RSS (VmHWM) over the run', ('{0:N1} MB (goal < 100 MB; in the container < 128 MB)' -f $loaded.PeakMB)
    '{0,-44} {1}' -f 'Worker RSS idle after the load', ('{0:N1} MB (goal < 64 MB)' -f $idleAfter.RssMB)
    '{0,-44} {1}' -f '  of which anonymous / file-backed', ('{0:N1} MB / {1:N1} MB (before requests {2:N1} / {3:N1})' -f $idleAfter.AnonMB, $idleAfter.FileMB, $idleBefore.AnonMB, $idleBefore.FileMB)
    if ($Container) {
        $cgroup = Get-BenchCgroupMemory -ProcessId $worker.Id
        if ($cgroup) {
            '{0,-44} {1}' -f 'Container memory cgroup now / peak', ('{0:N1} MB / {1:N1} MB (limit 128 MB)' -f $cgroup.CurrentMB, $cgroup.PeakMB)
        }
        $state = Get-BenchContainerState -Name $containerName
        '{0,-44} {1}' -f 'Container state after the load', $state
        if ($state -notmatch '^running') { throw "The worker container did not survive the load ($state): an exit code 137 is an OOM kill." }
    }
}
finally {
    if ($Container) { if ($containerName) { Remove-BenchWorkerContainer -Name $containerName } }
    elseif ($worker -and -not $worker.HasExited) { $worker.Kill($true); $null = $worker.WaitForExit(10000) }
    Stop-AwsSandbox -Sandbox $sandbox
    Remove-Item Env:REMEDIATION_STORE -ErrorAction SilentlyContinue
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}
