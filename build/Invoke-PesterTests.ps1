<#
.SYNOPSIS
    Runs the Pester tests and writes their counts for build.ps1.
.DESCRIPTION
    build.ps1 -Task Test starts this script in its own `dotnet pwsh -NoProfile` process, so the module
    the tests import never locks files of the build session. The tests find the built module through
    $env:REMEDIATION_MODULE_PATH (see tests/Pester/TestHelpers.psm1).
#>
[CmdletBinding()]
param(
    # Pester.psd1 from the NuGet cache (the Pester package's tools/ folder).
    [Parameter(Mandatory)] [string] $PesterPath,
    # Test files or folders, separated by the path separator (':' or ';'), as -File passes one string.
    [Parameter(Mandatory)] [string] $TestPath,
    [Parameter(Mandatory)] [string] $ResultPath,
    [Parameter(Mandatory)] [string] $SummaryPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module -Name $PesterPath -Force
$configuration = New-PesterConfiguration
$configuration.Run.Path = [string[]]($TestPath -split [regex]::Escape([IO.Path]::PathSeparator) | Where-Object { $_ })
$configuration.Run.PassThru = $true
$configuration.Run.Exit = $false
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputFormat = 'NUnitXml'
$configuration.TestResult.OutputPath = $ResultPath

$result = Invoke-Pester -Configuration $configuration

# A test file that fails to load, or a failing BeforeAll outside any test, fails no counted test:
# such a run still reports at least one failure per broken block or container.
$failed = $result.FailedCount
$brokenBlocks = $result.FailedBlocksCount + $result.FailedContainersCount
if ($failed -eq 0 -and $brokenBlocks -gt 0) { $failed = $brokenBlocks }
[ordered]@{
    Passed  = $result.PassedCount
    Failed  = $failed
    Skipped = $result.SkippedCount
    NotRun  = $result.NotRunCount
    Total   = $result.TotalCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath -Encoding utf8NoBOM

exit ([int]($failed -gt 0))
