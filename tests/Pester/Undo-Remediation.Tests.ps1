BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    # As in every job test: EC2 lags a read behind each change and pages by 5; the cloud account has no default VPC.
    Set-AwsSandboxConsistency -Sandbox $sandbox -ReadLag 1 -MaxPageSize 5
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox -NoDefaultVpc
    $script:externalId = 'o-pester0002'

    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = @((Get-RemediationJob -Id security-group-close-port-5432).IamActions); Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'Remediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'Remediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
    $script:roleArn = "arn:aws:iam::$($cloud.accountId):role/Remediation"
    $script:caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:accounts = @(@{ RoleArn = $roleArn; ExternalId = $externalId })

    function New-TestGroup([hashtable[]] $Rules) {
        $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeVpcs
        $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
        $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
            GroupName = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"; GroupDescription = 'pester'; VpcId = $vpcId }
        $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
        foreach ($rule in $Rules) {
            $p = @{ GroupId = $groupId; 'IpPermissions.1.IpProtocol' = $rule.Protocol; 'IpPermissions.1.FromPort' = $rule.From; 'IpPermissions.1.ToPort' = $rule.To }
            if ($rule.Cidr -match ':') { $p['IpPermissions.1.Ipv6Ranges.1.CidrIpv6'] = $rule.Cidr } else { $p['IpPermissions.1.IpRanges.1.CidrIp'] = $rule.Cidr }
            $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters $p
        }
        $groupId
    }

    function Get-Rules([string] $GroupId) { Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $GroupId }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Undo-Remediation' {
    BeforeEach {
        $script:group = New-TestGroup @(
            @{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' }
            @{ Protocol = 'tcp'; From = 5000; To = 6000; Cidr = '::/0' }
            @{ Protocol = 'tcp'; From = 443; To = 443; Cidr = '0.0.0.0/0' }
        )
        $script:before = Get-Rules $group
        $script:result = Invoke-Remediation -Job security-group-close-port-5432 -ResourceId $group -AccountId $cloud.accountId @aws -CloudAccount $accounts -Confirm:$false
        $script:after = Get-Rules $group
    }

    It 'restores exactly the recorded rules from a result exported to JSON' {
        $result.Status | Should -Be 'Remediated'
        $after | Should -Not -Be $before
        $file = Join-Path $TestDrive 'run.json'
        $result | Export-RemediationResult -Path $file -Force
        $undo = Undo-Remediation -Path $file @aws -CloudAccount $accounts -Confirm:$false
        $undo | Should -BeOfType ([RemediationTools.RemediationResult])
        $undo.Status | Should -Be 'Remediated'
        $undo.IsUndo | Should -BeTrue
        Get-Rules $group | Should -Be $before
    }

    It 'refuses to undo with credentials of another account: AccountMismatch, nothing changed' {
        # The hosting caller's own credentials belong to the hosting account, not to the result's cloud account.
        $undo = $result | Undo-Remediation @aws -Confirm:$false -ErrorVariable undoErrors -ErrorAction SilentlyContinue
        $undo.Status | Should -Be 'Failed'
        $undo.ErrorCode | Should -Be 'AccountMismatch'
        $undoErrors[0].FullyQualifiedErrorId | Should -Be 'AccountMismatch,RemediationTools.Commands.UndoRemediationCommand'
        $undoErrors[0].CategoryInfo.Category | Should -Be 'SecurityError'
        Get-Rules $group | Should -Be $after
    }

    It 'with -WhatIf returns Planned and changes nothing' {
        $undo = $result | Undo-Remediation @aws -RoleArn $roleArn -ExternalId $externalId -WhatIf
        $undo.Status | Should -Be 'Planned'
        $undo.Actions.Count | Should -BeGreaterThan 0
        Get-Rules $group | Should -Be $after
    }

    It 'takes the result object from the pipeline, and a second undo is AlreadyCompliant' {
        ($result | Undo-Remediation @aws -RoleArn $roleArn -ExternalId $externalId -Confirm:$false).Status | Should -Be 'Remediated'
        ($result | Undo-Remediation @aws -RoleArn $roleArn -ExternalId $externalId -Confirm:$false).Status | Should -Be 'AlreadyCompliant'
        Get-Rules $group | Should -Be $before
    }

    It 'takes a result that went through ConvertTo-Json and ConvertFrom-Json' {
        $roundTripped = $result | ConvertTo-Json -Depth 10 | ConvertFrom-Json
        ($roundTripped | Undo-Remediation @aws -CloudAccount $accounts -Confirm:$false).Status | Should -Be 'Remediated'
        Get-Rules $group | Should -Be $before
    }

    It 'reports a result without an undo record as UndoRecordMissing and goes on with the others' {
        $planned = Invoke-Remediation -Job security-group-close-port-5432 -ResourceId (New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })) -AccountId $cloud.accountId @aws -CloudAccount $accounts -WhatIf
        $undo = @($planned, $result) | Undo-Remediation @aws -CloudAccount $accounts -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'UndoRecordMissing,RemediationTools.Commands.UndoRemediationCommand'
        @($undo).Count | Should -Be 1
        $undo.Status | Should -Be 'Remediated'
        Get-Rules $group | Should -Be $before
    }

    It 'reports a file that holds no results as ResultInvalid naming the file' {
        $file = Join-Path $TestDrive 'not-results.json'
        Set-Content -LiteralPath $file -Value '[{"Name":"x"}]'
        Undo-Remediation -LiteralPath $file @aws -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'ResultInvalid,RemediationTools.Commands.UndoRemediationCommand'
        $errs[0].Exception.Message | Should -Match 'not-results\.json'
        Get-Rules $group | Should -Be $after
    }
}

