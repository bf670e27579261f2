# Update-RemediationWorker in the sandbox: replacements first, the old instances terminated only after the new workers
# report Healthy; an image that never starts is rolled back and the old worker keeps running.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestManifestPath) -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DeploymentTestHelpers.psm1') -Force
    Import-TestAwsSandboxModule
    $script:ctx = Initialize-TestDeploymentSandbox
    $script:aws = $ctx.Aws
    $script:first = $ctx.Group | Deploy-RemediationWorker -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -Wait -Timeout '00:02:00'
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Update-RemediationWorker' {
    It 'shows what it would replace with -WhatIf, and launches nothing' {
        $result = Update-RemediationWorker -WorkerGroup prod -ImageUri $ctx.Images[1] -Store $ctx.Store @aws -WhatIf
        $result | Should -BeNullOrEmpty
        @(Get-TestWorkerInstance -Context $ctx).InstanceId | Should -Be @($first.InstanceId)
    }

    It 'rolls the group onto a new image: the old instance is terminated only after the new worker is Healthy' {
        $new = @(Update-RemediationWorker -WorkerGroup prod -ImageUri $ctx.Images[1] -Store $ctx.Store @aws -Timeout '00:02:00' -Confirm:$false)

        $new.Count | Should -Be 1
        $new[0].Healthy | Should -BeTrue
        $new[0].ImageUri | Should -Be $ctx.Images[1]
        $new[0].InstanceId | Should -Not -Be $first.InstanceId
        (Get-TestWorkerInstance -Context $ctx -State shutting-down, terminated).InstanceId | Should -Be $first.InstanceId
        @(Get-TestWorkerInstance -Context $ctx -State pending, running).InstanceId | Should -Be @($new[0].InstanceId)

        # The old worker stopped cleanly when its instance was terminated, after the new one had started.
        $old = Wait-TestCondition -TimeoutSeconds 30 -Because 'the old worker to record that it stopped' -Condition {
            Get-RemediationWorker -WorkerGroup prod -Store $ctx.Store @aws | Where-Object { $_.InstanceId -eq $first.InstanceId -and $_.State -eq 'Stopped' }
        }
        $replacement = Get-RemediationWorker -WorkerGroup prod -Store $ctx.Store @aws | Where-Object InstanceId -EQ $new[0].InstanceId
        $replacement.State | Should -Be 'Healthy'
        $old.LastHeartbeat | Should -BeGreaterThan $replacement.Started
        $script:current = $new[0]
    }

    It 'rolls back an image that never starts: the replacement is terminated and the old worker keeps running' {
        { Update-RemediationWorker -WorkerGroup prod -ImageUri $ctx.Broken -Store $ctx.Store @aws -Timeout '00:00:15' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerNotHealthy,RemediationTools.Commands.UpdateRemediationWorkerCommand' -ExpectedMessage "*rolled back*$($current.InstanceId)*keep running*"

        @(Get-TestWorkerInstance -Context $ctx -State pending, running).InstanceId | Should -Be @($current.InstanceId)
        $broken = @(Get-TestWorkerInstance -Context $ctx | Where-Object { $_.Tags.'remediation:image' -eq $ctx.Broken })
        $broken.Count | Should -Be 1
        $broken[0].State | Should -BeIn 'shutting-down', 'terminated'
        (Get-RemediationWorker -WorkerGroup prod -Store $ctx.Store @aws | Where-Object InstanceId -EQ $current.InstanceId).State | Should -Be 'Healthy'
    }

    It 'writes WorkerGroupNotFound for a group that does not exist and WorkerDeploymentInvalid for a bad image' {
        { Update-RemediationWorker -WorkerGroup nosuchgroup -ImageUri $ctx.Images[1] -Store $ctx.Store @aws -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerGroupNotFound,RemediationTools.Commands.UpdateRemediationWorkerCommand'
        { Update-RemediationWorker -WorkerGroup prod -ImageUri 'BAD IMAGE' -Store $ctx.Store @aws -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerDeploymentInvalid,RemediationTools.Commands.UpdateRemediationWorkerCommand' -ExpectedMessage "*'BAD IMAGE'*"
    }
}
