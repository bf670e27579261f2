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

# The value a parameter's property has before binding (its initializer), as help shows a default; null when there is
# none worth showing (null, empty, a switch, or a cmdlet that cannot be created without the engine).
function Get-DefaultValue($Instance, [type] $Type, [string] $Name) {
    if ($null -eq $Instance) { return $null }
    $property = $Type.GetProperty($Name)
    if ($null -eq $property -or $property.PropertyType -eq [System.Management.Automation.SwitchParameter]) { return $null }
    $value = $property.GetValue($Instance)
    if ($null -eq $value -or ($value -is [string] -and $value.Length -eq 0) -or ($value -is [array] -and $value.Count -eq 0)) { return $null }
    if ($value -is [System.Collections.IDictionary] -or ($value -is [System.Collections.IEnumerable] -and $value -isnot [string])) { return $null }
    # A negative number is a "not given" sentinel (MaxChanges -1 = no limit): the page says what it means.
    if (($value -is [int] -or $value -is [long] -or $value -is [double]) -and $value -lt 0) { return $null }
    if ($value -is [TimeSpan]) { return $value.ToString('c', [cultureinfo]::InvariantCulture) }
    if ($value -is [System.IFormattable]) { return $value.ToString($null, [cultureinfo]::InvariantCulture) }
    "$value"
}

$commands = foreach ($name in $cmdletNames) {
    $command = Get-Command -Name $name -Module $module.Name -CommandType Cmdlet
    $instance = try { [Activator]::CreateInstance($command.ImplementingType) } catch { $null }
    $parameters = foreach ($parameter in $command.Parameters.Values) {
        if ($common.Contains($parameter.Name)) { continue }
        [ordered]@{
            Name              = $parameter.Name
            TypeName          = Get-ShortTypeName $parameter.ParameterType
            TypeFullName      = $parameter.ParameterType.FullName
            IsSwitch          = $parameter.SwitchParameter
            IsArray           = $parameter.ParameterType.IsArray
            Aliases           = @($parameter.Aliases)
            SupportsWildcards = [bool]@($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
            DefaultValue      = Get-DefaultValue $instance $command.ImplementingType $parameter.Name
        }
    }
    if ($instance -is [IDisposable]) { $instance.Dispose() }
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
