# The job reference (docs/Jobs.md and about_RemediationTools_Jobs) says what the catalog does: it is generated from
# Get-RemediationJob by build/Write-JobReference.ps1, and this test fails when the committed page is stale.

BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $script:repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:generated = & (Join-Path $repoRoot 'build/Write-JobReference.ps1') -PassThru
    $script:jobs = @(Get-RemediationJob)
    $script:regenerate = 'regenerate it with `dotnet pwsh ./build.ps1 -Task Build` (or `dotnet pwsh -NoProfile -File build/Write-JobReference.ps1 -ModulePath out/RemediationTools -JobsPath docs/Jobs.md`) and commit docs/Jobs.md'
}

Describe 'The job reference' {
    It 'docs/Jobs.md is what the catalog gives' {
        $onDisk = Get-Content -Raw -LiteralPath (Join-Path $repoRoot 'docs/Jobs.md')
        ($onDisk -replace "`r`n", "`n") -eq $generated.Page | Should -BeTrue -Because "docs/Jobs.md differs from Get-RemediationJob: $regenerate"
    }

    It 'the committed docs/Jobs.md is what the catalog gives' {
        $git = Get-Command git -CommandType Application -ErrorAction SilentlyContinue
        $tracked = $git -and (& git -C $repoRoot ls-files -- docs/Jobs.md 2>$null)
        if (-not $tracked) { Set-ItResult -Skipped -Because 'not a git work tree with docs/Jobs.md tracked' ; return }
        $committed = (& git -C $repoRoot show HEAD:docs/Jobs.md) -join "`n"
        "$committed`n" -eq $generated.Page | Should -BeTrue -Because "the committed docs/Jobs.md differs from Get-RemediationJob: $regenerate"
    }

    It 'has a section for every job with its rule IDs, Security Hub controls, IAM actions and parameters' {
        foreach ($job in $jobs) {
            $section = ($generated.Page -split "`n## ") | Where-Object { $_.StartsWith("$($job.Id)`n") }
            $section | Should -Not -BeNullOrEmpty -Because "job $($job.Id) needs a section"
            foreach ($ruleId in $job.RuleIds) { $section | Should -Match ([regex]::Escape("``$ruleId``")) }
            foreach ($action in $job.IamActions) { $section | Should -Match ([regex]::Escape("``$action``")) }
            foreach ($control in $job.SecurityHubControls) { $section | Should -Match ([regex]::Escape($control)) }
            foreach ($parameter in $job.Parameters) { $section | Should -Match ([regex]::Escape("``-$($parameter.Name)``")) }
        }
    }

    It 'Get-RemediationJob shows each job''s Security Hub controls, from the parser''s mapping' {
        (Get-RemediationJob -Id s3-remove-public-access).SecurityHubControls | Should -Be @('S3.2', 'S3.3', 'S3.8')
        (Get-RemediationJob -Id security-group-close-port-22).SecurityHubControls | Should -Be @('EC2.13')
        (Get-RemediationJob -Id ec2-close-port-20).SecurityHubControls | Should -BeNullOrEmpty
    }

    It 'Get-Help about_RemediationTools_Jobs shows every job after import' {
        $text = Get-Help about_RemediationTools_Jobs | Out-String
        $text | Should -Match 'about_RemediationTools_Jobs'
        foreach ($job in $jobs) { $text | Should -Match ([regex]::Escape($job.Id.ToUpperInvariant())) }
        $text | Should -Match ([regex]::Escape('<prefix>-<account>-<region>'))
    }
}
