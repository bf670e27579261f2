# A PowerShell client for the AWS sandbox's control API: start and stop the sandbox process, create accounts,
# seed resources by calling an AWS action as an account's root, read call counters, inject faults.
# Used by the offline demo, the examples' tests and the Pester tests. Test infrastructure, never a backend.
Set-StrictMode -Version Latest

function Invoke-SandboxControl {
    # One call of the control API (/_sandbox/<path>): -Body is sent as JSON (an object is converted; text is sent as it is).
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [ValidateSet('Get', 'Post', 'Put', 'Delete')] [string] $Method,
        [Parameter(Mandatory)] [string] $Path,
        $Body
    )
    $call = @{ Method = $Method; Uri = $Sandbox.Endpoint + '_sandbox/' + $Path }
    if ($PSBoundParameters.ContainsKey('Body')) {
        $call.Body = if ($Body -is [string]) { $Body } else { ConvertTo-Json -InputObject $Body -Compress -Depth 20 }
        $call.ContentType = 'application/json'
    }
    Invoke-RestMethod @call
}

function Start-AwsSandbox {
    <#
    .SYNOPSIS
    Starts the sandbox as its own process on a free loopback port and returns an object with its Endpoint.
    The process ends by itself when this PowerShell process ends.
    #>
    [CmdletBinding()]
    param(
        # The built sandbox assembly (RemediationTools.AwsSandbox.dll).
        [Parameter(Mandatory)] [string] $Path,
        [int] $Port = 0
    )
    if (-not (Test-Path -LiteralPath $Path)) { throw "The sandbox assembly '$Path' does not exist. Run ./build.ps1 -Task Build first." }
    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($Path, '--port', "$Port", '--parent-pid', "$PID")) { $info.ArgumentList.Add($a) }
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $readLine = $process.StandardOutput.ReadLineAsync()
    if (-not $readLine.Wait([TimeSpan]::FromSeconds(60))) {
        $process.Kill($true)
        throw 'The AWS sandbox did not report its endpoint within 60 seconds.'
    }
    $line = $readLine.Result
    if ($line -notmatch 'listening on (?<url>http://\S+)') {
        $err = $process.StandardError.ReadToEnd()
        throw "The AWS sandbox did not start: '$line' $err"
    }
    [pscustomobject]@{
        PSTypeName = 'RemediationTools.AwsSandbox'
        Endpoint   = $Matches.url
        Process    = $process
    }
}

function Stop-AwsSandbox {
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] $Sandbox)
    process {
        # SIGTERM first, so that the sandbox stops its instances' processes and deletes their user data files.
        if (-not $Sandbox.Process.HasExited -and -not $IsWindows) {
            & kill -TERM $Sandbox.Process.Id 2>$null
            $null = $Sandbox.Process.WaitForExit(15000)
        }
        if (-not $Sandbox.Process.HasExited) {
            $Sandbox.Process.Kill($true)
            $null = $Sandbox.Process.WaitForExit(10000)
        }
        $Sandbox.Process.Dispose()
    }
}

function New-AwsSandboxAccount {
    <#
    .SYNOPSIS
    Creates an account; returns AccountId, AccessKeyId and SecretAccessKey of its root. With -NoDefaultVpc the
    account has no default VPCs (each region starts with one non-default VPC), as AWS accounts whose default VPCs
    were deleted: CreateSecurityGroup then needs a VpcId, and revokes follow the non-default VPC rules.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $AccountId, [switch] $NoDefaultVpc, [string] $OrganizationId)
    $request = @{}
    if ($AccountId) { $request.accountId = $AccountId }
    if ($NoDefaultVpc) { $request.defaultVpc = $false }
    if ($OrganizationId) { $request.organizationId = $OrganizationId }
    $body = $request | ConvertTo-Json -Compress
    Invoke-SandboxControl $Sandbox Post 'accounts' -Body $body
}

function New-AwsSandboxUser {
    <#
    .SYNOPSIS
    Creates an IAM user with an access key in an account (roles cannot be assumed with root keys, as in AWS).
    Without -PolicyDocument the user may do everything. Returns AccountId, AccessKeyId and SecretAccessKey.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $AccountId, [Parameter(Mandatory)] [string] $UserName, [string] $PolicyDocument)
    $body = @{ accountId = $AccountId; userName = $UserName }
    if ($PolicyDocument) { $body.policyDocument = $PolicyDocument }
    Invoke-SandboxControl $Sandbox Post 'users' -Body $body
}

