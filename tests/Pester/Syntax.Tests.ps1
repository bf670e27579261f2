# The syntax of every cmdlet, as `Get-Command -Syntax` shows it, against a reviewed snapshot
# (tests/Pester/Syntax.snapshot.txt). A change of a parameter, a parameter set or a type shows up here, so a reviewer
# reads it in the diff of the snapshot. When the change is meant: the failure writes the new syntax next to the test
# results; review it and copy it over the snapshot.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:module = Import-TestModule
    $script:snapshotPath = Join-Path $PSScriptRoot 'Syntax.snapshot.txt'

    function Get-ModuleSyntax {
        $lines = foreach ($command in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
            '## ' + $command.Name
            # One line per parameter set, in the order PowerShell shows them; trailing blanks dropped.
            (Get-Command -Name $command.Name -Module $module.Name -Syntax) -split "`r?`n" |
                ForEach-Object { $_.TrimEnd() } |
                Where-Object { $_ -ne '' }
            ''
        }
        ($lines -join "`n").TrimEnd() + "`n"
    }
}

Describe 'Cmdlet syntax' {
    It 'equals the reviewed snapshot (Syntax.snapshot.txt)' {
        $actual = Get-ModuleSyntax
        $expected = if (Test-Path -LiteralPath $snapshotPath) { (Get-Content -Raw -LiteralPath $snapshotPath) -replace "`r`n", "`n" } else { '' }
        if ($actual -ne $expected) {
            $resultsFolder = Join-Path (Get-TestRepositoryRoot) 'out/test-results'
            $null = New-Item -ItemType Directory -Path $resultsFolder -Force
            $actualPath = Join-Path $resultsFolder 'Syntax.actual.txt'
            Set-Content -LiteralPath $actualPath -Value $actual -NoNewline -Encoding utf8
            $expectedLines = $expected -split "`n"
            $actualLines = $actual -split "`n"
            $differences = Compare-Object $expectedLines $actualLines | ForEach-Object {
                ($(if ($_.SideIndicator -eq '=>') { '+ ' } else { '- ' })) + $_.InputObject
            }
            throw ("The syntax of the module's cmdlets changed (+ new, - snapshot):`n" + ($differences -join "`n") +
                "`nIf the change is meant, review and copy $actualPath over tests/Pester/Syntax.snapshot.txt.")
        }
        $actual | Should -BeExactly $expected
    }

    It 'shows no Nullable or untyped Object parameter in any syntax line' {
        $offending = (Get-ModuleSyntax) -split "`n" | Where-Object { $_ -match 'Nullable|<Object(\[\])?>|<psobject(\[\])?>' }
        $offending | Should -BeNullOrEmpty -Because 'each parameter shows the type a user passes'
    }
}
