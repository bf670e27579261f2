# Helpers of the worker-group, worker and run tests: a fresh local store per test, a group in it, and seeding of
# the store's queue and run records through the Core types (the way Invoke-Remediation -WorkerGroup and a worker
# write them), so that the cmdlets are tested against what Core really stores.
Set-StrictMode -Version Latest

function New-TestStoreFolder {
    <# .SYNOPSIS A new, empty folder under $Root for one test's local store; returns the folder path. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Root)
    $folder = Join-Path $Root ('store-' + [guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $folder -Force
    $folder
}

function New-TestWorkerGroup {
    <# .SYNOPSIS Creates a worker group with the given role ARNs in the store; returns the deployment (with the SecureString secret). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Store,
        [Parameter(Mandatory)] [string] $Name,
        [string[]] $RoleArn = @('arn:aws:iam::222222222222:role/RemediationTools'),
        [string] $OrganizationId = 'o-pester00001'
    )
    New-RemediationWorkerGroup -Store $Store -Name $Name -OrganizationId $OrganizationId -RoleArn $RoleArn -ExternalId $OrganizationId -WarningAction SilentlyContinue -Confirm:$false
}

function Get-TestPlainSecret {
    <# .SYNOPSIS The plain text of a SecureString. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [securestring] $Secret)
    [System.Net.NetworkCredential]::new('', $Secret).Password
}

function Find-TestTextInFiles {
    <# .SYNOPSIS The files under $Path whose bytes contain $Text (UTF-8 or UTF-16), searched without regard to case. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Text)
    foreach ($file in Get-ChildItem -LiteralPath $Path -Recurse -File -Force) {
        $bytes = [IO.File]::ReadAllBytes($file.FullName)
        foreach ($encoding in [Text.Encoding]::UTF8, [Text.Encoding]::Unicode) {
            if ($encoding.GetString($bytes).IndexOf($Text, [StringComparison]::OrdinalIgnoreCase) -ge 0) {
                $file.FullName
                break
            }
        }
    }
}

function Get-CoreType([string] $Name) {
    [RemediationTools.RemediationRun].Assembly.GetType($Name, $true)
}

function Open-TestCoreStore([string] $Folder) {
    (Get-CoreType 'RemediationTools.Core.Stores.StoreFactory').GetMethod('Create').Invoke($null, @("local:$Folder"))
}

function Add-TestQueuedFinding {
    <#
    .SYNOPSIS
    Queues findings (JSON payloads) for a worker group with Core's WorkerGroupDispatcher, as Invoke-Remediation
    -WorkerGroup does; returns the request IDs.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [string] $WorkerGroup, [Parameter(Mandatory)] [string[]] $FindingJson)
    $store = Open-TestCoreStore $Folder
    $group = Get-RemediationWorkerGroup -Store "local:$Folder" -Name $WorkerGroup -ErrorAction Stop
    $parse = (Get-CoreType 'RemediationTools.Core.Findings.FindingParser').GetMethod('Parse', [type[]]@([string]))
    $findings = [System.Collections.Generic.List[RemediationTools.Finding]]::new()
    foreach ($json in $FindingJson) { $findings.Add($parse.Invoke($null, @($json))) }
    $dispatcherType = Get-CoreType 'RemediationTools.Core.Workers.WorkerGroupDispatcher'
    $dispatcher = [Activator]::CreateInstance($dispatcherType, @($store, $null))
    $enqueue = $dispatcherType.GetMethods() | Where-Object { $_.Name -eq 'EnqueueAsync' -and $_.GetParameters().Count -eq 3 }
    $task = $enqueue.Invoke($dispatcher, [object[]]@($group.PSObject.BaseObject, $findings, [Threading.CancellationToken]::None))
    $task.GetAwaiter().GetResult()
}

function Add-TestRun {
    <# .SYNOPSIS Records a run in the store, as a worker does when a request ends or an attempt fails. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [RemediationTools.RemediationRun] $Run)
    $store = Open-TestCoreStore $Folder
    $record = (Get-CoreType 'RemediationTools.Core.Stores.IRemediationStore').GetMethod('RecordRunAsync')
    $record.Invoke($store, @($Run, [Threading.CancellationToken]::None)).GetAwaiter().GetResult()
}

function Add-TestWorker {
    <# .SYNOPSIS Saves a worker record in the store, as a worker does at each heartbeat. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Folder, [Parameter(Mandatory)] [RemediationTools.RemediationWorkerInfo] $Worker)
    $store = Open-TestCoreStore $Folder
    $save = (Get-CoreType 'RemediationTools.Core.Stores.IRemediationStore').GetMethod('SaveWorkerAsync')
    $save.Invoke($store, @($Worker, [Threading.CancellationToken]::None)).GetAwaiter().GetResult()
}

