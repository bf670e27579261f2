# The help compiler end to end: the sample page and a sample cmdlet compiled with Add-Type, then
# Get-Help in a fresh PowerShell; and every kind of invalid page fails with a clear message.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tests/Pester/TestHelpers.psm1') -Force
    $script:compiler = @(Get-ChildItem -Path (Join-Path $PSScriptRoot 'bin/*/net10.0/HelpCompiler.dll') |
            Sort-Object LastWriteTime -Descending)[0].FullName
    $script:work = Join-Path ([IO.Path]::GetTempPath()) "remediation-help-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $work

    function Invoke-HelpCompiler([string] $Docs, [string] $Out, [string] $Metadata) {
        $arguments = @($compiler, '--docs', $Docs, '--out', $Out, '--assembly', 'SampleWidgets.dll')
        if ($Metadata) { $arguments += '--metadata', $Metadata }
        $output = & dotnet @arguments 2>&1
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Text = ($output | Out-String) }
    }

    function New-InvalidPage([string] $Name, [string] $Markdown) {
        $folder = Join-Path $work "invalid-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $folder
        Set-Content -LiteralPath (Join-Path $folder "$Name.md") -Value $Markdown
        $folder
    }

    # The sample cmdlet, compiled, and its metadata as build.ps1 produces it.
    $script:assembly = Join-Path $work 'SampleWidgets.dll'
    $compile = Invoke-TestPwsh -Parameters @{ Source = (Join-Path $PSScriptRoot 'Samples/SampleWidgetCommand.cs'); Assembly = $assembly } -ScriptBlock {
        Add-Type -Path $Source -OutputAssembly $Assembly -OutputType Library
    }
    if ($compile.ExitCode -ne 0) { throw "The sample cmdlet did not compile: $($compile.ErrorText)" }
    $script:metadata = Join-Path $work 'metadata.json'
    $read = Invoke-TestPwsh -Parameters @{ Script = (Join-Path $PSScriptRoot '../Get-ModuleMetadata.ps1'); Assembly = $assembly; OutFile = $metadata } -ScriptBlock {
        & $Script -AssemblyPath $Assembly -OutFile $OutFile
    }
    if ($read.ExitCode -ne 0) { throw "Get-ModuleMetadata.ps1 failed: $($read.ErrorText)" }
    $script:compiled = Invoke-HelpCompiler -Docs (Join-Path $PSScriptRoot 'Samples/en-US') -Out (Join-Path $work 'en-US') -Metadata $metadata

    $script:validPage = Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'Samples/en-US/Get-SampleWidget.md')
}

AfterAll {
    if ($script:work -and (Test-Path -LiteralPath $work)) { Remove-Item -LiteralPath $work -Recurse -Force }
}

