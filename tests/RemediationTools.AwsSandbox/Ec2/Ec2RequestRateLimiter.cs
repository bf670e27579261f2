using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// The token buckets of <see cref="Ec2RateLimits"/>, per account, region and action, refilled from the sandbox clock
/// (so tests move time instead of waiting). Buckets start full when first used. Used under the state lock.
/// </summary>
internal sealed class Ec2RequestRateLimiter
{
    // Refills are fractions of tokens (0.2 s at 5 a second is one token); this absorbs their rounding.
    private const double Tolerance = 1e-9;

    private readonly Dictionary<(string Account, string Region, string Bucket), TokenBucket> _buckets = [];

    public Ec2RequestRateLimiter(Ec2RateLimits limits) => Limits = limits;

    public Ec2RateLimits Limits { get; }

    /// <summary>
    /// Takes the call's tokens (one from its request bucket, and for the resource-limited actions one per instance from
    /// its resource bucket) if every bucket has them; otherwise takes none and returns false: RequestLimitExceeded.
    /// </summary>
    public bool TryAcquire(string accountId, string region, string action, QueryArgs args, DateTimeOffset now)
    {
        var category = Ec2ThrottlingCategories.Of(action, IsFilteredOrPaginated(args));
        var requestKey = category == Ec2ThrottlingCategory.UnfilteredUnpaginatedNonMutating ? "request:" + action + ":unfiltered" : "request:" + action;
        var request = Bucket(accountId, region, requestKey, Limits.RequestLimit(action, category), now);
        TokenBucket? resource = null;
        var resourceCount = 0;
        if (Limits.ResourceBuckets.TryGetValue(action, out var resourceLimit))
        {
            resource = Bucket(accountId, region, "resource:" + action, resourceLimit, now);
            resourceCount = AffectedInstances(action, args);
        }

        if (request.Tokens < 1 - Tolerance || (resource is not null && resource.Tokens < resourceCount - Tolerance))
        {
            return false;
        }

        request.Tokens -= 1;
        if (resource is not null)
        {
            resource.Tokens -= resourceCount;
        }

        return true;
    }

    /// <summary>A filter (<c>Filter.N.Name</c>) or pagination (<c>MaxResults</c>, <c>NextToken</c>); a list of IDs is neither.</summary>
    private static bool IsFilteredOrPaginated(QueryArgs args) =>
        args.Get("MaxResults") is not null || args.Get("NextToken") is not null
        || args.Values.Keys.Any(k => k.StartsWith("Filter.", StringComparison.Ordinal));

    /// <summary>
    /// The instances a call affects: RunInstances' MaxCount, else the number of InstanceId.N. A malformed or missing
    /// count draws 1, and the action then fails with its own validation error.
    /// </summary>
    private static int AffectedInstances(string action, QueryArgs args)
    {
        if (action == "RunInstances")
        {
            return int.TryParse(args.Get("MaxCount"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var max) && max >= 1 ? max : 1;
        }

        return Math.Max(1, args.Values.Keys.Count(k => k.StartsWith("InstanceId.", StringComparison.Ordinal)));
    }

    private TokenBucket Bucket(string accountId, string region, string key, Ec2TokenBucketLimit limit, DateTimeOffset now)
    {
        if (!_buckets.TryGetValue((accountId, region, key), out var bucket))
        {
            bucket = new TokenBucket(limit.Capacity, now);
            _buckets[(accountId, region, key)] = bucket;
        }

        bucket.Refill(limit, now);
        return bucket;
    }

    private sealed class TokenBucket(double tokens, DateTimeOffset refilledAt)
    {
        public double Tokens { get; set; } = tokens;

        private DateTimeOffset RefilledAt { get; set; } = refilledAt;

        /// <summary>Adds the tokens earned since the last refill; a clock moved back earns nothing and restarts from now.</summary>
        public void Refill(Ec2TokenBucketLimit limit, DateTimeOffset now)
        {
            var elapsed = (now - RefilledAt).TotalSeconds;
            if (elapsed > 0)
            {
                Tokens = Math.Min(limit.Capacity, Tokens + (elapsed * limit.RefillPerSecond));
            }

            RefilledAt = now;
        }
    }
}
