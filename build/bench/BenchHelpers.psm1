# Helpers shared by the benchmarks in build/bench: percentiles, the sandbox's hosting and cloud accounts, and
# remediation-worker processes. Imported by the bench scripts; not part of the module.

function Get-Percentile {
    <# .SYNOPSIS The value at $Percent (nearest rank) of $Values. #>
    param([double[]] $Values, [double] $Percent)
    $sorted = @($Values | Sort-Object)
    $sorted[[int][math]::Min($sorted.Count - 1, [math]::Max(0, [math]::Ceiling($Percent / 100 * $sorted.Count) - 1))]
}

function Initialize-BenchAccount {
    <#
    .SYNOPSIS
    A hosting account with the IAM user the workers run as, and a cloud account whose role RemediationRole trusts the
    hosting account with $OrganizationId as external ID and may call ec2:*. Returns Hosting, Cloud, Caller and RoleArn.
    #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $OrganizationId)
    $hosting = New-AwsSandboxAccount -Sandbox $Sandbox
    $cloud = New-AwsSandboxAccount -Sandbox $Sandbox
    $caller = New-AwsSandboxUser -Sandbox $Sandbox -AccountId $hosting.accountId -UserName 'remediation-worker'
    $trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::' + $hosting.accountId +
        ':root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"' + $OrganizationId + '"}}}]}'
    $null = Invoke-AwsSandboxAction -Sandbox $Sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'RemediationRole'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $Sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{
        RoleName = 'RemediationRole'; PolicyName = 'ec2'; PolicyDocument = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}'
    }
    [pscustomobject]@{ Hosting = $hosting; Cloud = $cloud; Caller = $caller; RoleArn = "arn:aws:iam::$($cloud.accountId):role/RemediationRole" }
}