function Initialize-TestWorkerSandbox {
    <#
    .SYNOPSIS
    Starts the AWS sandbox with a hosting account (an IAM user: roles cannot be assumed with root keys) and a cloud
    account whose role trusts the hosting account with the external ID $OrganizationId and grants the actions of the
    security-group-close-port-5432 job. Returns Sandbox, Aws (the hosting user's parameters), RoleArn, OrganizationId
    and CloudAccountId. Import the sandbox client module (AwsSandbox.psm1) first.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $SandboxPath, [string] $OrganizationId = 'o-pester00001')
    $sandbox = Start-AwsSandbox -Path $SandboxPath
    # As in every job test: EC2 lags a read behind each change and pages by 5; the cloud account has no default VPC.
    Set-AwsSandboxConsistency -Sandbox $sandbox -ReadLag 1 -MaxPageSize 5
    $hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $cloud = New-AwsSandboxAccount -Sandbox $sandbox -NoDefaultVpc
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $OrganizationId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $actions = (Get-RemediationJob -Id security-group-close-port-5432).IamActions
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'RemediationTools'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'RemediationTools'; PolicyName = 'jobs'; PolicyDocument = $policy }
    $user = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-host'
    [pscustomobject]@{
        Sandbox        = $sandbox
        Aws            = @{ AccessKey = $user.accessKeyId; SecretKey = $user.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
        RoleArn        = "arn:aws:iam::$($cloud.accountId):role/RemediationTools"
        OrganizationId = $OrganizationId
        CloudAccountId = $cloud.accountId
    }
}

function New-TestOpenSecurityGroup {
    <# .SYNOPSIS A security group in the sandbox's cloud account open to the world on 5432 (and on 443); returns its ID. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] $Context)
    $sandbox = $Context.Sandbox
    $account = $Context.CloudAccountId
    $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account -Service ec2 -Action DescribeVpcs
    $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
    $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account -Service ec2 -Action CreateSecurityGroup -Parameters @{
        GroupName = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"; GroupDescription = 'pester'; VpcId = $vpcId }
    $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
    foreach ($port in 5432, 443) {
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $account -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
            GroupId = $groupId; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = $port; 'IpPermissions.1.ToPort' = $port; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
    }
    $groupId
}

function New-TestFindingJson {
    <# .SYNOPSIS The example 5432 finding (examples/findings) for a security group of the sandbox's cloud account. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] $Context, [Parameter(Mandatory)] [string] $GroupId, [string] $AccountId)
    $path = Join-Path $PSScriptRoot '../../examples/findings/security-group-close-port-5432.json'
    $finding = Get-Content -Raw -LiteralPath $path | ConvertFrom-Json
    $finding.notificationInfo.CloudAccountID = if ($AccountId) { $AccountId } else { $Context.CloudAccountId }
    $finding.notificationInfo.FindingInfo.ObjectId = $GroupId
    $finding.notificationInfo.FindingInfo.FindingId = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    $finding | ConvertTo-Json -Depth 10
}

function Start-TestWorkerInRunspace {
    <#
    .SYNOPSIS
    Runs Start-RemediationWorker in another runspace of this process (so the test can watch it); returns a handle for
    Wait-TestWorkerInRunspace.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Deployment, [Parameter(Mandatory)] [string] $Store, [Parameter(Mandatory)] [hashtable] $Aws, [timespan] $StopAfter, [switch] $StopWhenIdle)
    if (-not $StopWhenIdle -and -not $StopAfter) { throw 'Give -StopAfter or -StopWhenIdle.' }
    $manifest = Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1'
    $stop = if ($StopWhenIdle) { @{ StopWhenIdle = $true } } else { @{ StopAfter = $StopAfter } }
    $ps = [powershell]::Create()
    $null = $ps.AddScript({
            param($Manifest, $Deployment, $Store, $Aws, $Stop)
            Import-Module $Manifest
            $Deployment | Start-RemediationWorker -Store $Store @Aws @Stop -WarningAction SilentlyContinue
        }).AddArgument($manifest).AddArgument($Deployment).AddArgument($Store).AddArgument($Aws).AddArgument($stop)
    [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
}

function Wait-TestWorkerInRunspace {
    <# .SYNOPSIS Waits for a worker started by Start-TestWorkerInRunspace; returns its output and throws its errors. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Worker)
    try {
        $output = $Worker.PowerShell.EndInvoke($Worker.Handle)
        if ($Worker.PowerShell.Streams.Error.Count -gt 0) { throw $Worker.PowerShell.Streams.Error[0] }
        $output
    }
    finally {
        $Worker.PowerShell.Dispose()
    }
}

function Wait-TestCondition {
    <# .SYNOPSIS Polls $Condition every 200 ms until it returns something true; throws after $TimeoutSeconds. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [scriptblock] $Condition, [int] $TimeoutSeconds = 20, [string] $Because = 'the condition')
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        $value = & $Condition
        if ($value) { return $value }
        Start-Sleep -Milliseconds 200
    }
    throw "Timed out after $TimeoutSeconds s waiting for $Because."
}

Export-ModuleMember -Function New-TestStoreFolder, New-TestWorkerGroup, Get-TestPlainSecret, Find-TestTextInFiles, Add-TestQueuedFinding, Add-TestRun, Add-TestWorker,
    Initialize-TestWorkerSandbox, New-TestOpenSecurityGroup, New-TestFindingJson, Start-TestWorkerInRunspace, Wait-TestWorkerInRunspace, Wait-TestCondition
