# Shared helpers of the Pester tests: where the built module, sandbox, packages and NuGet cache
# are, a fresh child PowerShell for tests that must not share this session's loaded assemblies,
# and start/stop of the AWS sandbox process (through the sandbox's own client module).
#
# build.ps1 -Task Test sets the REMEDIATION_* environment variables; when a test file is run by
# hand the helpers fall back to the out/ folders of this repository.
Set-StrictMode -Version Latest

function Get-TestRepositoryRoot {
    <# .SYNOPSIS The repository root (REMEDIATION_REPO_ROOT, else two folders above this file). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    if ($env:REMEDIATION_REPO_ROOT) { return $env:REMEDIATION_REPO_ROOT }
    (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).ProviderPath
}

function Get-TestOutputPath {
    # The folder named by an environment variable, else out/<Default>; it must exist.
    param([string] $Variable, [string] $Default)
    $value = [Environment]::GetEnvironmentVariable($Variable)
    $path = if ($value) { $value } else { Join-Path (Get-TestRepositoryRoot) "out/$Default" }
    if (-not (Test-Path -LiteralPath $path)) {
        throw "'$path' does not exist: run ./build.ps1 -Task Build (or -Task Test) first."
    }
    (Resolve-Path -LiteralPath $path).ProviderPath
}

function Get-TestModulePath {
    <# .SYNOPSIS The built module folder out/RemediationTools ($env:REMEDIATION_MODULE_PATH). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Get-TestOutputPath -Variable 'REMEDIATION_MODULE_PATH' -Default 'RemediationTools'
}

function Get-TestManifestPath {
    <# .SYNOPSIS The staged manifest out/RemediationTools/RemediationTools.psd1. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Join-Path (Get-TestModulePath) 'RemediationTools.psd1'
}

function Import-TestModule {
    <# .SYNOPSIS Imports the built module (never the source tree) into this session and returns it. #>
    [CmdletBinding()]
    [OutputType([psmoduleinfo])]
    param()
    Import-Module -Name (Get-TestManifestPath) -Force -PassThru -Global
}

function Get-TestSandboxPath {
    <# .SYNOPSIS The built sandbox assembly out/sandbox/RemediationTools.AwsSandbox.dll ($env:REMEDIATION_SANDBOX_PATH is its folder). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Join-Path (Get-TestOutputPath -Variable 'REMEDIATION_SANDBOX_PATH' -Default 'sandbox') 'RemediationTools.AwsSandbox.dll'
}

function Get-TestWorkerPath {
    <# .SYNOPSIS The published worker folder out/worker ($env:REMEDIATION_WORKER_PATH), with remediation-worker.dll. #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Get-TestOutputPath -Variable 'REMEDIATION_WORKER_PATH' -Default 'worker'
}

function Get-TestPackagePath {
    <# .SYNOPSIS The folder with RemediationTools.<version>.nupkg, out/packages ($env:REMEDIATION_PACKAGE_PATH). #>
    [CmdletBinding()]
    [OutputType([string])]
    param()
    Get-TestOutputPath -Variable 'REMEDIATION_PACKAGE_PATH' -Default 'packages'
}

function Get-TestNuGetPackagePath {
    <#
    .SYNOPSIS
    The folder of a package in the NuGet global packages folder, e.g. awssdk.core/3.7.402.
    build/Tools.proj restores the packages that tests need (build.ps1 -Task Bootstrap).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [string] $Id, [Parameter(Mandatory)] [string] $Version)
    $cache = $env:REMEDIATION_NUGET_PACKAGES
    if (-not $cache) {
        $line = & dotnet nuget locals global-packages --list
        if ("$line" -notmatch 'global-packages:\s*(?<path>.+)$') { throw "Cannot resolve the NuGet global packages folder: $line" }
        $cache = $Matches.path.Trim()
    }
    $path = Join-Path $cache "$($Id.ToLowerInvariant())/$($Version.ToLowerInvariant())"
    if (-not (Test-Path -LiteralPath $path)) {
        throw "The package $Id $Version is not in the NuGet cache ($path): run ./build.ps1 -Task Bootstrap."
    }
    $path
}

function ConvertTo-PowerShellLiteral {
    # A value as PowerShell source text, for passing parameters into a child process's script.
    param($Value)
    if ($null -eq $Value) { return '$null' }
    if ($Value -is [bool] -or $Value -is [switch]) { return $(if ($Value) { '$true' } else { '$false' }) }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [double]) { return [string]::Format([cultureinfo]::InvariantCulture, '{0}', $Value) }
    if ($Value -is [System.Collections.IDictionary]) {
        $pairs = foreach ($key in $Value.Keys) { "$(ConvertTo-PowerShellLiteral ([string]$key)) = $(ConvertTo-PowerShellLiteral $Value[$key])" }
        return '@{' + ($pairs -join '; ') + '}'
    }
    if ($Value -is [System.Collections.IEnumerable] -and $Value -isnot [string]) {
        return '@(' + ((@($Value) | ForEach-Object { ConvertTo-PowerShellLiteral $_ }) -join ', ') + ')'
    }
    "'" + ([string]$Value).Replace("'", "''") + "'"
}

