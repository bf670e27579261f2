namespace RemediationTools;

/// <summary>The health of a worker, judged from its heartbeats.</summary>
public enum RemediationWorkerState
{
    /// <summary>The worker sent a heartbeat recently.</summary>
    Healthy,

    /// <summary>The worker has missed several heartbeats: it is hung, partitioned, or was killed.</summary>
    Stale,

    /// <summary>The worker stopped cleanly.</summary>
    Stopped,
}

/// <summary>A worker of a group, as it last reported itself.</summary>
public sealed class RemediationWorkerInfo
{
    /// <summary>The worker's ID, new at every start.</summary>
    public string WorkerId { get; set; } = string.Empty;

    /// <summary>The worker group it serves.</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The host name (or container ID) it runs on.</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>The worker's version.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>When it started (UTC).</summary>
    public DateTimeOffset Started { get; set; }

    /// <summary>Its last heartbeat (UTC).</summary>
    public DateTimeOffset LastHeartbeat { get; set; }

    /// <summary>Healthy, Stale or Stopped.</summary>
    public RemediationWorkerState State { get; set; }

    /// <summary>Requests it finished (whatever the remediation's status).</summary>
    public long JobsDone { get; set; }

    /// <summary>Request attempts that failed (they were retried or dead-lettered).</summary>
    public long JobsFailed { get; set; }

    /// <summary>How often it sends heartbeats; it is Stale after three missed ones.</summary>
    public TimeSpan HeartbeatInterval { get; set; }

    /// <inheritdoc />
    public override string ToString() => WorkerId + " " + State;
}
