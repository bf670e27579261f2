using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>ec2-close-port-*</c> and <c>aws-ec2-close-port-11211</c>: the finding's ObjectId is an instance ID. Every
/// security group on every network interface of the instance is examined, and each group's rules public for the
/// job's ports are narrowed (or revoked) by the same <see cref="SecurityGroupPortCloser"/> the group jobs use.
/// </summary>
internal sealed class InstanceClosePortJob : IRemediationJob, IBatchPrefetchingJob
{
    /// <summary>IAM action: read the instance, its network interfaces and their groups.</summary>
    public const string DescribeInstancesAction = "ec2:DescribeInstances";

    private readonly SecurityGroupPortCloser closer;

    /// <summary>Creates the job.</summary>
    public InstanceClosePortJob(string id, IReadOnlyList<string> ruleIds, SecurityGroupPortCloser closer)
    {
        this.closer = closer ?? throw new ArgumentNullException(nameof(closer));
        Info = new RemediationJobInfo
        {
            Id = id,
            RuleIds = ruleIds,
            Title = "Close " + closer.PortText + " of an instance's security groups to the internet",
            Service = "EC2",
            ResourceType = "Instance",
            Impact = "Sources on the internet (0.0.0.0/0, ::/0) lose access to " + closer.PortText +
                     " on the instance and on every other network interface that uses the same groups; all other access stays.",
            IamActions = SecurityGroupPortCloser.IamActions.Append(DescribeInstancesAction).OrderBy(a => a, StringComparer.Ordinal).ToArray(),
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>The closer the job uses.</summary>
    public SecurityGroupPortCloser Closer => closer;

    /// <summary>Creates a job serving <paramref name="ruleId"/> that closes <paramref name="ports"/> on <paramref name="protocols"/>.</summary>
    public static InstanceClosePortJob Create(string id, string ruleId, IReadOnlyList<string> protocols, params int[] ports)
        => new(id, new[] { ruleId }, new SecurityGroupPortCloser(ports, protocols));

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var instanceId = RequireInstanceId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var instance = await context.Cache.GetOrReadAsync(InstanceKey(instanceId), () =>
            ReadInstanceAsync(context.Clients.Ec2(context.Region), instanceId, context, cancellationToken)).ConfigureAwait(false);
        if (SkipTag.IsSet(instance.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var plan = new InstanceChangeSet(instanceId);
        var notes = new List<string>();
        var skippedGroups = new List<string>();
        foreach (var groupId in instance.GroupIds)
        {
            var group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
            var changes = closer.PlanChanges(groupId, group.IngressRules, context.Options.RangeMode);
            if (changes.IsEmpty)
            {
                continue;
            }

            if (SkipTag.IsSet(group.Tags))
            {
                skippedGroups.Add(groupId);
                notes.Add(groupId + " is tagged remediation:skip = true: its rules public for " + closer.PortText + " stay as they are.");
                continue;
            }

            var interfaces = await SecurityGroupReader.ReadNetworkInterfacesAsync(context, groupId, cancellationToken).ConfigureAwait(false);
            var others = interfaces.Where(i => !instance.NetworkInterfaceIds.Any(own => i == own || i.StartsWith(own + " ", StringComparison.Ordinal))).ToList();
            if (others.Count > 0)
            {
                // The group is shared: the other interfaces lose the access too, which the user must see.
                notes.Add(string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} is shared: {1} other network interface(s) use it and lose internet access to {2} too: {3}.",
                    groupId,
                    others.Count,
                    closer.PortText,
                    string.Join(", ", others)));
            }

            notes.AddRange(changes.Notes);
            plan.Groups.Add(changes);
        }

        if (plan.Groups.Count == 0)
        {
            return skippedGroups.Count > 0
                ? JobPlan.Skip("Only groups tagged remediation:skip = true (" + string.Join(", ", skippedGroups) + ") open " + closer.PortText + " of " + instanceId + " to the internet.")
                : JobPlan.Compliant();
        }

        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = instanceId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new InstanceUndoData
            {
                InstanceId = instanceId,
                Groups = plan.Groups.Select(SecurityGroupPortCloser.ToUndoData).ToList(),
            }),
        };
        return JobPlan.Change(plan.Groups.SelectMany(SecurityGroupPortCloser.ToActions).ToList(), notes, undo, plan, plan.Groups.Select(g => ResourceKeys.SecurityGroup(g.GroupId)).ToList());
    }

    /// <summary>
    /// Reads the instances of many findings with one DescribeInstances per chunk, then their groups and the interfaces
    /// using them with <see cref="SecurityGroupReader.PrefetchAsync"/>. A chunk that fails (for example an instance
    /// that no longer exists) is left out: its findings read one by one and report their own error.
    /// </summary>
    public async Task PrefetchAsync(IReadOnlyList<JobContext> contexts, CancellationToken cancellationToken)
    {
        if (contexts is null || contexts.Count == 0)
        {
            return;
        }

        var first = contexts[0];
        var ec2 = first.Clients.Ec2(first.Region);
        var wanted = contexts.Where(c => !SkipTag.IsSet(c.Finding.Tags))
            .Select(c => c.ResourceId)
            .Where(id => id.StartsWith("i-", StringComparison.Ordinal) && !first.Cache.Contains(InstanceKey(id)))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var groupIds = new List<string>();
        for (var start = 0; start < wanted.Count; start += SecurityGroupReader.ChunkSize)
        {
            var chunk = wanted.Skip(start).Take(SecurityGroupReader.ChunkSize).ToList();
            try
            {
                var readAt = first.Cache.CurrentSequence;
                var response = await AwsCall.RunAsync(first.Reporter, DescribeInstancesAction, chunk.Count + " instance(s)", () =>
                    ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = chunk }, cancellationToken)).ConfigureAwait(false);
                foreach (var instance in (response.Reservations ?? new List<Reservation>()).SelectMany(r => r.Instances ?? new List<Instance>()))
                {
                    var snapshot = Snapshot(instance);
                    first.Cache.Set(InstanceKey(instance.InstanceId), snapshot, readAt);
                    groupIds.AddRange(snapshot.GroupIds);
                }
            }
            catch (AwsCallException ex)
            {
                first.Reporter.Verbose("Batched read of " + chunk.Count + " instance(s) failed (" + ex.ErrorCode + "); reading them one by one.");
            }
        }

        await SecurityGroupReader.PrefetchAsync(ec2, first.Cache, groupIds, first.Reporter, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Instances often share a group, and a batch runs findings on different instances at once. The plan names the
    /// groups it changes, so the engine applies it holding a lock on each, after planning again from a fresh read when
    /// another finding changed one of them first: the changes here are always exactly what is still needed.
    /// </remarks>
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var ec2 = context.Clients.Ec2(context.Region);
        foreach (var changes in ChangesOf(plan).Groups)
        {
            try
            {
                await SecurityGroupPortCloser.ApplyAsync(ec2, changes, context.Reporter, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                SecurityGroupReader.Invalidate(context, changes.GroupId);
            }
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var ec2 = context.Clients.Ec2(context.Region);
        var problems = new List<string>();
        foreach (var changes in ChangesOf(plan).Groups)
        {
            var group = await SecurityGroupReader.ReadFreshAsync(context, changes.GroupId, cancellationToken).ConfigureAwait(false);
            var check = closer.Check(changes, group.IngressRules);
            problems.AddRange(check.Problems.Select(p => changes.GroupId + ": " + p));
        }

        return problems.Count == 0
            ? JobVerification.Success()
            : JobVerification.Failure("After the change, the groups of " + context.ResourceId + " do not look as planned: " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        InstanceUndoData data;
        try
        {
            data = RemediationJson.Deserialize<InstanceUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var instanceId = RequireInstanceId(string.IsNullOrEmpty(data.InstanceId) ? record.ResourceId : data.InstanceId);
        var plan = new InstanceChangeSet(instanceId);
        var ec2 = context.Clients.Ec2(context.Region);
        foreach (var groupData in data.Groups ?? new List<SecurityGroupUndoData>())
        {
            if (!groupData.GroupId.StartsWith("sg-", StringComparison.Ordinal))
            {
                throw new FindingFormatException("The undo record names '" + groupData.GroupId + "', which is not a security group ID (sg-...).", "Data");
            }

            var group = await SecurityGroupReader.ReadGroupAsync(context, groupData.GroupId, cancellationToken).ConfigureAwait(false);
            var changes = SecurityGroupPortCloser.PlanUndo(groupData, group.IngressRules);
            if (!changes.IsEmpty)
            {
                plan.Groups.Add(changes);
            }
        }

        return plan.Groups.Count == 0
            ? JobPlan.Compliant(new[] { "The groups of " + instanceId + " already have the recorded rules back." })
            : JobPlan.Change(plan.Groups.SelectMany(SecurityGroupPortCloser.ToActions).ToList(), Array.Empty<string>(), null, plan, plan.Groups.Select(g => ResourceKeys.SecurityGroup(g.GroupId)).ToList());
    }

    /// <summary>Reads the instance: its tags, its network interfaces and the distinct groups on them, in interface order.</summary>
    private static async Task<InstanceSnapshot> ReadInstanceAsync(IAmazonEC2 ec2, string instanceId, JobContext context, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(context.Reporter, DescribeInstancesAction, instanceId, () =>
            ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { instanceId } }, cancellationToken)).ConfigureAwait(false);
        var instance = (response.Reservations ?? new List<Reservation>())
            .SelectMany(r => r.Instances ?? new List<Instance>())
            .FirstOrDefault(i => string.Equals(i.InstanceId, instanceId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException("ec2:DescribeInstances did not return the instance " + instanceId + ".");
        return Snapshot(instance);
    }

    private static InstanceSnapshot Snapshot(Instance instance)
    {
        var interfaces = (instance.NetworkInterfaces ?? new List<InstanceNetworkInterface>())
            .OrderBy(n => n.Attachment?.DeviceIndex ?? 0)
            .ToList();
        var groupIds = interfaces
            .SelectMany(n => (n.Groups ?? new List<GroupIdentifier>()).Select(g => g.GroupId))
            .Concat((instance.SecurityGroups ?? new List<GroupIdentifier>()).Select(g => g.GroupId))
            .Where(id => !string.IsNullOrEmpty(id))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var tags = (instance.Tags ?? new List<Tag>())
            .Where(t => t.Key is not null)
            .Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty))
            .ToList();
        return new InstanceSnapshot(interfaces.Select(n => n.NetworkInterfaceId).Where(id => !string.IsNullOrEmpty(id)).ToList(), groupIds, tags);
    }

    private static string InstanceKey(string instanceId) => ResourceKeys.Instance(instanceId);

    private static InstanceChangeSet ChangesOf(JobPlan plan)
        => plan.Changes as InstanceChangeSet ?? throw new ArgumentException("The plan was not made by an instance port closer.", nameof(plan));

    private static string RequireInstanceId(string resourceId) => Ec2ResourceIds.Require(resourceId, "i-", "an EC2 instance ID");

    private sealed class InstanceSnapshot
    {
        public InstanceSnapshot(IReadOnlyList<string> networkInterfaceIds, IReadOnlyList<string> groupIds, IReadOnlyList<KeyValuePair<string, string>> tags)
        {
            NetworkInterfaceIds = networkInterfaceIds;
            GroupIds = groupIds;
            Tags = tags;
        }

        public IReadOnlyList<string> NetworkInterfaceIds { get; }

        public IReadOnlyList<string> GroupIds { get; }

        public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }
    }
}

/// <summary>The rule changes planned for the groups of one instance, one change set per group that changes.</summary>
internal sealed class InstanceChangeSet
{
    /// <summary>Creates an empty change set.</summary>
    public InstanceChangeSet(string instanceId) => InstanceId = instanceId;

    /// <summary>The instance.</summary>
    public string InstanceId { get; }

    /// <summary>The changes per group, in the order of the instance's interfaces.</summary>
    public List<SecurityGroupChangeSet> Groups { get; } = new();
}

/// <summary>The undo data of an instance port closer, as stored (JSON) in <see cref="RemediationUndoRecord.Data"/>.</summary>
internal sealed class InstanceUndoData
{
    /// <summary>The instance.</summary>
    public string InstanceId { get; set; } = string.Empty;

    /// <summary>The exact rules added and revoked, per group touched.</summary>
    public List<SecurityGroupUndoData> Groups { get; set; } = new();
}
