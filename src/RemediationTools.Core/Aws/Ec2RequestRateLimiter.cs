using System.Collections.Concurrent;

namespace RemediationTools.Core.Aws;

/// <summary>
/// The EC2 token buckets of one account and region, as the client sees them: every EC2 call of that account and region
/// made through the factory's clients takes a token here first (see <see cref="Ec2PacingHandler"/>), whichever finding,
/// batch or worker request makes it.
/// </summary>
internal sealed class Ec2RequestRateLimiter
{
    private readonly Ec2RequestLimits limits;
    private readonly IPacingClock clock;
    private readonly ConcurrentDictionary<string, TokenBucket> buckets = new(StringComparer.Ordinal);

    /// <summary>The buckets of <paramref name="accountId"/> in <paramref name="region"/>, full.</summary>
    public Ec2RequestRateLimiter(string accountId, string region, Ec2RequestLimits limits, IPacingClock clock)
    {
        AccountId = accountId ?? throw new ArgumentNullException(nameof(accountId));
        Region = region ?? throw new ArgumentNullException(nameof(region));
        this.limits = limits ?? throw new ArgumentNullException(nameof(limits));
        this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>The account the buckets belong to.</summary>
    public string AccountId { get; }

    /// <summary>The region the buckets belong to.</summary>
    public string Region { get; }

    /// <summary>How many calls were let through.</summary>
    public long Acquired => buckets.Where(b => !b.Key.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Sum(b => b.Value.Granted);

    /// <summary>How many throttling answers were reported.</summary>
    public int Throttles => buckets.Values.Sum(b => b.Throttles);

    private const string ResourcePrefix = "resource:";

    /// <summary>
    /// Waits for a token of the call's request bucket, and for <paramref name="resourceCount"/> resource tokens when the
    /// action has a resource bucket.
    /// </summary>
    public Task AcquireAsync(string action, bool filteredOrPaginated, int resourceCount, CancellationToken cancellationToken)
    {
        var request = RequestBucket(action, filteredOrPaginated).AcquireAsync(1, cancellationToken);
        if (resourceCount > 0 && limits.ResourceActions.TryGetValue(action, out var resourceLimit))
        {
            var resources = buckets.GetOrAdd(ResourcePrefix + action, _ => new TokenBucket(resourceLimit, clock));
            return AcquireResourcesAsync(request, resources, resourceCount, cancellationToken);
        }

        return request;
    }

    private static async Task AcquireResourcesAsync(Task request, TokenBucket resources, int count, CancellationToken cancellationToken)
    {
        await request.ConfigureAwait(false);
        await resources.AcquireAsync(count, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>AWS answered a call of <paramref name="action"/> with a throttling error.</summary>
    public void OnThrottled(string action, bool filteredOrPaginated) => RequestBucket(action, filteredOrPaginated).OnThrottled();

    /// <summary>Whether every bucket is full, at its configured rate, with nobody waiting: the same as new buckets.</summary>
    public bool IsIdle => buckets.Values.All(b => b.IsIdle);

    /// <summary>The bucket of <paramref name="key"/> if it was used (tests and diagnostics).</summary>
    internal TokenBucket? BucketOrNull(string key) => buckets.TryGetValue(key, out var bucket) ? bucket : null;

    /// <summary>The request bucket a call takes from.</summary>
    internal TokenBucket RequestBucket(string action, bool filteredOrPaginated)
    {
        var (key, limit) = limits.RequestBucket(action, filteredOrPaginated);
        return buckets.GetOrAdd(key, _ => new TokenBucket(WithReserve(limit), clock));
    }

    /// <summary>
    /// The client's copy of a request bucket leaves one token of EC2's unused. Calls reach EC2 with some network jitter,
    /// so two calls the client spaced exactly at the refill interval can arrive closer together than that once EC2's
    /// bucket is empty, and the second is refused; one token in hand absorbs that (measured: one RequestLimitExceeded
    /// in 1,000 paced calls at 50 ms latency without it, build/bench/RemediationPaced.ps1). It costs one refill interval.
    /// </summary>
    internal static Ec2BucketLimit WithReserve(Ec2BucketLimit limit) =>
        limit.Capacity >= 2 ? new Ec2BucketLimit(limit.Capacity - 1, limit.RefillPerSecond) : limit;
}

/// <summary>
/// The <see cref="Ec2RequestRateLimiter"/> of every (account, region), created on first use. <see cref="Shared"/> is the
/// process-wide one every <see cref="AwsClientFactory"/> uses by default, so several Invoke-Remediation calls of a session
/// and the concurrent requests of a worker pace themselves together, as EC2 counts them.
/// </summary>
internal sealed class Ec2RequestRateLimiterRegistry
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<(string AccountId, string Region), Ec2RequestRateLimiter> limiters = new();
    private readonly object sweepGate = new();
    private TimeSpan nextSweep;

    /// <summary>A registry of <paramref name="limits"/> (default: the reference's) on <paramref name="clock"/> (default: the system's).</summary>
    public Ec2RequestRateLimiterRegistry(Ec2RequestLimits? limits = null, IPacingClock? clock = null)
    {
        Limits = limits ?? new Ec2RequestLimits();
        Clock = clock ?? SystemPacingClock.Instance;
    }

    private static readonly ConcurrentDictionary<string, Ec2RequestRateLimiterRegistry> BySpec = new(StringComparer.Ordinal);

    /// <summary>The process-wide registry, with the reference's limits.</summary>
    public static Ec2RequestRateLimiterRegistry Shared { get; } = new();

    /// <summary>
    /// The process-wide registry for the limits <paramref name="spec"/> gives (<see cref="Ec2RequestLimits.Variable"/>'s
    /// format): <see cref="Shared"/> when it is blank, else one registry per distinct setting, shared like it.
    /// </summary>
    public static Ec2RequestRateLimiterRegistry ForLimits(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec))
        {
            return Shared;
        }

        var key = spec!.Trim();
        if (BySpec.TryGetValue(key, out var existing))
        {
            return existing;
        }

        // Parsed before it is stored: a malformed setting throws and leaves nothing behind.
        var limits = Ec2RequestLimits.Parse(key);
        return BySpec.GetOrAdd(key, _ => new Ec2RequestRateLimiterRegistry(limits));
    }

    /// <summary>The bucket sizes and refill rates.</summary>
    public Ec2RequestLimits Limits { get; }

    /// <summary>The clock the buckets refill by.</summary>
    public IPacingClock Clock { get; }

    /// <summary>How many (account, region) pairs have buckets.</summary>
    public int Count => limiters.Count;

    /// <summary>The buckets of <paramref name="accountId"/> in <paramref name="region"/>.</summary>
    public Ec2RequestRateLimiter For(string accountId, string region)
    {
        if (string.IsNullOrEmpty(accountId))
        {
            throw new ArgumentException("An account is required.", nameof(accountId));
        }

        if (string.IsNullOrEmpty(region))
        {
            throw new ArgumentException("A region is required.", nameof(region));
        }

        SweepIdle();
        return limiters.GetOrAdd((accountId, region), key => new Ec2RequestRateLimiter(key.AccountId, key.Region, Limits, Clock));
    }

    /// <summary>
    /// Drops the limiters whose buckets are all full again and have nobody waiting: a new one would be the same, so a
    /// worker serving thousands of accounts does not keep them all. Runs at most once a minute (by <see cref="Clock"/>).
    /// </summary>
    internal void SweepIdle()
    {
        var now = Clock.Elapsed;
        lock (sweepGate)
        {
            if (now < nextSweep)
            {
                return;
            }

            nextSweep = now + SweepInterval;
        }

        foreach (var entry in limiters)
        {
            if (entry.Value.IsIdle)
            {
                ((ICollection<KeyValuePair<(string, string), Ec2RequestRateLimiter>>)limiters).Remove(entry);
            }
        }
    }
}

/// <summary>Whether the EC2 clients of a factory pace their calls to EC2's request limits.</summary>
internal enum Ec2PacingMode
{
    /// <summary>Against AWS's own EC2 endpoints yes; against a configured endpoint (an emulator) or a test HTTP handler no.</summary>
    Auto,

    /// <summary>Always.</summary>
    On,

    /// <summary>Never (the SDK's retries alone handle throttling).</summary>
    Off,
}

/// <summary>The <c>REMEDIATION_EC2_PACING</c> setting.</summary>
internal static class Ec2PacingModes
{
    /// <summary>The environment variable that sets the mode when the options leave it at <see cref="Ec2PacingMode.Auto"/>.</summary>
    public const string Variable = "REMEDIATION_EC2_PACING";

    /// <summary>on, off or auto (any case); null or empty is auto. Anything else is an error naming the value.</summary>
    public static Ec2PacingMode Parse(string? value)
    {
        switch (value?.Trim().ToUpperInvariant())
        {
            case null or "" or "AUTO":
                return Ec2PacingMode.Auto;
            case "ON":
                return Ec2PacingMode.On;
            case "OFF":
                return Ec2PacingMode.Off;
            default:
                throw new AwsConfigurationException(Variable + " is '" + value + "'; it must be on, off or auto.");
        }
    }
}
