<#
.SYNOPSIS
    Benchmark: build/bench/Worker.ps1 with the worker in its container image, limited as on the seed's host
    (--memory 128m --cpus 0.5): latency, throughput, the worker's RSS and the container's memory cgroup peak; fails on
    an OOM kill. Needs the image (build.ps1 -Task Image; build.ps1 -Task Bench builds it).
#>
[CmdletBinding()]
param(
    [int] $Requests = 1000,
    [string] $Image = $(if ($env:REMEDIATION_IMAGE) { $env:REMEDIATION_IMAGE } else { 'remediation-worker:latest' })
)
Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
& (Join-Path $PSScriptRoot 'Worker.ps1') -Container -Requests $Requests -Image $Image
