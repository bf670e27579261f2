# The .nupkg that build.ps1 -Task Package writes (out/packages) installs with PSResourceGet from a
# local folder repository and imports in a fresh PowerShell, with the cmdlets and version of the build.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifest = Import-PowerShellDataFile -LiteralPath (Get-TestManifestPath)
    $script:packagePath = Get-TestPackagePath
    $script:installRoot = Join-Path ([IO.Path]::GetTempPath()) "remediation-package-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $installRoot
    # .NET resolves the per-user data folder to '' when XDG_DATA_HOME names a folder that does not exist, and
    # PSResourceGet would then write its repository list into the current directory: create it first.
    $null = New-Item -ItemType Directory -Path (Join-Path $installRoot 'data')

    # Install in a child process whose per-user data folder (where PSResourceGet keeps its
    # repository list and CurrentUser installs) is a temporary folder: the machine's own
    # repositories and modules are neither read nor changed.
    $script:install = Invoke-TestPwsh -Environment @{ XDG_DATA_HOME = (Join-Path $installRoot 'data'); LOCALAPPDATA = (Join-Path $installRoot 'data') } -Parameters @{
        PackagePath = $packagePath; Destination = (Join-Path $installRoot 'modules'); Version = $manifest.ModuleVersion
    } -ScriptBlock {
        $null = New-Item -ItemType Directory -Path $Destination -Force
        Register-PSResourceRepository -Name RemediationToolsLocal -Uri $PackagePath -Trusted
        try {
            $found = Find-PSResource -Name RemediationTools -Repository RemediationToolsLocal
            Save-PSResource -Name RemediationTools -Version $Version -Repository RemediationToolsLocal -Path $Destination -TrustRepository
            [pscustomobject]@{ FoundVersion = $found.Version.ToString(); Saved = @(Get-ChildItem -LiteralPath $Destination -Recurse -File).Count }
        }
        finally {
            Unregister-PSResourceRepository -Name RemediationToolsLocal
        }
    }
}

AfterAll {
    if ($script:installRoot -and (Test-Path -LiteralPath $installRoot)) {
        Remove-Item -LiteralPath $installRoot -Recurse -Force
    }
}

Describe 'RemediationTools package' {
    It 'is in out/packages with the version of the manifest' {
        Join-Path $packagePath "RemediationTools.$($manifest.ModuleVersion).nupkg" | Should -Exist
    }

    It 'installs from a local PSResourceGet repository' {
        $install.ExitCode | Should -Be 0 -Because $install.ErrorText
        $install.Result[0].FoundVersion | Should -Be $manifest.ModuleVersion
        $install.Result[0].Saved | Should -BeGreaterThan 3
        Join-Path $installRoot "modules/RemediationTools/$($manifest.ModuleVersion)/RemediationTools.psd1" | Should -Exist
    }

    It 'imports by name in a fresh PowerShell with the cmdlets and version of the build' {
        $modules = Join-Path $installRoot 'modules'
        $run = Invoke-TestPwsh -Parameters @{ Modules = $modules } -ScriptBlock {
            $env:PSModulePath = $Modules + [IO.Path]::PathSeparator + $env:PSModulePath
            $module = Import-Module -Name RemediationTools -PassThru
            [pscustomobject]@{
                Version  = $module.Version.ToString(3)
                Base     = $module.ModuleBase
                Commands = @(Get-Command -Module RemediationTools | Sort-Object Name | ForEach-Object Name)
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $imported = $run.Result[0]
        $imported.Version | Should -Be $manifest.ModuleVersion
        $imported.Base | Should -BeLike "$modules*"
        (@($imported.Commands) -join ',') | Should -Be (@($manifest.CmdletsToExport | Sort-Object) -join ',')
    }
}