function Get-AwsSandboxInstanceProfileCredential {
    <#
    .SYNOPSIS
    The credentials an EC2 instance launched with the instance profile would get (the profile's role must trust
    ec2.amazonaws.com). Returns AccessKeyId, SecretAccessKey, SessionToken, Expiration and Arn.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $AccountId, [Parameter(Mandatory)] [string] $InstanceProfileName)
    $body = @{ accountId = $AccountId; instanceProfileName = $InstanceProfileName } | ConvertTo-Json -Compress
    Invoke-SandboxControl $Sandbox Post 'instance-profile-credentials' -Body $body
}

function New-AwsSandboxInstance {
    <# .SYNOPSIS Seeds a running instance with one network interface per list of security group IDs; returns its ID. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $AccountId, [Parameter(Mandatory)] [string[][]] $NetworkInterfaces, [string] $Region = 'us-east-1')
    $body = @{ accountId = $AccountId; region = $Region; networkInterfaces = @($NetworkInterfaces | ForEach-Object { , @($_) }) } | ConvertTo-Json -Depth 5 -Compress
    (Invoke-SandboxControl $Sandbox Post 'instances' -Body $body).instanceId
}

function Invoke-AwsSandboxAction {
    <#
    .SYNOPSIS
    Calls an AWS API action in the sandbox as the root of an account, without signing (seeding and
    inspection only). Parameters use the wire names of the Query/EC2 protocols (IpPermissions.1.FromPort).
    Returns the response as an XmlDocument.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [ValidateSet('ec2', 'iam', 'sts', 'elasticloadbalancing')] [string] $Service,
        [Parameter(Mandatory)] [string] $Action,
        [hashtable] $Parameters = @{},
        [string] $Region = 'us-east-1'
    )
    $stringParameters = @{}
    foreach ($key in $Parameters.Keys) { $stringParameters[$key] = [string]$Parameters[$key] }
    $body = @{ accountId = $AccountId; region = $Region; service = $Service; action = $Action; parameters = $stringParameters } |
        ConvertTo-Json -Depth 5 -Compress
    $response = Invoke-WebRequest -Method Post -Uri ($Sandbox.Endpoint + '_sandbox/invoke') -Body $body -ContentType 'application/json' -SkipHttpErrorCheck
    $xml = [xml]$response.Content
    if ([int]$response.StatusCode -ge 400) {
        $code = $xml.SelectSingleNode('//*[local-name()="Code"]')
        throw "Sandbox $Service`:$Action failed: $(if ($code) { $code.InnerText } else { $response.StatusCode })"
    }
    $xml
}

function Get-AwsSandboxCallCount {
    <# .SYNOPSIS The number of calls per "service:Action" since the last reset, as a hashtable. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $counts = @{}
    $raw = Invoke-SandboxControl $Sandbox Get 'calls'
    foreach ($p in $raw.PSObject.Properties) { $counts[$p.Name] = [int]$p.Value }
    $counts
}

function Reset-AwsSandboxCallCount {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    $null = Invoke-SandboxControl $Sandbox Delete 'calls'
}

function Set-AwsSandboxFault {
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [double] $ThrottleRate = 0, [double] $ServerErrorRate = 0, [int] $LatencyMs = 0, [int] $Seed = 1)
    $body = @{ throttleRate = $ThrottleRate; serverErrorRate = $ServerErrorRate; latencyMs = $LatencyMs; seed = $Seed } | ConvertTo-Json -Compress
    $null = Invoke-SandboxControl $Sandbox Put 'faults' -Body $body
}

function Set-AwsSandboxConsistency {
    <#
    .SYNOPSIS
    Read-after-write lag and small pages: after a change to a security group or network ACL, the next -ReadLag
    describe calls that return it still show the old state; paged describe calls (MaxResults) return at most
    -MaxPageSize items per page (0 = no cap). -Settle ends the current lag windows. Control calls are never lagged.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [int] $ReadLag = 0, [int] $MaxPageSize = 0, [switch] $Settle)
    $body = @{ readLag = $ReadLag; maxPageSize = $(if ($MaxPageSize -gt 0) { $MaxPageSize } else { $null }); settle = [bool] $Settle } | ConvertTo-Json -Compress
    $null = Invoke-SandboxControl $Sandbox Put 'consistency' -Body $body
}

