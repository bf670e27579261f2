BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force

    function New-TestResult([string] $ResourceId, [string] $Status = 'Remediated') {
        $result = [RemediationTools.RemediationResult]::new()
        $result.JobId = 'security-group-close-port-5432'
        $result.AccountId = '123456789012'
        $result.Region = 'us-east-1'
        $result.ResourceId = $ResourceId
        $result.Status = $Status
        $record = [RemediationTools.RemediationUndoRecord]::new()
        $record.JobId = 'security-group-close-port-5432'
        $record.AccountId = '123456789012'
        $record.Region = 'us-east-1'
        $record.ResourceId = $ResourceId
        $record.Data = '{"GroupId":"' + $ResourceId + '"}'
        $result.UndoRecord = $record
        $result
    }
}

Describe 'Export-RemediationResult' {
    It 'writes the piped results as one JSON array with enum names and the undo record' {
        $file = Join-Path $TestDrive 'run.json'
        @((New-TestResult sg-1), (New-TestResult sg-2 -Status Skipped)) | Export-RemediationResult -Path $file
        $json = Get-Content -Raw -LiteralPath $file | ConvertFrom-Json
        @($json).Count | Should -Be 2
        $json[0].ResourceId | Should -Be 'sg-1'
        $json[1].Status | Should -Be 'Skipped'
        $json[0].UndoRecord.Data | Should -Be '{"GroupId":"sg-1"}'
    }

    It 'refuses to overwrite an existing file without -Force, and overwrites it with -Force' {
        $file = Join-Path $TestDrive 'exists.json'
        New-TestResult sg-1 | Export-RemediationResult -Path $file
        { New-TestResult sg-2 | Export-RemediationResult -Path $file -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,RemediationTools.Commands.ExportRemediationResultCommand' -ExpectedMessage '*exists.json*'
        (Import-RemediationResult -LiteralPath $file).ResourceId | Should -Be 'sg-1'
        New-TestResult sg-2 | Export-RemediationResult -Path $file -Force
        (Import-RemediationResult -LiteralPath $file).ResourceId | Should -Be 'sg-2'
    }

    It 'adds to the results already in the file with -Append' {
        $file = Join-Path $TestDrive 'audit.json'
        New-TestResult sg-1 | Export-RemediationResult -Path $file -Append
        New-TestResult sg-2 | Export-RemediationResult -Path $file -Append
        (Import-RemediationResult -LiteralPath $file).ResourceId | Should -Be @('sg-1', 'sg-2')
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'whatif.json'
        New-TestResult sg-1 | Export-RemediationResult -Path $file -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'returns the file with -PassThru' {
        $file = Join-Path $TestDrive 'passthru.json'
        $info = New-TestResult sg-1 | Export-RemediationResult -Path $file -PassThru
        $info | Should -BeOfType ([System.IO.FileInfo])
        $info.FullName | Should -Be (Get-Item -LiteralPath $file).FullName
    }

    It 'reports an object that is not a result as ResultInvalid and still writes the others' {
        $file = Join-Path $TestDrive 'mixed.json'
        @((New-TestResult sg-1), 42) | Export-RemediationResult -Path $file -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'ResultInvalid,RemediationTools.Commands.ExportRemediationResultCommand'
        (Import-RemediationResult -LiteralPath $file).ResourceId | Should -Be 'sg-1'
    }
}
