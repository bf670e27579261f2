namespace RemediationTools;

/// <summary>Where a run of a queued remediation request stands.</summary>
// Based on long so that ConvertTo-Json writes it by name (see RemediationStatus).
public enum RemediationRunStatus : long
{
    /// <summary>The request ran and has a <see cref="RemediationRun.Result"/> (whose own status may be Failed).</summary>
    Completed,

    /// <summary>This attempt failed before it produced a result; the request is retried.</summary>
    AttemptFailed,

    /// <summary>Every attempt failed: the request is in the dead-letter area.</summary>
    DeadLettered,

    /// <summary>The request waits in the group's queue (for its first delivery, or for a retry after a failed attempt); no record yet.</summary>
    Queued,

    /// <summary>A worker holds the request's lease and runs it now (<see cref="RemediationRun.WorkerId"/>); no record yet.</summary>
    Running,
}

/// <summary>The record of one queued remediation request run by a worker: one final record per request, plus one per failed attempt.</summary>
public sealed class RemediationRun
{
    // A RemediationList so that Export-Csv writes the lines, not the array type name.
    private RemediationList<string> logLines = RemediationList.Empty<string>();

    /// <summary>The run's ID (the request ID for the final record, the request ID and attempt number for a failed attempt).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The request the run belongs to.</summary>
    public string RequestId { get; set; } = string.Empty;

    /// <summary>The worker group.</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The worker that ran it; null when the request was dead-lettered because its workers stopped responding.</summary>
    public string? WorkerId { get; set; }

    /// <summary>Completed, AttemptFailed or DeadLettered for a recorded run; Queued or Running for a request still in the queue.</summary>
    public RemediationRunStatus Status { get; set; }

    /// <summary>The remediation result; null when no result was produced.</summary>
    public RemediationResult? Result { get; set; }

    /// <summary>Which attempt this was (1 for the first delivery); for a Queued request, the attempts made so far (0 before the first).</summary>
    public int Attempts { get; set; }

    /// <summary>When the request was queued (UTC).</summary>
    public DateTimeOffset Enqueued { get; set; }

    /// <summary>When this attempt started (UTC): the worker's claim; null for a Queued request.</summary>
    public DateTimeOffset? Started { get; set; }

    /// <summary>When this attempt ended (UTC); not set (<c>0001-01-01</c>) while the request is Queued or Running.</summary>
    public DateTimeOffset Finished { get; set; }

    /// <summary>Why the attempt failed or the request was dead-lettered.</summary>
    public string? Error { get; set; }

    /// <summary>The job's log: the engine's verbose lines and warnings, in order.</summary>
    public IReadOnlyList<string> LogLines
    {
        get => logLines;
        set => logLines = RemediationList.From(value);
    }

    /// <inheritdoc />
    public override string ToString() => RequestId + " " + Status + (Result is null ? string.Empty : " " + Result.Status);
}
