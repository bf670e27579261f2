using Amazon.EC2;
using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;
using Tag = Amazon.SimpleSystemsManagement.Model.Tag;

namespace RemediationTools.Core.Deployment;

/// <summary>A planned deployment: every resource it would create or change, for -WhatIf, and what to launch.</summary>
internal sealed class WorkerDeploymentPlan
{
    public WorkerDeploymentPlan(WorkerDeploymentRequest request, WorkerNetwork network, WorkerLaunchSpec launch, bool parameterExists)
    {
        Request = request;
        Network = network;
        Launch = launch;
        ParameterExists = parameterExists;
    }

    public WorkerDeploymentRequest Request { get; }

    public WorkerNetwork Network { get; }

    public WorkerLaunchSpec Launch { get; }

    public bool ParameterExists { get; }

    /// <summary>One line per resource, without the secret.</summary>
    public IReadOnlyList<string> Resources => new[]
    {
        (ParameterExists ? "overwrite" : "create") + " SSM SecureString parameter " + Launch.SecretParameter + " (the group's client secret; only the worker role may read it)",
        Network.SecurityGroupId is null
            ? "create security group " + Network.SecurityGroupName + " in " + Network.VpcId + " with no inbound rule"
            : "use security group " + Network.SecurityGroupId + " (" + Network.SecurityGroupName + ", no inbound rule)",
        "launch " + Launch.Count + " x " + Launch.InstanceType + " from " + Launch.Ami.ImageId + " (Amazon Linux 2023, " + Launch.Ami.Architecture + ") in " + Network.SubnetId +
            " with instance profile " + Launch.InstanceProfileName + ", IMDSv2 required (hop limit " + WorkerInstances.MetadataHopLimit + "), encrypted root volume, no key pair, running " + Launch.Image.Value,
    };
}

/// <summary>A planned Update-RemediationWorker: the instances to replace and the launches that replace them.</summary>
internal sealed class WorkerUpdatePlan
{
    public WorkerUpdatePlan(string groupName, WorkerImageReference image, IReadOnlyList<RemediationWorkerDeployment> current, IReadOnlyList<WorkerLaunchSpec> launches, string? clientSecret)
    {
        ClientSecret = clientSecret;
        GroupName = groupName;
        Image = image;
        Current = current;
        Launches = launches;
    }

    public string GroupName { get; }

    public WorkerImageReference Image { get; }

    public IReadOnlyList<RemediationWorkerDeployment> Current { get; }

    public IReadOnlyList<WorkerLaunchSpec> Launches { get; }

    /// <summary>A secret to write to the parameters first (after Reset-RemediationWorkerGroupSecret); null to keep theirs.</summary>
    public string? ClientSecret { get; }
}

/// <summary>How an update ended.</summary>
internal sealed class WorkerUpdateOutcome
{
    public IReadOnlyList<RemediationWorkerDeployment> Replacements { get; set; } = Array.Empty<RemediationWorkerDeployment>();

    public IReadOnlyList<RemediationWorkerDeployment> Replaced { get; set; } = Array.Empty<RemediationWorkerDeployment>();

    /// <summary>Null when every replacement became Healthy and the old instances were terminated; else why not.</summary>
    public string? FailureReason { get; set; }
}

/// <summary>
/// Deploys, updates, finds and removes a group's workers on EC2 in the hosting account (the caller's credentials and
/// region): the client secret in an SSM SecureString, a security group without ingress, instances from the current
/// Amazon Linux 2023 AMI whose user data runs the worker container (<see cref="WorkerUserData"/>), and waits on the
/// store's heartbeats for the workers to report Healthy.
/// </summary>
internal sealed class WorkerDeploymentService
{
    private readonly IAwsClients clients;
    private readonly string region;
    private readonly IRemediationStore? store;
    private readonly Func<DateTimeOffset> clock;

