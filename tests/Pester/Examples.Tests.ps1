# Every runbook in examples/ runs against the AWS sandbox, as a user would run it.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:root = Get-TestRepositoryRoot
}

Describe 'examples/Demo.ps1' {
    It 'fixes the public 5432 rule, keeps every other rule, and changes nothing with -WhatIf' {
        $run = Invoke-TestPwsh -Parameters @{
            Demo = Join-Path $root 'examples/Demo.ps1'; ModulePath = Get-TestModulePath; SandboxPath = Get-TestSandboxPath
        } -ScriptBlock {
            & $Demo -ModulePath $ModulePath -SandboxPath $SandboxPath 6>&1 | ForEach-Object { "$_" }
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $text = $run.Result -join "`n"
        $text | Should -Match 'Rules unchanged after -WhatIf: True'
        $text | Should -Match 'Second run: AlreadyCompliant'
        $after = $text.Substring($text.IndexOf('after:'))
        $after | Should -Match 'tcp 5400-5431 from ::/0'
        $after | Should -Match 'tcp 5432 from 10\.0\.0\.0/16'
        $after | Should -Not -Match 'tcp 5432 from 0\.0\.0\.0/0'
        $text | Should -Match 'Demo finished'
    }
}

Describe 'examples/Onboarding.ps1' {
    It 'onboards two accounts and a worker role, and every account is ready from the worker role' {
        $run = Invoke-TestPwsh -Parameters @{
            Runbook = Join-Path $root 'examples/Onboarding.ps1'; ModulePath = Get-TestModulePath; SandboxPath = Get-TestSandboxPath
        } -ScriptBlock {
            $reports = & $Runbook -Sandbox -Job security-group-close-port-5432 -ModulePath $ModulePath -SandboxPath $SandboxPath 6>$null
            $reports | Select-Object AccountId, IsReady, ExternalIdEnforced, HasDrift, RoleArn
        }
        $run.ExitCode | Should -Be 0 -Because $run.ErrorText
        $reports = @($run.Result)
        $reports.Count | Should -Be 2
        $reports.IsReady | Should -Be @($true, $true)
        $reports.ExternalIdEnforced | Should -Be @($true, $true)
        $reports.HasDrift | Should -Be @($false, $false)
        ($reports.AccountId | Sort-Object -Unique).Count | Should -Be 2
    }
}
