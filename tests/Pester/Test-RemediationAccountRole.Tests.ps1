BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hostingRoot = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloudRoot = New-AwsSandboxAccount -Sandbox $sandbox
    $script:hostingAdmin = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hostingRoot.accountId -UserName 'hosting-admin'
    $script:externalId = 'o-pester0002'
    $script:cloudAws = @{ AccessKey = $cloudRoot.accessKeyId; SecretKey = $cloudRoot.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:hostingAws = @{ AccessKey = $hostingAdmin.accessKeyId; SecretKey = $hostingAdmin.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    function Test-Role([string] $Account, [string] $Name) {
        try { $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $Account -Service iam -Action GetRole -Parameters @{ RoleName = $Name }; $true } catch { $false }
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Test-RemediationAccountRole' {
    BeforeAll {
        $script:job = (Get-RemediationJob)[0]
        $script:role = New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -ExternalId $externalId -Job $job.Id @cloudAws
    }

    It 'binds New-RemediationAccountRole output and reports a ready role' {
        $report = $role | Test-RemediationAccountRole @cloudAws -SourceAccessKey $hostingAdmin.accessKeyId -SourceSecretKey $hostingAdmin.secretAccessKey
        $report | Should -BeOfType ([RemediationTools.RemediationAccountRoleReport])
        $report.IsReady | Should -BeTrue -Because ($report.Findings -join ' | ')
        $report.Jobs | Should -Be @($job.Id)
        $report.MissingActions | Should -BeNullOrEmpty
        $report.ExcessActions | Should -BeNullOrEmpty
    }

    It 'lists missing actions for jobs the role was not made for' {
        $other = (Get-RemediationJob | Where-Object { @($_.IamActions | Where-Object { $job.IamActions -notcontains $_ }).Count -gt 0 } | Select-Object -First 1)
        $other | Should -Not -BeNullOrEmpty -Because 'the catalog has a job with an action the first job lacks'
        $report = Test-RemediationAccountRole -RoleArn $role.RoleArn -ExternalId $externalId -Job $other.Id @cloudAws -SourceAccessKey $hostingAdmin.accessKeyId -SourceSecretKey $hostingAdmin.secretAccessKey
        $report.IsReady | Should -BeFalse
        $report.MissingActions | Should -Be @($other.IamActions | Where-Object { $job.IamActions -notcontains $_ } | Sort-Object -Unique)
    }

    It 'checks a role made with -IncludeUndo for the undo actions, which are excess only without -IncludeUndo' {
        $undoJob = Get-RemediationJob | Where-Object { $candidate = $_; @($candidate.UndoIamActions | Where-Object { $candidate.IamActions -notcontains $_ }).Count -gt 0 } | Select-Object -First 1
        $undoRole = New-RemediationAccountRole -RoleName 'RemediationToolsUndo' -HostingAccountId $hostingRoot.accountId -ExternalId $externalId -Job $undoJob.Id -IncludeUndo @cloudAws
        $undoRole.IncludeUndo | Should -BeTrue
        $source = @{ SourceAccessKey = $hostingAdmin.accessKeyId; SourceSecretKey = $hostingAdmin.secretAccessKey }
        # IncludeUndo binds from the role object, as RoleArn, ExternalId and Jobs do.
        $withUndo = $undoRole | Test-RemediationAccountRole @cloudAws @source
        $withUndo.IncludeUndo | Should -BeTrue
        $withUndo.IsReady | Should -BeTrue -Because ($withUndo.Findings -join ' | ')
        $withUndo.ExcessActions | Should -BeNullOrEmpty
        $withUndo.HasDrift | Should -BeFalse
        $without = Test-RemediationAccountRole -RoleArn $undoRole.RoleArn -ExternalId $externalId -Job $undoJob.Id @cloudAws @source
        $without.IncludeUndo | Should -BeFalse
        @($without.ExcessActions | Sort-Object) | Should -Be @($undoJob.UndoIamActions | Where-Object { $undoJob.IamActions -notcontains $_ } | Sort-Object -Unique)
        ($without.Findings -join ' ') | Should -Match 'only undo needs it; test with -IncludeUndo'
    }

    It 'reports, without throwing, that policies cannot be read with credentials of another account' {
        $report = Test-RemediationAccountRole -RoleArn $role.RoleArn -ExternalId $externalId -Job $job.Id @hostingAws -ErrorAction Stop
        $report.CanAssume | Should -BeTrue
        $report.PoliciesRead | Should -BeFalse
        $report.IsReady | Should -BeFalse
        ($report.Findings -join ' ') | Should -Match 'could not be read'
    }
}
