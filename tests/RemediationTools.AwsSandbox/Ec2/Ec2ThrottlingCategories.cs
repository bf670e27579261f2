namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// The request-rate category of an EC2 action, after the EC2 API reference's "Request throttling for the Amazon EC2
/// API" ("Request token bucket sizes and refill rates"). The category gives an action's default bucket size and
/// refill rate; each action still has its own bucket per account and region.
/// </summary>
public enum Ec2ThrottlingCategory
{
    /// <summary><c>Describe*</c>, <c>List*</c>, <c>Search*</c>, <c>Get*</c> actions not in another category (100 tokens, 20 a second).</summary>
    NonMutating,

    /// <summary>
    /// Seven non-mutating actions (DescribeInstances, DescribeNetworkInterfaces, DescribeSecurityGroups, DescribeSnapshots,
    /// DescribeVolumes, ...) called with neither a filter nor pagination: a smaller bucket (50 tokens, 10 a second).
    /// </summary>
    UnfilteredUnpaginatedNonMutating,

    /// <summary>Every mutating action not resource-intensive or uncategorized (50 tokens, 5 a second).</summary>
    Mutating,

    /// <summary>Mutating actions that cost EC2 the most, among them AuthorizeSecurityGroupIngress and RevokeSecurityGroupIngress (50 tokens, 5 a second).</summary>
    ResourceIntensive,

    /// <summary>Actions with their own bucket size and refill rate (CreateTags 100 / 10, RunInstances 5 / 2, ...).</summary>
    Uncategorized,
}

/// <summary>
/// The throttling category of every EC2 action the sandbox emulates, as the EC2 API reference lists them. The client
/// side mirrors this map to pace its calls, so it is the one place that names them.
/// </summary>
public static class Ec2ThrottlingCategories
{
    /// <summary>
    /// Each emulated action's category when called with a filter or pagination (for the
    /// <see cref="UnfilteredUnpaginatedActions"/>; every other action has one category however it is called).
    /// </summary>
    public static IReadOnlyDictionary<string, Ec2ThrottlingCategory> Actions { get; } = new Dictionary<string, Ec2ThrottlingCategory>(StringComparer.Ordinal)
    {
        // Non-mutating; the reference's unfiltered-and-unpaginated subset is marked below.
        ["DescribeImages"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeInstanceAttribute"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeInstances"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeInstanceTypes"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeNetworkAcls"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeNetworkInterfaces"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeSecurityGroupRules"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeSecurityGroups"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeSnapshotAttribute"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeSnapshots"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeSubnets"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeVolumes"] = Ec2ThrottlingCategory.NonMutating,
        ["DescribeVpcs"] = Ec2ThrottlingCategory.NonMutating,

        // Resource-intensive: only the ingress pair; the egress pair is an ordinary mutating action.
        ["AuthorizeSecurityGroupIngress"] = Ec2ThrottlingCategory.ResourceIntensive,
        ["RevokeSecurityGroupIngress"] = Ec2ThrottlingCategory.ResourceIntensive,

        // Mutating.
        ["AttachVolume"] = Ec2ThrottlingCategory.Mutating,
        ["AuthorizeSecurityGroupEgress"] = Ec2ThrottlingCategory.Mutating,
        ["CopySnapshot"] = Ec2ThrottlingCategory.Mutating,
        ["CreateNetworkAcl"] = Ec2ThrottlingCategory.Mutating,
        ["CreateNetworkAclEntry"] = Ec2ThrottlingCategory.Mutating,
        ["CreateSecurityGroup"] = Ec2ThrottlingCategory.Mutating,
        ["DeleteNetworkAclEntry"] = Ec2ThrottlingCategory.Mutating,
        ["DeleteSecurityGroup"] = Ec2ThrottlingCategory.Mutating,
        ["DetachVolume"] = Ec2ThrottlingCategory.Mutating,
        ["ModifyInstanceAttribute"] = Ec2ThrottlingCategory.Mutating,
        ["ReplaceNetworkAclEntry"] = Ec2ThrottlingCategory.Mutating,
        ["RevokeSecurityGroupEgress"] = Ec2ThrottlingCategory.Mutating,
        ["StopInstances"] = Ec2ThrottlingCategory.Mutating,

        // Uncategorized: their own request bucket (Ec2RateLimits.Actions).
        ["CreateSnapshot"] = Ec2ThrottlingCategory.Uncategorized,
        ["CreateTags"] = Ec2ThrottlingCategory.Uncategorized,
        ["CreateVolume"] = Ec2ThrottlingCategory.Uncategorized,
        ["DeleteSnapshot"] = Ec2ThrottlingCategory.Uncategorized,
        ["DeleteTags"] = Ec2ThrottlingCategory.Uncategorized,
        ["ModifySnapshotAttribute"] = Ec2ThrottlingCategory.Uncategorized,
        ["RunInstances"] = Ec2ThrottlingCategory.Uncategorized,
        ["StartInstances"] = Ec2ThrottlingCategory.Uncategorized,
        ["TerminateInstances"] = Ec2ThrottlingCategory.Uncategorized,
    };

    /// <summary>
    /// The emulated actions of the reference's "unfiltered and unpaginated non-mutating actions": called without any
    /// <c>Filter.N</c> and without <c>MaxResults</c> or <c>NextToken</c>, they draw from their smaller bucket. A list of
    /// IDs (<c>GroupId.N</c>, <c>InstanceId.N</c>) is neither a filter nor pagination.
    /// </summary>
    public static IReadOnlySet<string> UnfilteredUnpaginatedActions { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "DescribeInstances", "DescribeNetworkInterfaces", "DescribeSecurityGroups", "DescribeSnapshots", "DescribeVolumes",
    };

    /// <summary>
    /// The actions with a resource token bucket besides their request bucket, drawn by the number of instances a call
    /// affects (RunInstances: <c>MaxCount</c>; the others: the number of <c>InstanceId.N</c>).
    /// </summary>
    public static IReadOnlySet<string> ResourceRateLimitedActions { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "RunInstances", "StartInstances", "StopInstances", "TerminateInstances",
    };

    /// <summary>
    /// The category of one call. An action the map does not name follows the reference's general rule: <c>Describe*</c>,
    /// <c>List*</c>, <c>Search*</c> and <c>Get*</c> are non-mutating, everything else mutating.
    /// </summary>
    /// <param name="action">The EC2 action, e.g. DescribeSecurityGroups.</param>
    /// <param name="filteredOrPaginated">Whether the call passes a filter, MaxResults or NextToken.</param>
    /// <returns>The category whose bucket the call draws from.</returns>
    public static Ec2ThrottlingCategory Of(string action, bool filteredOrPaginated)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (!filteredOrPaginated && UnfilteredUnpaginatedActions.Contains(action))
        {
            return Ec2ThrottlingCategory.UnfilteredUnpaginatedNonMutating;
        }

        if (Actions.TryGetValue(action, out var category))
        {
            return category;
        }

        return action.StartsWith("Describe", StringComparison.Ordinal) || action.StartsWith("List", StringComparison.Ordinal)
            || action.StartsWith("Search", StringComparison.Ordinal) || action.StartsWith("Get", StringComparison.Ordinal)
            ? Ec2ThrottlingCategory.NonMutating
            : Ec2ThrottlingCategory.Mutating;
    }
}
