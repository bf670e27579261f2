using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Deployment;

/// <summary>What RunInstances gets for a group's workers.</summary>
internal sealed class WorkerLaunchSpec
{
    public string GroupName { get; set; } = string.Empty;

    public WorkerImageReference Image { get; set; } = WorkerImageReference.Parse("remediation-worker");

    public string Store { get; set; } = "aws";

    public string SecretParameter { get; set; } = string.Empty;

    public string InstanceType { get; set; } = string.Empty;

    public string InstanceProfileName { get; set; } = string.Empty;

    public string SubnetId { get; set; } = string.Empty;

    public string SecurityGroupId { get; set; } = string.Empty;

    public WorkerAmi Ami { get; set; } = new(string.Empty, string.Empty, string.Empty, string.Empty);

    public string UserData { get; set; } = string.Empty;

    public int Count { get; set; } = 1;

    /// <summary>The caller's tags; the module's own tags are added (and win).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Makes the launch idempotent when the SDK retries it.</summary>
    public string ClientToken { get; set; } = Guid.NewGuid().ToString("N");
}

/// <summary>
/// The workers' EC2 instances: launched with IMDSv2 required and a hop limit of 2 (the container on Docker's bridge
/// network is one hop further than the host), an encrypted root volume, no key pair, the instance profile and tags
/// naming the group, the image, the store and the secret parameter (so Update-RemediationWorker can launch the same
/// again); found by the group tag.
/// </summary>
internal static class WorkerInstances
{
    /// <summary>The tag naming the worker group of an instance.</summary>
    public const string GroupTag = "remediation:worker-group";

    /// <summary>The tag naming the worker image of an instance.</summary>
    public const string ImageTag = "remediation:image";

    /// <summary>The tag naming the store of an instance's worker.</summary>
    public const string StoreTag = "remediation:store";

    /// <summary>The tag naming the SSM parameter of an instance's client secret (its name only, never the value).</summary>
    public const string SecretParameterTag = "remediation:client-secret-parameter";

    /// <summary>The metadata hop limit: the host is one hop, a container on the bridge network two.</summary>
    public const int MetadataHopLimit = 2;

    /// <summary>The root volume's size (GiB): Amazon Linux 2023 needs 8, Docker and the image fit in the rest.</summary>
    public const int RootVolumeGiB = 8;

    /// <summary>States of an instance that still runs or will.</summary>
    public static readonly IReadOnlyList<string> LiveStates = new[] { "pending", "running" };

    /// <summary>States of an instance that is not (being) terminated.</summary>
    public static readonly IReadOnlyList<string> NotGoneStates = new[] { "pending", "running", "stopping", "stopped" };

    /// <summary>A tag specification of <paramref name="type"/> with <paramref name="tags"/>.</summary>
    public static TagSpecification TagsFor(ResourceType type, IReadOnlyDictionary<string, string> tags) => new()
    {
        ResourceType = type,
        Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
    };

