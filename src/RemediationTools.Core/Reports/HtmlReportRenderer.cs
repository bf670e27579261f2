using System.Globalization;
using System.Net;
using System.Text;

namespace RemediationTools.Core.Reports;

/// <summary>
/// Renders a <see cref="RemediationReport"/> as one self-contained HTML page: inline CSS, no script, no external
/// resource (a Content-Security-Policy forbids both, so even a browser that met markup we failed to encode would not
/// run it). Every value is HTML-encoded: findings carry attacker-controlled strings (resource names, tags, reasons).
/// </summary>
internal static class HtmlReportRenderer
{
    private const string Style = """
        :root { color-scheme: light; --muted: #5f6b7a; --line: #d8dee6; --fail: #b3261e; --ok: #1e7b34; --warn: #8a5a00; --plan: #1f5fa8; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px; color: #1b2430; }
        h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 16px 0 6px; }
        .meta, .empty { color: var(--muted); }
        ul.cards { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 10px; }
        ul.cards li { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; min-width: 110px; }
        ul.cards .count { display: block; font-size: 22px; font-weight: 600; }
        table { border-collapse: collapse; margin: 4px 0 12px; }
        th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f2f5f8; } td.number { text-align: right; font-variant-numeric: tabular-nums; }
        td code, td pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: pre-wrap; overflow-wrap: anywhere; margin: 0; }
        .status-Failed, .status-AttemptFailed, .status-DeadLettered { color: var(--fail); font-weight: 600; }
        .status-Remediated, .status-AlreadyCompliant { color: var(--ok); }
        .status-Skipped { color: var(--warn); } .status-Planned { color: var(--plan); }
        ul.actions { margin: 0; padding-left: 18px; }
        div.totals { display: flex; flex-wrap: wrap; gap: 8px 28px; align-items: flex-start; }
        """;

    /// <summary>The page.</summary>
    public static string Render(RemediationReport report)
    {
        if (report is null)
        {
            throw new ArgumentNullException(nameof(report));
        }

        var html = new StringBuilder(4096 + (report.Entries.Count * 512));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Encode(report.Title)).Append("</title>\n<style>\n").Append(Style).Append("</style>\n</head>\n<body>\n");

        html.Append("<header>\n<h1>").Append(Encode(report.Title)).Append("</h1>\n<p class=\"meta\">")
            .Append(Count(report.Entries.Count, "result")).Append(", ").Append(Count(report.Failures.Count, "failure")).Append(", ")
            .Append(Count(report.Changes.Count, "change")).Append(". Generated ").Append(Encode(Time(report.GeneratedAt))).Append(".</p>\n</header>\n");

        AppendSummary(html, report);
        AppendTotals(html, report);
        AppendFailures(html, report);
        AppendChanges(html, report);
        AppendResults(html, report);
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendSummary(StringBuilder html, RemediationReport report)
    {
        html.Append("<section id=\"summary\">\n<h2>Summary</h2>\n");
        if (report.Entries.Count == 0)
        {
            html.Append("<p class=\"empty\">No results.</p>\n</section>\n");
            return;
        }

        html.Append("<ul class=\"cards\">\n");
        foreach (var total in report.ByStatus)
        {
            html.Append("<li class=\"").Append(StatusClass(total.Key)).Append("\"><span class=\"count\">").Append(Number(total.Count))
                .Append("</span> <span class=\"label\">").Append(Encode(total.Key)).Append("</span></li>\n");
        }

        html.Append("</ul>\n</section>\n");
    }

    private static void AppendTotals(StringBuilder html, RemediationReport report)
    {
        if (report.Entries.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"totals\">\n<h2>Totals</h2>\n<div class=\"totals\">\n");
        AppendTotalsTable(html, report, "by-status", "By status", "Status", report.ByStatus, withStatuses: false);
        AppendTotalsTable(html, report, "by-account", "By account", "Account", report.ByAccount, withStatuses: true);
        AppendTotalsTable(html, report, "by-region", "By region", "Region", report.ByRegion, withStatuses: true);
        AppendTotalsTable(html, report, "by-job", "By job", "Job", report.ByJob, withStatuses: true);
        html.Append("</div>\n</section>\n");
    }

