<#
.SYNOPSIS
    Writes a .nupkg of the staged module with PSResourceGet.
.DESCRIPTION
    Registers a temporary local folder repository on the destination folder, publishes the module
    into it with Publish-PSResource (which writes <Name>.<Version>.nupkg there), and unregisters
    the repository again. build.ps1 -Task Package runs it in its own `dotnet pwsh` process.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DestinationPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'RemediationTools.psd1')
$null = New-Item -ItemType Directory -Path $DestinationPath -Force
$DestinationPath = (Resolve-Path -LiteralPath $DestinationPath).ProviderPath
Get-ChildItem -LiteralPath $DestinationPath -Filter 'RemediationTools.*.nupkg' | Remove-Item -Force

$repository = 'RemediationToolsBuild' + [guid]::NewGuid().ToString('N').Substring(0, 8)
Register-PSResourceRepository -Name $repository -Uri $DestinationPath -Trusted
try {
    Publish-PSResource -Path $ModulePath -Repository $repository
}
finally {
    Unregister-PSResourceRepository -Name $repository
}

$package = Get-ChildItem -LiteralPath $DestinationPath -Filter "RemediationTools.$($manifest.ModuleVersion)*.nupkg"
if (-not $package) {
    throw "Publish-PSResource wrote no RemediationTools.$($manifest.ModuleVersion) package to $DestinationPath."
}
Write-Host "   $($package.FullName)"
