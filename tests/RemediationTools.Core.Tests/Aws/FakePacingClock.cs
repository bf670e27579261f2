using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

/// <summary>A pacing clock that moves only when a test advances it; its delays complete then, in due order.</summary>
internal sealed class FakePacingClock : IPacingClock
{
    private readonly object gate = new();
    private readonly List<(TimeSpan Due, TaskCompletionSource<bool> Completion)> delays = new();
    private TimeSpan now = TimeSpan.FromHours(1);

    public TimeSpan Elapsed
    {
        get
        {
            lock (gate)
            {
                return now;
            }
        }
    }

    public int PendingDelays
    {
        get
        {
            lock (gate)
            {
                return delays.Count;
            }
        }
    }

    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource<bool>();
        lock (gate)
        {
            delays.Add((now + delay, completion));
        }

        return completion.Task;
    }

    /// <summary>Moves time on by <paramref name="by"/>, completing the delays due by then (their continuations run here).</summary>
    public void Advance(TimeSpan by)
    {
        TimeSpan target;
        lock (gate)
        {
            target = now + by;
        }

        while (true)
        {
            TaskCompletionSource<bool>? next = null;
            lock (gate)
            {
                var due = delays.Where(d => d.Due <= target).OrderBy(d => d.Due).FirstOrDefault();
                if (due.Completion is not null)
                {
                    delays.Remove(due);
                    now = due.Due > now ? due.Due : now;
                    next = due.Completion;
                }
                else
                {
                    now = target;
                }
            }

            if (next is null)
            {
                return;
            }

            next.SetResult(true);
        }
    }
}
