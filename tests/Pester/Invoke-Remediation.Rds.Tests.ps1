BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox
    $script:externalId = 'o-pester0014'

    # The account role allows exactly the four RDS jobs' actions (their undo needs no other).
    $jobs = @(Get-RemediationJob | Where-Object Service -EQ 'RDS')
    $jobs.Count | Should -Be 4
    $actions = @($jobs | ForEach-Object { $_.IamActions }) | Sort-Object -Unique
    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = $actions; Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'RdsRemediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'RdsRemediation'; PolicyName = 'job'; PolicyDocument = $policy }
    $caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'db-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'eu-west-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/RdsRemediation"; ExternalId = $externalId }
    $script:seed = @{ Sandbox = $sandbox; AccountId = $cloud.accountId; Region = 'eu-west-1' }

    # The replaced system's payload for a rule and a resource.
    function New-Finding([string] $RuleId, [string] $ObjectId) {
        @{ notificationInfo = @{ CloudAccountID = $cloud.accountId; RuleID = $RuleId; RuleName = 'rule'; Service = 'RDS'
                FindingInfo = @{ FindingId = "f-$ObjectId"; ObjectId = $ObjectId; Region = 'eu-west-1'; CloudTags = @{} } }
            autoRemediate = $true } | ConvertTo-Json -Depth 6
    }

    # Assigned first: Invoke-RestMethod writes a JSON array as one object, the assignment enumerates it.
    function Get-Instance([string] $Id) { $all = (Get-AwsSandboxRds -Sandbox $sandbox).instances; $all | Where-Object identifier -EQ $Id }
    function Get-Cluster([string] $Id) { $all = (Get-AwsSandboxRds -Sandbox $sandbox).clusters; $all | Where-Object identifier -EQ $Id }
    function Get-Snapshot([string] $Id) { $all = (Get-AwsSandboxRds -Sandbox $sandbox).snapshots; $all | Where-Object identifier -EQ $Id }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation on RDS DB instances' {
    It 'plans with -WhatIf, turns the public endpoint off, is compliant the second time, and Undo-Remediation turns it back on' {
        $arn = New-AwsSandboxDBInstance @seed -Identifier orders -PubliclyAccessible
        $finding = New-Finding '5c8c26467a550e1fb6560c48' 'orders'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'rds-remove-public-endpoint'
        $planned.Actions.Target | Should -Be $arn
        $planned.Actions.After | Should -Be 'PubliclyAccessible false'
        $planned.Actions.Description | Should -Match 'no outage'
        (Get-Instance orders).publiclyAccessible | Should -BeTrue

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        (Get-Instance orders).publiclyAccessible | Should -BeFalse
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'AlreadyCompliant'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-Instance orders).publiclyAccessible | Should -BeTrue
    }

    It 'turns automatic minor version upgrades on for -Job and -ResourceId (an instance ARN)' {
        $arn = New-AwsSandboxDBInstance @seed -Identifier legacy -AutoMinorVersionUpgrade $false

        $result = Invoke-Remediation -Job rds-enable-version-update -ResourceId $arn -AccountId $cloud.accountId @aws @role -Confirm:$false

        $result.Status | Should -Be 'Remediated'
        (Get-Instance legacy).autoMinorVersionUpgrade | Should -BeTrue
    }

    It 'raises an Aurora member''s retention on its cluster, and a standalone instance''s to -RetentionDays' {
        $null = New-AwsSandboxDBCluster @seed -Identifier aurora -BackupRetentionPeriod 7
        $null = New-AwsSandboxDBInstance @seed -Identifier aurora-1 -Engine aurora-mysql -ClusterIdentifier aurora
        $null = New-AwsSandboxDBInstance @seed -Identifier reports -BackupRetentionPeriod 7

        $member = New-Finding '5c8c264a7a550e1fb6560c4d' 'aurora-1' | Invoke-Remediation @aws @role -Confirm:$false
        $standalone = New-Finding '5c8c264a7a550e1fb6560c4d' 'reports' | Invoke-Remediation @aws @role -RetentionDays 35 -Confirm:$false

        $member.Status | Should -Be 'Remediated'
        $member.Actions.Operation | Should -Be 'rds:ModifyDBCluster'
        (Get-Cluster aurora).backupRetentionPeriod | Should -Be 30
        $standalone.Status | Should -Be 'Remediated'
        (Get-Instance reports).backupRetentionPeriod | Should -Be 35
        (New-Finding '5c8c264a7a550e1fb6560c4d' 'reports' | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'AlreadyCompliant'

        ($member | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-Cluster aurora).backupRetentionPeriod | Should -Be 7
    }

    It 'skips enabling backups on an instance without any unless -AllowDisruptive, which enables them' {
        $null = New-AwsSandboxDBInstance @seed -Identifier nobackups -BackupRetentionPeriod 0
        $finding = New-Finding '5c8c264a7a550e1fb6560c4d' 'nobackups'

        $skipped = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $skipped.Status | Should -Be 'Skipped'
        $skipped.Reason | Should -Match 'outage'
        (Get-Instance nobackups).backupRetentionPeriod | Should -Be 0

        $enabled = $finding | Invoke-Remediation @aws @role -AllowDisruptive -Confirm:$false
        $enabled.Status | Should -Be 'Remediated'
        $enabled.Actions.Description | Should -Match 'causes an outage'
        (Get-Instance nobackups).backupRetentionPeriod | Should -Be 30
    }

    It 'refuses -RetentionDays outside RDS''s range, naming the value' {
        { Invoke-Remediation -Job rds-backup-retention-30-days -ResourceId orders -AccountId $cloud.accountId @aws -RetentionDays 36 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*36*'
    }
}

Describe 'Invoke-Remediation on public RDS snapshots' {
    It 'plans with -WhatIf, removes only all from restore (the account share stays), and Undo-Remediation adds it back' {
        $null = New-AwsSandboxDBSnapshot @seed -Identifier nightly -SourceIdentifier orders -Restore 'all', '111122223333'
        $finding = New-Finding '5c8c26487a550e1fb6560c4a' 'nightly'

        $planned = $finding | Invoke-Remediation @aws @role -WhatIf
        $planned.Status | Should -Be 'Planned'
        $planned.JobId | Should -Be 'aws-rds-snapshot-remove-publicaccess'
        $planned.Actions.After | Should -Be 'restore 111122223333'
        (Get-Snapshot nightly).restore | Should -Be @('all', '111122223333')

        $result = $finding | Invoke-Remediation @aws @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
        (Get-Snapshot nightly).restore | Should -Be @('111122223333')
        ($finding | Invoke-Remediation @aws @role -WhatIf).Status | Should -Be 'AlreadyCompliant'

        ($result | Undo-Remediation @aws @role -Confirm:$false).Status | Should -Be 'Remediated'
        (Get-Snapshot nightly).restore | Should -Be @('111122223333', 'all')
    }

    It 'makes a public DB cluster snapshot private by ARN' {
        $arn = New-AwsSandboxDBSnapshot @seed -Identifier aurora-snap -SourceIdentifier aurora -Cluster -Restore 'all'

        $result = New-Finding '5c8c26487a550e1fb6560c4a' $arn | Invoke-Remediation @aws @role -Confirm:$false

        $result.Status | Should -Be 'Remediated'
        $all = (Get-AwsSandboxRds -Sandbox $sandbox).clusterSnapshots
        ($all | Where-Object identifier -EQ 'aurora-snap').restore | Should -BeNullOrEmpty
    }
}
