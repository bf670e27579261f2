namespace RemediationTools.Core.Aws;

/// <summary>
/// The EC2 token buckets a client paces itself to: by default the API reference's sizes and refill rates
/// (<see cref="Ec2ActionCategories"/>); an account granted higher limits sets them per category or per action.
/// </summary>
internal sealed class Ec2RequestLimits
{
    /// <summary>The reference's limits.</summary>
    public Ec2RequestLimits()
    {
        foreach (var entry in Ec2ActionCategories.CategoryLimits)
        {
            Categories[entry.Key] = entry.Value;
        }

        foreach (var entry in Ec2ActionCategories.UncategorizedLimits)
        {
            Actions[entry.Key] = entry.Value;
        }

        foreach (var entry in Ec2ActionCategories.ResourceLimits)
        {
            ResourceActions[entry.Key] = entry.Value;
        }
    }

    /// <summary>The request bucket of every action of a category (each action has its own bucket of this size).</summary>
    public IDictionary<Ec2ThrottlingCategory, Ec2BucketLimit> Categories { get; } = new Dictionary<Ec2ThrottlingCategory, Ec2BucketLimit>();

    /// <summary>Actions with a request bucket of their own size: the reference's uncategorized actions, and any limit increase.</summary>
    public IDictionary<string, Ec2BucketLimit> Actions { get; } = new Dictionary<string, Ec2BucketLimit>(StringComparer.Ordinal);

    /// <summary>Actions that also take one resource token per instance.</summary>
    public IDictionary<string, Ec2BucketLimit> ResourceActions { get; } = new Dictionary<string, Ec2BucketLimit>(StringComparer.Ordinal);

    /// <summary>
    /// How many findings of one account and region a batch runs at once by default: the smallest burst of the buckets
    /// the EC2 jobs' calls take from (non-mutating, unfiltered, mutating, resource-intensive). Fewer would leave part of
    /// the burst unused in the first round trip; more would only wait at the bucket.
    /// </summary>
    public static int DefaultConcurrency { get; } = (int)new[]
    {
        Ec2ThrottlingCategory.NonMutating,
        Ec2ThrottlingCategory.UnfilteredNonMutating,
        Ec2ThrottlingCategory.Mutating,
        Ec2ThrottlingCategory.ResourceIntensive,
    }.Min(c => Ec2ActionCategories.CategoryLimits[c].Capacity);

    /// <summary>The request bucket of a call: its key in the limiter (per action; the unfiltered bucket apart) and its limit.</summary>
    public (string Key, Ec2BucketLimit Limit) RequestBucket(string action, bool filteredOrPaginated)
    {
        var category = Ec2ActionCategories.CategoryOf(action, filteredOrPaginated);
        if (category == Ec2ThrottlingCategory.UnfilteredNonMutating)
        {
            return (action + " (unfiltered)", CategoryLimit(category, action));
        }

        return Actions.TryGetValue(action, out var own) ? (action, own) : (action, CategoryLimit(category, action));
    }

    /// <summary>
    /// The least time in which <paramref name="calls"/> calls of one action can be made from full buckets: the burst at
    /// once, then the refill rate (the physical limit a paced batch is measured against).
    /// </summary>
    public TimeSpan LeastTimeFor(string action, bool filteredOrPaginated, int calls)
    {
        if (calls < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(calls), calls, "The number of calls cannot be negative.");
        }

        var limit = RequestBucket(action, filteredOrPaginated).Limit;
        var beyondBurst = calls - Math.Floor(limit.Capacity);
        return beyondBurst <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(beyondBurst / limit.RefillPerSecond);
    }

    private Ec2BucketLimit CategoryLimit(Ec2ThrottlingCategory category, string action) =>
        Categories.TryGetValue(category, out var limit)
            ? limit
            : throw new InvalidOperationException("No EC2 bucket limit for category " + category + " (action " + action + ").");
}