    private static void AppendTotalsTable(StringBuilder html, RemediationReport report, string id, string heading, string keyName, IReadOnlyList<RemediationReportTotal> totals, bool withStatuses)
    {
        html.Append("<div>\n<h3>").Append(heading).Append("</h3>\n<table id=\"").Append(id).Append("\">\n<thead><tr><th>").Append(keyName).Append("</th><th>Total</th>");
        if (withStatuses)
        {
            foreach (var status in report.StatusColumns)
            {
                html.Append("<th>").Append(Encode(status)).Append("</th>");
            }
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var total in totals)
        {
            html.Append("<tr><td").Append(withStatuses ? string.Empty : " class=\"" + StatusClass(total.Key) + "\"").Append('>').Append(Encode(total.Key))
                .Append("</td><td class=\"number\">").Append(Number(total.Count)).Append("</td>");
            if (withStatuses)
            {
                foreach (var status in report.StatusColumns)
                {
                    html.Append("<td class=\"number\">").Append(Number(total.ByStatus[status])).Append("</td>");
                }
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</div>\n");
    }

    private static void AppendFailures(StringBuilder html, RemediationReport report)
    {
        html.Append("<section id=\"failures\">\n<h2>Failures (").Append(Number(report.Failures.Count)).Append(")</h2>\n");
        if (report.Failures.Count == 0)
        {
            html.Append("<p class=\"empty\">No failures.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Resource</th><th>Job</th><th>Account</th><th>Region</th><th>Error code</th><th>Reason</th><th>Missing IAM actions</th>")
            .Append(report.HasRuns ? "<th>Run</th>" : string.Empty).Append("</tr></thead>\n<tbody>\n");
        foreach (var entry in report.Failures)
        {
            html.Append("<tr>");
            Cell(html, entry.ResourceId, code: true);
            Cell(html, entry.JobId);
            Cell(html, entry.AccountId);
            Cell(html, entry.Region);
            Cell(html, entry.ErrorCode, code: true);
            Cell(html, entry.Reason);
            html.Append("<td>");
            if (entry.MissingIamActions.Count > 0)
            {
                html.Append("<ul class=\"actions\">");
                foreach (var action in entry.MissingIamActions)
                {
                    html.Append("<li><code>").Append(Encode(action)).Append("</code></li>");
                }

                html.Append("</ul>");
            }

            html.Append("</td>");
            if (report.HasRuns)
            {
                Cell(html, RunText(entry));
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendChanges(StringBuilder html, RemediationReport report)
    {
        html.Append("<section id=\"changes\">\n<h2>Changes (").Append(Number(report.Changes.Count)).Append(")</h2>\n");
        if (report.Changes.Count == 0)
        {
            html.Append("<p class=\"empty\">No changes.</p>\n</section>\n");
            return;
        }

        html.Append("<table>\n<thead><tr><th>Resource</th><th>Job</th><th>Status</th><th>Operation</th><th>Target</th><th>Description</th><th>Before</th><th>After</th></tr></thead>\n<tbody>\n");
        foreach (var change in report.Changes)
        {
            html.Append("<tr>");
            Cell(html, change.Entry.ResourceId, code: true);
            Cell(html, change.Entry.JobId);
            StatusCell(html, change.Entry.Status);
            Cell(html, change.Action.Operation, code: true);
            Cell(html, change.Action.Target, code: true);
            Cell(html, change.Action.Description);
            StateCell(html, change.Action.Before);
            StateCell(html, change.Action.After);
            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void AppendResults(StringBuilder html, RemediationReport report)
    {
        if (report.Entries.Count == 0)
        {
            return;
        }

        html.Append("<section id=\"results\">\n<h2>All results (").Append(Number(report.Entries.Count)).Append(")</h2>\n<table>\n<thead><tr>")
            .Append("<th>Status</th><th>Job</th><th>Resource</th><th>Account</th><th>Region</th><th>Finding</th><th>Reason</th><th>Started</th><th>Duration</th>")
            .Append(report.HasRuns ? "<th>Worker group</th><th>Request</th><th>Run</th>" : string.Empty).Append("</tr></thead>\n<tbody>\n");
        foreach (var entry in report.Entries)
        {
            html.Append("<tr>");
            StatusCell(html, entry.Status);
            Cell(html, entry.JobId);
            Cell(html, entry.ResourceId, code: true);
            Cell(html, entry.AccountId);
            Cell(html, entry.Region);
            Cell(html, entry.FindingId, code: true);
            Cell(html, entry.Reason);
            Cell(html, entry.Result is null || entry.Result.StartedAt == default ? null : Time(entry.Result.StartedAt));
            html.Append("<td class=\"number\">").Append(entry.Result is null ? string.Empty : Encode(ReportValues.Duration(ReportValues.Elapsed(entry.Result)))).Append("</td>");
            if (report.HasRuns)
            {
                Cell(html, entry.Run?.WorkerGroup);
                Cell(html, entry.Run?.RequestId, code: true);
                Cell(html, RunText(entry));
            }

            html.Append("</tr>\n");
        }

        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static string? RunText(RemediationReportEntry entry)
        => entry.Run is null ? null : entry.Run.Status + ", attempt " + entry.Run.Attempts.ToString(CultureInfo.InvariantCulture);

    private static void Cell(StringBuilder html, string? value, bool code = false)
    {
        html.Append("<td>");
        if (value is { Length: > 0 })
        {
            html.Append(code ? "<code>" : string.Empty).Append(Encode(value)).Append(code ? "</code>" : string.Empty);
        }

        html.Append("</td>");
    }

    private static void StatusCell(StringBuilder html, string status)
        => html.Append("<td class=\"").Append(StatusClass(status)).Append("\">").Append(Encode(status)).Append("</td>");

    // Before is null when a change adds something and After when it removes something: say so rather than leave a gap.
    private static void StateCell(StringBuilder html, string? state)
    {
        if (state is null)
        {
            html.Append("<td class=\"empty\">(nothing)</td>");
        }
        else
        {
            html.Append("<td><pre>").Append(Encode(state)).Append("</pre></td>");
        }
    }

    // Status names are enum names; anything else is reduced to letters so the class attribute stays a plain token.
    private static string StatusClass(string status)
        => "status-" + new string(status.Where(c => c is >= 'A' and <= 'Z' or >= 'a' and <= 'z').ToArray());

    private static string Count(int count, string noun) => Number(count) + " " + noun + (count == 1 ? string.Empty : "s");

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
