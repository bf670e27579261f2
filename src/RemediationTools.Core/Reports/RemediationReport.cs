namespace RemediationTools.Core.Reports;

/// <summary>
/// What a report shows, computed once from the results and worker-group runs given: the entries in input order, the
/// totals by status, account, region and job, the failures and the changes. The HTML and CSV renderers only format it.
/// </summary>
internal sealed class RemediationReport
{
    /// <summary>The key shown for an entry without an account, region or job.</summary>
    public const string NoValue = "(none)";

    private RemediationReport(string title, DateTimeOffset generatedAt, IReadOnlyList<RemediationReportEntry> entries)
    {
        Title = title;
        GeneratedAt = generatedAt;
        Entries = entries;
        StatusColumns = OrderStatuses(entries.Select(e => e.Status));
        ByStatus = Totals(entries, e => e.Status).OrderBy(t => IndexOfStatus(t.Key)).ToList();
        ByAccount = SortedByKey(Totals(entries, e => e.AccountId));
        ByRegion = SortedByKey(Totals(entries, e => e.Region));
        ByJob = SortedByKey(Totals(entries, e => e.JobId));
        Failures = entries.Where(e => e.IsFailure).ToList();
        Changes = entries.SelectMany(e => e.Actions.Select(a => new RemediationReportChange(e, a))).ToList();
        HasRuns = entries.Any(e => e.Run is not null);
    }

    /// <summary>The page title (and heading).</summary>
    public string Title { get; }

    /// <summary>When the report was made.</summary>
    public DateTimeOffset GeneratedAt { get; }

    /// <summary>Every result or run, in input order.</summary>
    public IReadOnlyList<RemediationReportEntry> Entries { get; }

    /// <summary>The statuses present: remediation statuses in their enum order, then run statuses of runs without a result.</summary>
    public IReadOnlyList<string> StatusColumns { get; }

    /// <summary>One total per status.</summary>
    public IReadOnlyList<RemediationReportTotal> ByStatus { get; }

    /// <summary>One total per account, sorted by account.</summary>
    public IReadOnlyList<RemediationReportTotal> ByAccount { get; }

    /// <summary>One total per region, sorted by region.</summary>
    public IReadOnlyList<RemediationReportTotal> ByRegion { get; }

    /// <summary>One total per job, sorted by job.</summary>
    public IReadOnlyList<RemediationReportTotal> ByJob { get; }

    /// <summary>Failed results, and runs that failed without producing a result.</summary>
    public IReadOnlyList<RemediationReportEntry> Failures { get; }

    /// <summary>Every action of every entry (made, or planned by a dry run), with the state before and after.</summary>
    public IReadOnlyList<RemediationReportChange> Changes { get; }

    /// <summary>True when some entries are worker-group runs (the run columns are shown).</summary>
    public bool HasRuns { get; }

    /// <summary>Builds a report. <paramref name="title"/> must have text; results and runs may be mixed.</summary>
    public static RemediationReport Create(string title, DateTimeOffset generatedAt, IEnumerable<RemediationReportEntry> entries)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new ArgumentException("The report title is empty.", nameof(title));
        }

        return new RemediationReport(title, generatedAt, (entries ?? throw new ArgumentNullException(nameof(entries))).ToList());
    }

    private static List<string> OrderStatuses(IEnumerable<string> statuses)
    {
        var present = statuses.Distinct(StringComparer.Ordinal).ToList();
        var known = Enum.GetNames(typeof(RemediationStatus));
        return known.Where(present.Contains).Concat(present.Where(s => !known.Contains(s))).ToList();
    }

    private static List<RemediationReportTotal> SortedByKey(IEnumerable<RemediationReportTotal> totals)
        => totals.OrderBy(t => t.Key == NoValue ? 1 : 0).ThenBy(t => t.Key, StringComparer.Ordinal).ToList();

    private IEnumerable<RemediationReportTotal> Totals(IEnumerable<RemediationReportEntry> entries, Func<RemediationReportEntry, string?> key)
        => entries
            .GroupBy(e => key(e) is { Length: > 0 } value ? value : NoValue, StringComparer.Ordinal)
            .Select(g => new RemediationReportTotal(
                g.Key,
                g.Count(),
                StatusColumns.ToDictionary(s => s, s => g.Count(e => e.Status == s), StringComparer.Ordinal)));

    private int IndexOfStatus(string status)
    {
        for (var i = 0; i < StatusColumns.Count; i++)
        {
            if (StatusColumns[i] == status)
            {
                return i;
            }
        }

        return StatusColumns.Count;
    }
}

/// <summary>One row of a totals table: a key (status, account, region or job), its count and its count per status.</summary>
internal sealed class RemediationReportTotal
{
    public RemediationReportTotal(string key, int count, IReadOnlyDictionary<string, int> byStatus)
    {
        Key = key;
        Count = count;
        ByStatus = byStatus;
    }

    /// <summary>The status, account, region or job; <see cref="RemediationReport.NoValue"/> when the entries have none.</summary>
    public string Key { get; }

    /// <summary>How many entries have the key.</summary>
    public int Count { get; }

    /// <summary>Of those, how many have each status of <see cref="RemediationReport.StatusColumns"/>.</summary>
    public IReadOnlyDictionary<string, int> ByStatus { get; }
}

/// <summary>One action of an entry, for the changes table.</summary>
internal sealed class RemediationReportChange
{
    public RemediationReportChange(RemediationReportEntry entry, RemediationAction action)
    {
        Entry = entry;
        Action = action;
    }

    /// <summary>The result or run the action belongs to.</summary>
    public RemediationReportEntry Entry { get; }

    /// <summary>The action, with its state before and after.</summary>
    public RemediationAction Action { get; }
}
