<#
.SYNOPSIS
    Reads the cmdlets of a compiled binary module and writes them as JSON for the build.
.DESCRIPTION
    Runs in its own `dotnet pwsh -NoProfile` process (build.ps1 starts it) so that the build session
    never loads, and so never locks, the module's assemblies. CmdletsToExport comes from reflection
    over the public cmdlet types of the assembly; the per-cmdlet facts (parameter sets, types,
    positions, pipeline input, aliases, output types) come from Get-Command and feed the help compiler.
#>
[CmdletBinding()]
param(
    # The compiled module assembly (the staged out/RemediationTools/RemediationTools.dll).
    [Parameter(Mandatory)] [string] $AssemblyPath,
    [Parameter(Mandatory)] [string] $OutFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$module = Import-Module -Name $AssemblyPath -PassThru -Force
$assembly = $module.ImplementingAssembly
if ($null -eq $assembly) {
    $assembly = [System.Reflection.Assembly]::LoadFrom((Resolve-Path -LiteralPath $AssemblyPath).ProviderPath)
}

$cmdletTypes = @($assembly.GetExportedTypes() | Where-Object {
        $_.IsClass -and -not $_.IsAbstract -and
        $_.IsDefined([System.Management.Automation.CmdletAttribute], $false)
    })
$cmdletNames = [System.Collections.Generic.List[string]]::new()
foreach ($type in $cmdletTypes) {
    $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
    $cmdletNames.Add("$($attribute.VerbName)-$($attribute.NounName)")
}
$cmdletNames.Sort([System.StringComparer]::OrdinalIgnoreCase)

# Common parameters are documented by PowerShell itself; WhatIf and Confirm stay, as in platyPS.
$common = [System.Collections.Generic.HashSet[string]]::new([System.StringComparer]::OrdinalIgnoreCase)
foreach ($name in [System.Management.Automation.Cmdlet]::CommonParameters) { [void]$common.Add($name) }

function Get-ShortTypeName([type] $Type) {
    if ($Type.IsArray) { return (Get-ShortTypeName $Type.GetElementType()) + '[]' }
    if ($Type.IsGenericType) {
        $arguments = ($Type.GetGenericArguments() | ForEach-Object { Get-ShortTypeName $_ }) -join ', '
        return ($Type.Name -replace '`\d+$') + "[$arguments]"
    }
    return $Type.Name
}

$commands = foreach ($name in $cmdletNames) {
    $command = Get-Command -Name $name -Module $module.Name -CommandType Cmdlet
    $parameters = foreach ($parameter in $command.Parameters.Values) {
        if ($common.Contains($parameter.Name)) { continue }
        [ordered]@{
            Name         = $parameter.Name
            TypeName     = Get-ShortTypeName $parameter.ParameterType
            TypeFullName = $parameter.ParameterType.FullName
            IsSwitch     = $parameter.SwitchParameter
            IsArray      = $parameter.ParameterType.IsArray
            Aliases      = @($parameter.Aliases)
        }
    }
    $sets = foreach ($set in $command.ParameterSets) {
        [ordered]@{
            Name       = $set.Name
            IsDefault  = $set.IsDefault
            Parameters = @(foreach ($parameter in $set.Parameters) {
                    if ($common.Contains($parameter.Name)) { continue }
                    [ordered]@{
                        Name                            = $parameter.Name
                        IsMandatory                     = $parameter.IsMandatory
                        Position                        = $parameter.Position
                        ValueFromPipeline               = $parameter.ValueFromPipeline
                        ValueFromPipelineByPropertyName = $parameter.ValueFromPipelineByPropertyName
                    }
                })
        }
    }
    [ordered]@{
        Name          = $command.Name
        Verb          = $command.Verb
        Noun          = $command.Noun
        OutputTypes   = @($command.OutputType | ForEach-Object { if ($_.Type) { $_.Type.FullName } else { $_.Name } })
        Parameters    = @($parameters)
        ParameterSets = @($sets)
    }
}

$metadata = [ordered]@{
    ModuleName      = $module.Name
    CmdletsToExport = @($cmdletNames)
    Commands        = @($commands)
}
$metadata | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $OutFile -Encoding utf8NoBOM