function Start-BenchWorker {
    <#
    .SYNOPSIS
    Starts a remediation-worker process with $Variables (plus the caller's AWS keys and the sandbox endpoint), waits for
    its 'started worker' line, and keeps reading its log so it never blocks on a full pipe. Returns the process and the
    task that ends with its log.
    #>
    param([Parameter(Mandatory)] [string] $WorkerDll, [Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] $Caller, [Parameter(Mandatory)] [hashtable] $Variables)
    # A .dll runs on the shared runtime (`dotnet <dll>`); anything else is the self-contained worker executable.
    if ($WorkerDll.EndsWith('.dll', [StringComparison]::OrdinalIgnoreCase)) {
        $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
        $info.ArgumentList.Add($WorkerDll)
    }
    else {
        $info = [System.Diagnostics.ProcessStartInfo]::new($WorkerDll)
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $all = @{ AWS_ACCESS_KEY_ID = $Caller.accessKeyId; AWS_SECRET_ACCESS_KEY = $Caller.secretAccessKey; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL = $Sandbox.Endpoint } + $Variables
    foreach ($name in $all.Keys) { $info.Environment[$name] = $all[$name] }
    $process = [System.Diagnostics.Process]::Start($info)
    $started = $process.StandardOutput.ReadLineAsync()
    if (-not $started.Wait(60000) -or $started.Result -notmatch 'started worker') { throw "The worker did not start: $($started.Result)" }
    [pscustomobject]@{ Process = $process; Log = $process.StandardOutput.ReadToEndAsync() }
}

function Get-BenchContainerEngine {
    <# .SYNOPSIS Docker when a Docker engine answers, else Podman with build/image/containers.conf (as build.ps1 -Task Image). #>
    $PSNativeCommandUseErrorActionPreference = $false
    if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = & docker info 2>&1
        if ($LASTEXITCODE -eq 0) { return 'docker' }
    }
    if (-not (Get-Command podman -CommandType Application -ErrorAction SilentlyContinue)) { throw 'No container engine (Docker or Podman) to run the worker image.' }
    if (-not $env:CONTAINERS_CONF) { $env:CONTAINERS_CONF = Join-Path $PSScriptRoot '../image/containers.conf' }
    'podman'
}

function Start-BenchWorkerContainer {
    <#
    .SYNOPSIS
    Starts the worker image with --memory 128m --cpus 0.5 --network host, the local store $Store mounted, as this user
    (the store's owner, as the group's docker run command does), the secret and the caller's AWS profile as read-only
    mounts. Waits for its 'started worker' line; returns Name and Process (the container's worker process on this host).
    #>
    param([Parameter(Mandatory)] [string] $Image, [Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] $Caller, [Parameter(Mandatory)] [string] $Work,
        [Parameter(Mandatory)] [string] $SecretFile, [Parameter(Mandatory)] [string] $Store, [Parameter(Mandatory)] [hashtable] $Variables)
    $engine = Get-BenchContainerEngine
    $aws = Join-Path $Work 'aws'
    $null = New-Item -ItemType Directory -Path $aws -Force
    Set-Content -LiteralPath (Join-Path $aws 'credentials') -Value "[bench]`naws_access_key_id = $($Caller.accessKeyId)`naws_secret_access_key = $($Caller.secretAccessKey)"
    Set-Content -LiteralPath (Join-Path $aws 'config') -Value "[profile bench]`nregion = us-east-1"
    $name = 'rt-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
    $all = @{
        REMEDIATION_STORE = 'local:/var/lib/remediation'; REMEDIATION_CLIENT_SECRET_FILE = '/run/secrets/remediation-client-secret'
        AWS_SHARED_CREDENTIALS_FILE = '/run/aws/credentials'; AWS_CONFIG_FILE = '/run/aws/config'; AWS_PROFILE = 'bench'; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL = $Sandbox.Endpoint
    } + $Variables
    $run = @('run', '-d', '--name', $name, '--memory', '128m', '--cpus', '0.5', '--network', 'host', '--user', "$(& id -u):$(& id -g)",
        '-v', "${Store}:/var/lib/remediation", '--mount', "type=bind,source=$SecretFile,target=/run/secrets/remediation-client-secret,readonly",
        '--mount', "type=bind,source=$aws,target=/run/aws,readonly")
    if ($engine -eq 'podman') { $run += @('--health-interval', 'disable') }
    foreach ($key in $all.Keys) { $run += @('-e', "$key=$($all[$key])") }
    $PSNativeCommandUseErrorActionPreference = $false
    $output = & $engine @run $Image 2>&1
    if ($LASTEXITCODE -ne 0) { throw "$engine run $Image failed: $output" }
    $deadline = [DateTime]::UtcNow.AddSeconds(60)
    while (-not ((& $engine logs $name 2>&1) -match 'started worker')) {
        if ([DateTime]::UtcNow -gt $deadline) { throw "The worker container did not start: $(& $engine logs $name 2>&1)" }
        Start-Sleep -Milliseconds 200
    }
    $processId = [int](& $engine inspect --format '{{.State.Pid}}' $name)
    [pscustomobject]@{ Name = $name; Engine = $engine; Process = [System.Diagnostics.Process]::GetProcessById($processId) }
}

function Get-BenchCgroupMemory {
    <# .SYNOPSIS The memory cgroup's current and peak usage (MB) of a process: cgroup v2 memory.current/peak, or v1 usage/max_usage. #>
    param([Parameter(Mandatory)] [int] $ProcessId)
    $lines = Get-Content -LiteralPath "/proc/$ProcessId/cgroup"
    $v1 = $lines | Where-Object { $_ -match '^\d+:memory:(.+)$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
    $files = if ($v1) {
        @("/sys/fs/cgroup/memory$v1/memory.usage_in_bytes", "/sys/fs/cgroup/memory$v1/memory.max_usage_in_bytes")
    }
    else {
        $v2 = $lines | Where-Object { $_ -match '^0::(.+)$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        @("/sys/fs/cgroup$v2/memory.current", "/sys/fs/cgroup$v2/memory.peak")
    }
    if (-not ((Test-Path -LiteralPath $files[0]) -and (Test-Path -LiteralPath $files[1]))) { return $null }
    [pscustomobject]@{ CurrentMB = [double](Get-Content -LiteralPath $files[0]) / 1MB; PeakMB = [double](Get-Content -LiteralPath $files[1]) / 1MB }
}

function Get-BenchContainerState {
    <# .SYNOPSIS 'running', or 'exited <code>' for a container that ended (137: killed, e.g. by the memory cgroup). #>
    param([Parameter(Mandatory)] [string] $Name)
    $PSNativeCommandUseErrorActionPreference = $false
    "$(& (Get-BenchContainerEngine) inspect --format '{{.State.Status}} {{.State.ExitCode}}' $Name 2>&1)" -replace '^running 0$', 'running'
}

function Remove-BenchWorkerContainer {
    <# .SYNOPSIS Removes a container started by Start-BenchWorkerContainer. #>
    param([Parameter(Mandatory)] [string] $Name)
    $PSNativeCommandUseErrorActionPreference = $false
    $null = & (Get-BenchContainerEngine) rm -f $Name 2>&1
}

Export-ModuleMember -Function Get-Percentile, Initialize-BenchAccount, Start-BenchWorker, Start-BenchWorkerContainer, Get-BenchCgroupMemory, Get-BenchContainerState, Remove-BenchWorkerContainer
