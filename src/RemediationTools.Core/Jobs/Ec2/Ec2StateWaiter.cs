using System.Globalization;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// Waits for an EC2 state transition (instance stopped, volume available, snapshot completed, ...) by polling: a
/// read right away, then one every <see cref="Interval"/> until <see cref="Timeout"/>. Cancellation stops it at once.
/// </summary>
internal sealed class Ec2StateWaiter
{
    /// <summary>Creates a waiter.</summary>
    public Ec2StateWaiter(TimeSpan interval, TimeSpan timeout)
    {
        if (interval <= TimeSpan.Zero || timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), "The polling interval and the timeout must be positive.");
        }

        Interval = interval;
        Timeout = timeout;
    }

    /// <summary>The waiter jobs use: every 5 seconds, for up to 20 minutes (large snapshots take a while).</summary>
    public static Ec2StateWaiter Default { get; } = new(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(20));

    /// <summary>Time between reads.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How long to wait in all.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Reads with <paramref name="read"/> until it returns <paramref name="wanted"/>; throws <see cref="Ec2WaitTimeoutException"/> after the timeout.</summary>
    public async Task WaitAsync(string what, string wanted, Func<Task<string?>> read, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + Timeout;
        string? last;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            last = await read().ConfigureAwait(false);
            if (string.Equals(last, wanted, StringComparison.Ordinal))
            {
                return;
            }

            if (DateTimeOffset.UtcNow >= deadline)
            {
                break;
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }

        throw new Ec2WaitTimeoutException(string.Format(
            CultureInfo.InvariantCulture,
            "{0} did not become '{1}' within {2:0} seconds; it is '{3}'.",
            what,
            wanted,
            Timeout.TotalSeconds,
            last ?? "(gone)"));
    }
}

/// <summary>An EC2 resource did not reach the state a job waited for in time.</summary>
[Serializable]
internal sealed class Ec2WaitTimeoutException : JobFailureException
{
    /// <summary>Creates the exception.</summary>
    public Ec2WaitTimeoutException(string message)
        : base(message)
    {
    }
}
