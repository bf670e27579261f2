<#
.SYNOPSIS
    Benchmark: 1,000 findings in one account and region with 50 ms added to every call and EC2's request-rate token
    buckets on (AWS's defaults, enforced by the sandbox; the module paces itself to them): wall time against the least
    time the buckets allow, and the calls the sandbox refused. It takes about as long as the buckets allow (3 minutes
    for 1,000 revokes at 5 a second after a burst of 50). build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param([int] $Findings = 1000)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
& (Join-Path $PSScriptRoot 'Remediation.ps1') -Paced -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion $Findings -LatencyMs 50 -BaselineSample 0
