<#
.SYNOPSIS
    Benchmark: 200 security-group findings in one account and region, at loopback speed and with 50 ms added to every
    AWS call, against the sequential one-call-per-finding figure (read every group once, then one call per finding,
    one after the other: the best a sequential tool can do).
.DESCRIPTION
    The sequential figure is computed, not run: (1 read + one call per finding) x the added latency, the least time a
    sequential client spends waiting on the network at 50 ms a call. Goal: the batch at least 3x faster than that.
    Both in this process (module loaded and warmed) and as a whole process (a fresh 'dotnet pwsh' that imports the
    module and fixes the findings from one file), as the issue's comparison table measured.
    The calls per finding are printed beside it; the module's extra calls are the job contract's (about_RemediationTools): the plan names
    the network interfaces that use each group (one batched read) and every change is verified by a re-read (batched
    per round of concurrent findings). build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param([int] $Findings = 200, [int] $LatencyMs = 50)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$bench = Join-Path $PSScriptRoot 'Remediation.ps1'
# A small run first, so that neither figure includes the module's first-use JIT.
$null = & $bench -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion 10 -LatencyMs 0 -BaselineSample 0 6>$null
$raw = & $bench -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion $Findings -LatencyMs 0 -BaselineSample 0 -PassThru
$slow = & $bench -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion $Findings -LatencyMs $LatencyMs -BaselineSample 0 -PassThru
$wholeRaw = & $bench -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion $Findings -LatencyMs 0 -BaselineSample 0 -PassThru -WholeProcess
$wholeSlow = & $bench -Accounts 1 -Regions us-east-1 -GroupsPerAccountRegion $Findings -LatencyMs $LatencyMs -BaselineSample 0 -PassThru -WholeProcess
$sequentialCalls = 1 + $Findings
$sequentialSeconds = $sequentialCalls * $LatencyMs / 1000
Write-Host ''
Write-Host ("{0} findings in one account and region, one Invoke-Remediation:" -f $Findings)
Write-Host ("  loopback          {0,6:N2} s   {1:N3} calls per finding" -f $raw.Seconds, ($raw.Calls / $raw.Findings))
Write-Host ("  {0} ms a call      {1,6:N2} s   {2:N3} calls per finding" -f $LatencyMs, $slow.Seconds, ($slow.Calls / $slow.Findings))
Write-Host ("  whole process (dotnet pwsh, import, the batch from one file):")
Write-Host ("    loopback        {0,6:N2} s" -f $wholeRaw.Seconds)
Write-Host ("    {0} ms a call    {1,6:N2} s" -f $LatencyMs, $wholeSlow.Seconds)
Write-Host ("  sequential, one call per finding at {0} ms: at least {1:N2} s ({2:N3} calls per finding)" -f $LatencyMs, $sequentialSeconds, ($sequentialCalls / $Findings))
Write-Host ("  the batch is {0:N1}x faster than that in process, {1:N1}x as a whole process (goal: at least 3x)" -f ($sequentialSeconds / $slow.Seconds), ($sequentialSeconds / $wholeSlow.Seconds))
