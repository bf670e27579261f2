# The worker image (build.ps1 -Task Image) run as a container, limited to 128 MB and half a CPU, as the image's
# non-root user 10001, against the AWS sandbox on this machine (--network host). The client secret and the hosting
# user's AWS profile reach the container as read-only mounted files, never as -e values or on the command line.
# build.ps1 -Task Test builds the image first. A machine whose engine cannot run containers fails these tests and
# says why: they are never skipped.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-TestModule
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    Import-TestAwsSandboxModule

    function Invoke-Engine {
        # Runs the container engine; returns its output lines and sets $LASTEXITCODE.
        $PSNativeCommandUseErrorActionPreference = $false
        & $script:engine @args 2>&1 | ForEach-Object { "$_" }
    }

    function Resolve-TestContainerEngine {
        # As build.ps1 -Task Image: Docker when a Docker engine answers, else Podman with the project's containers.conf.
        if ($env:REMEDIATION_IMAGE_ERROR) { throw "The worker image was not built: $env:REMEDIATION_IMAGE_ERROR" }
        $PSNativeCommandUseErrorActionPreference = $false
        if (Get-Command docker -CommandType Application -ErrorAction SilentlyContinue) {
            $null = & docker info 2>&1
            if ($LASTEXITCODE -eq 0) { return 'docker' }
        }
        if (-not (Get-Command podman -CommandType Application -ErrorAction SilentlyContinue)) {
            throw 'No container engine: no Docker engine answers `docker info` and podman is not installed; the worker image cannot run here.'
        }
        if (-not $env:CONTAINERS_CONF) { $env:CONTAINERS_CONF = Join-Path (Get-TestRepositoryRoot) 'build/image/containers.conf' }
        'podman'
    }

    function New-ContainerFile {
        # A file for a read-only mount, readable only by the container's user (10001): the way an administrator
        # provides a secret to a non-root container (install -o 10001 -m 0400).
        param([string] $Path, [string] $Content)
        $folder = Split-Path -Parent $Path
        $null = New-Item -ItemType Directory -Path $folder -Force
        [IO.File]::WriteAllText($Path, $Content)
        foreach ($command in @('chown', '10001:10001'), @('chmod', '0400')) {
            & $command[0] $command[1] $Path
            if ($LASTEXITCODE -ne 0) { throw "'$($command -join ' ') $Path' failed: the container tests give files to user 10001 and run as root (as CI does)." }
        }
    }

    function Start-TestWorkerContainer {
        <#
        Starts the image as a worker of $Deployment's group: no --user (the image's 10001), 128 MB, half a CPU, host
        network; the secret and the AWS profile are read-only mounts. $Environment adds plain settings; $Arguments adds
        engine options (mounts, --group-add). Returns the container's name.
        #>
        param($Deployment, [string] $Store, [hashtable] $Environment = @{}, [string[]] $Arguments = @())
        $name = 'rt-pester-' + [guid]::NewGuid().ToString('N').Substring(0, 10)
        $secretFile = Join-Path $script:files "$name/client-secret"
        New-ContainerFile -Path $secretFile -Content (Get-TestPlainSecret $Deployment.ClientSecret)
        $variables = [ordered]@{
            REMEDIATION_WORKER_GROUP       = $Deployment.GroupName
            REMEDIATION_CLIENT_ID          = $Deployment.ClientId
            REMEDIATION_CLIENT_SECRET_FILE = '/run/secrets/remediation-client-secret'
            REMEDIATION_STORE              = $Store
            REMEDIATION_HEARTBEAT_SECONDS  = '2'
            REMEDIATION_POLL_SECONDS       = '1'
            AWS_SHARED_CREDENTIALS_FILE    = '/run/aws/credentials'
            AWS_CONFIG_FILE                = '/run/aws/config'
            AWS_PROFILE                    = 'hosting'
            AWS_REGION                     = $ctx.Aws.Region
            AWS_ENDPOINT_URL               = $ctx.Aws.EndpointUrl
        }
        foreach ($key in $Environment.Keys) { $variables[$key] = $Environment[$key] }
        $run = @('run', '-d', '--name', $name, '--memory', '128m', '--cpus', '0.5', '--network', 'host',
            '--mount', "type=bind,source=$secretFile,target=/run/secrets/remediation-client-secret,readonly",
            '--mount', "type=bind,source=$script:awsFolder,target=/run/aws,readonly") + $Arguments
        foreach ($key in $variables.Keys) { $run += @('-e', "$key=$($variables[$key])") }
        # Without systemd Podman cannot schedule the image's health check (it logs an error per container);
        # `podman healthcheck run` still runs it.
        if ($script:engine -eq 'podman') { $run += @('--health-interval', 'disable') }
        $output = Invoke-Engine @run $script:image
        if ($LASTEXITCODE -ne 0) { throw "$script:engine run failed (exit code $LASTEXITCODE): $output" }
        $script:containers.Add($name)
        $name
    }

    function Get-ContainerLog([string] $Name) { (Invoke-Engine logs $Name) -join "`n" }

    function Wait-TestHealthyWorker([string] $Container, [string] $Group, [string] $Store) {
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while ([DateTime]::UtcNow -lt $deadline) {
            $healthy = @(Get-RemediationWorker -WorkerGroup $Group -Store $Store -State Healthy)
            if ($healthy.Count -gt 0) { return $healthy }
            $state = (Invoke-Engine inspect --format '{{.State.Status}} {{.State.ExitCode}}' $Container) -join ' '
            if ($state -notmatch '^running') { throw "The worker container stopped ($state) before it joined its group: $(Get-ContainerLog $Container)" }
            Start-Sleep -Milliseconds 250
        }
        $workers = @(Get-RemediationWorker -WorkerGroup $Group -Store $Store | ForEach-Object { "$($_.WorkerId) $($_.State) $(if ($_.PSObject.Properties['Reason']) { $_.Reason })" })
        throw "No Healthy worker in group '$Group' within 60 s (workers: $($workers -join '; ')): $(Get-ContainerLog $Container)"
    }

    $script:engine = Resolve-TestContainerEngine
    $script:image = if ($env:REMEDIATION_IMAGE) { $env:REMEDIATION_IMAGE } else { 'remediation-worker:latest' }
    $noHealth = if ($script:engine -eq 'podman') { @('--health-interval', 'disable') } else { @('--no-healthcheck') }
    $version = Invoke-Engine run --rm --network host @noHealth $script:image --version
    if ($LASTEXITCODE -ne 0 -or -not ($version -match '^remediation-worker \d')) {
        throw "$script:engine cannot run the worker image '$script:image' (exit code $LASTEXITCODE; run ./build.ps1 -Task Image first): $version"
    }
    $script:containers = [System.Collections.Generic.List[string]]::new()
    $script:files = Join-Path $TestDrive 'container-files'

    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
    # The hosting user's profile for the container, and the same credentials for this session's cmdlets (SDK chain).
    $script:awsFolder = Join-Path $files 'aws'
    New-ContainerFile -Path (Join-Path $awsFolder 'credentials') -Content "[hosting]`naws_access_key_id = $($ctx.Aws.AccessKey)`naws_secret_access_key = $($ctx.Aws.SecretKey)`n"
    New-ContainerFile -Path (Join-Path $awsFolder 'config') -Content "[profile hosting]`nregion = $($ctx.Aws.Region)`n"
    & chmod 0755 $files $awsFolder
    $script:saved = @{}
    $variables = @{ AWS_ACCESS_KEY_ID = $ctx.Aws.AccessKey; AWS_SECRET_ACCESS_KEY = $ctx.Aws.SecretKey; AWS_REGION = $ctx.Aws.Region; AWS_ENDPOINT_URL = $ctx.Aws.EndpointUrl }
    foreach ($name in $variables.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $variables[$name]) }
}

