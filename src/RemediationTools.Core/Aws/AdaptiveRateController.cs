namespace RemediationTools.Core.Aws;

/// <summary>
/// The refill rate of one bucket, lowered when AWS throttles anyway and recovered along a cubic curve, as the AWS SDKs'
/// adaptive retry mode does (CUBIC): on a throttle the rate drops to <see cref="Beta"/> times the rate in use, then grows
/// back as <c>C·(t − K)³ + Wmax</c>, flat near the rate that was throttled, until it is the configured rate again.
/// Not thread-safe: the owning <see cref="TokenBucket"/> calls it under its lock.
/// </summary>
internal sealed class AdaptiveRateController
{
    /// <summary>Multiplicative decrease on a throttle (the SDKs' beta).</summary>
    public const double Beta = 0.7;

    /// <summary>Scale of the cubic recovery, in tokens per second³ (the SDKs' scale constant).</summary>
    public const double ScaleConstant = 0.4;

    /// <summary>The lowest rate a throttle leads to, in tokens a second (the SDKs' minimum fill rate), unless the configured rate is lower.</summary>
    public const double MinimumRate = 0.5;

    private double lastMaxRate;
    private double k;
    private TimeSpan lastThrottle;
    private bool recovering;

    /// <summary>A controller whose rate is <paramref name="maxRate"/> until the first throttle.</summary>
    public AdaptiveRateController(double maxRate)
    {
        if (!(maxRate > 0) || double.IsInfinity(maxRate))
        {
            throw new ArgumentOutOfRangeException(nameof(maxRate), maxRate, "The refill rate must be positive and finite.");
        }

        MaxRate = maxRate;
    }

    /// <summary>The configured rate: never exceeded.</summary>
    public double MaxRate { get; }

    /// <summary>How many throttles lowered the rate.</summary>
    public int Throttles { get; private set; }

    /// <summary>The rate at <paramref name="now"/>, in tokens a second.</summary>
    public double RateAt(TimeSpan now)
    {
        if (!recovering)
        {
            return MaxRate;
        }

        var t = Math.Max(0, (now - lastThrottle).TotalSeconds);
        var rate = (ScaleConstant * Math.Pow(t - k, 3)) + lastMaxRate;
        if (rate >= MaxRate)
        {
            recovering = false;
            return MaxRate;
        }

        return Math.Max(rate, Math.Min(MinimumRate, MaxRate));
    }

    /// <summary>AWS throttled a call at <paramref name="now"/>: lower the rate from the one in use then.</summary>
    public void OnThrottled(TimeSpan now)
    {
        lastMaxRate = RateAt(now);
        k = Math.Pow(lastMaxRate * (1 - Beta) / ScaleConstant, 1.0 / 3);
        lastThrottle = now;
        recovering = true;
        Throttles++;
    }
}