function Set-AwsSandboxEc2RateLimit {
    <#
    .SYNOPSIS
    EC2's request-rate throttling: per account, region and action a token bucket sized by the action's category
    (AWS's defaults: non-mutating 100 tokens and 20 a second, unfiltered and unpaginated non-mutating 50 / 10, mutating
    and resource-intensive 50 / 5, uncategorized actions their own), plus resource buckets for RunInstances,
    StartInstances, StopInstances and TerminateInstances. A category given as @(capacity, refillPerSecond) replaces
    the default; -Action @{ CreateTags = @(100, 10) } sets single actions. -Disable turns the buckets off. Every
    bucket starts full; a call that finds its bucket empty fails with 503 RequestLimitExceeded and changes nothing.
    Returns the limits in force and the calls refused so far (throttledCalls, keyed "ec2:Action").
    #>
    [CmdletBinding(DefaultParameterSetName = 'Enable')]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(ParameterSetName = 'Enable')] [double[]] $NonMutating,
        [Parameter(ParameterSetName = 'Enable')] [double[]] $UnfilteredUnpaginatedNonMutating,
        [Parameter(ParameterSetName = 'Enable')] [double[]] $Mutating,
        [Parameter(ParameterSetName = 'Enable')] [double[]] $ResourceIntensive,
        [Parameter(ParameterSetName = 'Enable')] [hashtable] $Action = @{},
        [Parameter(ParameterSetName = 'Enable')] [hashtable] $ResourceBucket = @{},
        [Parameter(Mandatory, ParameterSetName = 'Disable')] [switch] $Disable
    )
    $bucket = {
        param([string] $Name, $Pair)
        $values = @($Pair)
        if ($values.Count -ne 2) { throw "$Name is @(capacity, refillPerSecond), not '$($values -join ', ')'." }
        @{ capacity = [double] $values[0]; refillPerSecond = [double] $values[1] }
    }
    $body = @{ enabled = -not $Disable }
    if (-not $Disable) {
        foreach ($name in 'NonMutating', 'UnfilteredUnpaginatedNonMutating', 'Mutating', 'ResourceIntensive') {
            if ($PSBoundParameters.ContainsKey($name)) {
                $body[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = & $bucket $name $PSBoundParameters[$name]
            }
        }
        $body.actions = @{}
        foreach ($key in $Action.Keys) { $body.actions[$key] = & $bucket "Action $key" $Action[$key] }
        $body.resourceBuckets = @{}
        foreach ($key in $ResourceBucket.Keys) { $body.resourceBuckets[$key] = & $bucket "ResourceBucket $key" $ResourceBucket[$key] }
    }
    Invoke-SandboxControl $Sandbox Put 'ec2-rate-limits' -Body $body
}

function Get-AwsSandboxEc2RateLimit {
    <# .SYNOPSIS The EC2 rate limits in force (enabled false when off) and the calls they refused since the last call-count reset (throttledCalls). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-SandboxControl $Sandbox Get 'ec2-rate-limits'
}

