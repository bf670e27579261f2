<#
.SYNOPSIS
    Benchmark: the time that Import-Module RemediationTools adds to a bare PowerShell start.
.DESCRIPTION
    Starts `dotnet pwsh -NoProfile -Command exit` and the same with Import-Module of the built module,
    10 times each, interleaved so that drift hits both alike, after one warm-up run each. Prints the
    median, minimum and maximum of each and the difference of the medians. build.ps1 -Task Bench runs it.
#>
[CmdletBinding()]
param(
    [int] $Runs = 10,
    [string] $ModulePath = $env:REMEDIATION_MODULE_PATH
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
if (-not $ModulePath) { $ModulePath = Join-Path $PSScriptRoot '../../out/RemediationTools' }
$manifest = (Resolve-Path -LiteralPath (Join-Path $ModulePath 'RemediationTools.psd1')).ProviderPath

$scenarios = [ordered]@{
    'pwsh -NoProfile (bare)'   = 'exit'
    'pwsh -NoProfile + Import' = "Import-Module -Name '$($manifest.Replace("'", "''"))'; exit"
}

function Measure-Start([string] $Command) {
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    & dotnet pwsh -NoProfile -NonInteractive -Command $Command | Out-Null
    $watch.Stop()
    if ($LASTEXITCODE -ne 0) { throw "dotnet pwsh -Command `"$Command`" failed with exit code $LASTEXITCODE." }
    $watch.Elapsed.TotalMilliseconds
}

function Get-Median([double[]] $Values) {
    $sorted = $Values | Sort-Object
    $middle = [int][math]::Floor($sorted.Count / 2)
    if ($sorted.Count % 2) { $sorted[$middle] } else { ($sorted[$middle - 1] + $sorted[$middle]) / 2 }
}

$samples = @{}
foreach ($name in $scenarios.Keys) {
    $samples[$name] = [System.Collections.Generic.List[double]]::new()
    $null = Measure-Start $scenarios[$name]
}
for ($i = 0; $i -lt $Runs; $i++) {
    foreach ($name in $scenarios.Keys) { $samples[$name].Add((Measure-Start $scenarios[$name])) }
}

$rows = foreach ($name in $scenarios.Keys) {
    $values = [double[]]$samples[$name]
    [pscustomobject]@{
        Scenario    = $name
        Runs        = $values.Count
        'Median ms' = [math]::Round((Get-Median $values), 0)
        'Min ms'    = [math]::Round(($values | Measure-Object -Minimum).Minimum, 0)
        'Max ms'    = [math]::Round(($values | Measure-Object -Maximum).Maximum, 0)
    }
}
$rows | Format-Table -AutoSize | Out-String -Width 120 | Write-Host
$added = $rows[1].'Median ms' - $rows[0].'Median ms'
Write-Host ("Import-Module RemediationTools adds {0} ms (median of {1} runs each)." -f $added, $Runs)
