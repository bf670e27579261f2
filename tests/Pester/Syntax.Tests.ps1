# The syntax of every cmdlet, as Get-Command -Syntax shows it, against the reviewed snapshot Syntax.snapshot.txt. A
# change of a parameter, type or parameter set fails here until the snapshot is regenerated and read in review:
#   $env:REMEDIATION_UPDATE_SYNTAX_SNAPSHOT = '1'; Invoke-Pester tests/Pester/Syntax.Tests.ps1

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $module = Import-TestModule
    $script:snapshotPath = Join-Path $PSScriptRoot 'Syntax.snapshot.txt'
    $script:actual = @(Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name | ForEach-Object {
            "## $($_.Name)"
            ((Get-Command -Name $_.Name -Syntax) -split "`r?`n") | ForEach-Object { $_.Trim() } | Where-Object { $_ }
        })
    if ($env:REMEDIATION_UPDATE_SYNTAX_SNAPSHOT -eq '1') {
        Set-Content -LiteralPath $snapshotPath -Value $actual -Encoding utf8NoBOM
    }
}

Describe 'The syntax of every cmdlet' {
    It 'matches the reviewed snapshot Syntax.snapshot.txt' {
        $expected = @(Get-Content -LiteralPath $snapshotPath | Where-Object { $_ })
        $changes = @(Compare-Object -ReferenceObject $expected -DifferenceObject $actual | ForEach-Object {
                "$(if ($_.SideIndicator -eq '=>') { 'now ' } else { 'was ' })$($_.InputObject)"
            })
        $changes | Should -BeNullOrEmpty -Because "the syntax changed; regenerate the snapshot with REMEDIATION_UPDATE_SYNTAX_SNAPSHOT=1 and review it:`n$($changes -join "`n")"
    }

    It 'reads without Nullable types or untyped Object parameters' {
        ($actual -join "`n") | Should -Not -Match 'Nullable|<(Object|psobject)(\[\])?>'
    }
}