function Get-AwsSandboxIngressRule {
    <# .SYNOPSIS The ingress rules of a security group as readable lines ("tcp 5432 from 0.0.0.0/0"), sorted. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $AccountId, [Parameter(Mandatory)] [string] $GroupId, [string] $Region = 'us-east-1')
    $xml = Invoke-AwsSandboxAction -Sandbox $Sandbox -AccountId $AccountId -Service ec2 -Action DescribeSecurityGroupRules -Region $Region `
        -Parameters @{ 'Filter.1.Name' = 'group-id'; 'Filter.1.Value.1' = $GroupId }
    $rules = foreach ($rule in $xml.SelectNodes('//*[local-name()="securityGroupRuleSet"]/*[local-name()="item"]')) {
        $field = { param($name) $node = $rule.SelectSingleNode("*[local-name()='$name']"); if ($node) { $node.InnerText } }
        if ((& $field 'isEgress') -eq 'true') { continue }
        $protocol = & $field 'ipProtocol'
        $from = & $field 'fromPort'
        $to = & $field 'toPort'
        $ports = if ($protocol -eq '-1') { 'all' } elseif ($from -eq $to) { $from } else { '{0}-{1}' -f $from, $to }
        $source = @((& $field 'cidrIpv4'), (& $field 'cidrIpv6'), (& $field 'prefixListId')) | Where-Object { $_ } | Select-Object -First 1
        if (-not $source) {
            $group = $rule.SelectSingleNode("*[local-name()='referencedGroupInfo']/*[local-name()='groupId']")
            if ($group) { $source = $group.InnerText }
        }
        '{0} {1} from {2}' -f $protocol, $ports, $source
    }
    @($rules | Sort-Object)
}

function Set-AwsSandboxInstanceLauncher {
    <#
    .SYNOPSIS
    The command the sandbox starts once for each instance launched through RunInstances when it becomes running, so
    that a test can "boot" instances; without -Command the launcher is off. The process gets the sandbox's environment
    plus SANDBOX_INSTANCE_ID, SANDBOX_ACCOUNT_ID, SANDBOX_REGION, SANDBOX_ENDPOINT, SANDBOX_USER_DATA_FILE (the decoded
    user data, mode 0600), SANDBOX_INSTANCE_LOG (its stdout and stderr) and AWS_EC2_METADATA_SERVICE_ENDPOINT (the
    instance's metadata service). TerminateInstances stops its process tree (SIGTERM, then SIGKILL after 5 s).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $Command, [string[]] $ArgumentList = @())
    $body = @{ command = $(if ($Command) { $Command } else { $null }); arguments = @($ArgumentList) } | ConvertTo-Json -Compress
    Invoke-SandboxControl $Sandbox Put 'instance-launcher' -Body $body
}

function Get-AwsSandboxInstance {
    <#
    .SYNOPSIS
    Every instance launched through RunInstances (all accounts and regions): AccountId, Region, InstanceId, State,
    ImageId, InstanceType, IamInstanceProfileArn, UserData (decoded), Tags, MetadataEndpoint. -InstanceId selects one.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $InstanceId)
    # Piping enumerates the JSON array (Invoke-RestMethod writes an empty array as one object).
    $all = @((Invoke-SandboxControl $Sandbox Get 'instances') | ForEach-Object { $_ })
    if ($InstanceId) { $all | Where-Object InstanceId -EQ $InstanceId } else { $all }
}

function Get-AwsSandboxInstanceLauncher {
    <# .SYNOPSIS Whether the launcher's process of an instance runs: InstanceId, Started, Running, ProcessId, ExitCode, LogPath. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory, ValueFromPipelineByPropertyName)] [string] $InstanceId)
    process { Invoke-SandboxControl $Sandbox Get "instances/$InstanceId/launcher" }
}

function Get-AwsSandboxParameter {
    <#
    .SYNOPSIS
    Parameter Store parameters as stored, with the plain value also of a SecureString (AccountId, Region, Name, Type,
    Value, KeyId, Version, Description, Tags), for tests that look for a secret everywhere. -Name selects by name.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $Name, [string] $AccountId)
    $all = @((Invoke-SandboxControl $Sandbox Get 'parameters') | ForEach-Object { $_ })
    if ($Name) { $all = @($all | Where-Object Name -CEQ $Name) }
    if ($AccountId) { $all = @($all | Where-Object AccountId -EQ $AccountId) }
    $all
}

function Add-AwsSandboxKeyPair {
    <# .SYNOPSIS Adds an EC2 key pair that RunInstances' KeyName may name. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $AccountId, [Parameter(Mandatory)] [string] $KeyName, [string] $Region = 'us-east-1')
    $body = @{ accountId = $AccountId; region = $Region; keyName = $KeyName } | ConvertTo-Json -Compress
    $null = Invoke-SandboxControl $Sandbox Post 'key-pairs' -Body $body
}

function Set-AwsSandboxTransitionDelay {
    <# .SYNOPSIS How long EC2 transitions (pending to running, stop, start, attach, ...) take; 0 = at once. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [int] $DelayMs)
    $null = Invoke-SandboxControl $Sandbox Put 'transitions' -Body (@{ delayMs = $DelayMs })
}

function New-AwsSandboxLoadBalancer {
    <#
    .SYNOPSIS
    Seeds a load balancer with AWS's default attributes (access logs off): -Type Classic (the default), Application,
    Network or Gateway. Returns Name, and Arn for a v2 load balancer.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [ValidateSet('Classic', 'Application', 'Network', 'Gateway')] [string] $Type = 'Classic',
        [string] $Region = 'us-east-1',
        [hashtable] $Tags = @{}
    )
    $body = @{ accountId = $AccountId; region = $Region; name = $Name; type = $Type.ToLowerInvariant(); tags = $Tags } | ConvertTo-Json -Compress
    Invoke-SandboxControl $Sandbox Post 'load-balancers' -Body $body
}

function New-AwsSandboxTrail {
    <# .SYNOPSIS Seeds a CloudTrail trail in its home region (a multi-region trail is seen from every region); returns its ARN. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $S3BucketName,
        [string] $HomeRegion = 'us-east-1',
        [switch] $MultiRegion,
        [switch] $Organization,
        [string] $KmsKeyId
    )
    $request = @{ accountId = $AccountId; homeRegion = $HomeRegion; name = $Name; s3BucketName = $S3BucketName; isMultiRegionTrail = [bool]$MultiRegion; isOrganizationTrail = [bool]$Organization }
    if ($KmsKeyId) { $request.kmsKeyId = $KmsKeyId }
    (Invoke-SandboxControl $Sandbox Post 'trails' -Body $request).trailArn
}

Export-ModuleMember -Function Start-AwsSandbox, Stop-AwsSandbox, New-AwsSandboxAccount, New-AwsSandboxUser, New-AwsSandboxInstance, Get-AwsSandboxInstanceProfileCredential, Invoke-AwsSandboxAction,
    Get-AwsSandboxCallCount, Reset-AwsSandboxCallCount, Set-AwsSandboxFault, Set-AwsSandboxConsistency, Set-AwsSandboxEc2RateLimit, Get-AwsSandboxEc2RateLimit, Get-AwsSandboxIngressRule,
    Set-AwsSandboxInstanceLauncher, Get-AwsSandboxInstance, Get-AwsSandboxInstanceLauncher, Get-AwsSandboxParameter, Add-AwsSandboxKeyPair,
    Set-AwsSandboxTransitionDelay

function New-AwsSandboxS3Bucket {
    <#
    .SYNOPSIS
    Seeds an S3 bucket in any account and region with any state. Without settings the bucket is as S3 creates buckets
    today (BucketOwnerEnforced, all public access blocked, SSE-S3); -Legacy makes one as older buckets and other emulators
    are (ObjectWriter, no public access block, no default encryption). -ObjectOwnership 'None' means no ownership
    controls, -NoPublicAccessBlock and -NoEncryption remove those settings. -Grants takes hashtables such as
    @{ group = 'LogDelivery'; permission = 'WRITE' } or @{ accountId = '111122223333'; permission = 'FULL_CONTROL' }
    and replaces the whole ACL (-Acl takes a canned ACL instead). -PublicAccessBlock takes
    @{ blockPublicAcls = $true; ... }, -Encryption @{ algorithm = 'aws:kms'; kmsMasterKeyId = '...'; bucketKeyEnabled = $true }.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Region = 'us-east-1',
        [switch] $Legacy,
        [string] $ObjectOwnership,
        [string] $Acl,
        [hashtable[]] $Grants,
        [hashtable] $PublicAccessBlock,
        [switch] $NoPublicAccessBlock,
        [hashtable] $Encryption,
        [switch] $NoEncryption,
        [string] $Policy,
        [hashtable] $Tags,
        [string] $LoggingTargetBucket,
        [string] $LoggingTargetPrefix = ''
    )
    $body = @{ accountId = $AccountId; region = $Region; name = $Name; legacy = [bool]$Legacy }
    if ($ObjectOwnership) { $body.objectOwnership = if ($ObjectOwnership -eq 'None') { $null } else { $ObjectOwnership } }
    if ($Acl) { $body.acl = $Acl }
    if ($PSBoundParameters.ContainsKey('Grants')) { $body.grants = @($Grants) }
    if ($NoPublicAccessBlock) { $body.publicAccessBlock = $null } elseif ($PublicAccessBlock) { $body.publicAccessBlock = $PublicAccessBlock }
    if ($NoEncryption) { $body.encryption = $null } elseif ($Encryption) { $body.encryption = $Encryption }
    if ($Policy) { $body.policy = $Policy }
    if ($Tags) { $body.tags = $Tags }
    if ($LoggingTargetBucket) { $body.logging = @{ targetBucket = $LoggingTargetBucket; targetPrefix = $LoggingTargetPrefix } }
    $json = $body | ConvertTo-Json -Depth 6 -Compress
    $response = Invoke-WebRequest -Method Post -Uri ($Sandbox.Endpoint + '_sandbox/s3/buckets') -Body $json -ContentType 'application/json' -SkipHttpErrorCheck
    if ([int]$response.StatusCode -ge 400) { throw "Sandbox could not seed bucket '$Name': $($response.Content)" }
    $Name
}

function Get-AwsSandboxS3Bucket {
    <#
    .SYNOPSIS
    Every S3 bucket of the sandbox (or the one named) with its whole state: accountId, region, objectOwnership, grants,
    publicAccessBlock, encryption, policy (text as stored), logging, tags. Control API: not counted.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $Name)
    $buckets = Invoke-SandboxControl $Sandbox Get 's3/buckets'
    if ($Name) { $buckets | Where-Object name -EQ $Name } else { $buckets }
}

function New-AwsSandboxServerCertificate {
    <# .SYNOPSIS Seeds an IAM server certificate that expires at -Expiration (in the past for an expired one); returns its Arn. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [datetime] $Expiration,
        [string] $Path = '/',
        [hashtable] $Tags = @{}
    )
    $body = @{ accountId = $AccountId; name = $Name; expiration = $Expiration.ToUniversalTime().ToString('o'); path = $Path; tags = $Tags } | ConvertTo-Json -Compress
    Invoke-SandboxControl $Sandbox Post 'server-certificates' -Body $body
}

function Set-AwsSandboxRootAccessKey {
    <# .SYNOPSIS Sets how many access keys an account's root user has (0 to 2), as GetAccountSummary reports them. #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [ValidateRange(0, 2)] [int] $Count
    )
    if ($PSCmdlet.ShouldProcess($AccountId, "Set root access keys to $Count")) {
        $body = @{ accountId = $AccountId; count = $Count } | ConvertTo-Json -Compress
        Invoke-SandboxControl $Sandbox Put 'root-access-keys' -Body $body
    }
}

# Export-ModuleMember adds to the list above; S3 keeps its own line so that service additions merge cleanly.
Export-ModuleMember -Function New-AwsSandboxS3Bucket, Get-AwsSandboxS3Bucket
function New-AwsSandboxSqsQueue {
    <# .SYNOPSIS Seeds an SQS standard queue in any account and region, with an optional queue policy (a JSON string or a hashtable) and tags; returns its URL. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Region = 'us-east-1',
        $Policy,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; name = $Name; tags = $Tags }
    if ($null -ne $Policy) { $request.policy = if ($Policy -is [string]) { $Policy } else { $Policy | ConvertTo-Json -Depth 20 -Compress } }
    (Invoke-SandboxControl $Sandbox Post 'sqs/queues' -Body $request).queueUrl
}

function New-AwsSandboxKinesisStream {
    <# .SYNOPSIS Seeds a Kinesis data stream (ACTIVE) in any account and region, unencrypted or with -KmsKeyId, and tags; returns its ARN. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Name,
        [string] $Region = 'us-east-1',
        [string] $KmsKeyId,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; name = $Name; tags = $Tags }
    if ($KmsKeyId) { $request.kmsKeyId = $KmsKeyId }
    (Invoke-SandboxControl $Sandbox Post 'kinesis/streams' -Body $request).streamArn
}

function Get-AwsSandboxKinesisStream {
    <# .SYNOPSIS The sandbox's Kinesis streams (name, arn, accountId, region, status, encryptionType, keyId, tags), or the one named. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [string] $Name
    )
    $streams = Invoke-SandboxControl $Sandbox Get 'kinesis/streams'
    if ($Name) { $streams | Where-Object name -EQ $Name } else { $streams }
}

Export-ModuleMember -Function New-AwsSandboxLoadBalancer, New-AwsSandboxTrail

function New-AwsSandboxKmsKey {
    <#
    .SYNOPSIS
    Seeds a KMS key: -KeySpec (SYMMETRIC_DEFAULT, RSA_*, ECC_*, HMAC_*), -Origin (AWS_KMS, EXTERNAL, AWS_CLOUDHSM),
    -KeyManager (CUSTOMER, AWS), -KeyState, -RotationEnabled, -Alias, -Policy (JSON), -Tags. Returns keyId and arn.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [string] $Region = 'us-east-1',
        [string] $KeySpec = 'SYMMETRIC_DEFAULT',
        [string] $KeyUsage,
        [string] $Origin = 'AWS_KMS',
        [ValidateSet('CUSTOMER', 'AWS')] [string] $KeyManager = 'CUSTOMER',
        [string] $KeyState = 'Enabled',
        [switch] $RotationEnabled,
        [string] $Alias,
        [string] $Policy,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; keySpec = $KeySpec; origin = $Origin; keyManager = $KeyManager; keyState = $KeyState; rotationEnabled = [bool]$RotationEnabled; tags = $Tags }
    if ($KeyUsage) { $request.keyUsage = $KeyUsage }
    if ($Alias) { $request.alias = $Alias }
    if ($Policy) { $request.policy = $Policy }
    Invoke-SandboxControl $Sandbox Post 'kms/keys' -Body $request
}

function Get-AwsSandboxKmsKey {
    <# .SYNOPSIS Every KMS key of the sandbox (metadata as DescribeKey gives it, plus Region, KeyRotationEnabled, Policy, Aliases). Control API: not counted. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox, [string] $AccountId)
    $keys = Invoke-SandboxControl $Sandbox Get 'kms/keys'
    if ($AccountId) { $keys | Where-Object AWSAccountId -EQ $AccountId } else { $keys }
}

Export-ModuleMember -Function New-AwsSandboxKmsKey, Get-AwsSandboxKmsKey
Export-ModuleMember -Function New-AwsSandboxSqsQueue
Export-ModuleMember -Function New-AwsSandboxKinesisStream, Get-AwsSandboxKinesisStream
Export-ModuleMember -Function New-AwsSandboxServerCertificate, Set-AwsSandboxRootAccessKey

function New-AwsSandboxDBCluster {
    <# .SYNOPSIS Seeds an available DB cluster (-Engine aurora-mysql by default, -BackupRetentionPeriod 1 to 35, -Tags); returns its ARN. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Identifier,
        [string] $Region = 'us-east-1',
        [string] $Engine = 'aurora-mysql',
        [int] $BackupRetentionPeriod = 1,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; identifier = $Identifier; engine = $Engine; backupRetentionPeriod = $BackupRetentionPeriod; tags = $Tags }
    (Invoke-SandboxControl $Sandbox Post 'rds/clusters' -Body $request).arn
}

function New-AwsSandboxDBInstance {
    <# .SYNOPSIS Seeds an available DB instance (-Engine, -ClusterIdentifier of a seeded cluster, -PubliclyAccessible, -AutoMinorVersionUpgrade, -BackupRetentionPeriod, -Tags); returns its ARN. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Identifier,
        [string] $Region = 'us-east-1',
        [string] $Engine = 'mysql',
        [string] $ClusterIdentifier,
        [switch] $PubliclyAccessible,
        [bool] $AutoMinorVersionUpgrade = $true,
        [int] $BackupRetentionPeriod = 1,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; identifier = $Identifier; engine = $Engine; publiclyAccessible = [bool]$PubliclyAccessible
        autoMinorVersionUpgrade = $AutoMinorVersionUpgrade; backupRetentionPeriod = $BackupRetentionPeriod; tags = $Tags }
    if ($ClusterIdentifier) { $request.clusterIdentifier = $ClusterIdentifier }
    (Invoke-SandboxControl $Sandbox Post 'rds/instances' -Body $request).arn
}

function New-AwsSandboxDBSnapshot {
    <# .SYNOPSIS Seeds a manual DB snapshot (or -Cluster snapshot) of -SourceIdentifier, shared through -Restore (account IDs and/or 'all'), with -Tags; returns its ARN. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Sandbox,
        [Parameter(Mandatory)] [string] $AccountId,
        [Parameter(Mandatory)] [string] $Identifier,
        [Parameter(Mandatory)] [string] $SourceIdentifier,
        [string] $Region = 'us-east-1',
        [switch] $Cluster,
        [string[]] $Restore = @(),
        [switch] $Encrypted,
        [hashtable] $Tags = @{}
    )
    $request = @{ accountId = $AccountId; region = $Region; identifier = $Identifier; sourceIdentifier = $SourceIdentifier; cluster = [bool]$Cluster; restore = @($Restore); encrypted = [bool]$Encrypted; tags = $Tags }
    (Invoke-SandboxControl $Sandbox Post 'rds/snapshots' -Body $request).arn
}

function Get-AwsSandboxRds {
    <# .SYNOPSIS The sandbox's RDS state (instances, clusters, snapshots, clusterSnapshots) for assertions. Control API: not counted. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-SandboxControl $Sandbox Get 'rds'
}

Export-ModuleMember -Function New-AwsSandboxDBCluster, New-AwsSandboxDBInstance, New-AwsSandboxDBSnapshot, Get-AwsSandboxRds
