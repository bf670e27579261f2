using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// The one way every job reads security groups: through the job's <see cref="JobContext.Cache"/>, so a group and
/// the network interfaces that use it are read once per batch group (account and region) and shared by every finding
/// on it; <see cref="PrefetchAsync"/> reads the groups of many findings with one DescribeSecurityGroups and one
/// DescribeNetworkInterfaces per chunk. Plans read with <see cref="ReadGroupAsync"/>; verifications with
/// <see cref="ReadFreshAsync"/>, which always asks AWS and leaves the fresh read for later findings. The engine
/// invalidates a group when a change to it is made.
/// </summary>
internal static class SecurityGroupReader
{
    /// <summary>Group IDs per batched describe call; the EC2 filter limit is 200 values.</summary>
    public const int ChunkSize = 100;

    /// <summary>
    /// MaxResults of the describe calls that select by filter: AWS recommends paging them (an unpaged
    /// DescribeNetworkInterfaces can fail on a large account), and a page may hold fewer items, so NextToken is followed.
    /// </summary>
    public const int PageSize = 1000;

    /// <summary>The cache key of a group snapshot.</summary>
    public static string GroupKey(string groupId) => ResourceKeys.SecurityGroup(groupId);

    /// <summary>The cache key of the list of network interfaces using a group.</summary>
    public static string InterfacesKey(string groupId) => "ec2:network-interfaces-of-group:" + groupId;

    /// <summary>The group, from the cache or from one DescribeSecurityGroups call.</summary>
    public static Task<SecurityGroupSnapshot> ReadGroupAsync(JobContext context, string groupId, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        return context.Cache.GetOrReadAsync(GroupKey(groupId), () =>
            DescribeAsync(context.Clients.Ec2(context.Region), groupId, context.Reporter, cancellationToken));
    }