Describe 'Undo-Remediation through the module''s own account role' {
    BeforeAll {
        $script:cloudRoot = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
        $script:deleteJob = Get-RemediationJob -Id security-group-not-attached-delete
        $script:ownRole = @{ RoleName = 'RemediationToolsOwn'; HostingAccountId = $hosting.accountId; ExternalId = $externalId; Job = $deleteJob.Id }
    }

    It 'fails for an action only undo needs, saying to use -IncludeUndo; with -IncludeUndo the undo succeeds' {
        $role = New-RemediationAccountRole @ownRole @cloudRoot
        $through = @{ RoleArn = $role.RoleArn; ExternalId = $externalId }
        $group = New-TestGroup @()
        $deleted = Invoke-Remediation -Job $deleteJob.Id -ResourceId $group -AccountId $cloud.accountId @aws @through -Force
        $deleted.Status | Should -Be 'Remediated'

        $denied = $deleted | Undo-Remediation @aws @through -ErrorVariable undoErrors -ErrorAction SilentlyContinue
        $denied.Status | Should -Be 'Failed'
        $denied.ErrorCode | Should -Be 'UnauthorizedOperation'
        $denied.MissingIamActions.Count | Should -Be 1
        $deleteJob.UndoIamActions | Should -Contain $denied.MissingIamActions[0]
        $denied.Reason | Should -Match ([regex]::Escape("lacks $($denied.MissingIamActions[0])") + '.*New-RemediationAccountRole -IncludeUndo')
        $undoErrors[0].FullyQualifiedErrorId | Should -Be 'RemediationFailed,RemediationTools.Commands.UndoRemediationCommand'

        (New-RemediationAccountRole @ownRole -IncludeUndo @cloudRoot).Status | Should -Be 'Updated'
        $restored = $deleted | Undo-Remediation @aws @through
        $restored.Status | Should -Be 'Remediated'
    }
}

