using System.Globalization;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>The size of one token bucket (its burst) and how many tokens it regains a second.</summary>
public sealed record Ec2TokenBucketLimit
{
    /// <summary>A bucket of <paramref name="capacity"/> tokens refilled by <paramref name="refillPerSecond"/> tokens a second.</summary>
    /// <param name="capacity">The maximum number of tokens, at least 1 (a smaller bucket could never admit a call).</param>
    /// <param name="refillPerSecond">Tokens added a second, more than 0 (the reference has rates such as 0.1).</param>
    public Ec2TokenBucketLimit(double capacity, double refillPerSecond)
    {
        if (!double.IsFinite(capacity) || capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, string.Create(CultureInfo.InvariantCulture, $"A bucket's capacity is at least 1 token, not {capacity}."));
        }

        if (!double.IsFinite(refillPerSecond) || refillPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(refillPerSecond), refillPerSecond, string.Create(CultureInfo.InvariantCulture, $"A bucket's refill rate is more than 0 tokens a second, not {refillPerSecond}."));
        }

        Capacity = capacity;
        RefillPerSecond = refillPerSecond;
    }

    /// <summary>The maximum number of tokens (the burst); a bucket starts full.</summary>
    public double Capacity { get; }

    /// <summary>Tokens added a second, up to <see cref="Capacity"/>.</summary>
    public double RefillPerSecond { get; }
}

/// <summary>
/// EC2's request-rate throttling as the sandbox applies it: per account and region, every action has its own request
/// token bucket sized by its <see cref="Ec2ThrottlingCategory"/> (or by <see cref="Actions"/>), and RunInstances,
/// StartInstances, StopInstances and TerminateInstances also a resource token bucket. A new instance holds AWS's
/// defaults (<see cref="AwsDefaults"/>); change them with <c>with</c>:
/// <c>Ec2RateLimits.AwsDefaults with { Mutating = new(10, 1) }</c>.
/// </summary>
/// <remarks>
/// The numbers are those of the EC2 API reference, "Request throttling for the Amazon EC2 API": "Request token bucket
/// sizes and refill rates" (categories and uncategorized actions) and "Resource token bucket sizes and refill rates".
/// </remarks>
public sealed record Ec2RateLimits
{
    /// <summary>AWS's default limits.</summary>
    public static Ec2RateLimits AwsDefaults { get; } = new();

    /// <summary>Non-mutating actions: 100 tokens, 20 a second.</summary>
    public Ec2TokenBucketLimit NonMutating { get; init; } = new(100, 20);

    /// <summary>Unfiltered and unpaginated non-mutating actions: 50 tokens, 10 a second.</summary>
    public Ec2TokenBucketLimit UnfilteredUnpaginatedNonMutating { get; init; } = new(50, 10);

    /// <summary>Mutating actions: 50 tokens, 5 a second.</summary>
    public Ec2TokenBucketLimit Mutating { get; init; } = new(50, 5);

    /// <summary>Resource-intensive actions (AuthorizeSecurityGroupIngress, RevokeSecurityGroupIngress, ...): 50 tokens, 5 a second.</summary>
    public Ec2TokenBucketLimit ResourceIntensive { get; init; } = new(50, 5);

    /// <summary>
    /// Request buckets of single actions, ahead of their category's: by default the reference's uncategorized actions
    /// that the sandbox emulates. An account's raised limit of one action is an entry here too.
    /// </summary>
    public IReadOnlyDictionary<string, Ec2TokenBucketLimit> Actions { get; init; } = new Dictionary<string, Ec2TokenBucketLimit>(StringComparer.Ordinal)
    {
        ["CreateSnapshot"] = new(100, 5),
        ["CreateTags"] = new(100, 10),
        ["CreateVolume"] = new(100, 5),
        ["DeleteSnapshot"] = new(100, 5),
        ["DeleteTags"] = new(100, 10),
        ["ModifySnapshotAttribute"] = new(100, 5),
        ["RunInstances"] = new(5, 2),
        ["StartInstances"] = new(5, 2),
        ["TerminateInstances"] = new(100, 5),
    };

    /// <summary>
    /// Resource buckets, drawn by the number of instances a call affects: RunInstances 1000 / 2, TerminateInstances
    /// 1000 / 20, StartInstances 1000 / 2, StopInstances 1000 / 20.
    /// </summary>
    public IReadOnlyDictionary<string, Ec2TokenBucketLimit> ResourceBuckets { get; init; } = new Dictionary<string, Ec2TokenBucketLimit>(StringComparer.Ordinal)
    {
        ["RunInstances"] = new(1000, 2),
        ["TerminateInstances"] = new(1000, 20),
        ["StartInstances"] = new(1000, 2),
        ["StopInstances"] = new(1000, 20),
    };

    /// <summary>The limit of one category's buckets.</summary>
    /// <param name="category">A category other than <see cref="Ec2ThrottlingCategory.Uncategorized"/>.</param>
    /// <returns>The bucket size and refill rate.</returns>
    public Ec2TokenBucketLimit Of(Ec2ThrottlingCategory category) => category switch
    {
        Ec2ThrottlingCategory.NonMutating => NonMutating,
        Ec2ThrottlingCategory.UnfilteredUnpaginatedNonMutating => UnfilteredUnpaginatedNonMutating,
        Ec2ThrottlingCategory.ResourceIntensive => ResourceIntensive,

        // An uncategorized action without an entry in Actions is mutating by the reference's definition.
        _ => Mutating,
    };

    /// <summary>
    /// The request bucket limit of one call: the action's own entry in <see cref="Actions"/>, else its category's; an
    /// unfiltered and unpaginated call of one of the seven actions always draws from that smaller category.
    /// </summary>
    /// <param name="action">The EC2 action.</param>
    /// <param name="category">The call's category (<see cref="Ec2ThrottlingCategories.Of"/>).</param>
    /// <returns>The bucket size and refill rate.</returns>
    public Ec2TokenBucketLimit RequestLimit(string action, Ec2ThrottlingCategory category) =>
        category != Ec2ThrottlingCategory.UnfilteredUnpaginatedNonMutating && Actions.TryGetValue(action, out var own) ? own : Of(category);
}
