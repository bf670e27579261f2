using System.Globalization;
using System.Text;

namespace RemediationTools.Core.Reports;

/// <summary>
/// Renders a <see cref="RemediationReport"/> as CSV (RFC 4180: every field quoted, quotes doubled, CRLF line ends): one
/// row per action of each entry, or one row for an entry without actions, so a spreadsheet can filter and total it.
/// A value that a spreadsheet would take for a formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or
/// carriage return) is prefixed with an apostrophe: findings carry attacker-controlled strings.
/// </summary>
internal static class CsvReportRenderer
{
    /// <summary>The header row's column names, in order.</summary>
    public static readonly IReadOnlyList<string> Columns = new[]
    {
        "Status", "JobId", "AccountId", "Region", "ResourceId", "FindingId", "RuleId", "ErrorCode", "Reason", "MissingIamActions",
        "Operation", "Target", "Description", "Before", "After", "StartedAt", "DurationSeconds", "WorkerGroup", "RequestId", "RunStatus",
    };

    /// <summary>The CSV text, header first.</summary>
    public static string Render(RemediationReport report)
    {
        if (report is null)
        {
            throw new ArgumentNullException(nameof(report));
        }

        var csv = new StringBuilder(1024 + (report.Entries.Count * 256));
        AppendRow(csv, Columns);
        foreach (var entry in report.Entries)
        {
            var actions = entry.Actions.Count == 0 ? new RemediationAction?[] { null } : entry.Actions.Cast<RemediationAction?>();
            foreach (var action in actions)
            {
                AppendRow(csv, new[]
                {
                    entry.Status,
                    entry.JobId,
                    entry.AccountId,
                    entry.Region,
                    entry.ResourceId,
                    entry.FindingId,
                    entry.Result?.RuleId,
                    entry.ErrorCode,
                    entry.Reason,
                    string.Join("; ", entry.MissingIamActions),
                    action?.Operation,
                    action?.Target,
                    action?.Description,
                    action?.Before,
                    action?.After,
                    entry.Result is null || entry.Result.StartedAt == default ? null : entry.Result.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
                    entry.Result is null ? null : ReportValues.Elapsed(entry.Result).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
                    entry.Run?.WorkerGroup,
                    entry.Run?.RequestId,
                    entry.Run?.Status.ToString(),
                });
            }
        }

        return csv.ToString();
    }

    private static void AppendRow(StringBuilder csv, IEnumerable<string?> fields)
    {
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                csv.Append(',');
            }

            first = false;
            csv.Append('"').Append(Neutralize(field ?? string.Empty).Replace("\"", "\"\"")).Append('"');
        }

        csv.Append("\r\n");
    }

    private static string Neutralize(string value)
        => value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;
}