    /// <summary>Creates the service; <paramref name="store"/> may be null for what needs none (finding and removing instances).</summary>
    public WorkerDeploymentService(IAwsClients clients, string region, IRemediationStore? store, Func<DateTimeOffset>? clock = null)
    {
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
        this.region = region ?? throw new ArgumentNullException(nameof(region));
        this.store = store;
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>How often the store is asked for heartbeats while waiting.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Receives verbose text and the wait's progress.</summary>
    public IRemediationReporter Reporter { get; set; } = NullRemediationReporter.Instance;

    private IAmazonEC2 Ec2 => clients.Ec2(region);

    private IRemediationStore Store => store ?? throw new InvalidOperationException("This operation needs the worker groups' store.");

    private IAmazonSimpleSystemsManagement Ssm => clients.Ssm(region);

    /// <summary>Validates the request and reads what the deployment needs (read-only).</summary>
    public async Task<WorkerDeploymentPlan> PlanDeployAsync(WorkerDeploymentRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        var image = WorkerImageReference.Parse(request.ImageUri);
        if (request.Count < 1 || request.Count > 20)
        {
            throw new ArgumentException("-Count " + request.Count + " is out of range: deploy 1 to 20 workers at once.", nameof(request));
        }

        var installation = Roles.WorkerGroupStorePolicy.InstallationOf(request.Store)
            ?? throw new ArgumentException("-Store '" + request.Store + "' is not an AWS store (aws or aws:<name>): workers on EC2 use the AWS store.", nameof(request));
        var record = await Store.GetGroupAsync(request.GroupName, cancellationToken).ConfigureAwait(false)
            ?? throw new RemediationStoreException(StoreError.GroupNotFound, "There is no worker group named '" + request.GroupName + "' in " + Store.Description + ".") { Target = request.GroupName };
        if (!ClientSecretHasher.Verify(request.ClientSecret, record.SecretHash))
        {
            throw new RemediationStoreException(StoreError.CredentialsRefused, "-ClientSecret is not the client secret of worker group '" + record.Group.Name + "' (reset it with Reset-RemediationWorkerGroupSecret if it is lost).") { Target = record.Group.Name };
        }

        var groupName = record.Group.Name;
        var parameter = request.SecretParameterName is null ? WorkerDeploymentRequest.DefaultSecretParameter(groupName) : WorkerDeploymentRequest.ValidateParameterName(request.SecretParameterName);
        if (!string.Equals(parameter, WorkerDeploymentRequest.DefaultSecretParameter(groupName), StringComparison.Ordinal))
        {
            Reporter.Warning("The worker role made by New-RemediationWorkerRole may read " + WorkerDeploymentRequest.DefaultSecretParameter(groupName) + " only: grant ssm:GetParameter on " + parameter + " to the role yourself.");
        }

        Reporter.Verbose("EC2 DescribeVpcs/DescribeSubnets/DescribeSecurityGroups in " + region);
        var network = await WorkerNetworkResolver.ResolveAsync(Ec2, groupName, request.SubnetId, region, cancellationToken).ConfigureAwait(false);
        Reporter.Verbose("EC2 DescribeInstanceTypes " + request.InstanceType + ", SSM GetParameter " + WorkerAmiResolver.ParameterPrefix + "<architecture>, EC2 DescribeImages");
        var ami = await WorkerAmiResolver.ResolveAsync(Ec2, Ssm, request.InstanceType, cancellationToken).ConfigureAwait(false);
        var exists = await ParameterExistsAsync(parameter, cancellationToken).ConfigureAwait(false);
        var storeSelection = installation == Roles.WorkerGroupStorePolicy.DefaultInstallation && string.Equals(request.Store, "aws", StringComparison.OrdinalIgnoreCase) ? "aws" : "aws:" + installation;
        var launch = new WorkerLaunchSpec
        {
            GroupName = groupName,
            Image = image,
            Store = storeSelection,
            SecretParameter = parameter,
            InstanceType = request.InstanceType,
            InstanceProfileName = Roles.RoleNames.RoleName(request.InstanceProfileName, "instance profile name"),
            SubnetId = network.SubnetId,
            SecurityGroupId = network.SecurityGroupId ?? string.Empty,
            Ami = ami,
            Count = request.Count,
            Tags = Roles.RoleNames.Tags(request.Tags.ToDictionary(t => t.Key, t => t.Value)),
        };
        WriteUserData(launch, record.Group.ClientId);
        return new WorkerDeploymentPlan(request, network, launch, exists);
    }

    /// <summary>Writes the secret, creates the security group when needed and launches the instances.</summary>
    public async Task<IReadOnlyList<RemediationWorkerDeployment>> DeployAsync(WorkerDeploymentPlan plan, CancellationToken cancellationToken)
    {
        await PutSecretAsync(plan.Launch.SecretParameter, plan.Launch.GroupName, plan.Request.ClientSecret, cancellationToken).ConfigureAwait(false);
        if (plan.Network.SecurityGroupId is null)
        {
            Reporter.Verbose("EC2 CreateSecurityGroup " + plan.Network.SecurityGroupName + " in " + plan.Network.VpcId);
            // The group outlives images and parameters: it carries the caller's tags, its name and the worker group only.
            var tags = WorkerInstances.Tags(plan.Launch).Where(t => t.Key is not (WorkerInstances.ImageTag or WorkerInstances.StoreTag or WorkerInstances.SecretParameterTag))
                .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            plan.Launch.SecurityGroupId = await WorkerNetworkResolver.CreateSecurityGroupAsync(Ec2, plan.Network, plan.Launch.GroupName, tags, cancellationToken).ConfigureAwait(false);
        }

        Reporter.Verbose("EC2 RunInstances " + plan.Launch.Count + " x " + plan.Launch.InstanceType + " (" + plan.Launch.Ami.ImageId + ") in " + plan.Launch.SubnetId);
        var instances = await WorkerInstances.LaunchAsync(Ec2, plan.Launch, cancellationToken).ConfigureAwait(false);
        return instances.Select(i => WorkerInstances.ToDeployment(i, region)).ToList();
    }

    /// <summary>Waits until the workers of <paramref name="deployments"/> are Healthy; sets their <c>Healthy</c> and State.</summary>
    public async Task<IReadOnlyDictionary<string, string>> WaitHealthyAsync(string groupName, IReadOnlyList<RemediationWorkerDeployment> deployments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var waiter = new WorkerHealthWaiter(Store, Ec2, clock, PollInterval);
        var activity = "Waiting for the workers of " + groupName + " to report Healthy";
        waiter.Progress += (_, p) => Reporter.Progress(new RemediationProgress(activity, p.Healthy + " of " + p.Total + " Healthy", p.Total == 0 ? 100 : p.Healthy * 100 / p.Total, completed: false));
        try
        {
            var (healthy, notHealthy) = await waiter.WaitAsync(groupName, deployments.Select(d => d.InstanceId).ToList(), timeout, cancellationToken).ConfigureAwait(false);
            await RefreshAsync(deployments, cancellationToken).ConfigureAwait(false);
            foreach (var deployment in deployments)
            {
                deployment.Healthy = healthy.Contains(deployment.InstanceId);
            }

            return notHealthy;
        }
        finally
        {
            Reporter.Progress(new RemediationProgress(activity, "done", 100, completed: true));
        }
    }

    /// <summary>Plans replacing the group's running workers with workers on <paramref name="imageUri"/> (read-only).</summary>
    public async Task<WorkerUpdatePlan> PlanUpdateAsync(string groupName, string imageUri, CancellationToken cancellationToken, string? clientSecret = null)
    {
        var image = WorkerImageReference.Parse(imageUri);
        var record = await Store.GetGroupAsync(groupName, cancellationToken).ConfigureAwait(false)
            ?? throw new RemediationStoreException(StoreError.GroupNotFound, "There is no worker group named '" + groupName + "' in " + Store.Description + ".") { Target = groupName };
        if (clientSecret is not null && !ClientSecretHasher.Verify(clientSecret, record.SecretHash))
        {
            throw new RemediationStoreException(StoreError.CredentialsRefused, "-ClientSecret is not the client secret of worker group '" + record.Group.Name + "'.") { Target = record.Group.Name };
        }

        var name = record.Group.Name;
        var instances = await WorkerInstances.OfGroupAsync(Ec2, name, WorkerInstances.LiveStates, cancellationToken).ConfigureAwait(false);
        if (instances.Count == 0)
        {
            throw new InvalidOperationException("No worker of group '" + name + "' runs on EC2 in " + region + ": deploy one with Deploy-RemediationWorker.");
        }

        var launches = new List<WorkerLaunchSpec>();
        var amis = new Dictionary<string, WorkerAmi>(StringComparer.Ordinal);
        foreach (var same in instances.GroupBy(i => string.Join("|", i.InstanceType?.Value, i.SubnetId, ProfileName(i), FirstGroup(i), WorkerInstances.TagOf(i, WorkerInstances.StoreTag), WorkerInstances.TagOf(i, WorkerInstances.SecretParameterTag)), StringComparer.Ordinal))
        {
            var first = same.First();
            var type = first.InstanceType?.Value ?? WorkerDeploymentRequest.DefaultInstanceType;
            if (!amis.TryGetValue(type, out var ami))
            {
                ami = amis[type] = await WorkerAmiResolver.ResolveAsync(Ec2, Ssm, type, cancellationToken).ConfigureAwait(false);
            }

            var storeSelection = WorkerInstances.TagOf(first, WorkerInstances.StoreTag) ?? "aws";
            var parameter = WorkerInstances.TagOf(first, WorkerInstances.SecretParameterTag) ?? WorkerDeploymentRequest.DefaultSecretParameter(name);
            var userTags = (first.Tags ?? new List<Amazon.EC2.Model.Tag>())
                .Where(t => !t.Key.StartsWith("remediation:", StringComparison.Ordinal) && t.Key != "Name" && !t.Key.StartsWith("aws:", StringComparison.Ordinal))
                .ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
            var launch = new WorkerLaunchSpec
            {
                GroupName = name,
                Image = image,
                Store = storeSelection,
                SecretParameter = parameter,
                InstanceType = type,
                InstanceProfileName = ProfileName(first) ?? throw new InvalidOperationException("The worker instance " + first.InstanceId + " has no instance profile."),
                SubnetId = first.SubnetId,
                SecurityGroupId = FirstGroup(first) ?? string.Empty,
                Ami = ami,
                Count = same.Count(),
                Tags = userTags,
            };
            WriteUserData(launch, record.Group.ClientId);
            launches.Add(launch);
        }

        return new WorkerUpdatePlan(name, image, instances.Select(i => WorkerInstances.ToDeployment(i, region)).ToList(), launches, clientSecret);
    }

    /// <summary>
    /// Launches the replacements, waits until each is Healthy, then terminates the old instances. If any replacement is
    /// not Healthy in time, every replacement is terminated and the old workers keep running: a group never runs on two
    /// images after an update, and never without a worker.
    /// </summary>
    public async Task<WorkerUpdateOutcome> UpdateAsync(WorkerUpdatePlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (plan.ClientSecret is { } secret)
        {
            foreach (var parameter in plan.Launches.Select(l => l.SecretParameter).Distinct(StringComparer.Ordinal))
            {
                await PutSecretAsync(parameter, plan.GroupName, secret, cancellationToken).ConfigureAwait(false);
            }
        }

        var replacements = new List<RemediationWorkerDeployment>();
        try
        {
            foreach (var launch in plan.Launches)
            {
                Reporter.Verbose("EC2 RunInstances " + launch.Count + " x " + launch.InstanceType + " (" + launch.Ami.ImageId + ") in " + launch.SubnetId + " for " + plan.Image.Value);
                replacements.AddRange((await WorkerInstances.LaunchAsync(Ec2, launch, cancellationToken).ConfigureAwait(false)).Select(i => WorkerInstances.ToDeployment(i, region)));
            }

            var notHealthy = await WaitHealthyAsync(plan.GroupName, replacements, timeout, cancellationToken).ConfigureAwait(false);
            if (notHealthy.Count > 0)
            {
                return await RollBackAsync(plan, replacements, notHealthy, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception) when (replacements.Count > 0)
        {
            // Cancelled or failed half way: the old workers keep serving; the new ones must not linger.
            await WorkerInstances.TerminateAsync(Ec2, replacements.Select(r => r.InstanceId).ToList(), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        Reporter.Verbose("EC2 TerminateInstances " + string.Join(", ", plan.Current.Select(c => c.InstanceId)));
        var states = await WorkerInstances.TerminateAsync(Ec2, plan.Current.Select(c => c.InstanceId).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var old in plan.Current)
        {
            old.State = states.TryGetValue(old.InstanceId, out var state) ? state : old.State;
        }

        return new WorkerUpdateOutcome { Replacements = replacements, Replaced = plan.Current };
    }

    /// <summary>The instances Remove-RemediationWorker would terminate: the group's, or the named ones (which must be workers).</summary>
    public async Task<IReadOnlyList<RemediationWorkerDeployment>> FindAsync(string? groupName, IReadOnlyCollection<string>? instanceIds, CancellationToken cancellationToken)
    {
        var notGone = WorkerInstances.NotGoneStates;
        if (instanceIds is { Count: > 0 })
        {
            var found = await WorkerInstances.DescribeAsync(Ec2, instanceIds, cancellationToken).ConfigureAwait(false);
            var missing = instanceIds.Where(id => !found.Any(i => i.InstanceId == id)).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException("-InstanceId '" + string.Join("', '", missing) + "' is not an instance in " + region + ".", nameof(instanceIds));
            }

            var foreign = found.Where(i => WorkerInstances.TagOf(i, WorkerInstances.GroupTag) is not { } g || (groupName is not null && !string.Equals(g, groupName, StringComparison.OrdinalIgnoreCase))).ToList();
            if (foreign.Count > 0)
            {
                throw new ArgumentException(
                    "-InstanceId '" + string.Join("', '", foreign.Select(i => i.InstanceId)) + "' is not a worker " + (groupName is null ? "of any group" : "of group '" + groupName + "'") +
                    " (no " + WorkerInstances.GroupTag + " tag" + (groupName is null ? string.Empty : " with that value") + "); Remove-RemediationWorker terminates only workers.",
                    nameof(instanceIds));
            }

            return found.Where(i => notGone.Contains(i.State?.Name?.Value)).Select(i => WorkerInstances.ToDeployment(i, region)).ToList();
        }

        return (await WorkerInstances.OfGroupAsync(Ec2, groupName, notGone, cancellationToken).ConfigureAwait(false)).Select(i => WorkerInstances.ToDeployment(i, region)).ToList();
    }

    /// <summary>Terminates one worker instance; returns it with its new state.</summary>
    public async Task<RemediationWorkerDeployment> TerminateAsync(RemediationWorkerDeployment deployment, CancellationToken cancellationToken)
    {
        Reporter.Verbose("EC2 TerminateInstances " + deployment.InstanceId);
        var states = await WorkerInstances.TerminateAsync(Ec2, new[] { deployment.InstanceId }, cancellationToken).ConfigureAwait(false);
        deployment.State = states.TryGetValue(deployment.InstanceId, out var state) ? state : deployment.State;
        return deployment;
    }

    /// <summary>Whether a worker instance of the group other than <paramref name="except"/> still runs or may run again.</summary>
    public async Task<bool> OthersRemainAsync(string groupName, IReadOnlyCollection<string> except, CancellationToken cancellationToken) =>
        (await WorkerInstances.OfGroupAsync(Ec2, groupName, WorkerInstances.NotGoneStates, cancellationToken).ConfigureAwait(false))
            .Any(i => !except.Contains(i.InstanceId));

    /// <summary>Deletes the secret parameter; false when it did not exist.</summary>
    public async Task<bool> DeleteSecretAsync(string parameterName, CancellationToken cancellationToken)
    {
        Reporter.Verbose("SSM DeleteParameter " + parameterName);
        try
        {
            await Ssm.DeleteParameterAsync(new DeleteParameterRequest { Name = parameterName }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ParameterNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// The store's workers joined with the group's instances: each worker with its instance's state (InstanceGone when the
    /// instance no longer runs), and an entry in state NotReported for each running instance whose worker never reported.
    /// </summary>
    public async Task<IReadOnlyList<RemediationWorkerInfo>> JoinAsync(string? groupName, IReadOnlyList<RemediationWorkerInfo> workers, CancellationToken cancellationToken)
    {
        Reporter.Verbose("EC2 DescribeInstances tag:" + WorkerInstances.GroupTag + " in " + region);
        var instances = (await WorkerInstances.OfGroupAsync(Ec2, groupName, null, cancellationToken).ConfigureAwait(false)).ToDictionary(i => i.InstanceId, StringComparer.Ordinal);
        var reported = workers.Where(w => w.InstanceId is not null).Select(w => w.InstanceId!).Where(id => !instances.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var instance in await WorkerInstances.DescribeAsync(Ec2, reported, cancellationToken).ConfigureAwait(false))
        {
            instances[instance.InstanceId] = instance;
        }

        var joined = new List<RemediationWorkerInfo>();
        foreach (var worker in workers)
        {
            if (worker.InstanceId is { } id)
            {
                worker.InstanceState = instances.TryGetValue(id, out var instance) ? instance.State?.Name?.Value ?? "unknown" : "missing";
                if (worker.State != RemediationWorkerState.Stopped && !WorkerInstances.LiveStates.Contains(worker.InstanceState))
                {
                    worker.State = RemediationWorkerState.InstanceGone;
                }
            }

            joined.Add(worker);
        }

        var reporting = new HashSet<string>(workers.Where(w => w.InstanceId is not null).Select(w => w.InstanceId!), StringComparer.Ordinal);
        foreach (var instance in instances.Values.Where(i => WorkerInstances.LiveStates.Contains(i.State?.Name?.Value) && !reporting.Contains(i.InstanceId)).OrderBy(i => i.InstanceId, StringComparer.Ordinal))
        {
            var launched = instance.LaunchTime is { } time ? new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)) : default;
            joined.Add(new RemediationWorkerInfo
            {
                WorkerId = string.Empty,
                WorkerGroup = WorkerInstances.TagOf(instance, WorkerInstances.GroupTag) ?? string.Empty,
                Host = instance.InstanceId,
                InstanceId = instance.InstanceId,
                InstanceState = instance.State?.Name?.Value,
                Version = WorkerInstances.TagOf(instance, WorkerInstances.ImageTag) ?? string.Empty,
                Started = launched,
                State = RemediationWorkerState.NotReported,
            });
        }

        return joined;
    }

    // The user data runs exactly what the launch says: its group, image, store and secret parameter, in this region.
    private void WriteUserData(WorkerLaunchSpec launch, string clientId) =>
        launch.UserData = WorkerUserData.Script(new WorkerUserDataSpec
        {
            GroupName = launch.GroupName,
            ClientId = clientId,
            Image = launch.Image,
            Store = launch.Store,
            SecretParameter = launch.SecretParameter,
            Region = region,
        });

    private static string? ProfileName(Amazon.EC2.Model.Instance instance)
    {
        var arn = instance.IamInstanceProfile?.Arn;
        return arn is null ? null : arn.Substring(arn.LastIndexOf('/') + 1);
    }

    private static string? FirstGroup(Amazon.EC2.Model.Instance instance) => instance.SecurityGroups?.FirstOrDefault()?.GroupId;

    private async Task<WorkerUpdateOutcome> RollBackAsync(WorkerUpdatePlan plan, List<RemediationWorkerDeployment> replacements, IReadOnlyDictionary<string, string> notHealthy, CancellationToken cancellationToken)
    {
        Reporter.Verbose("EC2 TerminateInstances " + string.Join(", ", replacements.Select(r => r.InstanceId)) + " (rolling back)");
        var states = await WorkerInstances.TerminateAsync(Ec2, replacements.Select(r => r.InstanceId).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var replacement in replacements)
        {
            replacement.State = states.TryGetValue(replacement.InstanceId, out var state) ? state : replacement.State;
        }

        var reasons = string.Join("; ", notHealthy.Select(n => n.Key + ": " + n.Value));
        return new WorkerUpdateOutcome
        {
            Replacements = replacements,
            Replaced = Array.Empty<RemediationWorkerDeployment>(),
            FailureReason = "The update of worker group '" + plan.GroupName + "' to " + plan.Image.Value + " was rolled back: " + reasons +
                ". The replacements were terminated; " + string.Join(", ", plan.Current.Select(c => c.InstanceId + " (" + c.ImageUri + ")")) + " keep running.",
        };
    }

    private async Task RefreshAsync(IReadOnlyList<RemediationWorkerDeployment> deployments, CancellationToken cancellationToken)
    {
        var current = await WorkerInstances.DescribeAsync(Ec2, deployments.Select(d => d.InstanceId).ToList(), cancellationToken).ConfigureAwait(false);
        foreach (var deployment in deployments)
        {
            if (current.FirstOrDefault(i => i.InstanceId == deployment.InstanceId) is { } instance)
            {
                deployment.State = instance.State?.Name?.Value ?? deployment.State;
            }
        }
    }

    private async Task<bool> ParameterExistsAsync(string name, CancellationToken cancellationToken)
    {
        // Without decryption: the plan needs to know only whether it exists, never the value.
        try
        {
            await Ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = false }, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ParameterNotFoundException)
        {
            return false;
        }
    }

    private async Task PutSecretAsync(string name, string groupName, string secret, CancellationToken cancellationToken)
    {
        Reporter.Verbose("SSM PutParameter " + name + " (SecureString, key alias/aws/ssm)");
        try
        {
            await Ssm.PutParameterAsync(
                new PutParameterRequest
                {
                    Name = name,
                    Value = secret,
                    Type = ParameterType.SecureString,
                    Description = "RemediationTools client secret of worker group " + groupName,
                    Tags = new List<Tag> { new() { Key = WorkerInstances.GroupTag, Value = groupName } },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (ParameterAlreadyExistsException)
        {
            // Tags cannot be given with Overwrite; the parameter keeps the tags of its creation.
            await Ssm.PutParameterAsync(
                new PutParameterRequest { Name = name, Value = secret, Type = ParameterType.SecureString, Overwrite = true },
                cancellationToken).ConfigureAwait(false);
        }
    }
}
