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
        $start = $text.IndexOf('after:')
        $after = $text.Substring($start, $text.IndexOf('== Invoke-Remediation again') - $start)
        $after | Should -Match 'tcp 5400-5431 from ::/0'
        $after | Should -Match 'tcp 5432 from 10\.0\.0\.0/16'
        $after | Should -Not -Match 'tcp 5432 from 0\.0\.0\.0/0'
        $text | Should -Match 'Worker run \w+: Completed by worker w-'
        $text | Should -Match 'Ingress rules of sg-\w+ after the worker: none'
        $text | Should -Match 'Report of 5 results and runs \(open it in a browser\): \S+\.html'
        $page = [regex]::Match($text, 'Report of 5 results and runs \(open it in a browser\): (\S+\.html)').Groups[1].Value
        try {
            Get-Content -Raw -LiteralPath $page | Should -Match '<p class="meta">5 results, 0 failures, [1-9]\d* changes?\.[^<]*</p>[\s\S]*<th>Worker group</th>'
        }
        finally {
            Remove-Item -LiteralPath $page
        }
        $text | Should -Match 'Demo finished'
    }
}

Describe 'examples/WorkerGroup.ps1' {
    BeforeAll {
        Import-Module (Get-TestManifestPath) -Force
        Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
        Import-Module (Join-Path $root 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
        $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
    }

    AfterAll {
        if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
    }

    It 'creates a group, starts two worker processes, and every finding of the folder is fixed once by them' {
        $folder = Join-Path $TestDrive 'findings'
        $null = New-Item -ItemType Directory -Path $folder
        $groups = foreach ($i in 1..4) {
            $groupId = New-TestOpenSecurityGroup -Context $ctx
            New-TestFindingJson -Context $ctx -GroupId $groupId | Set-Content -LiteralPath (Join-Path $folder "finding-$i.json")
            $groupId
        }
        $store = "local:$(New-TestStoreFolder -Root $TestDrive)"
        $workerEnvironment = @{
            AWS_ACCESS_KEY_ID = $ctx.Aws.AccessKey; AWS_SECRET_ACCESS_KEY = $ctx.Aws.SecretKey; AWS_REGION = $ctx.Aws.Region; AWS_ENDPOINT_URL = $ctx.Aws.EndpointUrl
        }
        $account = [pscustomobject]@{ RoleArn = $ctx.RoleArn; ExternalId = $ctx.OrganizationId }

        $runs = @(& (Join-Path $root 'examples/WorkerGroup.ps1') -Name examples -OrganizationId $ctx.OrganizationId -CloudAccount $account -FindingFolder $folder `
                -Workers 2 -Store $store -WorkerPath (Join-Path (Get-TestWorkerPath) 'remediation-worker.dll') -WorkerEnvironment $workerEnvironment -Timeout '00:01:30' 6>$null)

        $runs.Count | Should -Be 4
        @($runs.RequestId | Sort-Object -Unique).Count | Should -Be 4
        $runs.Result.Status | Sort-Object -Unique | Should -Be 'Remediated'
        foreach ($groupId in $groups) {
            Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        }
        $workers = @(Get-RemediationWorker -WorkerGroup examples -Store $store)
        $workers.Count | Should -Be 2
        $workers.State | Sort-Object -Unique | Should -Be 'Stopped'
    }
}

Describe 'examples/WorkerGroup.ps1 on the AWS store' {
    BeforeAll {
        Import-Module (Get-TestManifestPath) -Force
        Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
        Import-Module (Join-Path $root 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
        $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
        # The session's cmdlets and the workers both find the hosting credentials through the SDK chain, as on EC2.
        $script:saved = @{}
        $variables = @{ AWS_ACCESS_KEY_ID = $ctx.Aws.AccessKey; AWS_SECRET_ACCESS_KEY = $ctx.Aws.SecretKey; AWS_REGION = $ctx.Aws.Region; AWS_ENDPOINT_URL = $ctx.Aws.EndpointUrl }
        foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
    }

    AfterAll {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
    }

    It 'runs the same flow with -Store aws:name: the group in DynamoDB, its queue in SQS, every finding fixed once' {
        $folder = Join-Path $TestDrive 'findings-aws'
        $null = New-Item -ItemType Directory -Path $folder
        $groups = foreach ($i in 1..3) {
            $groupId = New-TestOpenSecurityGroup -Context $ctx
            New-TestFindingJson -Context $ctx -GroupId $groupId | Set-Content -LiteralPath (Join-Path $folder "finding-$i.json")
            $groupId
        }
        $store = 'aws:examples' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $account = [pscustomobject]@{ RoleArn = $ctx.RoleArn; ExternalId = $ctx.OrganizationId }

        $runs = @(& (Join-Path $root 'examples/WorkerGroup.ps1') -Name examples -OrganizationId $ctx.OrganizationId -CloudAccount $account -FindingFolder $folder `
                -Workers 2 -Store $store -WorkerPath (Join-Path (Get-TestWorkerPath) 'remediation-worker.dll') -Timeout '00:01:30' 6>$null)

        $runs.Count | Should -Be 3
        $runs.Result.Status | Sort-Object -Unique | Should -Be 'Remediated'
        foreach ($groupId in $groups) {
            Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        }
        $queues = Invoke-RestMethod -Uri "$($ctx.Sandbox.Endpoint)_sandbox/sqs"
        @($queues | Where-Object { $_.QueueArn -like "*:$($store.Substring(4))-examples" }).Count | Should -Be 1
        (Get-RemediationWorker -WorkerGroup examples -Store $store).State | Sort-Object -Unique | Should -Be 'Stopped'
        Remove-RemediationWorkerGroup -Name examples -Store $store -Confirm:$false
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

Describe 'examples/Deployment.ps1' {
    BeforeAll {
        Import-Module (Get-TestManifestPath) -Force
        Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'DeploymentTestHelpers.psm1') -Force
        Import-Module (Join-Path $root 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
        $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
        $script:images = Set-TestInstanceLauncher -Context $ctx
    }

    AfterAll {
        if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
    }

    It 'deploys workers on EC2 that fix every finding of the folder, rolls them onto a new image, and removes everything' {
        $folder = Join-Path $TestDrive 'findings'
        $null = New-Item -ItemType Directory -Path $folder
        $groups = foreach ($i in 1..2) {
            $groupId = New-TestOpenSecurityGroup -Context $ctx
            New-TestFindingJson -Context $ctx -GroupId $groupId | Set-Content -LiteralPath (Join-Path $folder "finding-$i.json")
            $groupId
        }
        $account = [pscustomobject]@{ RoleArn = $ctx.RoleArn; ExternalId = $ctx.OrganizationId }
        $store = "aws:pester$([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $aws = $ctx.Aws

        $runs = @(& (Join-Path $root 'examples/Deployment.ps1') -Name examples -OrganizationId $ctx.OrganizationId -CloudAccount $account -FindingFolder $folder `
                -ImageUri $images[0] -NewImageUri $images[1] -Count 2 -Store $store -Remove -Timeout '00:02:00' @aws 6>$null)

        $runs.Count | Should -Be 2
        $runs | ForEach-Object { $_.Status | Should -Be 'Completed'; $_.Result.Status | Should -Be 'Remediated' }
        foreach ($groupId in $groups) {
            Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Not -Contain 'tcp 5432 from 0.0.0.0/0'
        }
        $instances = @(Get-TestWorkerInstance -Context $ctx -WorkerGroup examples)
        $instances.Count | Should -Be 4
        @($instances | Where-Object { $_.State -notin 'shutting-down', 'terminated' }) | Should -BeNullOrEmpty
        @($instances | Where-Object { $_.Tags.'remediation:image' -eq $images[1] }).Count | Should -Be 2
        Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/examples/client-secret' | Should -BeNullOrEmpty
    }
}
