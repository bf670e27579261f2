using System.Globalization;

namespace RemediationTools.Core.Stores;

/// <summary>
/// How every store, the worker itself and <c>remediation-worker --health</c> judge a worker: health means able to work,
/// so heartbeats count as Healthy only while the worker can poll its queue.
/// </summary>
internal static class WorkerHealth
{
    /// <summary>
    /// Stopped stays Stopped; Stale after three missed heartbeats (at least 1 s apart); Unhealthy when the last poll of
    /// the queue failed (after the last one that returned), or a poll has been under way for longer than three poll
    /// intervals and a heartbeat; else Healthy.
    /// </summary>
    public static RemediationWorkerState Judge(RemediationWorkerInfo worker, DateTimeOffset now) => Explain(worker, now).State;

    /// <summary>The state of <see cref="Judge"/> with its reason (null when Healthy or Stopped).</summary>
    public static (RemediationWorkerState State, string? Reason) Explain(RemediationWorkerInfo worker, DateTimeOffset now)
    {
        if (worker is null)
        {
            throw new ArgumentNullException(nameof(worker));
        }

        if (worker.State == RemediationWorkerState.Stopped)
        {
            return (RemediationWorkerState.Stopped, null);
        }

        var beat = TimeSpan.FromTicks(Math.Max(worker.HeartbeatPeriod.Ticks, TimeSpan.FromSeconds(1).Ticks));
        if (now - worker.LastHeartbeat > TimeSpan.FromTicks(beat.Ticks * 3))
        {
            return (RemediationWorkerState.Stale, "no heartbeat since " + Time(worker.LastHeartbeat) + " (" + Seconds(now - worker.LastHeartbeat) + " ago; one is sent every " +
                Seconds(beat) + ")");
        }

        if (worker.LastPollFailure is { } failed && (worker.LastPoll is null || failed >= worker.LastPoll))
        {
            return (RemediationWorkerState.Unhealthy, "the last poll of the queue failed at " + Time(failed) + (worker.LastPollError is { Length: > 0 } error ? ": " + error : string.Empty));
        }

        if (worker.PollingSince is { } since && worker.PollWait > TimeSpan.Zero)
        {
            var limit = TimeSpan.FromTicks(worker.PollWait.Ticks * 3) + beat;
            var waited = worker.LastHeartbeat - since;
            if (waited > limit)
            {
                return (RemediationWorkerState.Unhealthy, "no poll of the queue has returned since " + Time(since) + " (" + Seconds(waited) + "; a poll waits at most " +
                    Seconds(worker.PollWait) + ")" + (worker.LastPoll is { } last ? "; the last returned at " + Time(last) : "; none has returned since the start"));
            }
        }

        return (RemediationWorkerState.Healthy, null);
    }

    /// <summary>Sets <see cref="RemediationWorkerInfo.State"/> and <see cref="RemediationWorkerInfo.StateReason"/> as judged at <paramref name="now"/>.</summary>
    public static RemediationWorkerInfo Apply(RemediationWorkerInfo worker, DateTimeOffset now)
    {
        var (state, reason) = Explain(worker, now);
        worker.State = state;
        worker.StateReason = reason;
        return worker;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan span) => Math.Round(span.TotalSeconds, 1).ToString(CultureInfo.InvariantCulture) + " s";
}
