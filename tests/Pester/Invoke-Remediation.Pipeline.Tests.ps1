# Invoke-Remediation in the pipelines PowerShell users write (files from Get-ChildItem, Get-Content without -Raw), its
# parameter sets, the typed parameters, the summary line on the information stream and what its errors say.
BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force
    $repoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repoRoot 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:sandbox = Start-AwsSandbox -Path (Join-Path $repoRoot 'out/sandbox/RemediationTools.AwsSandbox.dll')
    Set-AwsSandboxConsistency -Sandbox $sandbox -ReadLag 1 -MaxPageSize 5
    $script:hosting = New-AwsSandboxAccount -Sandbox $sandbox
    $script:cloud = New-AwsSandboxAccount -Sandbox $sandbox -NoDefaultVpc
    $script:externalId = 'o-pester0015'
    $script:findingTemplate = Get-Content -Raw (Join-Path $repoRoot 'examples/findings/security-group-close-port-5432.json')

    $trust = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Principal = @{ AWS = "arn:aws:iam::$($hosting.accountId):root" }
                Action = 'sts:AssumeRole'; Condition = @{ StringEquals = @{ 'sts:ExternalId' = $externalId } } }) } | ConvertTo-Json -Depth 6 -Compress
    $policy = @{ Version = '2012-10-17'; Statement = @(@{ Effect = 'Allow'; Action = @((Get-RemediationJob -Id security-group-close-port-5432).IamActions); Resource = '*' }) } | ConvertTo-Json -Depth 6 -Compress
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action CreateRole -Parameters @{ RoleName = 'Remediation'; AssumeRolePolicyDocument = $trust }
    $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service iam -Action PutRolePolicy -Parameters @{ RoleName = 'Remediation'; PolicyName = 'jobs'; PolicyDocument = $policy }
    $script:caller = New-AwsSandboxUser -Sandbox $sandbox -AccountId $hosting.accountId -UserName 'remediation-admin'
    $script:aws = @{ AccessKey = $caller.accessKeyId; SecretKey = $caller.secretAccessKey; Region = 'us-east-1'; EndpointUrl = $sandbox.Endpoint }
    $script:role = @{ RoleArn = "arn:aws:iam::$($cloud.accountId):role/Remediation"; ExternalId = $externalId }

    function New-TestGroup {
        $vpcs = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action DescribeVpcs
        $vpcId = $vpcs.SelectSingleNode('//*[local-name()="vpcId"]').InnerText
        $created = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action CreateSecurityGroup -Parameters @{
            GroupName = "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8))"; GroupDescription = 'pester'; VpcId = $vpcId }
        $groupId = $created.SelectSingleNode('//*[local-name()="groupId"]').InnerText
        $null = Invoke-AwsSandboxAction -Sandbox $sandbox -AccountId $cloud.accountId -Service ec2 -Action AuthorizeSecurityGroupIngress -Parameters @{
            GroupId = $groupId; 'IpPermissions.1.IpProtocol' = 'tcp'; 'IpPermissions.1.FromPort' = 5432; 'IpPermissions.1.ToPort' = 5432; 'IpPermissions.1.IpRanges.1.CidrIp' = '0.0.0.0/0' }
        $groupId
    }

    function New-TestFinding([string] $GroupId, [string] $AccountId = $cloud.accountId, [switch] $Compress) {
        $finding = $findingTemplate | ConvertFrom-Json
        $finding.notificationInfo.CloudAccountID = $AccountId
        $finding.notificationInfo.FindingInfo.ObjectId = $GroupId
        $finding.notificationInfo.FindingInfo.FindingId = "finding-$GroupId"
        $finding | ConvertTo-Json -Depth 10 -Compress:$Compress
    }

    function Get-Rules([string] $GroupId) { Get-AwsSandboxIngressRule -Sandbox $sandbox -AccountId $cloud.accountId -GroupId $GroupId }
}

AfterAll {
    if ($script:sandbox) { $script:sandbox | Stop-AwsSandbox }
}

