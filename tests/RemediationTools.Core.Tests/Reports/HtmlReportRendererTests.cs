using System.Text.RegularExpressions;
using RemediationTools.Core.Reports;

namespace RemediationTools.Core.Tests.Reports;

public sealed class HtmlReportRendererTests
{
    [Fact]
    public void Render_HostileValues_EncodedAsText()
    {
        var result = ReportSamples.Failed(ReportSamples.HostileResourceId);
        result.Reason = "<img src=x onerror=alert(1)>";
        result.MissingIamActions = new[] { "s3:<iframe>" };

        var html = HtmlReportRenderer.Render(ReportSamples.Report(RemediationReportEntry.FromResult(result)));

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>run", html, StringComparison.Ordinal);
        Assert.Contains("sg-&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;&quot;&amp;&#39;", html, StringComparison.Ordinal);
        Assert.Contains("<title>Weekly &lt;b&gt;run&lt;/b&gt;</title>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_AnyReport_SelfContainedWithoutScriptsOrExternalResources()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Mixed());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline';", html, StringComparison.Ordinal);
        Assert.DoesNotMatch(new Regex("(src|href)\\s*=", RegexOptions.IgnoreCase), html);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Render_MixedResults_TotalsTablesWithCountsPerStatus()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Mixed());

        Assert.Contains("<p class=\"meta\">4 results, 1 failure, 2 changes. Generated 2026-01-15 09:30:00 UTC.</p>", html, StringComparison.Ordinal);
        Assert.Contains("<li class=\"status-Remediated\"><span class=\"count\">2</span> <span class=\"label\">Remediated</span></li>", html, StringComparison.Ordinal);
        Assert.Contains("<table id=\"by-account\">\n<thead><tr><th>Account</th><th>Total</th><th>Remediated</th><th>AlreadyCompliant</th><th>Failed</th></tr></thead>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>111111111111</td><td class=\"number\">3</td><td class=\"number\">2</td><td class=\"number\">1</td><td class=\"number\">0</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>us-west-2</td><td class=\"number\">1</td>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>security-group-close-port-22</td><td class=\"number\">2</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>2026-01-15 09:00:00 UTC</td><td class=\"number\">1.23 s</td>", Section(html, "results"), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Failure_ErrorCodeReasonAndMissingActions()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Mixed());
        var failures = Section(html, "failures");

        Assert.Contains("<h2>Failures (1)</h2>", failures, StringComparison.Ordinal);
        Assert.Contains("<td><code>AccessDenied</code></td><td>Access denied: the role may not call s3:PutBucketPublicAccessBlock.</td>", failures, StringComparison.Ordinal);
        Assert.Contains("<li><code>s3:PutBucketPublicAccessBlock</code></li><li><code>s3:GetBucketPublicAccessBlock</code></li>", failures, StringComparison.Ordinal);
        Assert.DoesNotContain("sg-1", failures, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Change_BeforeAndAfter()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Mixed());
        var changes = Section(html, "changes");

        Assert.Contains("<h2>Changes (2)</h2>", changes, StringComparison.Ordinal);
        Assert.Contains("<td><code>ec2:RevokeSecurityGroupIngress</code></td><td><code>sg-1</code></td><td>Remove SSH from the internet.</td><td><pre>tcp 22 from 0.0.0.0/0</pre></td><td class=\"empty\">(nothing)</td>", changes, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Runs_RunColumnsAndRunWithoutResult()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Report(RemediationReportEntry.FromRun(ReportSamples.DeadLetteredRun())));

        Assert.Contains("<th>Worker group</th><th>Request</th><th>Run</th>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"status-DeadLettered\">DeadLettered</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td>prod</td><td><code>req-9</code></td><td>DeadLettered, attempt 3</td>", html, StringComparison.Ordinal);
        Assert.Contains("The worker stopped responding three times.", Section(html, "failures"), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_NoEntries_SaysNoResults()
    {
        var html = HtmlReportRenderer.Render(ReportSamples.Report());

        Assert.Contains("<p class=\"empty\">No results.</p>", html, StringComparison.Ordinal);
        Assert.Contains("<p class=\"empty\">No failures.</p>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"totals\"", html, StringComparison.Ordinal);
    }

    private static string Section(string html, string id)
    {
        var start = html.IndexOf("<section id=\"" + id + "\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no section " + id);
        return html.Substring(start, html.IndexOf("</section>", start, StringComparison.Ordinal) - start);
    }
}
