using System.Globalization;
using RemediationTools.Core.Results;

namespace RemediationTools;

/// <summary>The health of a worker, judged from its heartbeats.</summary>
// Based on long so that ConvertTo-Json writes it by name (see RemediationStatus).
public enum RemediationWorkerState : long
{
    /// <summary>The worker sent a heartbeat recently.</summary>
    Healthy,

    /// <summary>The worker has missed several heartbeats: it is hung, partitioned, or was killed.</summary>
    Stale,

    /// <summary>The worker stopped cleanly.</summary>
    Stopped,

    /// <summary>The worker sends heartbeats but cannot work: its last poll of the queue failed, or no poll returned for several poll intervals (<see cref="RemediationWorkerInfo.StateReason"/> says why).</summary>
    Unhealthy,

    /// <summary>An EC2 instance of the group whose worker has not reported (yet): still starting, or its container does not run.</summary>
    NotReported,

    /// <summary>The worker reported from an EC2 instance that no longer runs (terminated, stopped, or unknown to EC2).</summary>
    InstanceGone,
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

    /// <summary>The EC2 instance it runs on (Deploy-RemediationWorker's workers report it); null elsewhere.</summary>
    public string? InstanceId { get; set; }

    /// <summary>
    /// The EC2 state of <see cref="InstanceId"/> as Get-RemediationWorker saw it (running, terminated, ...; <c>missing</c>
    /// when EC2 does not know it); null when not looked up.
    /// </summary>
    public string? InstanceState { get; set; }

    /// <summary>The worker's version.</summary>
    public string Version { get; set; } = string.Empty;

    /// <summary>When it started (UTC).</summary>
    public DateTimeOffset Started { get; set; }

    /// <summary>Its last heartbeat (UTC).</summary>
    public DateTimeOffset LastHeartbeat { get; set; }

    /// <summary>Healthy, Unhealthy, Stale or Stopped.</summary>
    public RemediationWorkerState State { get; set; }

    /// <summary>Why the worker is Unhealthy or Stale (the queue error and its fix, or the missed heartbeats); null when Healthy or Stopped.</summary>
    public string? StateReason { get; set; }

    /// <summary>When a poll of the queue last returned (UTC), with or without requests; null before the first.</summary>
    public DateTimeOffset? LastPoll { get; set; }

    /// <summary>When a poll of the queue last failed (UTC); null when none did.</summary>
    public DateTimeOffset? LastPollFailure { get; set; }

    /// <summary>The error of the last failed poll, with its fix when known (for a local store: the folder, its owner and mode, and how to share it).</summary>
    public string? LastPollError { get; set; }

    /// <summary>Since when the poll under way has waited (UTC); null while the worker is not polling (all its job slots are busy).</summary>
    public DateTimeOffset? PollingSince { get; set; }

    /// <summary>
    /// How long one long poll of the queue waits, as <c>hh:mm:ss</c>; no poll returning for three of them (and a heartbeat)
    /// makes the worker Unhealthy. Text, like <see cref="RemediationResult.Duration"/>, so that ConvertTo-Json writes it compactly.
    /// </summary>
    public string PollInterval
    {
        get => PollWait.ToString("c", CultureInfo.InvariantCulture);
        set => PollWait = DurationText.Parse(value, nameof(PollInterval));
    }

    /// <summary><see cref="PollInterval"/> as a TimeSpan.</summary>
    internal TimeSpan PollWait { get; set; }

    /// <summary>Requests it finished (whatever the remediation's status).</summary>
    public long JobsDone { get; set; }

    /// <summary>Request attempts that failed (they were retried or dead-lettered).</summary>
    public long JobsFailed { get; set; }

    /// <summary>How often it sends heartbeats, as <c>hh:mm:ss</c>; it is Stale after three missed ones.</summary>
    public string HeartbeatInterval
    {
        get => HeartbeatPeriod.ToString("c", CultureInfo.InvariantCulture);
        set => HeartbeatPeriod = DurationText.Parse(value, nameof(HeartbeatInterval));
    }

    /// <summary><see cref="HeartbeatInterval"/> as a TimeSpan.</summary>
    internal TimeSpan HeartbeatPeriod { get; set; }

    /// <inheritdoc />
    public override string ToString() => WorkerId + " " + State;
}
