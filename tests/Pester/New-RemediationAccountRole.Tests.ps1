# End to end in the sandbox with two accounts: the account role in the cloud account, the worker role in the
# hosting account, AssumeRole from the worker role's instance credentials, idempotent re-runs, a job-list change,
# drift after a hand edit, and removal.

BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:externalId = 'o-pester0001'
    # The hosting account is a member of the organization whose ID is the external ID, as in a real installation.
    $script:hostingRoot = New-AwsSandboxAccount -Sandbox $sandbox -OrganizationId $externalId
    $script:cloudRoot = New-AwsSandboxAccount -Sandbox $sandbox
    $script:hostingAdmin = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hostingRoot.accountId -UserName 'hosting-admin'
    $script:cloudAws = @{ AccessKey = $cloudRoot.accessKeyId; SecretKey = $cloudRoot.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:hostingAws = @{ AccessKey = $hostingAdmin.accessKeyId; SecretKey = $hostingAdmin.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:workerArn = "arn:aws:iam::$($hostingRoot.accountId):role/RemediationToolsWorker"
    $script:jobs = @(Get-RemediationJob)
    # A second job that needs an action the first does not (jobs of one family share their actions).
    $script:otherJob = $jobs | Where-Object { @($_.IamActions | Where-Object { $jobs[0].IamActions -notcontains $_ }).Count -gt 0 } | Select-Object -First 1

    function Get-RoleXml([string] $Account, [string] $Action, [hashtable] $Parameters) {
        Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $Account -Service iam -Action $Action -Parameters $Parameters
    }
    function Get-Text($Xml, [string] $Name) { $Xml.SelectSingleNode("//*[local-name()='$Name']").InnerText }
    function Get-Trust { [uri]::UnescapeDataString((Get-Text (Get-RoleXml $cloudRoot.accountId GetRole @{ RoleName = 'RemediationTools' }) 'AssumeRolePolicyDocument')) }
    function Get-Policy {
        $xml = Get-RoleXml $cloudRoot.accountId GetRolePolicy @{ RoleName = 'RemediationTools'; PolicyName = 'RemediationTools' }
        [uri]::UnescapeDataString((Get-Text $xml 'PolicyDocument')) | ConvertFrom-Json
    }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'New-RemediationAccountRole and New-RemediationWorkerRole, end to end' {
    It 'refuses to trust the worker role before it exists, as IAM does, and says what to do' {
        { New-RemediationAccountRole -WorkerRoleArn $workerArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'AwsCallFailed,RemediationTools.Commands.NewRemediationAccountRoleCommand' `
                -ExpectedMessage "*MalformedPolicyDocument*Invalid principal in policy*$workerArn*create the worker role first*"
        { Get-RoleXml $cloudRoot.accountId GetRole @{ RoleName = 'RemediationTools' } } | Should -Throw '*NoSuchEntity*'
    }

    It 'creates the account role trusting the hosting account''s worker roles only: role name pattern and organization' {
        $script:accountRole = New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -TrustedRoleName 'RemediationToolsWork*' `
            -OrganizationId $externalId -ExternalId $externalId -Job $jobs[0].Id -Tag @{ team = 'security' } @cloudAws
        $accountRole.Status | Should -Be 'Created'
        $accountRole.RoleArn | Should -Be "arn:aws:iam::$($cloudRoot.accountId):role/RemediationTools"
        $accountRole.AccountId | Should -Be $cloudRoot.accountId
        $accountRole.ExternalId | Should -Be $externalId
        $accountRole.Jobs | Should -Be @($jobs[0].Id)
        $accountRole.TrustedPrincipal | Should -Be "arn:aws:iam::$($hostingRoot.accountId):root"
        $accountRole.TrustedPrincipalArnPattern | Should -Be "arn:aws:iam::$($hostingRoot.accountId):role/RemediationToolsWork*"
        $accountRole.TrustedOrganizationId | Should -Be $externalId
        $trust = Get-Trust | ConvertFrom-Json
        $trust.Statement[0].Principal.AWS | Should -Be "arn:aws:iam::$($hostingRoot.accountId):root"
        $trust.Statement[0].Condition.StringEquals.'sts:ExternalId' | Should -Be $externalId
        $trust.Statement[0].Condition.StringEquals.'aws:PrincipalOrgID' | Should -Be $externalId
        $trust.Statement[0].Condition.ArnLike.'aws:PrincipalArn' | Should -Be "arn:aws:iam::$($hostingRoot.accountId):role/RemediationToolsWork*"
        @((Get-Policy).Statement.Action | Sort-Object) | Should -Be @($jobs[0].IamActions | Sort-Object)
    }

    It 'rejects a trust narrowing that is not a role name pattern or an organization ID, naming the value' {
        { New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -TrustedRoleName 'bad name!' -ExternalId $externalId -RoleName 'Other' @cloudAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleRequestInvalid,RemediationTools.Commands.NewRemediationAccountRoleCommand' -ExpectedMessage "*'bad name!'*"
        { New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -OrganizationId 'org-1' -ExternalId $externalId -RoleName 'Other' @cloudAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleRequestInvalid,RemediationTools.Commands.NewRemediationAccountRoleCommand' -ExpectedMessage "*'org-1'*"
        { New-RemediationAccountRole -WorkerRoleArn $workerArn -TrustedRoleName 'x*' -ExternalId $externalId @cloudAws } |
            Should -Throw -ErrorId 'AmbiguousParameterSet,RemediationTools.Commands.NewRemediationAccountRoleCommand'
    }

    It 'creates the worker role and instance profile from the account role on the pipeline' {
        $script:workerRole = $accountRole | New-RemediationWorkerRole @hostingAws
        $workerRole.Status | Should -Be 'Created'
        $workerRole.RoleArn | Should -Be $workerArn
        $workerRole.InstanceProfileName | Should -Be 'RemediationToolsWorker'
        $workerRole.InstanceProfileArn | Should -Be "arn:aws:iam::$($hostingRoot.accountId):instance-profile/RemediationToolsWorker"
        $workerRole.AccountRoleArns | Should -Be @($accountRole.RoleArn)
    }

    It 'lets the worker role, a matching role of the organization, assume the role; the hosting admin is refused' {
        $session = Get-AwsSandboxInstanceProfileCredential -Sandbox $sandbox -AccountId $hostingRoot.accountId -InstanceProfileName $workerRole.InstanceProfileName
        (Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $session.accessKeyId -SourceSecretKey $session.secretAccessKey -SourceSessionToken $session.sessionToken).CanAssume | Should -BeTrue
        (Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $hostingAdmin.accessKeyId -SourceSecretKey $hostingAdmin.secretAccessKey).CanAssume | Should -BeFalse
    }

    It 'then trusts only the worker role, which exists now' {
        $script:accountRole = New-RemediationAccountRole -WorkerRoleArn $workerArn -ExternalId $externalId -Job $jobs[0].Id -Tag @{ team = 'security' } @cloudAws
        $accountRole.Status | Should -Be 'Updated'
        $accountRole.TrustedPrincipal | Should -Be $workerArn
        $accountRole.TrustedPrincipalArnPattern | Should -BeNullOrEmpty
        $trust = Get-Trust | ConvertFrom-Json
        $trust.Statement[0].Principal.AWS | Should -Be $workerArn
        $trust.Statement[0].Condition.StringEquals.'sts:ExternalId' | Should -Be $externalId
        $trust.Statement[0].Condition.PSObject.Properties.Name | Should -Be @('StringEquals')
    }

    It 'lets the worker role assume the account role with the right external ID, and refuses a wrong one and none' {
        $session = Get-AwsSandboxInstanceProfileCredential -Sandbox $sandbox -AccountId $hostingRoot.accountId -InstanceProfileName $workerRole.InstanceProfileName
        $report = Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $session.accessKeyId -SourceSecretKey $session.secretAccessKey -SourceSessionToken $session.sessionToken
        $report.CanAssume | Should -BeTrue
        $report.ExternalIdEnforced | Should -BeTrue
        $report.IsReady | Should -BeTrue -Because ($report.Findings -join ' | ')
        $wrong = Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId 'o-wrong000000' -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $session.accessKeyId -SourceSecretKey $session.secretAccessKey -SourceSessionToken $session.sessionToken
        $wrong.CanAssume | Should -BeFalse
        $wrong.Findings[0] | Should -Match 'AccessDenied'
        # The hosting account's admin is not the worker role: refused as well.
        (Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $hostingAdmin.accessKeyId -SourceSecretKey $hostingAdmin.secretAccessKey).CanAssume | Should -BeFalse
    }

    It 're-runs both cmdlets without a change: Unchanged' {
        $again = New-RemediationAccountRole -WorkerRoleArn $workerArn -ExternalId $externalId -Job $jobs[0].Id -Tag @{ team = 'security' } @cloudAws
        $again.Status | Should -Be 'Unchanged'
        $again.Changes | Should -BeNullOrEmpty
        ($again | New-RemediationWorkerRole @hostingAws).Status | Should -Be 'Unchanged'
    }

    It 'shows a job-list change with -WhatIf and changes nothing' {
        $before = Get-Policy | ConvertTo-Json -Depth 6
        $planned = New-RemediationAccountRole -WorkerRoleArn $workerArn -ExternalId $externalId -Job $jobs[0].Id, $otherJob.Id @cloudAws -WhatIf
        $planned | Should -BeNullOrEmpty
        Get-Policy | ConvertTo-Json -Depth 6 | Should -Be $before
    }

    It 'updates only the permission policy when the job list changes' {
        $trustBefore = Get-Trust
        $updated = New-RemediationAccountRole -WorkerRoleArn $workerArn -ExternalId $externalId -Job $jobs[0].Id, $otherJob.Id @cloudAws
        $updated.Status | Should -Be 'Updated'
        $updated.Changes | Should -Be @('replace inline policy RemediationTools')
        Get-Trust | Should -Be $trustBefore
        $expected = @(($jobs[0].IamActions + $otherJob.IamActions) | Sort-Object -Unique)
        @((Get-Policy).Statement.Action | Sort-Object -Unique) | Should -Be $expected
    }

    It 'grants the jobs'' undo actions with -IncludeUndo, and takes them away again without it' {
        $undoJob = $jobs | Where-Object { $candidate = $_; @($candidate.UndoIamActions | Where-Object { $candidate.IamActions -notcontains $_ }).Count -gt 0 } | Select-Object -First 1
        $undoOnly = @($undoJob.UndoIamActions | Where-Object { $undoJob.IamActions -notcontains $_ })
        $undoOnly | Should -Not -BeNullOrEmpty
        $name = 'RemediationToolsUndo'
        function Get-UndoPolicyAction {
            $xml = Get-RoleXml $cloudRoot.accountId GetRolePolicy @{ RoleName = $name; PolicyName = 'RemediationTools' }
            @(([uri]::UnescapeDataString((Get-Text $xml 'PolicyDocument')) | ConvertFrom-Json).Statement.Action | Sort-Object -Unique)
        }
        $plain = New-RemediationAccountRole -RoleName $name -WorkerRoleArn $workerArn -ExternalId $externalId -Job $undoJob.Id @cloudAws
        $plain.IncludeUndo | Should -BeFalse
        Get-UndoPolicyAction | Should -Be @($undoJob.IamActions | Sort-Object -Unique)

        $widened = New-RemediationAccountRole -RoleName $name -WorkerRoleArn $workerArn -ExternalId $externalId -Job $undoJob.Id -IncludeUndo @cloudAws
        $widened.Status | Should -Be 'Updated'
        $widened.IncludeUndo | Should -BeTrue
        Get-UndoPolicyAction | Should -Be @(@($undoJob.IamActions) + @($undoJob.UndoIamActions) | Sort-Object -Unique)
        (New-RemediationAccountRole -RoleName $name -WorkerRoleArn $workerArn -ExternalId $externalId -Job $undoJob.Id -IncludeUndo @cloudAws).Status | Should -Be 'Unchanged'

        (New-RemediationAccountRole -RoleName $name -WorkerRoleArn $workerArn -ExternalId $externalId -Job $undoJob.Id @cloudAws).Status | Should -Be 'Updated'
        $narrowed = Get-UndoPolicyAction
        foreach ($action in $undoOnly) { $narrowed | Should -Not -Contain $action }
        Remove-RemediationAccountRole -RoleName $name @cloudAws -Confirm:$false
    }

    It 'reports drift after a hand edit of the policy' {
        $edited = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = @('ec2:TerminateInstances'); Resource = '*' }) } | ConvertTo-Json -Depth 5 -Compress
        $null = Get-RoleXml $cloudRoot.accountId PutRolePolicy @{ RoleName = 'RemediationTools'; PolicyName = 'RemediationTools'; PolicyDocument = $edited }
        $session = Get-AwsSandboxInstanceProfileCredential -Sandbox $sandbox -AccountId $hostingRoot.accountId -InstanceProfileName 'RemediationToolsWorker'
        $report = Test-RemediationAccountRole -RoleArn $accountRole.RoleArn -ExternalId $externalId -Job $jobs[0].Id @cloudAws `
            -SourceAccessKey $session.accessKeyId -SourceSecretKey $session.secretAccessKey -SourceSessionToken $session.sessionToken
        $report.IsReady | Should -BeFalse
        $report.HasDrift | Should -BeTrue
        $report.ExcessActions | Should -Be @('ec2:TerminateInstances')
        @($report.MissingActions | Sort-Object) | Should -Be @($jobs[0].IamActions | Sort-Object)
    }

    It 'rejects bad input naming the value, and changes nothing' {
        { New-RemediationAccountRole -WorkerRoleArn 'arn:aws:iam::12:role/x' -ExternalId $externalId -RoleName 'Other' @cloudAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleRequestInvalid,RemediationTools.Commands.NewRemediationAccountRoleCommand' -ExpectedMessage "*arn:aws:iam::12:role/x*"
        { New-RemediationAccountRole -HostingAccountId $hostingRoot.accountId -ExternalId $externalId -Job 'no-such-job' -RoleName 'Other' @cloudAws -ErrorAction Stop } |
            Should -Throw -ErrorId 'JobNotFound,RemediationTools.Commands.NewRemediationAccountRoleCommand' -ExpectedMessage "*no-such-job*"
        { Get-RoleXml $cloudRoot.accountId GetRole @{ RoleName = 'Other' } } | Should -Throw '*NoSuchEntity*'
    }

    It 'removes both roles and everything IAM requires removed first' {
        Remove-RemediationAccountRole @cloudAws -Confirm:$false
        $workerRole | Remove-RemediationWorkerRole @hostingAws -Confirm:$false
        { Get-RoleXml $cloudRoot.accountId GetRole @{ RoleName = 'RemediationTools' } } | Should -Throw '*NoSuchEntity*'
        { Get-RoleXml $hostingRoot.accountId GetRole @{ RoleName = 'RemediationToolsWorker' } } | Should -Throw '*NoSuchEntity*'
        { Get-RoleXml $hostingRoot.accountId GetInstanceProfile @{ InstanceProfileName = 'RemediationToolsWorker' } } | Should -Throw '*NoSuchEntity*'
    }
}
