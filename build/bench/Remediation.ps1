<#
.SYNOPSIS
    Benchmark: Invoke-Remediation on 1,000 public-port findings across 10 accounts and 2 regions in one process,
    against the one-process-per-finding baseline of the system it replaces.
.DESCRIPTION
    Starts the AWS sandbox (loopback, SigV4 verified, AWS error semantics), creates a hosting account with an IAM
    user and 10 cloud accounts, each with the remediation role (external ID, exactly the job's IAM actions), and
    seeds 50 security groups open to the world on tcp 5432 in each account and region. Then:

    1. One Invoke-Remediation over all 1,000 peer payloads, in this process (-CloudAccount with the 10 roles):
       wall time, findings per second, AWS calls per finding by action, AssumeRole calls in total.
    2. The baseline: a fresh `dotnet pwsh` that imports the module and fixes one finding, for a sample of
       findings, averaged and extrapolated to 1,000, and the ratio to the in-process run.

    Credentials reach the child processes through environment variables, never on a command line.
    build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param(
    [int] $Accounts = 10,
    [string[]] $Regions = @('us-east-1', 'eu-west-1'),
    [int] $GroupsPerAccountRegion = 50,
    [int] $BaselineSample = 5,
    [int] $ThrottleLimit = 50,
    # Latency the sandbox adds to every AWS call, to model a real network (0 = loopback speed).
    [int] $LatencyMs = 0,
    # EC2's request-rate token buckets on in the sandbox (AWS's defaults) and the module's client-side pacing on: the
    # wall time is printed against the least time the buckets allow for the calls made (RemediationPaced.ps1).
    [switch] $Paced,
    # Also write the in-process figures as an object (wall time, findings, calls): RemediationOneAccount.ps1 compares them.
    [switch] $PassThru,
    # Run the batch as a whole process instead ('dotnet pwsh' that imports the module and fixes every finding from one
    # file, with the first account's role): the figure the issue's comparison table uses. One account only.
    [switch] $WholeProcess,
    [string] $ModulePath = $env:REMEDIATION_MODULE_PATH,
    [string] $SandboxPath = $env:REMEDIATION_SANDBOX_PATH
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $ModulePath) { $ModulePath = Join-Path $repoRoot 'out/RemediationTools' }
if (-not $SandboxPath) { $SandboxPath = Join-Path $repoRoot 'out/sandbox' }
$manifest = (Resolve-Path -LiteralPath (Join-Path $ModulePath 'RemediationTools.psd1')).ProviderPath
Import-Module $manifest -Force
Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force

$externalId = 'o-bench00001'
$jobId = 'security-group-close-port-5432'
$ruleId = '5c8c25f07a550e1fb6560bc6'
$sandbox = Start-AwsSandbox -Path (Join-Path $SandboxPath 'RemediationTools.AwsSandbox.dll')
try {
    Write-Host "Seeding $Accounts accounts x $($Regions.Count) regions x $GroupsPerAccountRegion groups ..."
    $hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-bench'
    $actions = @((Get-RemediationJob -Id $jobId).IamActions)
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress

    function New-PublicGroup($Sandbox, [string] $AccountId, [string] $Region, [string] $VpcId, [string] $Name) {
        $created = Invoke-AwsSandboxAction -Sandbox $Sandbox -AccountId $AccountId -Region $Region -Service ec2 -Action CreateSecurityGroup -Parameters @{
            GroupName = $Name; GroupDescription = 'bench'; VpcId = $VpcId }
        $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
        $null = Invoke-AwsSandboxAction -Sandbox $Sandbox -AccountId $AccountId -Region $Region -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
            GroupId = $groupId
            'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0'
            'IpPermissions.2.IpProtocol' = 'tcp'; 'IpPermissions.2.FromPort' = 443; 'IpPermissions.2.ToPort' = 443; 'IpPermissions.2.IpRanges.1.CidrIp' = '0.0.0.0/0'
        }
        $groupId
    }

    function New-Finding([string] $AccountId, [string] $Region, [string] $GroupId, [int] $Number) {
        $chain = @{ cloudAccountId = $AccountId; entityId = "AWS.EC2.$AccountId.$Region.SecurityGroup.$GroupId"; entityType = 'AWS.EC2.SecurityGroup'; region = $Region
                    properties = @(@{ name = 'GroupName'; type = 'string'; stringV = "bench-$Number" }) } | ConvertTo-Json -Depth 5 -Compress
        @{ notificationInfo = @{ CloudAccountID = $AccountId; RuleID = $ruleId; RuleName = 'SecurityGroupsPublicPostgreSQL'; Level = 'High'; Service = 'EC2'
                FindingInfo = @{ FindingId = "bench-$Number"; ObjectId = $GroupId; ObjectChain = $chain; Region = $Region; Service = 'EC2' } }
           autoRemediate = $true } | ConvertTo-Json -Depth 6 -Compress
    }

    $cloudAccounts = [System.Collections.Generic.List[object]]::new()
    $findings = [System.Collections.Generic.List[string]]::new()
    $baselineFindings = [System.Collections.Generic.List[string]]::new()
    for ($a = 0; $a -lt $Accounts; $a++) {
        $cloud = New-AwsSandboxAccount -Sandbox $sandbox
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'Remediation'; AssumeRolePolicyDocument = $trust }
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'Remediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
        $cloudAccounts.Add([pscustomobject]@{ AccountId = $cloud.accountId; RoleArn = "arn:aws:iam::$($cloud.accountId):role/Remediation"; ExternalId = $externalId })
        foreach ($region in $Regions) {
            $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Region $region -Service ec2 -Action DescribeVpcs
            $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
            for ($g = 0; $g -lt $GroupsPerAccountRegion; $g++) {
                $number = $findings.Count
                $groupId = New-PublicGroup $sandbox $cloud.accountId $region $vpcId "bench-$number"
                $findings.Add((New-Finding $cloud.accountId $region $groupId $number))
            }
            if ($a -eq 0 -and $region -eq $Regions[0]) {
                for ($s = 0; $s -lt $BaselineSample; $s++) {
                    $groupId = New-PublicGroup $sandbox $cloud.accountId $region $vpcId "baseline-$s"
                    $baselineFindings.Add((New-Finding $cloud.accountId $region $groupId (100000 + $s)))
                }
            }
        }
    }

    Set-AwsSandboxFault -Sandbox $sandbox -LatencyMs $LatencyMs
    $savedPacing = $env:REMEDIATION_EC2_PACING
    if ($Paced) {
        $null = Set-AwsSandboxEc2RateLimit -Sandbox $sandbox
        $env:REMEDIATION_EC2_PACING = 'on'
    }
    $aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = $Regions[0]; EndpointUrl = $sandbox.Endpoint }

    # 1. One process, one batch.
    Reset-AwsSandboxCallCount -Sandbox $sandbox
    if ($WholeProcess) {
        if ($Accounts -ne 1) { throw '-WholeProcess runs one account.' }
        $batchFile = Join-Path ([IO.Path]::GetTempPath()) ('remediation-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.json')
        Set-Content -LiteralPath $batchFile -Value ('[' + ($findings -join ',') + ']')
        $childEnvironment = @{
            AWS_ACCESS_KEY_ID = $caller.accessKeyId; AWS_SECRET_ACCESS_KEY = $caller.secretAccessKey; AWS_SESSION_TOKEN = $null
            AWS_REGION = $Regions[0]; AWS_ENDPOINT_URL = $sandbox.Endpoint; AWS_PROFILE = $null
            REMEDIATION_BENCH_ROLE = $cloudAccounts[0].RoleArn; REMEDIATION_BENCH_EXTERNAL_ID = $externalId
        }
        $savedEnvironment = @{}
        foreach ($name in $childEnvironment.Keys) {
            $savedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $childEnvironment[$name])
        }
        try {
            $command = "Import-Module '$($manifest.Replace("'", "''"))'; " +
                "Invoke-Remediation -LiteralPath '$($batchFile.Replace("'", "''"))' -RoleArn `$env:REMEDIATION_BENCH_ROLE -ExternalId `$env:REMEDIATION_BENCH_EXTERNAL_ID " +
                "-ThrottleLimit $ThrottleLimit -Confirm:`$false -ProgressAction SilentlyContinue | ForEach-Object { `$_.Status.ToString() }"
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $statuses = @(& dotnet pwsh -NoProfile -NonInteractive -Command $command)
            $watch.Stop()
            if ($LASTEXITCODE -ne 0) { throw "The whole-process run ended with exit code $LASTEXITCODE." }
        }
        finally {
            foreach ($name in $savedEnvironment.Keys) { [Environment]::SetEnvironmentVariable($name, $savedEnvironment[$name]) }
            Remove-Item -LiteralPath $batchFile -Force
        }
        $results = @($statuses | ForEach-Object { [pscustomobject]@{ Status = "$_".Trim(); ResourceId = ''; ErrorCode = ''; Reason = '' } })
    }
    else {
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = @($findings | Invoke-Remediation @aws -CloudAccount $cloudAccounts -ThrottleLimit $ThrottleLimit -Confirm:$false -ProgressAction SilentlyContinue)
        $watch.Stop()
    }
    $env:REMEDIATION_EC2_PACING = $savedPacing
    $calls = Get-AwsSandboxCallCount -Sandbox $sandbox
    $throttled = if ($Paced) { @((Get-AwsSandboxEc2RateLimit -Sandbox $sandbox).throttledCalls.PSObject.Properties | ForEach-Object { $_.Value }) | Measure-Object -Sum } else { $null }
    $remediated = @($results | Where-Object Status -eq 'Remediated').Count
    if ($remediated -ne $findings.Count) {
        $other = $results | Where-Object Status -ne 'Remediated' | Select-Object -First 3 | ForEach-Object { "$($_.ResourceId) $($_.Status) $($_.ErrorCode) $($_.Reason)" }
        throw "Only $remediated of $($findings.Count) findings were remediated: $($other -join '; ')"
    }

    $seconds = $watch.Elapsed.TotalSeconds
    Write-Host ''
    Write-Host ("{5} batch: {0} findings, {1} accounts x {2} regions, ThrottleLimit {3}, sandbox latency {4} ms" -f $findings.Count, $Accounts, $Regions.Count, $ThrottleLimit, $LatencyMs, $(if ($WholeProcess) { 'Whole-process' } else { 'In-process' }))
    Write-Host ("  wall time        {0:N2} s" -f $seconds)
    Write-Host ("  findings/s       {0:N1}" -f ($findings.Count / $seconds))
    Write-Host ("  AssumeRole total {0} (accounts: {1})" -f $(if ($calls.ContainsKey('sts:AssumeRole')) { $calls['sts:AssumeRole'] } else { 0 }), $Accounts)
    $rows = foreach ($action in ($calls.Keys | Sort-Object)) {
        [pscustomobject]@{ Action = $action; Calls = $calls[$action]; 'Per finding' = [math]::Round($calls[$action] / $findings.Count, 3) }
    }
    $rows | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
    $total = ($calls.Values | Measure-Object -Sum).Sum
    Write-Host ("  AWS calls per finding, all actions: {0:N3}" -f ($total / $findings.Count))
    if ($Paced) {
        # The EC2 API reference's buckets (request throttling) for the actions this job calls, as the sandbox enforces
        # them per account and region: (capacity, refill per second). Buckets of different actions run in parallel, so
        # the least time is that of the slowest bucket: (calls - capacity) / refill, per account and region.
        $buckets = @{
            'ec2:RevokeSecurityGroupIngress' = @(50, 5)    # resource-intensive
            'ec2:DescribeSecurityGroups'     = @(50, 10)   # unfiltered and unpaginated non-mutating (by group ID)
            'ec2:DescribeNetworkInterfaces'  = @(100, 20)  # non-mutating (filtered, paginated)
        }
        $groupsCount = $Accounts * $Regions.Count
        $least = 0.0
        foreach ($action in $buckets.Keys) {
            if (-not $calls.ContainsKey($action)) { continue }
            $perGroup = $calls[$action] / $groupsCount
            $least = [math]::Max($least, [math]::Max(0, ($perGroup - $buckets[$action][0]) / $buckets[$action][1]))
        }
        Write-Host ("  least time the EC2 buckets allow: {0:N1} s; wall time is {1:P0} of it (goal: within 15%)" -f $least, $(if ($least -gt 0) { $seconds / $least } else { 0 }))
        Write-Host ("  calls the sandbox refused with RequestLimitExceeded: {0} (retried by the SDK; none reached a result)" -f $(if ($throttled) { $throttled.Sum } else { 0 }))
    }
    if ($PassThru) {
        [pscustomobject]@{ Findings = $findings.Count; Seconds = $seconds; Calls = $total; LatencyMs = $LatencyMs }
    }
    if ($baselineFindings.Count -eq 0) { return }

    # 2. Baseline: one fresh PowerShell per finding.
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('remediation-bench-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $folder
    $saved = @{}
    $childEnvironment = @{
        AWS_ACCESS_KEY_ID = $caller.accessKeyId; AWS_SECRET_ACCESS_KEY = $caller.secretAccessKey; AWS_SESSION_TOKEN = $null
        AWS_REGION = $Regions[0]; AWS_ENDPOINT_URL = $sandbox.Endpoint; AWS_PROFILE = $null
        REMEDIATION_BENCH_ROLE = $cloudAccounts[0].RoleArn; REMEDIATION_BENCH_EXTERNAL_ID = $externalId
    }
    foreach ($name in $childEnvironment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $childEnvironment[$name])
    }
    $perFinding = [System.Collections.Generic.List[double]]::new()
    try {
        for ($s = 0; $s -lt $baselineFindings.Count; $s++) {
            $file = Join-Path $folder "finding-$s.json"
            Set-Content -LiteralPath $file -Value $baselineFindings[$s]
            $command = "Import-Module '$($manifest.Replace("'", "''"))'; " +
                "(Invoke-Remediation -LiteralPath '$($file.Replace("'", "''"))' -RoleArn `$env:REMEDIATION_BENCH_ROLE -ExternalId `$env:REMEDIATION_BENCH_EXTERNAL_ID -Confirm:`$false).Status"
            $one = [System.Diagnostics.Stopwatch]::StartNew()
            $status = & dotnet pwsh -NoProfile -NonInteractive -Command $command
            $one.Stop()
            if ($LASTEXITCODE -ne 0 -or "$status".Trim() -ne 'Remediated') { throw "The baseline process for finding $s ended with '$status' (exit code $LASTEXITCODE)." }
            $perFinding.Add($one.Elapsed.TotalSeconds)
        }
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        Remove-Item -LiteralPath $folder -Recurse -Force
    }

    $average = ($perFinding | Measure-Object -Average).Average
    $extrapolated = $average * $findings.Count
    Write-Host ''
    Write-Host ("Baseline, one 'dotnet pwsh' per finding: {0} sampled, {1:N2} s each on average ({2})" -f $perFinding.Count, $average, (($perFinding | ForEach-Object { '{0:N2}' -f $_ }) -join ', '))
    Write-Host ("  extrapolated to {0} findings: {1:N0} s" -f $findings.Count, $extrapolated)
    Write-Host ("  in-process batch is {0:N0}x faster (goal: at least 20x)" -f ($extrapolated / $seconds))
}
finally {
    $sandbox | Stop-AwsSandbox
}
