namespace RemediationTools;

/// <summary>
/// A finding queued for a worker group by <c>Invoke-Remediation -WorkerGroup</c>. <see cref="WorkerGroup"/> and
/// <see cref="RequestId"/> bind by property name to <c>Get-RemediationRun</c>.
/// </summary>
public sealed class RemediationRequest
{
    /// <summary>The request's ID; the runs that carry it out have the same <c>RequestId</c>.</summary>
    public string RequestId { get; set; } = string.Empty;

    /// <summary>The worker group whose queue holds the request.</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The finding's ID, when it has one.</summary>
    public string? FindingId { get; set; }

    /// <summary>The job that will run: the one named by -Job, else the one serving the finding's rule ID.</summary>
    public string? JobId { get; set; }

    /// <summary>The account of the finding.</summary>
    public string? AccountId { get; set; }

    /// <summary>The region of the finding.</summary>
    public string? Region { get; set; }

    /// <summary>The resource of the finding.</summary>
    public string? ResourceId { get; set; }

    /// <summary>When it was queued.</summary>
    public DateTimeOffset Enqueued { get; set; }

    /// <inheritdoc />
    public override string ToString() => RequestId;
}
