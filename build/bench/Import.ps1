<#
.SYNOPSIS
    Benchmark: the time that Import-Module RemediationTools adds to a bare PowerShell start, and what the import loads.
.DESCRIPTION
    Starts `dotnet pwsh -NoProfile -Command exit`, the same with Import-Module of a manifest module whose root is a
    binary module of one cmdlet, compiled here (what importing any binary module costs PowerShell itself: manifest
    parsing, the module machinery's first use, loading one assembly) and the same with Import-Module of the built module, $Runs times each, interleaved so that drift hits all alike, after one warm-up
    run each. Prints the median, minimum and maximum of each, the difference of the medians, and the module's own
    share over the one-cmdlet module.
    Then, in one more fresh process, times Import-Module and Get-Command from inside it and lists the assemblies they
    load; it fails if an AWSSDK assembly is among them (the SDK loads when a cmdlet first calls AWS).
    build.ps1 -Task Bench runs it.
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

function ConvertTo-Literal([string] $Text) { "'" + $Text.Replace("'", "''") + "'" }

$floorFolder = Join-Path ([IO.Path]::GetTempPath()) "remediation-import-bench-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory -Path $floorFolder
try {
    # The floor: a manifest module whose root is a binary module of one cmdlet, which is what PowerShell itself
    # spends on importing any binary module (manifest parsing, loading and reflecting over one assembly).
    $floorManifest = Join-Path $floorFolder 'BenchFloor.psd1'
    Add-Type -OutputAssembly (Join-Path $floorFolder 'BenchFloor.dll') -TypeDefinition @'
using System.Management.Automation;
[Cmdlet(VerbsCommon.Get, "BenchFloor")]
public sealed class GetBenchFloorCommand : PSCmdlet
{
    [Parameter] public string Name { get; set; }
    protected override void ProcessRecord() => WriteObject(Name);
}
'@
    Set-Content -LiteralPath $floorManifest -Encoding utf8NoBOM -Value @"
@{ RootModule = 'BenchFloor.dll'; ModuleVersion = '1.0.0'; CmdletsToExport = @('Get-BenchFloor'); FunctionsToExport = @(); AliasesToExport = @(); VariablesToExport = @() }
"@

    $scenarios = [ordered]@{
        'pwsh -NoProfile (bare)'         = 'exit'
        'pwsh -NoProfile + 1-cmdlet module' = "Import-Module -Name $(ConvertTo-Literal $floorManifest); exit"
        'pwsh -NoProfile + Import'       = "Import-Module -Name $(ConvertTo-Literal $manifest); exit"
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
}
finally {
    Remove-Item -LiteralPath $floorFolder -Recurse -Force
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
$added = $rows[2].'Median ms' - $rows[0].'Median ms'
$floor = $rows[1].'Median ms' - $rows[0].'Median ms'
Write-Host ("Import-Module RemediationTools adds {0} ms (median of {1} runs each; goal under 150 ms)." -f $added, $Runs)
Write-Host ("A binary module of one cmdlet adds {0} ms: PowerShell's own cost of importing one. The module's share: {1} ms." -f $floor, ($added - $floor))

# Inside one fresh process: how long Import-Module and Get-Command take there, and which assemblies they load.
$probe = @"
`$ErrorActionPreference = 'Stop'
`$before = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { `$_.GetName().Name })
`$watch = [System.Diagnostics.Stopwatch]::StartNew()
Import-Module -Name $(ConvertTo-Literal $manifest)
`$import = `$watch.Elapsed.TotalMilliseconds
`$null = Get-Command -Module RemediationTools | ForEach-Object { `$_.Parameters }
`$discovery = `$watch.Elapsed.TotalMilliseconds - `$import
`$loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | ForEach-Object { `$_.GetName().Name } | Where-Object { `$_ -notin `$before } | Sort-Object)
[Console]::WriteLine([string][math]::Round(`$import, 1) + '|' + [math]::Round(`$discovery, 1) + '|' + (`$loaded -join ', '))
"@
$line = & dotnet pwsh -NoProfile -NonInteractive -EncodedCommand ([Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($probe)))
if ($LASTEXITCODE -ne 0) { throw "The import probe failed with exit code $LASTEXITCODE." }
$import, $discovery, $loaded = "$line".Split('|', 3)
Write-Host ("Inside one process: Import-Module {0} ms, Get-Command with every cmdlet's parameters {1} ms." -f $import, $discovery)
Write-Host "Assemblies they load: $(if ($loaded) { $loaded } else { '(none)' })"
$aws = @($loaded.Split(',').Trim() | Where-Object { $_ -like 'AWSSDK.*' })
if ($aws.Count -gt 0) { throw "Import-Module or Get-Command loaded AWS SDK assemblies: $($aws -join ', '). They must load only when a cmdlet first calls AWS." }
