namespace RemediationTools.Core.Jobs;

/// <summary>What a job will change on one resource: the actions with before/after, or why it changes nothing.</summary>
internal sealed class JobPlan
{
    private JobPlan(string? skipReason, IReadOnlyList<RemediationAction> actions, IReadOnlyList<string> notes, RemediationUndoRecord? undoRecord, object? changes, IReadOnlyList<string> touches)
    {
        Touches = touches;
        SkipReason = skipReason;
        Actions = actions;
        Notes = notes;
        UndoRecord = undoRecord;
        Changes = changes;
    }

    /// <summary>Why the job leaves the resource alone; null when it does not skip.</summary>
    public string? SkipReason { get; }

    /// <summary>True when the job skips the resource.</summary>
    public bool IsSkipped => SkipReason is not null;

    /// <summary>True when nothing needs to change.</summary>
    public bool IsCompliant => SkipReason is null && Actions.Count == 0;

    /// <summary>The changes, in the order they are applied.</summary>
    public IReadOnlyList<RemediationAction> Actions { get; }

    /// <summary>What the operator should know (other resources affected, protocols dropped, ...).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>What restores the state before the changes; null when nothing changes.</summary>
    public RemediationUndoRecord? UndoRecord { get; }

    /// <summary>The job's own description of the changes, read back by its ApplyAsync and VerifyAsync.</summary>
    public object? Changes { get; }

    /// <summary>
    /// The resources the changes touch (<see cref="ResourceKeys"/>): the engine holds a lock on each while it applies
    /// and verifies, and plans again under the lock when one of them changed after it was read.
    /// </summary>
    public IReadOnlyList<string> Touches { get; }

    /// <summary>What a read-only job found, for the result's <see cref="RemediationResult.Data"/>; null for other jobs.</summary>
    public RemediationResultData? Data { get; private set; }

    /// <summary>A compliant plan of a read-only job that carries what it found.</summary>
    public static JobPlan ReadOnly(RemediationResultData data, IReadOnlyList<string>? notes = null)
    {
        var plan = Compliant(notes);
        plan.Data = data ?? throw new ArgumentNullException(nameof(data));
        return plan;
    }

    /// <summary>A plan that changes something; <paramref name="touches"/> names every resource the changes touch.</summary>
    public static JobPlan Change(IReadOnlyList<RemediationAction> actions, IReadOnlyList<string> notes, RemediationUndoRecord? undoRecord, object changes, IReadOnlyList<string> touches)
    {
        if (touches is null || touches.Count == 0)
        {
            throw new ArgumentException("A plan that changes something names the resources it touches.", nameof(touches));
        }

        return new(null, actions, notes, undoRecord, changes, touches);
    }

    /// <summary>A plan for a compliant resource.</summary>
    public static JobPlan Compliant(IReadOnlyList<string>? notes = null)
        => new(null, Array.Empty<RemediationAction>(), notes ?? Array.Empty<string>(), null, null, Array.Empty<string>());

    /// <summary>A plan that leaves the resource alone for <paramref name="reason"/>.</summary>
    public static JobPlan Skip(string reason)
        => new(reason, Array.Empty<RemediationAction>(), Array.Empty<string>(), null, null, Array.Empty<string>());
}
