using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// A resource as describe calls still see it during the read-after-write lag: the state before the first change of
/// the lag window, shown to the next <see cref="RemainingReads"/> describe calls that return the resource.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
internal sealed class LaggedView<T>
    where T : class
{
    public LaggedView(T stale, int remainingReads)
    {
        Stale = stale;
        RemainingReads = remainingReads;
    }

    public T Stale { get; }

    public int RemainingReads { get; set; }
}

/// <summary>
/// EC2's eventual consistency, counted in reads so that tests stay deterministic: after a change to a security group
/// (rules, tags) or a network ACL (entries), the next <see cref="SandboxState.ReadLag"/> describe calls that return it
/// show it as it was before the change; a further change in that window restarts the count and keeps the older view.
/// Mutating calls always act on the real state. Created and deleted resources are visible at once. Calls made through
/// the control API neither start a window nor see one.
/// </summary>
internal sealed partial class Ec2Service
{
    /// <summary>Call before changing <paramref name="group"/>: opens (or restarts) its lag window.</summary>
    private static void BeforeChange(AwsRequestContext context, Ec2RegionState state, SecurityGroup group) =>
        Open(context, state.LaggedGroups, group.GroupId, group, CloneGroup);

    /// <summary>Call before changing <paramref name="acl"/>: opens (or restarts) its lag window.</summary>
    private static void BeforeChange(AwsRequestContext context, Ec2RegionState state, NetworkAcl acl) =>
        Open(context, state.LaggedNetworkAcls, acl.NetworkAclId, acl, CloneAcl);

    /// <summary>The group as describe calls see it now (without using up a read).</summary>
    private static SecurityGroup Seen(AwsRequestContext context, Ec2RegionState state, SecurityGroup group) =>
        See(context, state.LaggedGroups, group.GroupId, group);

    /// <summary>The network ACL as describe calls see it now (without using up a read).</summary>
    private static NetworkAcl Seen(AwsRequestContext context, Ec2RegionState state, NetworkAcl acl) =>
        See(context, state.LaggedNetworkAcls, acl.NetworkAclId, acl);

    /// <summary>A describe call returned these resources: each lagged one has one stale read fewer left.</summary>
    private static void UseReads<T>(AwsRequestContext context, Dictionary<string, LaggedView<T>> lagged, IEnumerable<string> returnedIds)
        where T : class
    {
        if (context.IsControl || lagged.Count == 0)
        {
            return;
        }

        foreach (var id in returnedIds.Distinct(StringComparer.Ordinal))
        {
            if (lagged.TryGetValue(id, out var view) && --view.RemainingReads <= 0)
            {
                lagged.Remove(id);
            }
        }
    }

    private static void Open<T>(AwsRequestContext context, Dictionary<string, LaggedView<T>> lagged, string id, T current, Func<T, T> clone)
        where T : class
    {
        var lag = context.State.ReadLag;
        if (context.IsControl || lag <= 0)
        {
            return;
        }

        if (lagged.TryGetValue(id, out var view))
        {
            view.RemainingReads = lag;
        }
        else
        {
            lagged[id] = new LaggedView<T>(clone(current), lag);
        }
    }

    private static T See<T>(AwsRequestContext context, Dictionary<string, LaggedView<T>> lagged, string id, T current)
        where T : class =>
        !context.IsControl && lagged.TryGetValue(id, out var view) ? view.Stale : current;

    private static SecurityGroup CloneGroup(SecurityGroup group)
    {
        var copy = new SecurityGroup
        {
            GroupId = group.GroupId,
            GroupName = group.GroupName,
            Description = group.Description,
            VpcId = group.VpcId,
            OwnerId = group.OwnerId,
        };
        copy.Tags.AddRange(group.Tags);
        foreach (var rule in group.Rules)
        {
            var ruleCopy = new SecurityGroupRule
            {
                RuleId = rule.RuleId,
                GroupId = rule.GroupId,
                IsEgress = rule.IsEgress,
                Protocol = rule.Protocol,
                FromPort = rule.FromPort,
                ToPort = rule.ToPort,
                CidrIpv4 = rule.CidrIpv4,
                CidrIpv6 = rule.CidrIpv6,
                PrefixListId = rule.PrefixListId,
                ReferencedGroupId = rule.ReferencedGroupId,
                ReferencedUserId = rule.ReferencedUserId,
                Description = rule.Description,
            };
            ruleCopy.Tags.AddRange(rule.Tags);
            copy.Rules.Add(ruleCopy);
        }

        return copy;
    }

    // Entries are immutable (init-only), so the copy shares them.
    private static NetworkAcl CloneAcl(NetworkAcl acl)
    {
        var copy = new NetworkAcl { NetworkAclId = acl.NetworkAclId, VpcId = acl.VpcId, IsDefault = acl.IsDefault, OwnerId = acl.OwnerId };
        copy.Entries.AddRange(acl.Entries);
        copy.SubnetIds.AddRange(acl.SubnetIds);
        copy.Tags.AddRange(acl.Tags);
        return copy;
    }
}
