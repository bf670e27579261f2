using System.Diagnostics;

namespace RemediationTools.Core.Aws;

/// <summary>Monotonic time and waiting for the EC2 request pacing; a seam so tests move time by hand.</summary>
internal interface IPacingClock
{
    /// <summary>Time since an arbitrary fixed start; never goes back.</summary>
    TimeSpan Elapsed { get; }

    /// <summary>Completes once <paramref name="delay"/> has passed on this clock.</summary>
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>The real clock: a stopwatch and <see cref="Task.Delay(TimeSpan, CancellationToken)"/>.</summary>
internal sealed class SystemPacingClock : IPacingClock
{
    private readonly Stopwatch stopwatch = Stopwatch.StartNew();

    private SystemPacingClock()
    {
    }

    /// <summary>The one instance.</summary>
    public static SystemPacingClock Instance { get; } = new();

    public TimeSpan Elapsed => stopwatch.Elapsed;

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => Task.Delay(delay, cancellationToken);
}