function Invoke-TestWithoutPrompt {
    <#
    .SYNOPSIS
    Runs $Script in a new runspace of this process with the built module imported and $Parameters bound: its host has
    no user interface, so it cannot prompt, as in a scheduled job or a CI run. Returns Output and Errors.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Parameters = @{})
    $ps = [powershell]::Create()
    try {
        $null = $ps.AddScript("param(`$Manifest, `$Parameters) Import-Module `$Manifest; $Script").AddArgument((Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1')).AddArgument($Parameters)
        $output = $ps.Invoke()
        [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error) }
    }
    finally { $ps.Dispose() }
}

function Invoke-TestPwsh {
    <#
    .SYNOPSIS
    Runs a script block in a fresh `dotnet pwsh -NoProfile -NonInteractive` process.
    .DESCRIPTION
    The child shares nothing with this session: no loaded assemblies, no imported modules. Values of
    -Parameters become variables of the same name in the child (strings, numbers, booleans, arrays,
    hashtables). -Environment sets environment variables for the child only.
    Returns ExitCode, Output (the child's stdout lines), ErrorText (its stderr) and Result (what the
    script block returned, through a JSON file, so host output does not mix with it).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [hashtable] $Parameters = @{},
        [hashtable] $Environment = @{},
        [int] $TimeoutSeconds = 300
    )
    $resultFile = [IO.Path]::Combine([IO.Path]::GetTempPath(), "remediation-pwsh-$([guid]::NewGuid().ToString('N')).json")
    $prefix = foreach ($name in $Parameters.Keys) { "`$$name = $(ConvertTo-PowerShellLiteral $Parameters[$name])" }
    $script = @"
Set-StrictMode -Version Latest
`$ErrorActionPreference = 'Stop'
`$PSStyle.OutputRendering = 'PlainText'
$($prefix -join "`n")
`$__result = & {
$ScriptBlock
}
ConvertTo-Json -InputObject @(`$__result) -Depth 6 | Set-Content -LiteralPath $(ConvertTo-PowerShellLiteral $resultFile) -Encoding utf8NoBOM
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))

    $info = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in 'pwsh', '-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded) { $info.ArgumentList.Add($argument) }
    # `dotnet pwsh` finds the pinned tool through the repository's .config/dotnet-tools.json.
    $info.WorkingDirectory = Get-TestRepositoryRoot
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.UseShellExecute = $false
    foreach ($name in $Environment.Keys) { $info.Environment[$name] = [string]$Environment[$name] }
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "The child PowerShell did not finish within $TimeoutSeconds seconds."
        }
        $process.WaitForExit()
        $result = $null
        if (Test-Path -LiteralPath $resultFile) {
            $result = Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json -NoEnumerate
            Remove-Item -LiteralPath $resultFile -Force
        }
        [pscustomobject]@{
            ExitCode  = $process.ExitCode
            Output    = @($stdout.Result -split '\r?\n' | Where-Object { $_ })
            ErrorText = $stderr.Result
            Result    = if ($null -ne $result) { @($result) } else { @() }
        }
    }
    finally {
        $process.Dispose()
    }
}

function Import-TestAwsSandboxModule {
    <# .SYNOPSIS Imports the sandbox's client module (tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1). #>
    [CmdletBinding()]
    param()
    $path = Join-Path (Get-TestRepositoryRoot) 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1'
    Import-Module -Name $path -Force -Global
}

function Start-TestAwsSandbox {
    <#
    .SYNOPSIS
    Starts the built AWS sandbox on a free loopback port and returns its handle (Endpoint, Process).
    Stop it with Stop-TestAwsSandbox in AfterAll. The sandbox client's other functions
    (New-AwsSandboxAccount, Invoke-AwsSandboxAction, ...) are imported too. As for job tests, the sandbox
    lags a read behind each change to a security group or network ACL and pages by 5 items, so the
    module's consistency and paging code runs; -Consistent turns both off. Create job-test accounts with
    New-AwsSandboxAccount -NoDefaultVpc.
    #>
    [CmdletBinding()]
    param([int] $Port = 0, [switch] $Consistent)
    Import-TestAwsSandboxModule
    $sandbox = Start-AwsSandbox -Path (Get-TestSandboxPath) -Port $Port
    if (-not $Consistent) { Set-AwsSandboxConsistency -Sandbox $sandbox -ReadLag 1 -MaxPageSize 5 }
    $sandbox
}

function Stop-TestAwsSandbox {
    <# .SYNOPSIS Stops a sandbox started with Start-TestAwsSandbox; does nothing for $null. #>
    [CmdletBinding()]
    param([Parameter(ValueFromPipeline)] $Sandbox)
    process {
        if ($null -ne $Sandbox) { $Sandbox | Stop-AwsSandbox }
    }
}

Export-ModuleMember -Function Get-TestRepositoryRoot, Get-TestModulePath, Get-TestManifestPath, Import-TestModule,
    Get-TestSandboxPath, Get-TestWorkerPath, Get-TestPackagePath, Get-TestNuGetPackagePath, Invoke-TestPwsh,
    Import-TestAwsSandboxModule, Start-TestAwsSandbox, Stop-TestAwsSandbox, Invoke-TestWithoutPrompt