    /// <summary>
    /// The group as AWS has it now, kept in the cache for later findings: in a batch, from a DescribeSecurityGroups of
    /// the groups every verifying finding of the batch group waits for (<see cref="BatchReadScope"/>), else its own call.
    /// </summary>
    public static Task<SecurityGroupSnapshot> ReadFreshAsync(JobContext context, string groupId, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        context.Cache.Invalidate(GroupKey(groupId));
        if (context.Cache.Scope is not { } scope)
        {
            return ReadGroupAsync(context, groupId, cancellationToken);
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var reporter = context.Reporter;
        var reader = scope.Reader<SecurityGroupSnapshot>(
            "ec2:security-groups",
            (ids, token) => DescribeManyAsync(ec2, ids, reporter, token),
            (id, token) => DescribeAsync(ec2, id, reporter, token));
        return context.Cache.GetOrReadAsync(GroupKey(groupId), () => reader.ReadAsync(groupId, cancellationToken));
    }

    private static async Task<IReadOnlyDictionary<string, SecurityGroupSnapshot>> DescribeManyAsync(IAmazonEC2 ec2, IReadOnlyList<string> groupIds, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.DescribeSecurityGroupsAction, groupIds.Count + " security groups", () =>
            ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = groupIds.ToList() }, cancellationToken)).ConfigureAwait(false);
        return (response.SecurityGroups ?? new List<SecurityGroup>())
            .Where(g => g.GroupId is not null)
            .ToDictionary(g => g.GroupId, Snapshot, StringComparer.Ordinal);
    }

    /// <summary>The group in the shape every job uses: rules of both directions with every kind of source, and tags.</summary>
    public static SecurityGroupSnapshot Snapshot(SecurityGroup group)
    {
        if (group is null)
        {
            throw new ArgumentNullException(nameof(group));
        }

        return new SecurityGroupSnapshot(
            group.GroupId,
            group.GroupName,
            group.Description,
            group.VpcId,
            SecurityGroupRule.FromPermissions(group.IpPermissions, egress: false),
            SecurityGroupRule.FromPermissions(group.IpPermissionsEgress, egress: true),
            Ec2Tags.ToPairs(group.Tags).ToList());
    }

    private static async Task<SecurityGroupSnapshot> DescribeAsync(IAmazonEC2 ec2, string groupId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.DescribeSecurityGroupsAction, groupId, () =>
            ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = new List<string> { groupId } }, cancellationToken)).ConfigureAwait(false);
        var group = response.SecurityGroups?.FirstOrDefault(g => string.Equals(g.GroupId, groupId, StringComparison.Ordinal))
            ?? throw new InvalidOperationException(SecurityGroupPortCloser.DescribeSecurityGroupsAction + " did not return the security group " + groupId + ".");
        return Snapshot(group);
    }

    /// <summary>The network interfaces using the group, from the cache or from DescribeNetworkInterfaces.</summary>
    public static Task<IReadOnlyList<string>> ReadNetworkInterfacesAsync(JobContext context, string groupId, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        return context.Cache.GetOrReadAsync(InterfacesKey(groupId), () =>
            SecurityGroupPortCloser.ReadNetworkInterfacesAsync(context.Clients.Ec2(context.Region), groupId, context.Reporter, cancellationToken));
    }

    /// <summary>Forgets the cached rules of <paramref name="groupId"/> after a change to it.</summary>
    public static void Invalidate(JobContext context, string groupId) => context?.Cache.Invalidate(GroupKey(groupId));

    /// <summary>
    /// Reads <paramref name="groupIds"/> (not yet cached) with one DescribeSecurityGroups and one paged
    /// DescribeNetworkInterfaces per chunk into <paramref name="cache"/>. A chunk that fails (for example one group
    /// no longer exists) is left out: its findings read their group one by one and report their own error.
    /// </summary>
    public static async Task PrefetchAsync(IAmazonEC2 ec2, JobReadCache cache, IEnumerable<string> groupIds, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        if (ec2 is null || cache is null || groupIds is null || reporter is null)
        {
            throw new ArgumentNullException(ec2 is null ? nameof(ec2) : cache is null ? nameof(cache) : groupIds is null ? nameof(groupIds) : nameof(reporter));
        }

        var wanted = groupIds.Where(id => id.StartsWith("sg-", StringComparison.Ordinal) && !cache.Contains(GroupKey(id)))
            .Distinct(StringComparer.Ordinal).ToList();
        for (var start = 0; start < wanted.Count; start += ChunkSize)
        {
            var chunk = wanted.Skip(start).Take(ChunkSize).ToList();
            try
            {
                await PrefetchChunkAsync(ec2, cache, chunk, reporter, cancellationToken).ConfigureAwait(false);
            }
            catch (AwsCallException ex)
            {
                reporter.Verbose("Batched read of " + chunk.Count + " security group(s) failed (" + ex.ErrorCode + "); reading them one by one.");
            }
        }
    }

    private static async Task PrefetchChunkAsync(IAmazonEC2 ec2, JobReadCache cache, List<string> chunk, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var target = chunk.Count == 1 ? chunk[0] : chunk.Count + " security groups";
        var readAt = cache.CurrentSequence;
        var groups = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.DescribeSecurityGroupsAction, target, () =>
            ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = chunk.ToList() }, cancellationToken)).ConfigureAwait(false);

        var interfaces = chunk.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        string? nextToken = null;
        do
        {
            var request = new DescribeNetworkInterfacesRequest
            {
                Filters = new List<Filter> { new() { Name = "group-id", Values = chunk.ToList() } },
                MaxResults = PageSize,
                NextToken = nextToken,
            };
            var response = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.DescribeNetworkInterfacesAction, target, () =>
                ec2.DescribeNetworkInterfacesAsync(request, cancellationToken)).ConfigureAwait(false);
            foreach (var eni in response.NetworkInterfaces ?? new List<NetworkInterface>())
            {
                var owner = eni.Attachment?.InstanceId is { Length: > 0 } instance
                    ? " (instance " + instance + ")"
                    : string.IsNullOrEmpty(eni.Description) ? string.Empty : " (" + eni.Description + ")";
                foreach (var group in eni.Groups ?? new List<GroupIdentifier>())
                {
                    if (group.GroupId is not null && interfaces.TryGetValue(group.GroupId, out var list))
                    {
                        list.Add(eni.NetworkInterfaceId + owner);
                    }
                }
            }

            nextToken = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (nextToken is not null);

        foreach (var group in groups.SecurityGroups ?? new List<SecurityGroup>())
        {
            if (group.GroupId is null || !interfaces.ContainsKey(group.GroupId))
            {
                continue;
            }

            cache.Set(GroupKey(group.GroupId), Snapshot(group), readAt);
            cache.Set<IReadOnlyList<string>>(InterfacesKey(group.GroupId), interfaces[group.GroupId], readAt);
        }
    }
}