Describe 'Undo-Remediation of a job whose undo is High-impact (ebs-encrypt-volume)' {
    BeforeAll {
        $script:cloudRoot = @{ AccessKey = $cloud.accessKeyId; SecretKey = $cloud.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
        function Get-AttachedVolume([string] $InstanceId) {
            $xml = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeVolumes -Parameters @{ 'Filter.1.Name' = 'attachment.instance-id'; 'Filter.1.Value.1' = $InstanceId }
            @($xml.SelectNodes('//*[local-name()="volumeSet"]/*[local-name()="item"]/*[local-name()="volumeId"]') | ForEach-Object InnerText)
        }
    }

    It 'is not undone where the host cannot ask, without -Force; with -Force it is' {
        $groups = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeSecurityGroups -Parameters @{ 'Filter.1.Name' = 'group-name'; 'Filter.1.Value.1' = 'default' }
        $instance = New-AwsSandboxInstance -Sandbox $sandbox -AccountId $cloud.accountId -NetworkInterfaces @(, @($groups.SelectSingleNode('//*[local-name()="groupId"]').InnerText))
        $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateVolume -Parameters @{ AvailabilityZone = 'us-east-1a'; Size = 8; VolumeType = 'gp3' }
        $volume = $created.SelectSingleNode('//*[local-name()="volumeId"]').InnerText
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AttachVolume -Parameters @{ VolumeId = $volume; InstanceId = $instance; Device = '/dev/sdf' }
        $encrypted = Invoke-Remediation -Job ebs-encrypt-volume -ResourceId $volume -AccountId $cloud.accountId @cloudRoot -AllowDisruptive -Force
        $encrypted.Status | Should -Be 'Remediated' -Because $encrypted.Reason
        $replacement = Get-AttachedVolume $instance
        $replacement | Should -Not -Be @($volume)

        $run = Invoke-TestWithoutPrompt '$aws = $Parameters.Aws; $Parameters.Result | Undo-Remediation @aws' @{ Result = $encrypted; Aws = $cloudRoot }
        $run.Output[0].Status | Should -Be 'Planned'
        $run.Output[0].Reason | Should -Match '-Force or -Confirm:\$false'
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'ConfirmationRequired,RemediationTools.Commands.UndoRemediationCommand'
        Get-AttachedVolume $instance | Should -Be $replacement

        $undone = Invoke-TestWithoutPrompt '$aws = $Parameters.Aws; $Parameters.Result | Undo-Remediation @aws -Force' @{ Result = $encrypted; Aws = $cloudRoot }
        $undone.Errors | Should -BeNullOrEmpty
        $undone.Output[0].Status | Should -Be 'Remediated'
        Get-AttachedVolume $instance | Should -Be @($volume)
    }
}

Describe 'Undo-Remediation in the pipelines PowerShell users write' {
    BeforeEach {
        $script:group = New-TestGroup @(@{ Protocol = 'tcp'; From = 5432; To = 5432; Cidr = '0.0.0.0/0' })
        $script:before = Get-Rules $group
        $result = Invoke-Remediation -Job security-group-close-port-5432 -ResourceId $group -AccountId $cloud.accountId @aws -CloudAccount $accounts -Confirm:$false
        $script:file = Join-Path $TestDrive "r-$group.json"
        $result | Export-RemediationResult -Path $file -Force
    }

    It 'Get-ChildItem r.json | Undo-Remediation binds the file by its PSPath to -LiteralPath' {
        $undo = Get-ChildItem -LiteralPath $file | Undo-Remediation @aws -CloudAccount $accounts -Confirm:$false -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $undo.Status | Should -Be 'Remediated'
        $undo.IsUndo | Should -BeTrue
        Get-Rules $group | Should -Be $before
    }

    It 'Get-Content r.json without -Raw: the lines are one document again, and the summary counts the undo' {
        (Get-Content -LiteralPath $file).Count | Should -BeGreaterThan 1
        $undo = Get-Content -LiteralPath $file | Undo-Remediation @aws -CloudAccount $accounts -Confirm:$false -ErrorVariable errs -InformationVariable info
        $errs | Should -BeNullOrEmpty
        $undo.Status | Should -Be 'Remediated'
        $summary = @($info | Where-Object { $_.Tags -contains 'RemediationSummary' })
        $summary.Count | Should -Be 1
        "$($summary[0].MessageData)" | Should -Be '1 undo: 1 Remediated'
    }

    It 'lines of a cut-off file fail once, with ResultInvalid and the hint to read the whole file' {
        $lines = @(Get-Content -LiteralPath $file)
        $null = $lines[0..($lines.Count - 2)] | Undo-Remediation @aws -CloudAccount $accounts -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'ResultInvalid,RemediationTools.Commands.UndoRemediationCommand'
        $errs[0].Exception.Message | Should -BeLike '*Import-RemediationResult*'
        Get-Rules $group | Should -Not -Be $before
    }
}