AfterAll {
    if ($script:containers) { foreach ($name in $containers) { $null = Invoke-Engine rm -f $name } }
    if ($script:saved) { foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) } }
    if ($script:ctx) { $ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'The worker image on the AWS store, in 128 MB and half a CPU, as user 10001' {
    BeforeAll {
        $script:store = 'aws:ctr' + [guid]::NewGuid().ToString('N').Substring(0, 6)
        $script:deployment = New-RemediationWorkerGroup -Name image -OrganizationId $ctx.OrganizationId -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId `
            -Store $store -ClientSecretPath (Join-Path $TestDrive 'image.secret') -WarningAction SilentlyContinue -Confirm:$false
        $script:container = Start-TestWorkerContainer -Deployment $deployment -Store $store
    }

    It 'joins its group: Get-RemediationWorker shows it Healthy' {
        $healthy = @(Wait-TestHealthyWorker -Container $container -Group image -Store $store)
        $healthy.Count | Should -Be 1
        $healthy[0].Version | Should -Match '^\d+\.\d+\.\d+$'
        (Invoke-Engine inspect --format '{{.Config.User}} {{.HostConfig.Memory}}' $container) -join ' ' | Should -Be "10001:10001 $(128MB)"
    }

    It 'fixes dispatched findings: results Remediated and the security groups changed in the sandbox' {
        $groups = foreach ($i in 1..3) { New-TestOpenSecurityGroup -Context $ctx }
        $findings = foreach ($groupId in $groups) { New-TestFindingJson -Context $ctx -GroupId $groupId }
        $runs = @($findings | Invoke-Remediation -WorkerGroup image -Store $store -Wait -Timeout '00:02:00' -Confirm:$false)
        $runs.Count | Should -Be 3
        $runs.Result.Status | Sort-Object -Unique | Should -Be 'Remediated' -Because (Get-ContainerLog $container)
        foreach ($groupId in $groups) {
            Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        }
    }

    It 'answers the health check healthy' {
        # Podman runs the image's HEALTHCHECK on demand; Docker schedules it itself, so run the same command in the container.
        $output = if ($engine -eq 'podman') { Invoke-Engine healthcheck run $container } else { Invoke-Engine exec $container /opt/remediation-worker/remediation-worker --health }
        $LASTEXITCODE | Should -Be 0 -Because "$output"
        # The image declares the check itself (docker format keeps HEALTHCHECK).
        (Invoke-Engine image inspect --format '{{json .Config.Healthcheck.Test}}' $image) -join '' | Should -Match 'remediation-worker.*--health'
    }

    It 'has neither the client secret nor AWS keys in its configuration' {
        $config = (Invoke-Engine inspect $container) -join "`n"
        $config | Should -Not -BeLike "*$(Get-TestPlainSecret $deployment.ClientSecret)*"
        $config | Should -Not -BeLike "*$($ctx.Aws.SecretKey)*"
        $config | Should -Not -BeLike "*$($ctx.Aws.AccessKey)*"
    }

    It 'stops cleanly on stop: exit code 0 and its heartbeat Stopped' {
        $output = Invoke-Engine stop -t 30 $container
        $LASTEXITCODE | Should -Be 0 -Because "$output"
        (Invoke-Engine inspect --format '{{.State.ExitCode}}' $container) -join '' | Should -Be '0' -Because (Get-ContainerLog $container)
        (Get-RemediationWorker -WorkerGroup image -Store $store).State | Should -Be 'Stopped'
        Get-ContainerLog $container | Should -Match 'SIGTERM'
    }
}

Describe 'The worker image on a local store made by another user' {
    # The store is made by this session's user (root in CI), shared once with the group of the image's user (10001) as
    # its owner sets it up (REMEDIATION_STORE_SHARED=group on a folder of that group); afterwards neither the session
    # that dispatches nor the container sets anything, and the queue folders are made by the session's user.
    BeforeAll {
        $script:folder = New-TestStoreFolder -Root $TestDrive
        & chgrp 10001 $folder
        $script:savedShared = $env:REMEDIATION_STORE_SHARED
        $script:localStore = "local:$folder"
        $env:REMEDIATION_STORE_SHARED = 'group'
        try {
            $script:localDeployment = New-RemediationWorkerGroup -Name shared -OrganizationId $ctx.OrganizationId -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId `
                -Store $localStore -ClientSecretPath (Join-Path $TestDrive 'shared.secret') -WarningAction SilentlyContinue -Confirm:$false
        }
        finally {
            $env:REMEDIATION_STORE_SHARED = $null
        }
        $script:localContainer = Start-TestWorkerContainer -Deployment $localDeployment -Store 'local:/var/lib/remediation' -Arguments @('-v', "${folder}:/var/lib/remediation")
    }

    AfterAll {
        $env:REMEDIATION_STORE_SHARED = $script:savedShared
    }

    It 'joins its group and fixes a finding dispatched by the store''s owner' {
        $null = Wait-TestHealthyWorker -Container $localContainer -Group shared -Store $localStore
        $groupId = New-TestOpenSecurityGroup -Context $ctx
        $run = @(New-TestFindingJson -Context $ctx -GroupId $groupId | Invoke-Remediation -WorkerGroup shared -Store $localStore -Wait -Timeout '00:01:00' -Confirm:$false)
        $run.Count | Should -Be 1
        $run[0].Result.Status | Should -Be 'Remediated' -Because (Get-ContainerLog $localContainer)
        Get-AwsSandboxIngressRule -Sandbox $ctx.Sandbox -AccountId $ctx.CloudAccountId -GroupId $groupId | Should -Be @('tcp 443 from 0.0.0.0/0')
        $null = Invoke-Engine stop -t 30 $localContainer
        (Invoke-Engine inspect --format '{{.State.ExitCode}}' $localContainer) -join '' | Should -Be '0'
    }
}
