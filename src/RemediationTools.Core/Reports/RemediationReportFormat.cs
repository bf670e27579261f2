namespace RemediationTools;

/// <summary>The file format Export-RemediationReport writes.</summary>
public enum RemediationReportFormat
{
    /// <summary>A self-contained HTML page: totals, failures, changes and every result; no scripts, no external resources.</summary>
    Html,

    /// <summary>Comma-separated values: one row per change of each result (one row for a result without changes).</summary>
    Csv,
}
