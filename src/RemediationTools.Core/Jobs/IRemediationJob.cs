namespace RemediationTools.Core.Jobs;

/// <summary>
/// One remediation job. <see cref="PlanAsync"/> only reads; <see cref="ApplyAsync"/> makes exactly the planned changes;
/// <see cref="VerifyAsync"/> re-reads the resource. Undo is planned and applied the same way from an undo record.
/// </summary>
internal interface IRemediationJob
{
    /// <summary>The job's metadata: ID, rule IDs, IAM actions, ...</summary>
    RemediationJobInfo Info { get; }

    /// <summary>Reads the resource and returns the exact changes (empty = compliant), or a skip.</summary>
    Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken);

    /// <summary>Makes the planned changes: the mutating calls, nothing else.</summary>
    Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken);

    /// <summary>Re-reads the resource; success only if the planned state is really in place.</summary>
    Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken);

    /// <summary>Reads the resource and plans the changes that restore the state recorded in <paramref name="record"/>.</summary>
    Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken);
}

/// <summary>What <see cref="IRemediationJob.VerifyAsync"/> found.</summary>
internal sealed class JobVerification
{
    private JobVerification(bool succeeded, string? reason)
    {
        Succeeded = succeeded;
        Reason = reason;
    }

    /// <summary>True when the re-read shows the finding is gone (or the undo is in place).</summary>
    public bool Succeeded { get; }

    /// <summary>What is still wrong, when it did not succeed.</summary>
    public string? Reason { get; }

    /// <summary>The re-read shows the intended state.</summary>
    public static JobVerification Success() => new(true, null);

    /// <summary>The re-read shows the finding is still there.</summary>
    public static JobVerification Failure(string reason) => new(false, reason);
}
