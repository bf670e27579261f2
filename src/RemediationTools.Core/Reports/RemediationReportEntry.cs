namespace RemediationTools.Core.Reports;

/// <summary>One line of a report: a remediation result, or a worker-group run with its result when it has one.</summary>
internal sealed class RemediationReportEntry
{
    private RemediationReportEntry(RemediationResult? result, RemediationRun? run)
    {
        Result = result;
        Run = run;
    }

    /// <summary>The result; null for a run that produced none (a failed attempt, a dead-lettered or unfinished request).</summary>
    public RemediationResult? Result { get; }

    /// <summary>The worker-group run; null for a result of a local run.</summary>
    public RemediationRun? Run { get; }

    /// <summary>The result's status, else (a run without a result) the run's status.</summary>
    public string Status => Result?.Status.ToString() ?? Run!.Status.ToString();

    /// <summary>The job, when known.</summary>
    public string? JobId => Result?.JobId;

    /// <summary>The cloud account, when known.</summary>
    public string? AccountId => Result?.AccountId;

    /// <summary>The region, when known.</summary>
    public string? Region => Result?.Region;

    /// <summary>The resource, when known.</summary>
    public string? ResourceId => Result?.ResourceId;

    /// <summary>The finding, when known.</summary>
    public string? FindingId => Result?.FindingId;

    /// <summary>The result's reason, else the run's error.</summary>
    public string? Reason => Result?.Reason ?? Run?.Error;

    /// <summary>The AWS error code (or ours) of a failed result.</summary>
    public string? ErrorCode => Result?.ErrorCode;

    /// <summary>The IAM actions AWS denied.</summary>
    public IReadOnlyList<string> MissingIamActions => Result?.MissingIamActions ?? Array.Empty<string>();

    /// <summary>The actions made or planned.</summary>
    public IReadOnlyList<RemediationAction> Actions => Result?.Actions ?? Array.Empty<RemediationAction>();

    /// <summary>A failed result, or a run that ended in an error without a result.</summary>
    public bool IsFailure => Result is null ? !string.IsNullOrEmpty(Run!.Error) : Result.Status == RemediationStatus.Failed;

    /// <summary>An entry for a result.</summary>
    public static RemediationReportEntry FromResult(RemediationResult result)
        => new(result ?? throw new ArgumentNullException(nameof(result)), null);

    /// <summary>An entry for a worker-group run (its result, when it has one, is the entry's result).</summary>
    public static RemediationReportEntry FromRun(RemediationRun run)
        => new((run ?? throw new ArgumentNullException(nameof(run))).Result, run);
}
