BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force

    function New-TestResult([string] $ResourceId) {
        $result = [RemediationTools.RemediationResult]::new()
        $result.JobId = 'security-group-close-port-5432'
        $result.Region = 'us-east-1'
        $result.ResourceId = $ResourceId
        $result.Status = 'Remediated'
        $result.Duration = [timespan]::FromMilliseconds(1500)
        $result
    }
}

Describe 'Import-RemediationResult' {
    It 'returns typed results with the saved values' {
        $file = Join-Path $TestDrive 'run.json'
        @((New-TestResult sg-1), (New-TestResult sg-2)) | Export-RemediationResult -Path $file
        $results = Import-RemediationResult -Path $file
        $results | Should -HaveCount 2
        $results[0] | Should -BeOfType ([RemediationTools.RemediationResult])
        $results[0].Status | Should -Be ([RemediationTools.RemediationStatus]::Remediated)
        $results[1].ResourceId | Should -Be 'sg-2'
        $results[0].Duration | Should -Be ([timespan]::FromMilliseconds(1500))
    }

    It 'reads every file a wildcard matches, and files piped from Get-ChildItem' {
        $folder = Join-Path $TestDrive 'runs'
        $null = New-Item -ItemType Directory -Path $folder
        New-TestResult sg-a | Export-RemediationResult -Path (Join-Path $folder 'a.json')
        New-TestResult sg-b | Export-RemediationResult -Path (Join-Path $folder 'b.json')
        (Import-RemediationResult -Path (Join-Path $folder '*.json')).ResourceId | Sort-Object | Should -Be @('sg-a', 'sg-b')
        (Get-ChildItem -LiteralPath $folder -Filter *.json | Import-RemediationResult).ResourceId | Sort-Object | Should -Be @('sg-a', 'sg-b')
    }

    It 'reports a file that is not JSON as ResultInvalid naming it, and goes on with the next' {
        $bad = Join-Path $TestDrive 'bad.json'
        $good = Join-Path $TestDrive 'good.json'
        Set-Content -LiteralPath $bad -Value '{ not json'
        New-TestResult sg-ok | Export-RemediationResult -Path $good
        $results = Import-RemediationResult -LiteralPath $bad, $good -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'ResultInvalid,RemediationTools.Commands.ImportRemediationResultCommand'
        $errs[0].Exception.Message | Should -Match 'bad\.json'
        $results.ResourceId | Should -Be 'sg-ok'
    }

    It 'reports a missing -LiteralPath file as PathNotFound' {
        Import-RemediationResult -LiteralPath (Join-Path $TestDrive 'missing.json') -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'PathNotFound,RemediationTools.Commands.ImportRemediationResultCommand'
    }
}
