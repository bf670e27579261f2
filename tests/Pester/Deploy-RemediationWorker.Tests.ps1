# Deploy-RemediationWorker end to end in the sandbox: the secret in SSM only, the instances as asked, and the workers
# (booted by the sandbox's instance launcher from the user data, as processes with the container's environment) join
# their group through the instance role and fix findings.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestManifestPath) -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DeploymentTestHelpers.psm1') -Force
    Import-TestAwsSandboxModule
    $script:ctx = Initialize-TestDeploymentSandbox
    $script:aws = $ctx.Aws
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Deploy-RemediationWorker' {
    It 'lists every resource it would create with -WhatIf, and creates none' {
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try {
            $result = $ctx.Group | Deploy-RemediationWorker -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -Count 2 -WhatIf
        }
        finally {
            $null = Stop-Transcript
        }

        $result | Should -BeNullOrEmpty
        $text = Get-Content -Raw -LiteralPath $transcript
        $text | Should -Match 'SSM SecureString parameter /remediation/prod/client-secret'
        $text | Should -Match 'create security group remediation-worker-prod in vpc-\w+ with no inbound rule'
        $text | Should -Match "launch 2 x t3.micro from ami-\w+ \(Amazon Linux 2023, x86_64\) in subnet-\w+ with instance profile $([regex]::Escape($ctx.Role.InstanceProfileName))"
        $text | Should -Match 'IMDSv2 required \(hop limit 2\), encrypted root volume, no key pair'
        $text | Should -Not -Match ([regex]::Escape($ctx.Secret))
        Get-TestWorkerInstance -Context $ctx | Should -BeNullOrEmpty
        Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/prod/client-secret' | Should -BeNullOrEmpty
    }

    It 'refuses a client secret that is not the group''s, and a bad image reference, changing nothing' {
        $wrong = ConvertTo-SecureString 'not-the-secret' -AsPlainText -Force
        { Deploy-RemediationWorker -WorkerGroup prod -ClientSecret $wrong -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerCredentialsRefused,RemediationTools.Commands.DeployRemediationWorkerCommand'
        { $ctx.Group | Deploy-RemediationWorker -ImageUri 'Worker:$(id)' -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerDeploymentInvalid,RemediationTools.Commands.DeployRemediationWorkerCommand' -ExpectedMessage "*'Worker:`$(id)'*"
        { $ctx.Group | Deploy-RemediationWorker -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store local @aws -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerDeploymentInvalid,RemediationTools.Commands.DeployRemediationWorkerCommand' -ExpectedMessage "*-Store 'local'*"
        Get-TestWorkerInstance -Context $ctx | Should -BeNullOrEmpty
        Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/prod/client-secret' | Should -BeNullOrEmpty
    }

    It 'deploys two workers that join their group through the instance role and fix a finding; the secret is only in SSM' {
        $deployed = @($ctx.Group | Deploy-RemediationWorker -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -Count 2 -Tag @{ team = 'security' } -Wait -Timeout '00:02:00')

        $deployed.Count | Should -Be 2
        $deployed | ForEach-Object {
            $_ | Should -BeOfType ([RemediationTools.RemediationWorkerDeployment])
            $_.Healthy | Should -BeTrue
            $_.State | Should -Be 'running'
            $_.WorkerGroup | Should -Be 'prod'
            $_.ImageUri | Should -Be $ctx.Images[0]
            $_.LaunchTime | Should -Not -BeNullOrEmpty
        }

        # The secret: a SecureString with the group's secret, and nowhere else.
        $parameter = Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/prod/client-secret'
        $parameter.Type | Should -Be 'SecureString'
        $parameter.Value | Should -BeExactly $ctx.Secret
        $instances = Get-TestWorkerInstance -Context $ctx
        $instances.Count | Should -Be 2
        foreach ($instance in $instances) {
            $instance.UserData | Should -Not -Match ([regex]::Escape($ctx.Secret))
            $instance.UserData | Should -Match 'REMEDIATION_CLIENT_SECRET_PARAMETER=/remediation/prod/client-secret'
            ($instance.Tags | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($ctx.Secret))
            $instance.Tags.'remediation:image' | Should -Be $ctx.Images[0]
            $instance.Tags.team | Should -Be 'security'
        }
        ($deployed | ConvertTo-Json -Depth 5) | Should -Not -Match ([regex]::Escape($ctx.Secret))

        # The instances as EC2 reports them: IMDSv2 with hop limit 2, the instance profile, no key pair, an encrypted root volume.
        foreach ($id in $deployed.InstanceId) {
            $xml = Invoke-AwsSandboxAction -Sandbox $ctx.Sandbox -AccountId $ctx.Role.AccountId -Service ec2 -Action DescribeInstances -Parameters @{ 'InstanceId.1' = $id }
            $node = { param($name) $xml.SelectSingleNode("//*[local-name()='instancesSet']/*/*[local-name()='$name']") }
            (& $node 'metadataOptions').SelectSingleNode("*[local-name()='httpTokens']").InnerText | Should -Be 'required'
            (& $node 'metadataOptions').SelectSingleNode("*[local-name()='httpPutResponseHopLimit']").InnerText | Should -Be '2'
            (& $node 'iamInstanceProfile').SelectSingleNode("*[local-name()='arn']").InnerText | Should -Be $ctx.Role.InstanceProfileArn
            & $node 'keyName' | Should -BeNullOrEmpty
            $volumes = Invoke-AwsSandboxAction -Sandbox $ctx.Sandbox -AccountId $ctx.Role.AccountId -Service ec2 -Action DescribeVolumes -Parameters @{ 'Filter.1.Name' = 'attachment.instance-id'; 'Filter.1.Value.1' = $id }
            @($volumes.SelectNodes("//*[local-name()='volumeSet']/*/*[local-name()='encrypted']").InnerText) | Should -Be @('true')
        }

        # They fix a finding dispatched to the group.
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $run = New-TestFindingJson -Context $ctx -GroupId $groupId | Invoke-Remediation -WorkerGroup prod -Store $ctx.Store @aws -Wait -Timeout '00:02:00' -Confirm:$false
        $run.Status | Should -Be 'Completed'
        $run.Result.Status | Should -Be 'Remediated'
        $run.WorkerId | Should -Match '^w-'
        $workers = @(Get-RemediationWorker -WorkerGroup prod -Store $ctx.Store @aws | Where-Object State -EQ 'Healthy')
        $workers.Count | Should -Be 2
        @($workers.InstanceId | Sort-Object) | Should -Be @($deployed.InstanceId | Sort-Object)
        $workers.InstanceState | Should -Be @('running', 'running')
    }
}

Describe 'Deploy-RemediationWorker with the worker image in a container' {
    BeforeAll {
        # The image of build.ps1 -Task Image (Test builds it first); the user data's docker run line runs in it.
        if ($env:REMEDIATION_IMAGE_ERROR) { throw "The worker image was not built: $env:REMEDIATION_IMAGE_ERROR" }
        if (-not $env:REMEDIATION_IMAGE) { throw 'REMEDIATION_IMAGE is not set: run the tests with build.ps1 -Task Test, which builds the worker image.' }
        $script:engine = 'podman'
        $PSNativeCommandUseErrorActionPreference = $false
        if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
            $null = & docker info 2>&1
            if ($LASTEXITCODE -eq 0) { $script:engine = 'docker' }
        }
        $script:box = Initialize-TestDeploymentSandbox
        $script:reference = '111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:container'
        $launcher = Join-Path $PSScriptRoot 'Start-SandboxInstanceWorker.sh'
        Set-AwsSandboxInstanceLauncher -Sandbox $box.Sandbox -Command '/bin/bash' -ArgumentList @($launcher, '--container', $engine, $env:REMEDIATION_IMAGE, (Join-Path (Get-TestWorkerPath) 'remediation-worker.dll'), $reference) | Out-Null
    }

    AfterAll {
        if ($script:box) { $script:box.Sandbox | Stop-AwsSandbox }
        if ($script:deployed) {
            $PSNativeCommandUseErrorActionPreference = $false
            foreach ($id in $script:deployed.InstanceId) { $null = & $script:engine rm -f "rt-instance-$id" 2>&1 }
        }
    }

    It 'runs the user data''s container command in the image: the worker joins through the instance role, fixes a finding, and stops with its instance' {
        $boxAws = $box.Aws
        $script:deployed = @($box.Group | Deploy-RemediationWorker -ImageUri $reference -InstanceProfileName $box.Role.InstanceProfileName -Store $box.Store @boxAws -Wait -Timeout '00:02:00')

        $deployed.Count | Should -Be 1
        $deployed[0].Healthy | Should -BeTrue -Because (Get-AwsSandboxInstanceLauncher -Sandbox $box.Sandbox -InstanceId $deployed[0].InstanceId | Out-String)
        $PSNativeCommandUseErrorActionPreference = $false
        $inspect = (& $engine inspect "rt-instance-$($deployed[0].InstanceId)" 2>&1) -join "`n"
        $inspect | Should -Match '"Memory": 134217728'
        $inspect | Should -Not -Match ([regex]::Escape($box.Secret))

        $groupId = New-TestOpenSecurityGroup -Context $box
        $run = New-TestFindingJson -Context $box -GroupId $groupId | Invoke-Remediation -WorkerGroup prod -Store $box.Store @boxAws -Wait -Timeout '00:02:00' -Confirm:$false
        $run.Result.Status | Should -Be 'Remediated'

        $null = Remove-RemediationWorker -InstanceId $deployed[0].InstanceId @boxAws -Confirm:$false
        $stopped = Wait-TestCondition -TimeoutSeconds 30 -Because 'the worker in the container to stop with its instance' -Condition {
            Get-RemediationWorker -WorkerGroup prod -Store $box.Store @boxAws | Where-Object { $_.InstanceId -eq $deployed[0].InstanceId -and $_.State -eq 'Stopped' }
        }
        $stopped | Should -Not -BeNullOrEmpty
    }
}
