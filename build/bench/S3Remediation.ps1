<#
.SYNOPSIS
    Benchmark: 500 bucket findings of the S3 jobs, mixed, across 5 accounts and 2 regions, in one Invoke-Remediation
    against the sandbox: findings per second, AWS calls per finding by action, the logging buckets created; then each
    job alone on 50 buckets: its calls per finding by action (the reads it needs plus its writes).
.DESCRIPTION
    Starts the AWS sandbox, creates a hosting account with an IAM user and 5 cloud accounts with a remediation role
    (external ID; exactly the jobs' IAM actions), and seeds buckets that each job has to fix: no public access block,
    a FULL_CONTROL grant to AuthenticatedUsers beside the log-delivery grant, no default encryption, no access
    logging, no HTTPS-only statement, a CloudTrail bucket with a public statement. The findings are the replaced
    system's payloads (rule IDs), so the catalog picks the job. Goal: one logging bucket per account and region, never
    more. build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param(
    [int] $Accounts = 5,
    [string[]] $Regions = @('us-east-1', 'eu-west-1'),
    [int] $Findings = 500,
    [int] $PerJob = 50,
    [string] $ModulePath = $env:REMEDIATION_MODULE_PATH,
    [string] $SandboxPath = $env:REMEDIATION_SANDBOX_PATH
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if (-not $ModulePath) { $ModulePath = Join-Path $repoRoot 'out/RemediationTools' }
if (-not $SandboxPath) { $SandboxPath = Join-Path $repoRoot 'out/sandbox' }
Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force

# Job, rule ID of the replaced system, and how a bucket that needs the job is seeded.
$kinds = @(
    @{ Job = 's3-remove-public-access'; Rule = '5c8c26507a550e1fb6560c57'; Seed = @{ NoPublicAccessBlock = $true } }
    @{ Job = 'aws-s3-remove-fullaccess-authenticatedusers'; Rule = '5c8c26567a550e1fb6560c5d'; Seed = @{ Legacy = $true; Grants = 'owner+authenticated+logdelivery' } }
    @{ Job = 's3-enable-default-encryption'; Rule = '1d187035-9fff-48b2-a7c3-ffc56a4da5e6'; Seed = @{ NoEncryption = $true } }
    @{ Job = 's3-enable-access-logging'; Rule = '5c8c265e7a550e1fb6560c67'; Seed = @{} }
    @{ Job = 'aws-s3-bucket-policy-allow-https'; Rule = '688d093c-3b8d-11eb-adc1-0242ac120002'; Seed = @{} }
    @{ Job = 'aws-s3-cloudtrail-public-access'; Rule = '5c8c265d7a550e1fb6560c65'; Seed = @{ NoPublicAccessBlock = $true; Policy = 'public' } }
)

$externalId = 'o-bench00s3a'
$sandbox = Start-AwsSandbox -Path (Join-Path $SandboxPath 'RemediationTools.AwsSandbox.dll')
try {
    $hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-s3-bench'
    $actions = @($kinds | ForEach-Object { (Get-RemediationJob -Id $_.Job).IamActions }) | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $cloudAccounts = [System.Collections.Generic.List[object]]::new()
    for ($a = 0; $a -lt $Accounts; $a++) {
        $cloud = New-AwsSandboxAccount -Sandbox $sandbox
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'Remediation'; AssumeRolePolicyDocument = $trust }
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'Remediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
        $cloudAccounts.Add([pscustomobject]@{ AccountId = $cloud.accountId; RoleArn = "arn:aws:iam::$($cloud.accountId):role/Remediation"; ExternalId = $externalId })
    }
    $aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = $Regions[0]; EndpointUrl = $sandbox.Endpoint }
    $script:serial = 0

    function New-BucketFinding($Kind, [string] $AccountId, [string] $Region) {
        $name = 'bench-{0:d6}-{1}' -f $script:serial, $Region
        $script:serial++
        $seed = @{}
        foreach ($key in $Kind.Seed.Keys) { $seed[$key] = $Kind.Seed[$key] }
        if ($seed.ContainsKey('Grants')) {
            $seed.Grants = @(@{ accountId = $AccountId; permission = 'FULL_CONTROL' }, @{ group = 'AuthenticatedUsers'; permission = 'FULL_CONTROL' }, @{ group = 'LogDelivery'; permission = 'WRITE' })
        }
        if ($seed.ContainsKey('Policy')) {
            $seed.Policy = '{"Version":"2012-10-17","Statement":[{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::' + $name + '/*"}]}'
        }
        $null = New-AwsSandboxS3Bucket -Sandbox $sandbox -AccountId $AccountId -Name $name -Region $Region @seed
        $objectId = $name
        $properties = @()
        if ($Kind.Job -eq 'aws-s3-cloudtrail-public-access') {
            $objectId = "trail-$name"
            $properties = @(@{ name = 'S3BucketName'; type = 'string'; stringV = $name })
        }
        $chain = @{ cloudAccountId = $AccountId; region = $Region; properties = $properties } | ConvertTo-Json -Depth 5 -Compress
        @{ notificationInfo = @{ CloudAccountID = $AccountId; RuleID = $Kind.Rule; RuleName = $Kind.Job; Level = 'High'; Service = 'S3'
                FindingInfo = @{ FindingId = "bench-$name"; ObjectId = $objectId; ObjectChain = $chain; Region = $Region; Service = 'S3' } }
           autoRemediate = $true } | ConvertTo-Json -Depth 6 -Compress
    }

    function Invoke-Batch([string[]] $Batch, [string] $Title) {
        Reset-AwsSandboxCallCount -Sandbox $sandbox
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        $results = @($Batch | Invoke-Remediation @aws -CloudAccount $cloudAccounts -Confirm:$false -ProgressAction SilentlyContinue)
        $watch.Stop()
        $calls = Get-AwsSandboxCallCount -Sandbox $sandbox
        $bad = @($results | Where-Object Status -ne 'Remediated')
        if ($bad.Count -gt 0) {
            throw "$Title`: $($bad.Count) of $($Batch.Count) findings not remediated: " + (($bad | Select-Object -First 3 | ForEach-Object { "$($_.JobId) $($_.ResourceId) $($_.Status) $($_.ErrorCode) $($_.Reason)" }) -join '; ')
        }
        [pscustomobject]@{ Seconds = $watch.Elapsed.TotalSeconds; Calls = $calls; Count = $Batch.Count }
    }

    function Write-Calls($Run) {
        $rows = foreach ($action in ($Run.Calls.Keys | Sort-Object)) {
            [pscustomobject]@{ Action = $action; Calls = $Run.Calls[$action]; 'Per finding' = [math]::Round($Run.Calls[$action] / $Run.Count, 3) }
        }
        $rows | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
    }

    # 1. The mixed batch.
    $batch = [System.Collections.Generic.List[string]]::new()
    # Every account and region gets findings of every job, in input order job after job.
    $perGroup = [math]::Ceiling($Findings / ($Accounts * $Regions.Count))
    for ($j = 0; $j -lt $perGroup; $j++) {
        foreach ($cloud in $cloudAccounts) {
            foreach ($region in $Regions) {
                if ($batch.Count -lt $Findings) { $batch.Add((New-BucketFinding $kinds[$j % $kinds.Count] $cloud.AccountId $region)) }
            }
        }
    }
    $mixed = Invoke-Batch $batch 'Mixed batch'
    $total = ($mixed.Calls.Values | Measure-Object -Sum).Sum
    $created = if ($mixed.Calls.ContainsKey('s3:CreateBucket')) { $mixed.Calls['s3:CreateBucket'] } else { 0 }
    Write-Host ''
    Write-Host ("Mixed batch: {0} bucket findings of {1} jobs, {2} accounts x {3} regions, one Invoke-Remediation" -f $Findings, $kinds.Count, $Accounts, $Regions.Count)
    Write-Host ("  wall time        {0:N2} s" -f $mixed.Seconds)
    Write-Host ("  findings/s       {0:N1}" -f ($Findings / $mixed.Seconds))
    Write-Calls $mixed
    Write-Host ("  AWS calls per finding, all actions: {0:N3}" -f ($total / $Findings))
    Write-Host ("  logging buckets created: {0} (one per account and region: {1})" -f $created, ($Accounts * $Regions.Count))
    if ($created -ne $Accounts * $Regions.Count) { throw "The batch created $created logging buckets, not $($Accounts * $Regions.Count)." }

    # 2. Each job alone: its reads and writes per finding.
    Write-Host ''
    Write-Host ("Each job alone on {0} buckets of one account and region (after the mixed batch: the logging bucket exists):" -f $PerJob)
    foreach ($kind in $kinds) {
        $jobBatch = @(for ($i = 0; $i -lt $PerJob; $i++) { New-BucketFinding $kind $cloudAccounts[0].AccountId $Regions[0] })
        $run = Invoke-Batch $jobBatch $kind.Job
        $s3 = @($run.Calls.Keys | Where-Object { $_ -like 's3:*' })
        $perFinding = (($s3 | ForEach-Object { $run.Calls[$_] }) | Measure-Object -Sum).Sum / $PerJob
        $detail = ($s3 | Sort-Object | ForEach-Object { '{0} {1:N2}' -f $_.Substring(3), ($run.Calls[$_] / $PerJob) }) -join ', '
        Write-Host ("  {0,-45} {1:N2} S3 calls per finding: {2}" -f $kind.Job, $perFinding, $detail)
    }
}
finally {
    $sandbox | Stop-AwsSandbox
}
