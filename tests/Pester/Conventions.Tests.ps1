# House rules of every cmdlet, checked by reflection over the built module (in the spirit of
# platyPS's test/Pester/Cmdlet.Tests.ps1). Each cmdlet is its own test case.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-TestModule
    # Verbs whose cmdlets change state, and so must support -WhatIf and -Confirm.
    $stateChangingVerbs = @(
        'Add', 'Clear', 'Close', 'Copy', 'Deploy', 'Disable', 'Dismount', 'Enable', 'Install', 'Invoke', 'Join',
        'Lock', 'Move', 'Mount', 'New', 'Publish', 'Register', 'Remove', 'Rename', 'Reset', 'Restart', 'Restore',
        'Resume', 'Revoke', 'Set', 'Start', 'Stop', 'Suspend', 'Undo', 'Uninstall', 'Unlock', 'Unpublish',
        'Unregister', 'Update', 'Grant', 'Deny', 'Approve', 'Block', 'Unblock', 'Protect', 'Unprotect', 'Sync')

    $cmdletCases = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            @{ Name = $_.Name; Verb = $_.Verb; ChangesState = $stateChangingVerbs -contains $_.Verb }
        })
    $stateChangingCases = @($cmdletCases | Where-Object { $_.ChangesState })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = Import-TestModule
    $script:repoRoot = Get-TestRepositoryRoot
    $script:manifest = Import-PowerShellDataFile -LiteralPath (Get-TestManifestPath)

    $script:commonParameters = [System.Collections.Generic.HashSet[string]]::new(
        [string[]]([System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters),
        [System.StringComparer]::OrdinalIgnoreCase)

    function Get-CmdletAttribute([string] $Name) {
        $type = (Get-Command -Name $Name -Module $module.Name).ImplementingType
        $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
    }

    function Get-HelpText($Value) {
        # Get-Help returns text as objects with a Text property, or arrays of them.
        (@($Value) | ForEach-Object { if ($_ -is [string]) { $_ } elseif ($null -ne $_) { $_.Text } }) -join "`n"
    }
}

Describe 'Module manifest' {
    It 'exports exactly the public cmdlet types of RemediationTools.dll, in sorted order' {
        $assembly = $module.ImplementingAssembly
        if ($null -eq $assembly) {
            $assembly = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'RemediationTools' } | Select-Object -First 1
        }
        $assembly | Should -Not -BeNullOrEmpty
        $types = @($assembly.GetExportedTypes() | Where-Object {
                $_.IsClass -and -not $_.IsAbstract -and $_.IsDefined([System.Management.Automation.CmdletAttribute], $false) })
        $expected = [System.Collections.Generic.List[string]]::new()
        foreach ($type in $types) {
            $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
            $expected.Add("$($attribute.VerbName)-$($attribute.NounName)")
        }
        $expected.Sort([System.StringComparer]::OrdinalIgnoreCase)

        $listed = @($manifest.CmdletsToExport)
        $sorted = [System.Collections.Generic.List[string]]::new([string[]]$listed)
        $sorted.Sort([System.StringComparer]::OrdinalIgnoreCase)
        ($listed -join ', ') | Should -BeExactly ($sorted -join ', ') -Because 'CmdletsToExport is sorted'
        ($listed -join ', ') | Should -BeExactly ($expected -join ', ')
        (@(Get-Command -Module $module.Name | Sort-Object Name).Name -join ', ') | Should -Be ($expected -join ', ')
    }

    It 'exports no functions, aliases or variables and supports Desktop and Core from 5.1' {
        @($manifest.FunctionsToExport).Count | Should -Be 0
        @($manifest.AliasesToExport).Count | Should -Be 0
        @($manifest.VariablesToExport).Count | Should -Be 0
        $manifest.RootModule | Should -Be 'RemediationTools.dll'
        $manifest.PowerShellVersion | Should -Be '5.1'
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
    }

    It 'has the version of Directory.Build.props' {
        $props = [xml](Get-Content -Raw -LiteralPath (Join-Path $repoRoot 'Directory.Build.props'))
        $manifest.ModuleVersion | Should -Be $props.SelectSingleNode('/Project/PropertyGroup/VersionPrefix').InnerText.Trim()
        $module.Version.ToString(3) | Should -Be $manifest.ModuleVersion
    }

    It 'keeps third-party assemblies in dependencies/ and only the module assemblies beside the manifest' {
        $modulePath = Get-TestModulePath
        @(Get-ChildItem -LiteralPath $modulePath -Filter '*.dll').Name | Sort-Object | Should -Be @('RemediationTools.Core.dll', 'RemediationTools.dll')
        @(Get-ChildItem -LiteralPath (Join-Path $modulePath 'dependencies') -Filter 'AWSSDK.Core.dll').Count | Should -Be 1
        Test-Path -LiteralPath (Join-Path $modulePath 'en-US/RemediationTools.dll-Help.xml') | Should -BeTrue
    }
}