Describe 'Help compiler' {
    It 'compiles the sample page and about topic' {
        $compiled.ExitCode | Should -Be 0 -Because $compiled.Text
        Join-Path $work 'en-US/SampleWidgets.dll-Help.xml' | Should -Exist
        Join-Path $work 'en-US/about_SampleWidget.help.txt' | Should -Exist
        $maml = [xml](Get-Content -Raw -LiteralPath (Join-Path $work 'en-US/SampleWidgets.dll-Help.xml'))
        $maml.helpItems.schema | Should -Be 'maml'
    }

    It 'gives Get-Help -Full, -Examples and -Parameter their content' {
        $run = Invoke-TestPwsh -Parameters @{ Assembly = $assembly } -ScriptBlock {
            Import-Module -Name $Assembly
            $help = Get-Help Get-SampleWidget -Full
            [pscustomobject]@{
                Synopsis      = $help.Synopsis
                Description   = ($help.description.Text -join "`n")
                ExampleCount  = @((Get-Help Get-SampleWidget -Examples).examples.example).Count
                ExampleCode   = @($help.examples.example)[1].code
                NameText      = ((Get-Help Get-SampleWidget -Parameter Name).description.Text -join ' ')
                NamePipeline  = (Get-Help Get-SampleWidget -Parameter Name).pipelineInput
                NamePosition  = (Get-Help Get-SampleWidget -Parameter Name).position
                NameDefault   = (Get-Help Get-SampleWidget -Parameter Name).defaultValue
                NameAliases   = (Get-Help Get-SampleWidget -Parameter Name).aliases
                NameGlobbing  = (Get-Help Get-SampleWidget -Parameter Name).globbing
                Links         = @($help.relatedLinks.navigationLink | ForEach-Object { "$($_.linkText)" })
                Syntax        = (($help.syntax | Out-String) -replace '\s+', ' ').Trim()
                Output        = (Get-Help Get-SampleWidget -Full | Out-String -Width 200)
            }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $help = $run.Result[0]
        $help.Synopsis | Should -Be 'Gets sample widgets by name.'
        $help.Description | Should -Match 'exists only to test the help compiler'
        $help.Description | Should -Match 'link \(https://example.com/widgets\)'
        $help.ExampleCount | Should -Be 2
        $help.ExampleCode | Should -Be "Get-SampleWidget -Name 'gear*' -IncludeRetired"
        $help.NameText | Should -Be 'The names of the widgets to get. Wildcards are permitted.'
        $help.NamePipeline | Should -Be 'True (ByValue)'
        $help.NamePosition | Should -Be '1'
        $help.NameDefault | Should -Be 'All widgets'
        $help.NameAliases | Should -Be 'WidgetName'
        $help.NameGlobbing | Should -Be 'true'
        # One link per line of the page, also lines of one paragraph.
        $help.Links | Should -Be @('Online documentation', 'about_SampleWidget', 'Get-Help', 'Get-Command')
        $help.Syntax | Should -Be 'Get-SampleWidget [[-Name] <String[]>] [-IncludeRetired] [<CommonParameters>]'
        $help.Output | Should -Match 'Example 1: Get every widget'
        $help.Output | Should -Match 'Online documentation https://example.com/Get-SampleWidget'
    }

    It 'writes the about topic as wrapped, indented text' {
        $text = Get-Content -LiteralPath (Join-Path $work 'en-US/about_SampleWidget.help.txt')
        $text[0] | Should -Be 'TOPIC'
        $text[1] | Should -Be '    about_SampleWidget'
        $text | Should -Contain 'SHORT DESCRIPTION'
        $text | Should -Contain 'LONG DESCRIPTION'
        ($text | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 80
    }

    It 'fails on a page that claims wildcards for a parameter without [SupportsWildcards], or another default than the cmdlet''s' {
        $claims = $validPage -replace '(?s)(### -IncludeRetired\s+[^\n]+\n)', "`$1`n``````yaml`nAccept wildcard characters: True`n```````n"
        $folder = New-InvalidPage -Name 'Get-SampleWidget' -Markdown $claims
        $result = Invoke-HelpCompiler -Docs $folder -Out (Join-Path $folder 'out') -Metadata $metadata
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match ([regex]::Escape("'### -IncludeRetired' says 'Accept wildcard characters: True', but the parameter has no [SupportsWildcards]"))
    }

    It 'fails on a page <Case>' -ForEach @(
        @{ Case = 'without a synopsis'; Find = '(?s)## SYNOPSIS.*?(?=## SYNTAX)'; Replace = ''; Message = "missing section '## SYNOPSIS'" }
        @{ Case = 'with an empty description'; Find = '(?s)(## DESCRIPTION).*?(?=## EXAMPLES)'; Replace = "`$1`n`n"; Message = "section '## DESCRIPTION' has no text" }
        @{ Case = 'without examples'; Find = '(?s)## EXAMPLES.*?(?=## PARAMETERS)'; Replace = ''; Message = "missing section '## EXAMPLES'" }
        @{ Case = 'with an example without code'; Find = '(?s)(### Example 1: Get every widget).*?(?=### Example 2)'; Replace = "`$1`n`nText only.`n`n"; Message = 'has no ```powershell code block' }
        @{ Case = 'with a parameter without text'; Find = '(?s)(### -IncludeRetired).*?(?=### CommonParameters)'; Replace = "`$1`n`n"; Message = "parameter '-IncludeRetired' has no text" }
        @{ Case = 'with a misspelt section'; Find = '## NOTES'; Replace = '## NOTE'; Message = "unknown section '## NOTE'" }
        @{ Case = 'whose title is not its file name'; Find = '^# Get-SampleWidget'; Replace = '# Get-Widget'; Message = 'does not match the file name' }
    ) {
        $folder = New-InvalidPage -Name 'Get-SampleWidget' -Markdown ($validPage -replace $Find, $Replace)
        $result = Invoke-HelpCompiler -Docs $folder -Out (Join-Path $folder 'out')
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match ([regex]::Escape($Message))
        $result.Text | Should -Match 'Get-SampleWidget\.md:\d+: error:'
        Join-Path $folder 'out/SampleWidgets.dll-Help.xml' | Should -Not -Exist
    }

    It 'fails when a parameter of the compiled cmdlet has no text, naming it' {
        $folder = New-InvalidPage -Name 'Get-SampleWidget' -Markdown ($validPage -replace '(?s)### -IncludeRetired.*?(?=### CommonParameters)', '')
        $result = Invoke-HelpCompiler -Docs $folder -Out (Join-Path $folder 'out') -Metadata $metadata
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match "parameter '-IncludeRetired' of Get-SampleWidget has no '### -IncludeRetired' text"
    }

    It 'fails on a page for a cmdlet the module does not have' {
        $folder = New-InvalidPage -Name 'Get-Gadget' -Markdown ($validPage -replace '^# Get-SampleWidget', '# Get-Gadget')
        $result = Invoke-HelpCompiler -Docs $folder -Out (Join-Path $folder 'out') -Metadata $metadata
        $result.ExitCode | Should -Be 1
        $result.Text | Should -Match "'Get-Gadget' is not a cmdlet of module SampleWidgets"
    }
}