Describe 'Invoke-Remediation in pipelines' {
    It 'Get-ChildItem ./findings -Filter *.json | Invoke-Remediation: each file binds by its PSPath to -LiteralPath' {
        $folder = Join-Path $TestDrive 'findings'
        $null = New-Item -ItemType Directory -Path $folder -Force
        $groups = @(New-TestGroup; New-TestGroup)
        Set-Content -LiteralPath (Join-Path $folder 'a.json') -Value (New-TestFinding $groups[0])
        Set-Content -LiteralPath (Join-Path $folder 'b.json') -Value (New-TestFinding $groups[1])
        Set-Content -LiteralPath (Join-Path $folder 'notes.txt') -Value 'not a finding'
        $results = Get-ChildItem $folder -Filter *.json | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        @($results.Status) | Should -Be @('Remediated', 'Remediated')
        @($results.ResourceId | Sort-Object) | Should -Be @($groups | Sort-Object)
    }

    It 'Get-Content of a pretty-printed file without -Raw: the lines are one finding again' {
        $group = New-TestGroup
        $file = Join-Path $TestDrive 'pretty.json'
        Set-Content -LiteralPath $file -Value (New-TestFinding $group)
        (Get-Content -LiteralPath $file).Count | Should -BeGreaterThan 5
        $result = Get-Content -LiteralPath $file | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        $result.Status | Should -Be 'Remediated'
        $result.ResourceId | Should -Be $group
        Get-Rules $group | Should -BeNullOrEmpty
    }

    It 'Get-Content of a JSON lines file (one finding a line): each line is a finding, and so is the file with -LiteralPath' {
        $groups = @(New-TestGroup; New-TestGroup)
        $file = Join-Path $TestDrive 'findings.jsonl'
        Set-Content -LiteralPath $file -Value @((New-TestFinding $groups[0] -Compress), (New-TestFinding $groups[1] -Compress))
        $results = Get-Content -LiteralPath $file | Invoke-Remediation @aws @role -WhatIf -ErrorVariable errs
        $errs | Should -BeNullOrEmpty
        # Results stream as each finding is done, not in input order.
        @($results.ResourceId | Sort-Object) | Should -Be @($groups | Sort-Object)
        @($results.Status) | Should -Be @('Planned', 'Planned')
        @((Invoke-Remediation -LiteralPath $file @aws @role -WhatIf).ResourceId | Sort-Object) | Should -Be @($groups | Sort-Object)
    }

    It 'lines of a cut-off file fail once (not once a line) with FindingInvalid and the hint to use -Raw' {
        $lines = @((New-TestFinding 'sg-0123456789abcdef0') -split "`n")
        $null = $lines[0..($lines.Count - 3)] | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
        $errs[0].Exception.Message | Should -BeLike '*Get-Content -Raw*'
    }

    It 'writes one summary line by status and by account on the information stream after the batch' {
        $groups = @(New-TestGroup; New-TestGroup)
        $other = '999999999999'
        $findings = @((New-TestFinding $groups[0]), (New-TestFinding $groups[1]), (New-TestFinding 'sg-0123456789abcdef0' -AccountId $other))
        $results = $findings | Invoke-Remediation @aws @role -Confirm:$false -InformationVariable info -ErrorAction SilentlyContinue
        @($results).Count | Should -Be 3
        $summary = @($info | Where-Object { $_.Tags -contains 'RemediationSummary' })
        $summary.Count | Should -Be 1
        $accounts = @($cloud.accountId, $other) | Sort-Object
        "$($summary[0].MessageData)" | Should -Be "3 findings: 2 Remediated, 1 Failed ($($accounts[0]): $(if ($accounts[0] -eq $other) { 1 } else { 2 }), $($accounts[1]): $(if ($accounts[1] -eq $other) { 1 } else { 2 }))"
    }
}

Describe 'Invoke-Remediation -Region' {
    It 'is the region of findings that carry none; a finding''s own region wins' {
        $group = New-TestGroup
        $plain = @{ Job = 'security-group-close-port-5432'; ResourceId = $group; AccountId = $cloud.accountId }
        $result = $plain | Invoke-Remediation @aws @role -WhatIf
        $result.Region | Should -Be 'us-east-1'
        $elsewhere = @{ Job = 'security-group-close-port-5432'; ResourceId = $group; AccountId = $cloud.accountId; Region = 'eu-west-1' }
        $result = $elsewhere | Invoke-Remediation @aws @role -WhatIf -ErrorAction SilentlyContinue
        $result.Region | Should -Be 'eu-west-1'
    }

    It 'without it, a finding without a region is FindingInvalid naming the finding and -Region, with the input as target' {
        $plain = [pscustomobject]@{ FindingId = 'f-noregion'; Job = 'security-group-close-port-5432'; ResourceId = 'sg-0123456789abcdef0'; AccountId = $cloud.accountId }
        $noRegion = @{ AccessKey = $aws.AccessKey; SecretKey = $aws.SecretKey; EndpointUrl = $aws.EndpointUrl }
        $null = $plain | Invoke-Remediation @noRegion @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        @($errs).Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
        $errs[0].Exception.Message | Should -BeLike "*Finding 'f-noregion'*-Region*"
        $errs[0].TargetObject | Should -Be $plain
    }
}

