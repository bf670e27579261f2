# Remove-RemediationWorker in the sandbox: only worker instances, one by ID or the whole group, and the secret parameter
# deleted only once no worker of the group is left.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Get-TestManifestPath) -Force
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DeploymentTestHelpers.psm1') -Force
    Import-TestAwsSandboxModule
    $script:ctx = Initialize-TestDeploymentSandbox
    $script:aws = $ctx.Aws
    $script:deployed = @($ctx.Group | Deploy-RemediationWorker -ImageUri $ctx.Images[0] -InstanceProfileName $ctx.Role.InstanceProfileName -Store $ctx.Store @aws -Count 2)
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Remove-RemediationWorker' {
    It 'terminates nothing with -WhatIf' {
        Remove-RemediationWorker -WorkerGroup prod @aws -WhatIf | Should -BeNullOrEmpty
        @(Get-TestWorkerInstance -Context $ctx -State pending, running).Count | Should -Be 2
    }

    It 'refuses an instance that is not a worker, and one that does not exist, terminating nothing' {
        $other = Invoke-AwsSandboxAction -Sandbox $ctx.Sandbox -AccountId $ctx.Role.AccountId -Service ec2 -Action RunInstances -Parameters @{
            ImageId = (Get-AwsSandboxInstance -Sandbox $ctx.Sandbox -InstanceId $deployed[0].InstanceId).ImageId; InstanceType = 't3.micro'; MinCount = 1; MaxCount = 1 }
        $otherId = $other.SelectSingleNode("//*[local-name()='instanceId']").InnerText
        { Remove-RemediationWorker -InstanceId $otherId @aws -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerDeploymentInvalid,RemediationTools.Commands.RemoveRemediationWorkerCommand' -ExpectedMessage "*'$otherId' is not a worker*"
        { Remove-RemediationWorker -InstanceId 'i-0123456789abcdef0' @aws -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'WorkerDeploymentInvalid,RemediationTools.Commands.RemoveRemediationWorkerCommand' -ExpectedMessage "*'i-0123456789abcdef0'*"
        (Get-AwsSandboxInstance -Sandbox $ctx.Sandbox -InstanceId $otherId).State | Should -BeIn 'pending', 'running'
        @(Get-TestWorkerInstance -Context $ctx -State pending, running).Count | Should -Be 2
    }

    It 'terminates one worker by -InstanceId and keeps the secret while another worker of the group runs' {
        $removed = Remove-RemediationWorker -InstanceId $deployed[0].InstanceId -RemoveSecret @aws -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue

        $removed.InstanceId | Should -Be $deployed[0].InstanceId
        $removed.State | Should -BeIn 'shutting-down', 'terminated'
        "$warnings" | Should -Match 'client secret parameter of worker group prod was kept'
        Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/prod/client-secret' | Should -Not -BeNullOrEmpty
        @(Get-TestWorkerInstance -Context $ctx -State pending, running).InstanceId | Should -Be @($deployed[1].InstanceId)
    }

    It 'terminates the rest of the group with -RemoveSecret and deletes the secret parameter' {
        $removed = @(Get-RemediationWorker -WorkerGroup prod -Store $ctx.Store @aws | Where-Object InstanceState -EQ 'running' | Remove-RemediationWorker -RemoveSecret @aws -Confirm:$false)

        $removed.InstanceId | Should -Be @($deployed[1].InstanceId)
        @(Get-TestWorkerInstance -Context $ctx -State pending, running) | Should -BeNullOrEmpty
        Get-AwsSandboxParameter -Sandbox $ctx.Sandbox -Name '/remediation/prod/client-secret' | Should -BeNullOrEmpty
    }
}
