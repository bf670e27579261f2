using System.Globalization;
using RemediationTools.Core.Results;

namespace RemediationTools;

/// <summary>The result of running one job on one finding (or of undoing one). Round-trips through JSON for audit and undo.</summary>
public sealed class RemediationResult
{
    // The lists are RemediationList so that Export-Csv writes their items, not the array type name.
    private RemediationList<string> missingIamActions = RemediationList.Empty<string>();
    private RemediationList<RemediationAction> actions = RemediationList.Empty<RemediationAction>();
    private RemediationList<string> notes = RemediationList.Empty<string>();

    /// <summary>The finding's ID, when it had one.</summary>
    public string? FindingId { get; set; }

    /// <summary>The job that ran; null when no job could be chosen.</summary>
    public string? JobId { get; set; }

    /// <summary>The rule ID of the finding.</summary>
    public string? RuleId { get; set; }

    /// <summary>The cloud account of the resource.</summary>
    public string? AccountId { get; set; }

    /// <summary>The region of the resource.</summary>
    public string? Region { get; set; }

    /// <summary>The resource the finding is about.</summary>
    public string? ResourceId { get; set; }

    /// <summary>The outcome.</summary>
    public RemediationStatus Status { get; set; }

    /// <summary>Why the result is what it is (skip reason, failure message, ...).</summary>
    public string? Reason { get; set; }

    /// <summary>The AWS error code (or one of ours, such as <c>UnknownRule</c>) when <see cref="Status"/> is <see cref="RemediationStatus.Failed"/>.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>
    /// True when <see cref="ErrorCode"/> is our <c>InternalError</c> for an unexpected exception, not AWS's 5xx code of
    /// the same name: such a failure is final (in process only; not serialized).
    /// </summary>
    internal bool Unexpected { get; set; }

    /// <summary>The IAM actions the credentials lacked, when AWS denied access.</summary>
    public IReadOnlyList<string> MissingIamActions
    {
        get => missingIamActions;
        set => missingIamActions = RemediationList.From(value);
    }

    /// <summary>The changes made (or, when planned, the changes that would be made).</summary>
    public IReadOnlyList<RemediationAction> Actions
    {
        get => actions;
        set => actions = RemediationList.From(value);
    }

    /// <summary>What the plan wants the operator to know (other resources affected, protocols dropped, ...).</summary>
    public IReadOnlyList<string> Notes
    {
        get => notes;
        set => notes = RemediationList.From(value);
    }

    /// <summary>What a read-only job found (for example <c>s3-list-buckets</c>: the buckets); null for other jobs.</summary>
    public RemediationResultData? Data { get; set; }

    /// <summary>What is needed to restore the previous state; null when nothing was changed.</summary>
    public RemediationUndoRecord? UndoRecord { get; set; }

    /// <summary>True when the run was a dry run (nothing was meant to change).</summary>
    public bool DryRun { get; set; }

    /// <summary>True when this result is of an undo rather than a remediation.</summary>
    public bool IsUndo { get; set; }

    /// <summary>When the run started (UTC).</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>
    /// How long the run took, as <c>[d.]hh:mm:ss[.fffffff]</c> (<c>[timespan]$result.Duration</c> converts it). Text rather
    /// than a TimeSpan so that <c>ConvertTo-Json</c> writes <c>"Duration": "00:00:01.2340000"</c>, not the TimeSpan's
    /// eleven properties; setting it accepts a TimeSpan's text form and refuses anything else, naming the value.
    /// </summary>
    public string Duration
    {
        get => Elapsed.ToString("c", CultureInfo.InvariantCulture);
        set => Elapsed = DurationText.Parse(value, nameof(Duration));
    }

    /// <summary>How long the run took, for the engine and the cmdlets.</summary>
    internal TimeSpan Elapsed { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"{Status} {JobId} {ResourceId}";
}