Describe 'Cmdlet <Name>' -ForEach $cmdletCases {
    BeforeAll {
        $script:command = Get-Command -Name $Name -Module $module.Name
    }

    It 'uses an approved verb' {
        (Get-Verb).Verb | Should -Contain $Verb
    }

    It 'declares [OutputType] with a concrete type' {
        $outputTypes = @($command.OutputType)
        $outputTypes.Count | Should -BeGreaterThan 0 -Because "$Name needs [OutputType(typeof(...))]"
        foreach ($outputType in $outputTypes) {
            $outputType.Type | Should -Not -BeNullOrEmpty -Because "'$($outputType.Name)' must resolve to a type"
            $outputType.Type | Should -Not -Be ([object])
            $outputType.Type | Should -Not -Be ([psobject])
            $outputType.Type.IsInterface | Should -BeFalse
        }
    }

    It 'has a help page docs/en-US/<Name>.md and a test file tests/Pester/<Name>.Tests.ps1' {
        Join-Path $repoRoot "docs/en-US/$Name.md" | Should -Exist
        Join-Path $repoRoot "tests/Pester/$Name.Tests.ps1" | Should -Exist
    }

    It 'has compiled help with a synopsis, a description and at least one example' {
        $help = Get-Help -Name $Name -Full
        $synopsis = "$($help.Synopsis)".Trim()
        $synopsis | Should -Not -BeNullOrEmpty
        # Without MAML help, Get-Help makes the synopsis up from the syntax.
        $synopsis | Should -Not -BeLike "$Name *"
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterThan 0
        foreach ($example in $examples) {
            "$($example.code)".Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'has help text for every parameter' {
        $help = Get-Help -Name $Name -Full
        $documented = @{}
        foreach ($parameter in @($help.parameters.parameter)) {
            # Without compiled help, Get-Help makes parameter entries up without a description.
            $description = $parameter.PSObject.Properties['description']
            if ($null -ne $description) { $documented[$parameter.name] = Get-HelpText $description.Value }
        }
        foreach ($parameterName in $command.Parameters.Keys) {
            if ($commonParameters.Contains($parameterName)) { continue }
            $documented.ContainsKey($parameterName) | Should -BeTrue -Because "-$parameterName needs a '### -$parameterName' section"
            $documented[$parameterName].Trim() | Should -Not -BeNullOrEmpty -Because "-$parameterName needs text"
        }
    }

    It 'shows no Nullable or untyped Object parameter in its syntax' {
        $syntax = (Get-Command -Name $Name -Syntax) -join "`n"
        $syntax | Should -Not -Match 'Nullable' -Because 'a "was it bound" check keeps the type readable'
        $syntax | Should -Not -Match '<(Object|psobject)(\[\])?>' -Because 'every parameter has a type a user can read'
    }

    It 'explains every example' {
        foreach ($example in @((Get-Help -Name $Name -Full).examples.example)) {
            Get-HelpText $example.remarks | Should -Not -BeNullOrEmpty -Because "'$($example.title.Trim('- '))' needs text after its code"
        }
    }

    It 'lists its related links one per line' {
        foreach ($link in @((Get-Help -Name $Name -Full).relatedLinks.navigationLink)) {
            "$($link.linkText)" | Should -Not -Match '\S\s+\S+-\S+' -Because 'each related link is its own line in the page'
        }
    }

    It 'has help parameter metadata that matches the cmdlet: wildcards, pipeline input, default value' {
        $help = Get-Help -Name $Name -Full
        $instance = [Activator]::CreateInstance($command.ImplementingType)
        foreach ($parameter in $command.Parameters.Values) {
            if ($commonParameters.Contains($parameter.Name)) { continue }
            $entry = @($help.parameters.parameter | Where-Object name -eq $parameter.Name)[0]
            $wildcards = @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
            $entry.globbing | Should -Be "$wildcards".ToLowerInvariant() -Because "-$($parameter.Name) [SupportsWildcards] is $wildcards"
            $inSets = @($parameter.ParameterSets.Values)
            $byValue = @($inSets | Where-Object ValueFromPipeline).Count -gt 0
            $byName = @($inSets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
            $pipeline = if ($byValue -and $byName) { 'True (ByPropertyName, ByValue)' } elseif ($byValue) { 'True (ByValue)' } elseif ($byName) { 'True (ByPropertyName)' } else { 'False' }
            $entry.pipelineInput | Should -Be $pipeline -Because "-$($parameter.Name) binds from the pipeline as: $pipeline"
            $property = $command.ImplementingType.GetProperty($parameter.Name)
            $value = if ($property -and $property.PropertyType -ne [switch]) { $property.GetValue($instance) }
            if ($value -is [string] -or $value -is [int] -or $value -is [enum]) {
                if ("$value".Length -gt 0 -and -not ($value -is [int] -and $value -lt 0)) {
                    "$($entry.defaultValue)" | Should -BeLike "$value*" -Because "-$($parameter.Name) defaults to '$value'"
                }
            }
        }
    }
}

Describe 'State-changing cmdlet <Name>' -ForEach $stateChangingCases {
    It 'supports -WhatIf and -Confirm through ShouldProcess' {
        (Get-CmdletAttribute $Name).SupportsShouldProcess | Should -BeTrue
        $command = Get-Command -Name $Name -Module $module.Name
        $command.Parameters.ContainsKey('WhatIf') | Should -BeTrue
        $command.Parameters.ContainsKey('Confirm') | Should -BeTrue
    }
}
