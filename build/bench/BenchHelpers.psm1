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
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $info.ArgumentList.Add($WorkerDll)
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $all = @{ AWS_ACCESS_KEY_ID = $Caller.accessKeyId; AWS_SECRET_ACCESS_KEY = $Caller.secretAccessKey; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL = $Sandbox.Endpoint } + $Variables
    foreach ($name in $all.Keys) { $info.Environment[$name] = $all[$name] }
    $process = [System.Diagnostics.Process]::Start($info)
    $started = $process.StandardOutput.ReadLineAsync()
    if (-not $started.Wait(60000) -or $started.Result -notmatch 'started worker') { throw "The worker did not start: $($started.Result)" }
    [pscustomobject]@{ Process = $process; Log = $process.StandardOutput.ReadToEndAsync() }
}

Export-ModuleMember -Function Get-Percentile, Initialize-BenchAccount, Start-BenchWorker