Describe 'Invoke-Remediation errors' {
    It 'a bad value in a finding names the finding and the value, without .NET suffixes' {
        $plain = @{ FindingId = 'f-badaccount'; Job = 'security-group-close-port-5432'; ResourceId = 'sg-0123456789abcdef0'; AccountId = '12345'; Region = 'us-east-1' }
        $null = $plain | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
        $errs[0].Exception.Message | Should -BeLike "*Finding 'f-badaccount'*'12345'*"
        $errs[0].Exception.Message | Should -Not -BeLike '*(Parameter *'
        $errs[0].Exception.Message | Should -Not -BeLike '*Exception*'
        $errs[0].TargetObject | Should -Be $plain
    }

    It 'a bad -RoleArn is RoleArnInvalid naming the value, without a parameter suffix' {
        { 'x' | Invoke-Remediation @aws -RoleArn 'not-an-arn' -ExternalId x -ErrorAction Stop } |
            Should -Throw -ErrorId 'RoleArnInvalid,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage '*not-an-arn*'
        try { 'x' | Invoke-Remediation @aws -RoleArn 'not-an-arn' -ExternalId x -ErrorAction Stop } catch { $_.Exception.Message | Should -Not -BeLike '*(Parameter *' }
    }

    It 'a bad -CloudAccount entry is CloudAccountInvalid naming the value, without a parameter suffix' {
        $entry = @{ RoleArn = 'arn:aws:iam::12345:user/alice'; ExternalId = 'x' }
        $thrown = $null
        try { 'x' | Invoke-Remediation @aws -CloudAccount $entry -ErrorAction Stop } catch { $thrown = $_ }
        $thrown.FullyQualifiedErrorId | Should -Be 'CloudAccountInvalid,RemediationTools.Commands.InvokeRemediationCommand'
        $thrown.Exception.Message | Should -BeLike "*'arn:aws:iam::12345:user/alice'*"
        $thrown.Exception.Message | Should -Not -BeLike '*(Parameter *'
    }

    It 'a JSON text that is no finding targets the input item' {
        $null = 'no json here' | Invoke-Remediation @aws @role -Confirm:$false -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -Be 'FindingInvalid,RemediationTools.Commands.InvokeRemediationCommand'
        $errs[0].TargetObject | Should -Be 'no json here'
    }
}

Describe 'Invoke-Remediation parameters' {
    It 'has a local set and a worker-group set for each input, shown by Get-Command -Syntax' {
        $sets = (Get-Command Invoke-Remediation).ParameterSets
        @($sets.Name | Sort-Object) | Should -Be @('Finding', 'FindingWorkerGroup', 'LiteralPath', 'LiteralPathWorkerGroup', 'Path', 'PathWorkerGroup', 'Resource', 'ResourceWorkerGroup')
        foreach ($set in $sets) {
            $names = $set.Parameters.Name
            if ($set.Name -like '*WorkerGroup') {
                $names | Should -Contain 'Wait'
                $names | Should -Not -Contain 'RoleArn'
                $names | Should -Not -Contain 'CloudAccount'
                ($set.Parameters | Where-Object Name -eq 'WorkerGroup').IsMandatory | Should -BeTrue
            } else {
                $names | Should -Contain 'RoleArn'
                $names | Should -Not -Contain 'Wait'
                $names | Should -Not -Contain 'Store'
            }
        }
        $syntax = Get-Command Invoke-Remediation -Syntax
        $syntax | Should -Match '\[-Finding\] <FindingInput> -WorkerGroup <string>'
        $syntax | Should -Match '-Credential <AwsCredential>'
    }

    It '-Credential takes a PSCredential of the access key ID and secret access key' {
        $group = New-TestGroup
        $credential = [pscredential]::new($caller.accessKeyId, (ConvertTo-SecureString $caller.secretAccessKey -AsPlainText -Force))
        $result = New-TestFinding $group | Invoke-Remediation -Credential $credential -Region us-east-1 -EndpointUrl $sandbox.Endpoint @role -Confirm:$false
        $result.Status | Should -Be 'Remediated'
    }

    It '-Credential refuses a value it cannot use at binding, naming it' {
        { 'x' | Invoke-Remediation -Credential 'my-profile' -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentTransformationError,RemediationTools.Commands.InvokeRemediationCommand' -ExpectedMessage "*'my-profile'*"
    }
}
