using System.Globalization;

namespace RemediationTools.Core.Aws;

/// <summary>
/// The EC2 token buckets a client paces itself to: by default the API reference's sizes and refill rates
/// (<see cref="Ec2ActionCategories"/>); an account granted higher limits sets them per category or per action.
/// </summary>
internal sealed class Ec2RequestLimits
{
    /// <summary>
    /// The environment variable with the limits of an account granted higher ones: comma-separated
    /// <c>name=capacity/refill-per-second</c> entries, the name a category (NonMutating, UnfilteredNonMutating, Mutating,
    /// ResourceIntensive) or an EC2 action (RunInstances); e.g. <c>Mutating=100/10,RevokeSecurityGroupIngress=200/20</c>.
    /// </summary>
    public const string Variable = "REMEDIATION_EC2_LIMITS";

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
    public int Concurrency => (int)Math.Min(1024, new[]
    {
        Ec2ThrottlingCategory.NonMutating,
        Ec2ThrottlingCategory.UnfilteredNonMutating,
        Ec2ThrottlingCategory.Mutating,
        Ec2ThrottlingCategory.ResourceIntensive,
    }.Min(c => Categories[c].Capacity));

    /// <summary><see cref="Concurrency"/> of the reference's limits.</summary>
    public static int DefaultConcurrency { get; } = new Ec2RequestLimits().Concurrency;

    /// <summary>
    /// The reference's limits with the entries of <paramref name="spec"/> (the format of <see cref="Variable"/>) in their
    /// place; null or blank = the reference's. A malformed entry is an error naming it, and nothing is changed.
    /// </summary>
    public static Ec2RequestLimits Parse(string? spec)
    {
        var limits = new Ec2RequestLimits();
        if (string.IsNullOrWhiteSpace(spec))
        {
            return limits;
        }

        foreach (var raw in spec!.Split(','))
        {
            var entry = raw.Trim();
            var equals = entry.IndexOf('=');
            var slash = entry.IndexOf('/');
            if (equals <= 0 || slash < equals)
            {
                throw Malformed(entry, "it must be name=capacity/refill-per-second");
            }

            var name = entry.Substring(0, equals).Trim();
            if (!TryNumber(entry.Substring(equals + 1, slash - equals - 1), out var capacity)
                || !TryNumber(entry.Substring(slash + 1), out var refill))
            {
                throw Malformed(entry, "capacity and refill rate must be numbers");
            }

            if (!(capacity >= 1) || double.IsInfinity(capacity) || !(refill > 0) || double.IsInfinity(refill))
            {
                throw Malformed(entry, "a bucket holds at least one token and refills at a positive, finite rate");
            }

            var limit = new Ec2BucketLimit(capacity, refill);
            var isCategory = Enum.TryParse<Ec2ThrottlingCategory>(name, ignoreCase: true, out var category) && !name.All(char.IsDigit);
            if (isCategory && category != Ec2ThrottlingCategory.Uncategorized)
            {
                limits.Categories[category] = limit;
            }
            else if (!isCategory && name.Length > 1 && char.IsUpper(name[0]) && name.All(char.IsLetterOrDigit))
            {
                limits.Actions[name] = limit;
            }
            else
            {
                throw Malformed(entry, "'" + name + "' is neither a category (NonMutating, UnfilteredNonMutating, Mutating, ResourceIntensive) nor an EC2 action name");
            }
        }

        return limits;
    }

    private static bool TryNumber(string text, out double value) =>
        double.TryParse(text.Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);

    private static AwsConfigurationException Malformed(string entry, string why) =>
        new(Variable + " has the entry '" + entry + "': " + why + ".");

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
