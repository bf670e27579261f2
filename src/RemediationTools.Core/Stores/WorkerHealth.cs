namespace RemediationTools.Core.Stores;

/// <summary>How every store judges a worker's health from its heartbeats.</summary>
internal static class WorkerHealth
{
    /// <summary>Stopped stays Stopped; otherwise Stale after three missed heartbeats (at least 1 s apart), else Healthy.</summary>
    public static RemediationWorkerState Judge(RemediationWorkerInfo worker, DateTimeOffset now)
    {
        if (worker.State == RemediationWorkerState.Stopped)
        {
            return RemediationWorkerState.Stopped;
        }

        var staleAfter = TimeSpan.FromTicks(Math.Max(worker.HeartbeatInterval.Ticks, TimeSpan.FromSeconds(1).Ticks) * 3);
        return now - worker.LastHeartbeat > staleAfter ? RemediationWorkerState.Stale : RemediationWorkerState.Healthy;
    }
}
