namespace RemediationTools;

/// <summary>
/// What is needed to restore the state a remediation changed. It is stored with the result and passed back
/// to undo the change later; <see cref="Data"/> is a JSON document whose shape belongs to the job.
/// </summary>
public sealed class RemediationUndoRecord
{
    /// <summary>The job that made the change and knows how to undo it.</summary>
    public string JobId { get; set; } = string.Empty;

    /// <summary>The cloud account of the changed resource.</summary>
    public string? AccountId { get; set; }

    /// <summary>The region of the changed resource.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The changed resource.</summary>
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>When the change was recorded.</summary>
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>The job-specific restore data as a JSON document (for example the exact revoked and added rules).</summary>
    public string Data { get; set; } = "{}";

    /// <summary>
    /// Changes made to the same resource for the same finding before this one, oldest first: the earlier attempts of a
    /// worker request (a worker stopped between its changes and its record). Undo restores this record first, then
    /// these, newest first. Null when there were none.
    /// </summary>
    public List<RemediationUndoRecord>? Earlier { get; set; }

    /// <summary>This record and its <see cref="Earlier"/> ones, in the order an undo restores them (newest first).</summary>
    public IReadOnlyList<RemediationUndoRecord> InUndoOrder()
    {
        var records = new List<RemediationUndoRecord> { this };
        if (Earlier is not null)
        {
            records.AddRange(Enumerable.Reverse(Earlier).SelectMany(e => e.InUndoOrder()));
        }

        return records;
    }

    /// <summary>What the record restores, in one line (as CSV shows it): <c>undo &lt;job&gt; &lt;resource&gt;</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => "undo " + JobId + " " + ResourceId;
}
