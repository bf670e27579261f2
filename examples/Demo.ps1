<#
.SYNOPSIS
The offline demo: fixes a security group that is open to the world on PostgreSQL (tcp 5432), in an AWS
account simulated by the sandbox, exactly as a user would against real AWS.

.DESCRIPTION
Starts the AWS sandbox, creates a hosting account (where the remediation runs) and a cloud account (the one to
fix), gives the cloud account a role that the hosting account may assume only with the organization's external
ID (New-RemediationAccountRole) and the hosting account the workers' EC2 role (New-RemediationWorkerRole), and a
security group with a public 5432 rule among rules that must survive. Then it runs Invoke-Remediation on the
finding in examples/findings: first with -WhatIf (nothing changes), then for real, and prints the group's rules
before and after. Then it fixes a bucket that everyone may read (s3-remove-public-access: all four public access
block settings on; its ACL, with the log delivery group's grant, stays as it is). Last, it creates a worker group for the cloud account (examples/WorkerGroup.ps1), starts a local
worker process, sends it a second finding and shows the recorded run, and writes an HTML report of it all
(Export-RemediationReport) to the temporary folder. Run it with ./build.ps1 -Task Demo.
#>
[CmdletBinding()]
param(
    # The built module folder.
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/RemediationTools'),
    # The built sandbox assembly.
    [string] $SandboxPath = (Join-Path $PSScriptRoot '../out/sandbox/RemediationTools.AwsSandbox.dll'),
    # The built worker.
    [string] $WorkerPath = (Join-Path $PSScriptRoot '../out/worker/remediation-worker.dll')
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force

function Write-Step([string] $Text) { Write-Host "`n== $Text" -ForegroundColor Cyan }
function Write-Result($Result) {
    Write-Host ("{0} {1} on {2} (account {3}, {4}): {5}" -f $Result.Status, $Result.JobId, $Result.ResourceId, $Result.AccountId, $Result.Region, $Result.Reason)
    foreach ($action in $Result.Actions) {
        $change = if ($action.Before -and $action.After) { "$($action.Before) -> $($action.After)" } elseif ($action.Before) { "remove $($action.Before)" } else { "add $($action.After)" }
        Write-Host ("  {0,-34} {1}" -f $action.Operation, $change)
    }
}

$sandbox = Start-AwsSandbox -Path $SandboxPath
$storeFolder = Join-Path ([IO.Path]::GetTempPath()) "remediation-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
try {
    Write-Step "AWS sandbox listening on $($sandbox.Endpoint)"
    $organizationId = 'o-demo1234567'
    $hosting = New-AwsSandboxAccount -Sandbox $sandbox -AccountId '111111111111'
    $cloud = New-AwsSandboxAccount -Sandbox $sandbox -AccountId '222222222222'
    # Roles cannot be assumed with root keys, in AWS as in the sandbox: the admin is an IAM user.
    $admin = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'security-admin'
    Write-Host "Hosting account $($hosting.accountId) (IAM user security-admin), cloud account $($cloud.accountId)"

    Write-Step 'Cloud account: a role the hosting account may assume only with the external ID'
    $job = Get-RemediationJob -Id security-group-close-port-5432
    # New-RemediationAccountRole runs with the cloud account's credentials; the worker role does not exist yet,
    # so the trust policy names the hosting account (with the external ID condition).
    $cloudAws = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $hostingAws = @{ AccessKey = $admin.accessKeyId; SecretKey = $admin.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $bucketJob = Get-RemediationJob -Id s3-remove-public-access
    $accountRole = New-RemediationAccountRole -HostingAccountId $hosting.accountId -ExternalId $organizationId -Job $job.Id, $bucketJob.Id @cloudAws
    $roleArn = $accountRole.RoleArn
    Write-Host "Role $roleArn ($($accountRole.Status)) may call: $(@($job.IamActions) + @($bucketJob.IamActions) -join ', ')"

    Write-Step 'Hosting account: the workers'' EC2 role, allowed only to assume that role'
    $workerRole = $accountRole | New-RemediationWorkerRole @hostingAws
    Write-Host "Worker role $($workerRole.RoleArn) ($($workerRole.Status)), instance profile $($workerRole.InstanceProfileName)"

    Write-Step 'Cloud account: security group app-db, open to the world on 5432, among rules that must survive'
    $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeVpcs
    $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
    $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
        GroupName = 'app-db'; GroupDescription = 'Application database'; VpcId = $vpcId
    }
    $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
    $rules = @(
        @{ 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
        @{ 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5400; 'IpPermissions.1.ToPort' = 5500; 'IpPermissions.1.Ipv6Ranges.1.CidrIpv6' = '::/0' }
        @{ 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '10.0.0.0/16' }
        @{ 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 443; 'IpPermissions.1.ToPort' = 443; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
    )
    foreach ($rule in $rules) {
        $rule['GroupId'] = $groupId
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters $rule
    }
    $instanceId = New-AwsSandboxInstance -Sandbox $sandbox -AccountId $cloud.accountId -NetworkInterfaces @(, @($groupId))
    Write-Host "Instance $instanceId uses the group."
    $before = Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $groupId
    Write-Host "Ingress rules of $groupId before:"
    $before | ForEach-Object { Write-Host "  $_" }

    # The finding as the scanner delivers it; only the resource and account are this sandbox's.
    $finding = Get-Content -Raw (Join-Path $PSScriptRoot 'findings/security-group-close-port-5432.json') | ConvertFrom-Json
    $finding.notificationInfo.CloudAccountID = $cloud.accountId
    $finding.notificationInfo.FindingInfo.ObjectId = $groupId
    $findingJson = $finding | ConvertTo-Json -Depth 10

    # The caller is the hosting account's admin; the job runs with the cloud account's role.
    $aws = @{
        AccessKey   = $admin.accessKeyId
        SecretKey   = $admin.secretAccessKey
        Region      = 'us-east-1'
        EndpointUrl = $sandbox.Endpoint
        RoleArn     = $roleArn
        ExternalId  = $organizationId
    }

    Write-Step 'Invoke-Remediation -WhatIf: the plan, nothing changes'
    $planned = $findingJson | Invoke-Remediation @aws -WhatIf
    Write-Result $planned
    $unchanged = Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $groupId
    Write-Host ("Rules unchanged after -WhatIf: {0}" -f (($unchanged -join '|') -eq ($before -join '|')))

    Write-Step 'Invoke-Remediation: apply and verify'
    $result = $findingJson | Invoke-Remediation @aws -Confirm:$false
    Write-Result $result

    $after = Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $groupId
    Write-Host "Ingress rules of $groupId after:"
    $after | ForEach-Object { Write-Host "  $_" }

    Write-Step 'Invoke-Remediation again: nothing left to change'
    $again = $findingJson | Invoke-Remediation @aws -Confirm:$false
    Write-Host "Second run: $($again.Status)"

    Write-Step 'Cloud account: bucket demo-public-reports, readable by everyone (an old bucket: ACLs on, no public access block)'
    New-AwsSandboxS3Bucket -Sandbox $sandbox -AccountId $cloud.accountId -Name 'demo-public-reports' -Legacy -Grants @(
        @{ accountId = $cloud.accountId; permission = 'FULL_CONTROL' }
        @{ group = 'LogDelivery'; permission = 'WRITE' }
        @{ group = 'AllUsers'; permission = 'READ' }) | Out-Null
    $bucketBefore = Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name 'demo-public-reports'
    $bucketFinding = Get-Content -Raw (Join-Path $PSScriptRoot 'findings/s3-remove-public-access.json') | ConvertFrom-Json
    $bucketFinding.notificationInfo.CloudAccountID = $cloud.accountId
    $bucketResult = $bucketFinding | ConvertTo-Json -Depth 10 | Invoke-Remediation @aws -Confirm:$false
    Write-Result $bucketResult
    $bucketAfter = Get-AwsSandboxS3Bucket -Sandbox $sandbox -Name 'demo-public-reports'
    $blocked = $bucketAfter.publicAccessBlock -and $bucketAfter.publicAccessBlock.blockPublicAcls -and $bucketAfter.publicAccessBlock.ignorePublicAcls -and
        $bucketAfter.publicAccessBlock.blockPublicPolicy -and $bucketAfter.publicAccessBlock.restrictPublicBuckets
    $aclKept = (@($bucketAfter.grants | ForEach-Object { "$($_.grantee) $($_.permission)" }) -join '|') -eq (@($bucketBefore.grants | ForEach-Object { "$($_.grantee) $($_.permission)" }) -join '|')
    Write-Host "All public access blocked: $([bool]$blocked); ACL grants unchanged (the log delivery group's included): $aclKept"

    Write-Step 'Worker group: a local worker process fixes a finding sent to the group'
    $findingFolder = Join-Path $storeFolder 'findings'
    $null = New-Item -ItemType Directory -Path $findingFolder -Force
    $cache = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
        GroupName = 'app-cache'; GroupDescription = 'Application cache'; VpcId = $vpcId
    }
    $cacheId = $cache.SelectSingleNode('//*[local-name()="groupId"]').InnerText
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
        GroupId = $cacheId; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0'
    }
    $finding.notificationInfo.FindingInfo.ObjectId = $cacheId
    $finding.notificationInfo.FindingInfo.FindingId = 'demo-finding-0002'
    $finding | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath (Join-Path $findingFolder 'app-cache.json')
    Write-Host "Security group $cacheId (app-cache) is open to the world on 5432; its finding is in a folder of payloads."
    $workerAws = @{ AWS_ACCESS_KEY_ID = $admin.accessKeyId; AWS_SECRET_ACCESS_KEY = $admin.secretAccessKey; AWS_REGION = 'us-east-1'; AWS_ENDPOINT_URL = $sandbox.Endpoint }
    $runs = @(& (Join-Path $PSScriptRoot 'WorkerGroup.ps1') -Name demo -OrganizationId $organizationId -CloudAccount $accountRole -FindingFolder $findingFolder `
            -Workers 1 -Store "local:$storeFolder" -WorkerPath $WorkerPath -WorkerEnvironment $workerAws -Timeout '00:01:00')
    foreach ($run in $runs) {
        Write-Host ("Worker run {0}: {1} by worker {2} after {3} attempt(s)" -f $run.RequestId, $run.Status, $run.WorkerId, $run.Attempts)
        Write-Result $run.Result
    }
    $cacheAfter = Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $cacheId
    Write-Host "Ingress rules of $cacheId after the worker: $(if ($cacheAfter) { $cacheAfter -join ', ' } else { 'none' })"

    Write-Step 'Export-RemediationReport: the results of the demo on one self-contained page'
    $reportPath = Join-Path ([System.IO.Path]::GetTempPath()) "remediation-demo-$([guid]::NewGuid().ToString('N').Substring(0, 8)).html"
    $reported = @($planned, $result, $again, $bucketResult) + $runs
    $report = $reported | Export-RemediationReport -Path $reportPath -Title 'RemediationTools demo' -PassThru
    Write-Host "Report of $($reported.Count) results and runs (open it in a browser): $($report.FullName)"

    if ($result.Status -ne 'Remediated' -or $again.Status -ne 'AlreadyCompliant' -or ($unchanged -join '|') -ne ($before -join '|') -or
        $bucketResult.Status -ne 'Remediated' -or -not $blocked -or -not $aclKept -or
        $runs.Count -ne 1 -or $runs[0].Result.Status -ne 'Remediated' -or $cacheAfter) {
        throw "The demo did not end as expected: first run $($result.Status), second run $($again.Status), worker runs $($runs.Count)."
    }
    Write-Host "`nDemo finished: the public 5432 access is gone, every other rule is intact, the bucket is no longer public, and a worker fixed the finding sent to its group." -ForegroundColor Green
}
finally {
    $sandbox | Stop-AwsSandbox
    if (Test-Path -LiteralPath $storeFolder) { Remove-Item -LiteralPath $storeFolder -Recurse -Force }
}
