#Requires -Version 7.4
<#
.SYNOPSIS
    Builds, tests, benchmarks and packages the RemediationTools module.
.DESCRIPTION
    Run it with the pinned PowerShell: `dotnet tool restore && dotnet pwsh ./build.ps1 -Task <task>`.

    Bootstrap  restores the solution and build/Tools.proj (Pester and the AWSSDK.Core used by the
               isolation test) into the NuGet global packages folder.
    Build      Bootstrap, `dotnet build Remediation.sln` (warnings are errors), then stages
               out/RemediationTools (the module), out/worker (the worker), out/sandbox (the AWS sandbox).
    Test       Build, Package and Image, then xunit (tests/RemediationTools.Core.Tests) and Pester (tests/Pester)
               against out/RemediationTools; ends with the line "N passed, N failed".
    Demo       Build, then examples/Demo.ps1 in a child PowerShell.
    Bench      Build and Image, then every build/bench/*.ps1 in a child PowerShell.
    Package    Build, then out/packages/RemediationTools.<version>.nupkg with PSResourceGet.
    Image      a self-contained linux-x64 publish of the worker into a staging context (out/image/context), then
               the container image remediation-worker:<version> and :latest with Docker (when `docker info`
               answers) or Podman (with build/image/containers.conf). Without a base image and a registry, the
               base localhost/debian:bookworm-slim is made with mmdebstrap from the Debian archive apt uses.
               -BaseImage names another base.
#>
[CmdletBinding()]
param(
    [ValidateSet('Bootstrap', 'Build', 'Test', 'Demo', 'Bench', 'Package', 'Image')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # The image's base (the Dockerfile's BASE_IMAGE); default debian:bookworm-slim, made locally when not to be had.
    [string] $BaseImage = ''
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
# A native command that exits non-zero throws, like a cmdlet error.
$PSNativeCommandUseErrorActionPreference = $true

$ModuleName = 'RemediationTools'
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out'
$ModuleOut = Join-Path $Out $ModuleName
$ObjOut = Join-Path $Out 'obj'
$WorkerOut = Join-Path $Out 'worker'
$SandboxOut = Join-Path $Out 'sandbox'
$PackagesOut = Join-Path $Out 'packages'
$TestResultsOut = Join-Path $Out 'test-results'
$Solution = Join-Path $Root 'Remediation.sln'
$ToolsProject = Join-Path $Root 'build/Tools.proj'
$ImageOut = Join-Path $Out 'image'
$ImageName = 'remediation-worker'
$PublicBaseImage = 'debian:bookworm-slim'
$LocalBaseImage = 'localhost/debian:bookworm-slim'

# Tool versions, pinned. PowerShell itself is pinned in .config/dotnet-tools.json.
$PesterVersion = '5.7.1'

# The assemblies that stay beside the manifest; every other assembly of the module's publish
# output is a third-party dependency and goes to dependencies/, loaded by the module's resolver.
$ModuleAssemblies = @('RemediationTools.dll', 'RemediationTools.Core.dll')
# Provided by PowerShell itself (PowerShellStandard.Library is a reference assembly only).
$HostAssemblies = @('System.Management.Automation.dll')

function Write-Step([string] $Text) {
    Write-Host "==> $Text" -ForegroundColor Cyan
}

function Invoke-Native {
    # Runs a native command (first argument) and throws on a non-zero exit code, naming the command.
    # No param block on purpose: arguments such as -c reach the command unbound.
    $command, $arguments = $args
    $arguments = @($arguments | ForEach-Object { "$_" })
    Write-Host "   $command $($arguments -join ' ')" -ForegroundColor DarkGray
    $PSNativeCommandUseErrorActionPreference = $false
    & $command @arguments | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "'$command $($arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Invoke-ChildPwsh {
    # Runs a script in a fresh `dotnet pwsh -NoProfile` so that nothing it loads locks files of
    # this session; returns the exit code (throws on failure unless -AllowFailure).
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @(), [switch] $AllowFailure)
    $PSNativeCommandUseErrorActionPreference = $false
    Write-Host "   dotnet pwsh -NoProfile -File $File $($Arguments -join ' ')" -ForegroundColor DarkGray
    & dotnet pwsh -NoProfile -NonInteractive -File $File @Arguments | Out-Host
    $code = $LASTEXITCODE
    if ($code -ne 0 -and -not $AllowFailure) {
        throw "'$File' failed with exit code $code."
    }
    $code
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw -LiteralPath (Join-Path $Root 'Directory.Build.props'))
    $prefix = $props.SelectSingleNode('/Project/PropertyGroup/VersionPrefix')
    if ($null -eq $prefix -or -not $prefix.InnerText.Trim()) {
        throw 'Directory.Build.props has no <VersionPrefix>.'
    }
    $suffix = $props.SelectSingleNode('/Project/PropertyGroup/VersionSuffix')
    [pscustomobject]@{
        Version    = $prefix.InnerText.Trim()
        Prerelease = if ($null -ne $suffix) { $suffix.InnerText.Trim() } else { '' }
    }
}

function Get-NuGetPackagesFolder {
    $PSNativeCommandUseErrorActionPreference = $false
    $line = & dotnet nuget locals global-packages --list
    if ($LASTEXITCODE -ne 0 -or "$line" -notmatch 'global-packages:\s*(?<path>.+)$') {
        throw "Cannot resolve the NuGet global packages folder: $line"
    }
    $Matches.path.Trim()
}

function Get-PesterModulePath {
    $path = Join-Path (Get-NuGetPackagesFolder) "pester/$PesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $path)) {
        throw "Pester $PesterVersion is not in the NuGet cache ($path). Run ./build.ps1 -Task Bootstrap."
    }
    $path
}

function Set-TestEnvironment {
    # What tests, the demo and benchmarks read to find the build outputs (tests/Pester/TestHelpers.psm1).
    $env:REMEDIATION_REPO_ROOT = $Root
    $env:REMEDIATION_MODULE_PATH = $ModuleOut
    $env:REMEDIATION_SANDBOX_PATH = $SandboxOut
    $env:REMEDIATION_WORKER_PATH = $WorkerOut
    $env:REMEDIATION_PACKAGE_PATH = $PackagesOut
    $env:REMEDIATION_NUGET_PACKAGES = Get-NuGetPackagesFolder
    $env:REMEDIATION_IMAGE = "${ImageName}:$((Get-ModuleVersion).Version)"
}

function Invoke-Bootstrap {
    Write-Step 'Bootstrap: restore'
    Invoke-Native dotnet tool restore
    Invoke-Native dotnet restore $Solution -nologo
    Invoke-Native dotnet restore $ToolsProject -nologo
    Write-Host "   Pester ${PesterVersion}: $(Get-PesterModulePath)"
}

function Copy-ModuleFiles([string] $PublishDir) {
    if (Test-Path -LiteralPath $ModuleOut) {
        Remove-Item -LiteralPath $ModuleOut -Recurse -Force
    }
    $dependencies = Join-Path $ModuleOut 'dependencies'
    $null = New-Item -ItemType Directory -Path $dependencies -Force

    foreach ($file in Get-ChildItem -LiteralPath $PublishDir -File) {
        if ($file.Extension -ne '.dll' -and $file.Extension -ne '.pdb') { continue }
        $assemblyName = [IO.Path]::ChangeExtension($file.Name, '.dll')
        if ($HostAssemblies -contains $assemblyName) { continue }
        if ($ModuleAssemblies -contains $assemblyName) {
            Copy-Item -LiteralPath $file.FullName -Destination $ModuleOut
        }
        elseif ($file.Extension -eq '.dll') {
            Copy-Item -LiteralPath $file.FullName -Destination $dependencies
        }
    }
    # Runtime-specific or satellite assets of a dependency keep their relative folders.
    foreach ($folder in Get-ChildItem -LiteralPath $PublishDir -Directory) {
        Copy-Item -LiteralPath $folder.FullName -Destination $dependencies -Recurse
    }
    foreach ($name in $ModuleAssemblies) {
        if (-not (Test-Path -LiteralPath (Join-Path $ModuleOut $name))) {
            throw "$name is missing from the publish output $PublishDir."
        }
    }

    $formatFile = Join-Path $Root "src/$ModuleName/$ModuleName.Format.ps1xml"
    if (Test-Path -LiteralPath $formatFile) {
        Copy-Item -LiteralPath $formatFile -Destination $ModuleOut
    }
}

function Write-StagedManifest([string[]] $Cmdlets) {
    $version = Get-ModuleVersion
    $text = Get-Content -Raw -LiteralPath (Join-Path $Root "$ModuleName.psd1")
    $text = $text -replace "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$($version.Version)'"
    $list = if ($Cmdlets.Count -eq 0) { '@()' } else { "@(`n" + (($Cmdlets | ForEach-Object { "        '$_'" }) -join "`n") + "`n    )" }
    $text = [regex]::Replace($text, '(?s)CmdletsToExport\s*=\s*@\([^)]*\)', { param($m) "CmdletsToExport      = $list" })
    if ($version.Prerelease) {
        $text = $text -replace "(?m)^(\s*)#\s*Prerelease\s*=\s*''", "`${1}Prerelease = '$($version.Prerelease)'"
    }
    $formatFile = "$ModuleName.Format.ps1xml"
    if (-not (Test-Path -LiteralPath (Join-Path $ModuleOut $formatFile))) {
        # The format file is optional until it exists; a manifest naming a missing file would not import.
        $text = $text -replace "(?m)^(\s*FormatsToProcess\s*=\s*)@\([^)]*\)", '${1}@()'
    }
    $manifestPath = Join-Path $ModuleOut "$ModuleName.psd1"
    Set-Content -LiteralPath $manifestPath -Value $text -Encoding utf8NoBOM -NoNewline

    $staged = Import-PowerShellDataFile -LiteralPath $manifestPath
    if ($staged.ModuleVersion -ne $version.Version) {
        throw "The staged manifest has ModuleVersion '$($staged.ModuleVersion)', expected '$($version.Version)'."
    }
    if ((@($staged.CmdletsToExport) -join ',') -ne ($Cmdlets -join ',')) {
        throw 'The staged manifest does not list the compiled cmdlets; check the CmdletsToExport line of the source manifest.'
    }
}

function Invoke-Build {
    Invoke-Bootstrap

    Write-Step "Build: dotnet build $Configuration"
    Invoke-Native dotnet build $Solution -c $Configuration --no-restore -nologo -warnaserror

    Write-Step "Stage $ModuleOut"
    $publishDir = Join-Path $ObjOut "publish/$ModuleName"
    if (Test-Path -LiteralPath $publishDir) { Remove-Item -LiteralPath $publishDir -Recurse -Force }
    Invoke-Native dotnet publish (Join-Path $Root "src/$ModuleName/$ModuleName.csproj") -c $Configuration --no-build -nologo -o $publishDir
    Copy-ModuleFiles -PublishDir $publishDir

    # The build session never loads the module: a child process reads its cmdlets.
    $metadataPath = Join-Path $ObjOut 'module-metadata.json'
    $null = Invoke-ChildPwsh -File (Join-Path $Root 'build/Get-ModuleMetadata.ps1') -Arguments @(
        '-AssemblyPath', (Join-Path $ModuleOut "$ModuleName.dll"), '-OutFile', $metadataPath)
    $metadata = Get-Content -Raw -LiteralPath $metadataPath | ConvertFrom-Json
    $cmdlets = [string[]]@($metadata.CmdletsToExport)
    Write-StagedManifest -Cmdlets $cmdlets
    Write-Host "   $($cmdlets.Count) cmdlet(s): $($cmdlets -join ', ')"

    # The job reference comes from the staged module's catalog: docs/Jobs.md (committed) and the about topic's page.
    Write-Step 'Job reference: the catalog -> docs/Jobs.md, about_RemediationTools_Jobs'
    $generatedHelp = Join-Path $ObjOut 'help/en-US'
    if (Test-Path -LiteralPath $generatedHelp) { Remove-Item -LiteralPath $generatedHelp -Recurse -Force }
    $null = Invoke-ChildPwsh -File (Join-Path $Root 'build/Write-JobReference.ps1') -Arguments @(
        '-ModulePath', $ModuleOut, '-JobsPath', (Join-Path $Root 'docs/Jobs.md'),
        '-AboutPath', (Join-Path $generatedHelp 'about_RemediationTools_Jobs.md'))

    Write-Step 'Help: docs/en-US -> en-US/RemediationTools.dll-Help.xml'
    $helpCompiler = Join-Path $Root "build/HelpCompiler/bin/$Configuration/net10.0/HelpCompiler.dll"
    Invoke-Native dotnet $helpCompiler --docs (Join-Path $Root 'docs/en-US') --docs $generatedHelp --out (Join-Path $ModuleOut 'en-US') `
        --assembly "$ModuleName.dll" --metadata $metadataPath

    Write-Step "Worker -> $WorkerOut, sandbox -> $SandboxOut"
    foreach ($folder in $WorkerOut, $SandboxOut) {
        if (Test-Path -LiteralPath $folder) { Remove-Item -LiteralPath $folder -Recurse -Force }
    }
    Invoke-Native dotnet publish (Join-Path $Root "src/$ModuleName.Worker/$ModuleName.Worker.csproj") -c $Configuration --no-build -nologo -o $WorkerOut
    Invoke-Native dotnet publish (Join-Path $Root "tests/$ModuleName.AwsSandbox/$ModuleName.AwsSandbox.csproj") -c $Configuration --no-build -nologo -o $SandboxOut
}

function Invoke-Package {
    Write-Step "Package: $ModuleOut -> $PackagesOut"
    $null = New-Item -ItemType Directory -Path $PackagesOut -Force
    $null = Invoke-ChildPwsh -File (Join-Path $Root 'build/Publish-ModulePackage.ps1') -Arguments @(
        '-ModulePath', $ModuleOut, '-DestinationPath', $PackagesOut)
}

function Get-TrxCounts([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return $null }
    $trx = [xml](Get-Content -Raw -LiteralPath $Path)
    $counters = $trx.SelectSingleNode('//*[local-name()="Counters"]')
    [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
        Total   = [int]$counters.total
    }
}

function Invoke-Test {
    Invoke-Build
    Invoke-Package
    try {
        Invoke-Image
    }
    catch {
        # The container tests (tests/Pester/WorkerImage.Tests.ps1) fail with this reason; every other test still runs.
        Write-Host "   the worker image was not built: $_" -ForegroundColor Red
        $env:REMEDIATION_IMAGE_ERROR = "$_"
    }
    Set-TestEnvironment
    if (Test-Path -LiteralPath $TestResultsOut) { Remove-Item -LiteralPath $TestResultsOut -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $TestResultsOut -Force
    # Tests that use the local store never touch the user's own folder.
    $env:REMEDIATION_HOME = Join-Path $TestResultsOut 'remediation-home'

    Write-Step 'Test: xunit (tests/RemediationTools.Core.Tests)'
    $trxPath = Join-Path $TestResultsOut 'core-tests.trx'
    $PSNativeCommandUseErrorActionPreference = $false
    & dotnet test (Join-Path $Root "tests/$ModuleName.Core.Tests/$ModuleName.Core.Tests.csproj") -c $Configuration --no-build -nologo `
        --results-directory $TestResultsOut --logger 'trx;LogFileName=core-tests.trx' --logger 'console;verbosity=minimal' | Out-Host
    $xunitExit = $LASTEXITCODE
    $PSNativeCommandUseErrorActionPreference = $true
    $xunit = Get-TrxCounts $trxPath
    if ($null -eq $xunit) {
        # The runner failed before it wrote results: that is one failure, not zero tests.
        $xunit = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Total = 0 }
    }

    Write-Step 'Test: Pester (tests/Pester, build/HelpCompiler) against out/RemediationTools'
    $summaryPath = Join-Path $TestResultsOut 'pester-summary.json'
    $pesterExit = Invoke-ChildPwsh -AllowFailure -File (Join-Path $Root 'build/Invoke-PesterTests.ps1') -Arguments @(
        '-PesterPath', (Get-PesterModulePath),
        '-TestPath', ((Join-Path $Root 'tests/Pester'), (Join-Path $Root 'build/HelpCompiler/HelpCompiler.Tests.ps1') -join [IO.Path]::PathSeparator),
        '-ResultPath', (Join-Path $TestResultsOut 'pester.xml'),
        '-SummaryPath', $summaryPath)
    $pester = if (Test-Path -LiteralPath $summaryPath) { Get-Content -Raw -LiteralPath $summaryPath | ConvertFrom-Json } else { $null }
    if ($null -eq $pester) {
        $pester = [pscustomobject]@{ Passed = 0; Failed = 1; Skipped = 0; Total = 0 }
    }

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    if ($failed -eq 0 -and ($xunitExit -ne 0 -or $pesterExit -ne 0)) {
        # A runner that failed without a failed test (a crash, a broken container) still fails the run.
        $failed = 1
    }
    Write-Host ''
    Write-Host ('xunit:  {0} passed, {1} failed, {2} skipped (exit code {3})' -f $xunit.Passed, $xunit.Failed, $xunit.Skipped, $xunitExit)
    Write-Host ('Pester: {0} passed, {1} failed, {2} skipped (exit code {3})' -f $pester.Passed, $pester.Failed, $pester.Skipped, $pesterExit)
    $summary = "$passed passed, $failed failed"
    if ($skipped -gt 0) { $summary += ", $skipped skipped" }
    Write-Host $summary
    if ($failed -gt 0) { $script:ExitCode = 1 }
}

function Invoke-Demo {
    Invoke-Build
    Set-TestEnvironment
    $demo = Join-Path $Root 'examples/Demo.ps1'
    if (-not (Test-Path -LiteralPath $demo)) { throw "$demo does not exist." }
    Write-Step 'Demo: examples/Demo.ps1'
    $null = Invoke-ChildPwsh -File $demo -Arguments @(
        '-ModulePath', $ModuleOut, '-SandboxPath', (Join-Path $SandboxOut "$ModuleName.AwsSandbox.dll"))
}

function Get-ContainerEngine {
    # Docker when a Docker engine answers, else Podman with our containers.conf (build/image/containers.conf says why each setting is there).
    $PSNativeCommandUseErrorActionPreference = $false
    if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
        $null = & docker info 2>&1
        if ($LASTEXITCODE -eq 0) { return 'docker' }
    }
    if (Get-Command podman -CommandType Application -ErrorAction SilentlyContinue) {
        if (-not $env:CONTAINERS_CONF) { $env:CONTAINERS_CONF = Join-Path $Root 'build/image/containers.conf' }
        return 'podman'
    }
    throw 'No container engine: no Docker engine answers `docker info` and podman is not installed (Debian: apt-get install podman runc).'
}

function Test-ContainerImage([string] $Engine, [string] $Image) {
    $PSNativeCommandUseErrorActionPreference = $false
    $null = & $Engine image inspect $Image 2>&1
    $LASTEXITCODE -eq 0
}

function Get-DebianArchiveUri {
    # The Debian archive apt already uses on this machine: the first bookworm source of /etc/apt/sources.list*.
    $files = @(Get-ChildItem -Path '/etc/apt/sources.list', '/etc/apt/sources.list.d/*.list', '/etc/apt/sources.list.d/*.sources' -File -ErrorAction SilentlyContinue)
    foreach ($file in $files) {
        $text = Get-Content -Raw -LiteralPath $file.FullName
        if ($file.Extension -eq '.sources') {
            foreach ($stanza in $text -split '\r?\n\s*\r?\n') {
                $lines = @($stanza -split '\r?\n' | Where-Object { $_ -notmatch '^\s*#' })
                $uri = $lines | Where-Object { $_ -match '^URIs:\s*(\S+)' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
                $suites = $lines | Where-Object { $_ -match '^Suites:\s*(.+)$' } | ForEach-Object { $Matches[1] -split '\s+' }
                if ($uri -and ($suites -contains 'bookworm')) { return $uri.TrimEnd('/') }
            }
        }
        else {
            foreach ($line in $text -split '\r?\n') {
                if ($line -match '^\s*deb\s+(\[[^\]]*\]\s+)?(\S+)\s+bookworm\s') { return $Matches[2].TrimEnd('/') }
            }
        }
    }
    throw 'No bookworm source in /etc/apt/sources.list or /etc/apt/sources.list.d: cannot make the base image with mmdebstrap (or pass -BaseImage).'
}

function New-LocalBaseImage([string] $Engine) {
    # debian:bookworm-slim made locally: minbase, merged /usr, the slim image's dpkg excludes and apt docker-clean settings.
    if (-not (Get-Command mmdebstrap -CommandType Application -ErrorAction SilentlyContinue)) {
        throw "No base image '$PublicBaseImage' and no registry reachable, and mmdebstrap is not installed to make one (Debian: apt-get install mmdebstrap)."
    }
    $mirror = Get-DebianArchiveUri
    $baseDir = Join-Path $ImageOut 'base'
    $null = New-Item -ItemType Directory -Path $baseDir -Force
    $tar = Join-Path $baseDir 'rootfs.tar'
    $settings = Join-Path $Root 'build/image/base'
    Write-Step "Image: base $LocalBaseImage with mmdebstrap (minbase bookworm)"
    Invoke-Native mmdebstrap --variant=minbase --format=tar --quiet `
        --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr `
        "--dpkgopt=$(Join-Path $settings 'dpkg-docker')" `
        "--customize-hook=upload $(Join-Path $settings 'apt-docker-clean') /etc/apt/apt.conf.d/docker-clean" `
        "--customize-hook=upload $(Join-Path $settings 'apt-docker-settings') /etc/apt/apt.conf.d/docker-settings" `
        '--customize-hook=rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*' `
        bookworm $tar "deb $mirror bookworm main"
    Invoke-Native $Engine import --change 'CMD ["bash"]' $tar $LocalBaseImage
    Remove-Item -LiteralPath $tar -Force
}

function Resolve-BaseImage([string] $Engine) {
    if ($BaseImage) { return $BaseImage }
    if ($Engine -eq 'docker') { return $PublicBaseImage }
    # The short name: the engine resolves it against its own images and its configured registries.
    foreach ($candidate in $PublicBaseImage, $LocalBaseImage) {
        if (Test-ContainerImage $Engine $candidate) { return $candidate }
    }
    $PSNativeCommandUseErrorActionPreference = $false
    Write-Host "   $Engine pull $PublicBaseImage" -ForegroundColor DarkGray
    $pulled = & $Engine pull --quiet $PublicBaseImage 2>&1
    if ($LASTEXITCODE -eq 0) { return $PublicBaseImage }
    Write-Host "   no registry: $(@($pulled)[-1])" -ForegroundColor DarkGray
    New-LocalBaseImage -Engine $Engine
    $LocalBaseImage
}

function Invoke-Image {
    $engine = Get-ContainerEngine
    $version = (Get-ModuleVersion).Version
    $context = Join-Path $ImageOut 'context'
    $source = Join-Path $Root "src/$ModuleName.Worker"
    Write-Step "Image: self-contained linux-x64 publish of the worker -> $context/publish"
    if (Test-Path -LiteralPath $context) { Remove-Item -LiteralPath $context -Recurse -Force }
    $null = New-Item -ItemType Directory -Path $context -Force
    Copy-Item -LiteralPath (Join-Path $source 'Dockerfile'), (Join-Path $source '.dockerignore') -Destination $context
    Invoke-Native dotnet publish (Join-Path $source "$ModuleName.Worker.csproj") -c $Configuration -r linux-x64 --self-contained -nologo `
        -o (Join-Path $context 'publish')

    $base = Resolve-BaseImage -Engine $engine
    Write-Step "Image: $engine build ${ImageName}:$version from $base"
    $format = if ($engine -eq 'podman') { @('--format', 'docker') } else { @() }
    # --network host: the RUN step reaches the Debian archive as this machine does.
    Invoke-Native $engine build @format --network host --build-arg "BASE_IMAGE=$base" `
        -t "${ImageName}:$version" -t "${ImageName}:latest" -f (Join-Path $context 'Dockerfile') $context
    $PSNativeCommandUseErrorActionPreference = $false
    $size = [double](& $engine image inspect --format '{{.Size}}' "${ImageName}:$version")
    Write-Host ('   {0}:{1} ({2}): {3:N0} MB' -f $ImageName, $version, $engine, ($size / 1e6))
}

function Invoke-Bench {
    Invoke-Build
    # build/bench/WorkerContainer.ps1 runs the worker image.
    Invoke-Image
    Set-TestEnvironment
    $benches = @(Get-ChildItem -Path (Join-Path $Root 'build/bench') -Filter '*.ps1' | Sort-Object Name)
    if ($benches.Count -eq 0) { throw 'build/bench has no benchmark script.' }
    foreach ($bench in $benches) {
        Write-Step "Bench: build/bench/$($bench.Name)"
        $null = Invoke-ChildPwsh -File $bench.FullName
    }
}

$script:ExitCode = 0
Push-Location -LiteralPath $Root
try {
    switch ($Task) {
        'Bootstrap' { Invoke-Bootstrap }
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Package' { Invoke-Build; Invoke-Package }
        'Image' { Invoke-Image }
    }
}
finally {
    Pop-Location
}
exit $script:ExitCode