    /// <summary>The tags of a group's workers: the caller's, then the module's own.</summary>
    public static Dictionary<string, string> Tags(WorkerLaunchSpec spec)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in spec.Tags)
        {
            tags[tag.Key] = tag.Value;
        }

        tags["Name"] = WorkerContainerCommand.ContainerNameOf(spec.GroupName);
        tags[GroupTag] = spec.GroupName;
        tags[ImageTag] = spec.Image.Value;
        tags[StoreTag] = spec.Store;
        tags[SecretParameterTag] = spec.SecretParameter;
        return tags;
    }

    /// <summary>The RunInstances request of <paramref name="spec"/> (tests read it to check what is asked for).</summary>
    public static RunInstancesRequest Request(WorkerLaunchSpec spec)
    {
        var tags = Tags(spec);
        return new RunInstancesRequest
        {
            ImageId = spec.Ami.ImageId,
            InstanceType = spec.InstanceType,
            MinCount = spec.Count,
            MaxCount = spec.Count,
            SubnetId = spec.SubnetId,
            SecurityGroupIds = new List<string> { spec.SecurityGroupId },
            IamInstanceProfile = new IamInstanceProfileSpecification { Name = spec.InstanceProfileName },
            UserData = Convert.ToBase64String(Encoding.UTF8.GetBytes(spec.UserData)),
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpEndpoint = InstanceMetadataEndpointState.Enabled,
                HttpTokens = HttpTokensState.Required,
                HttpPutResponseHopLimit = MetadataHopLimit,
            },
            BlockDeviceMappings = new List<BlockDeviceMapping>
            {
                new()
                {
                    DeviceName = spec.Ami.RootDeviceName,
                    Ebs = new EbsBlockDevice { Encrypted = true, VolumeType = VolumeType.Gp3, VolumeSize = RootVolumeGiB, DeleteOnTermination = true },
                },
            },
            TagSpecifications = new List<TagSpecification> { TagsFor(ResourceType.Instance, tags), TagsFor(ResourceType.Volume, tags) },
            ClientToken = spec.ClientToken,
        };
    }

    /// <summary>Launches the workers; returns the instances as RunInstances reports them.</summary>
    public static async Task<IReadOnlyList<Instance>> LaunchAsync(IAmazonEC2 ec2, WorkerLaunchSpec spec, CancellationToken cancellationToken)
    {
        var response = await ec2.RunInstancesAsync(Request(spec), cancellationToken).ConfigureAwait(false);
        return response.Reservation?.Instances ?? new List<Instance>();
    }

    /// <summary>The instances of a group (by its tag), in <paramref name="states"/> (all states when null).</summary>
    public static async Task<IReadOnlyList<Instance>> OfGroupAsync(IAmazonEC2 ec2, string? groupName, IReadOnlyCollection<string>? states, CancellationToken cancellationToken)
    {
        var filters = new List<Filter>();
        filters.Add(groupName is null ? new Filter("tag-key", new List<string> { GroupTag }) : new Filter("tag:" + GroupTag, new List<string> { groupName }));
        if (states is not null)
        {
            filters.Add(new Filter("instance-state-name", states.ToList()));
        }

        var found = new List<Instance>();
        string? next = null;
        do
        {
            var page = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = filters, MaxResults = 1000, NextToken = next }, cancellationToken).ConfigureAwait(false);
            found.AddRange((page.Reservations ?? new List<Reservation>()).SelectMany(r => r.Instances ?? new List<Instance>()));
            next = page.NextToken;
        }
        while (!string.IsNullOrEmpty(next));

        // Group names are case-insensitive in the store; tag values are not in EC2.
        return groupName is null ? found : found.Where(i => string.Equals(TagOf(i, GroupTag), groupName, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <summary>Reads instances by ID (missing ones are left out).</summary>
    public static async Task<IReadOnlyList<Instance>> DescribeAsync(IAmazonEC2 ec2, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        if (instanceIds.Count == 0)
        {
            return Array.Empty<Instance>();
        }

        var found = new List<Instance>();
        foreach (var chunk in instanceIds.Select((id, index) => (id, index)).GroupBy(p => p.index / 200, p => p.id))
        {
            var page = await ec2.DescribeInstancesAsync(
                new DescribeInstancesRequest { Filters = new List<Filter> { new("instance-id", chunk.ToList()) } },
                cancellationToken).ConfigureAwait(false);
            found.AddRange((page.Reservations ?? new List<Reservation>()).SelectMany(r => r.Instances ?? new List<Instance>()));
        }

        return found;
    }

    /// <summary>Terminates instances; returns their new states by ID.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> TerminateAsync(IAmazonEC2 ec2, IReadOnlyCollection<string> instanceIds, CancellationToken cancellationToken)
    {
        if (instanceIds.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var response = await ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = instanceIds.ToList() }, cancellationToken).ConfigureAwait(false);
        return (response.TerminatingInstances ?? new List<InstanceStateChange>())
            .ToDictionary(c => c.InstanceId, c => c.CurrentState?.Name?.Value ?? "shutting-down", StringComparer.Ordinal);
    }

    /// <summary>The value of tag <paramref name="key"/> of an instance, or null.</summary>
    public static string? TagOf(Instance instance, string key) => instance.Tags?.FirstOrDefault(t => t.Key == key)?.Value;

    /// <summary>The public view of an instance.</summary>
    public static RemediationWorkerDeployment ToDeployment(Instance instance, string region, bool? healthy = null) => new()
    {
        InstanceId = instance.InstanceId,
        WorkerGroup = TagOf(instance, GroupTag) ?? string.Empty,
        ImageUri = TagOf(instance, ImageTag) ?? string.Empty,
        State = instance.State?.Name?.Value ?? string.Empty,
        LaunchTime = instance.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : null,
        Healthy = healthy,
        InstanceType = instance.InstanceType?.Value ?? string.Empty,
        SubnetId = instance.SubnetId ?? string.Empty,
        Region = region,
        ClientSecretParameter = TagOf(instance, SecretParameterTag) ?? string.Empty,
    };
}
