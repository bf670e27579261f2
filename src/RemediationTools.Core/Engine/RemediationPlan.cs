using System.Diagnostics;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Engine;

/// <summary>
/// The engine's plan for one finding (or one undo): either a finished result (failed, skipped, compliant) or the
/// exact changes still to apply. The cmdlet asks ShouldProcess with <see cref="Target"/> and <see cref="Operation"/>
/// between <see cref="RemediationEngine.PlanAsync"/> and <see cref="RemediationEngine.ApplyAsync"/>.
/// </summary>
internal sealed class RemediationPlan
{
    private readonly Stopwatch stopwatch;

    internal RemediationPlan(Finding finding, IRemediationJob? job, bool isUndo, DateTimeOffset startedAt, Stopwatch stopwatch)
    {
        Finding = finding;
        Job = job;
        IsUndo = isUndo;
        StartedAt = startedAt;
        this.stopwatch = stopwatch;
    }

    /// <summary>
    /// The finding (for an undo: built from the undo record). A finding that names no account is replaced by a copy
    /// with the account of the credentials it runs with (<see cref="BindAccount"/>).
    /// </summary>
    public Finding Finding { get; private set; }

    /// <summary>The job chosen; null when none serves the finding.</summary>
    public IRemediationJob? Job { get; }

    /// <summary>True when this plans an undo.</summary>
    public bool IsUndo { get; }

    /// <summary>When planning started.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>The result when planning already decided the outcome (Failed, Skipped, AlreadyCompliant); null when changes wait.</summary>
    public RemediationResult? Outcome { get; internal set; }

    /// <summary>True when there are changes to apply.</summary>
    public bool HasChanges => Outcome is null && JobPlan is not null;

    /// <summary>The planned changes, in the order they are applied.</summary>
    public IReadOnlyList<RemediationAction> Actions => JobPlan?.Actions ?? Array.Empty<RemediationAction>();

    /// <summary>What the operator should know before confirming.</summary>
    public IReadOnlyList<string> Notes => JobPlan?.Notes ?? Array.Empty<string>();

    /// <summary>The ShouldProcess target: resource, account and region.</summary>
    public string Target => Finding.ResourceId + " (account " + (Finding.AccountId ?? "of the caller") + ", " + Finding.Region + ")";

    /// <summary>The ShouldProcess action: the job and its changes, one per line.</summary>
    public string Operation
        => (IsUndo ? "Undo " : string.Empty) + (Job?.Info.Id ?? "(no job)") + ": " +
           string.Join("; ", Actions.Select(a => a.Operation + " " + (a.Before ?? a.After)));

    internal JobPlan? JobPlan { get; set; }

    /// <summary>The engine's change sequence number when planning started (<see cref="ResourceLockTable.Sequence"/>).</summary>
    internal long ReadSequence { get; set; }

    /// <summary>Per touched resource (scoped key), the sequence number at which the plan's read of it started.</summary>
    internal IReadOnlyDictionary<string, long> ObservedAt { get; set; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>Makes the same plan again from fresh reads (set by the engine for a plan that has changes).</summary>
    internal Func<CancellationToken, Task<RemediationPlan>>? Replan { get; set; }

    /// <summary>The note for the result when the finding named no account and took the credentials' account.</summary>
    internal string? AccountNote { get; private set; }

    /// <summary>Why the credentials cannot serve the finding, after <see cref="BindAccount"/> returned false.</summary>
    internal string? AccountMismatch { get; private set; }

    /// <summary>
    /// Binds the finding to the account the credentials belong to (STS GetCallerIdentity): false, with
    /// <see cref="AccountMismatch"/>, when the finding names another account; a finding without an account takes it.
    /// </summary>
    internal bool BindAccount(string credentialsAccount, AccountRole? role)
    {
        var credentials = role is null ? "the caller's own credentials" : "the credentials of role " + role.RoleArn;
        if (Finding.AccountId is null)
        {
            Finding = Finding.WithAccountId(credentialsAccount);
            AccountNote = "The finding names no account: it ran in account " + credentialsAccount + ", the account of " + credentials + ".";
            return true;
        }

        if (string.Equals(Finding.AccountId, credentialsAccount, StringComparison.Ordinal))
        {
            return true;
        }

        AccountMismatch = "The finding is for account " + Finding.AccountId + ", but " + credentials + " belong to account " + credentialsAccount +
            "; nothing was read or changed in either account. Give the account's own role (-CloudAccount, or -RoleArn with -ExternalId) or run with its credentials.";
        return false;
    }

    internal JobContext? Context { get; set; }

    internal bool DryRun { get; set; }

    internal TimeSpan Elapsed => stopwatch.Elapsed;
}
