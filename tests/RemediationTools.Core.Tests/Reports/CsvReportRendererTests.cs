using RemediationTools.Core.Reports;

namespace RemediationTools.Core.Tests.Reports;

public sealed class CsvReportRendererTests
{
    [Fact]
    public void Render_MixedResults_HeaderThenOneRowPerChangeOrResult()
    {
        var lines = Lines(CsvReportRenderer.Render(ReportSamples.Mixed()));

        Assert.Equal(5, lines.Length);
        Assert.Equal(string.Join(",", CsvReportRenderer.Columns.Select(c => "\"" + c + "\"")), lines[0]);
        Assert.StartsWith("\"Remediated\",\"security-group-close-port-22\",\"111111111111\",\"us-east-1\",\"sg-1\",\"f-sg-1\",\"rule-22\",\"\",\"\",\"\",\"ec2:RevokeSecurityGroupIngress\",\"sg-1\",\"Remove SSH from the internet.\",\"tcp 22 from 0.0.0.0/0\",\"\",\"2026-01-15T09:00:00.000Z\",\"1.234\"", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("\"Failed\",\"s3-remove-public-access\",\"222222222222\",\"eu-west-1\",\"bucket-a\",\"f-bucket-a\",\"\",\"AccessDenied\",\"Access denied: the role may not call s3:PutBucketPublicAccessBlock.\",\"s3:PutBucketPublicAccessBlock; s3:GetBucketPublicAccessBlock\",\"\"", lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void Render_QuotesCommasAndLineBreaks_QuotedAndDoubled()
    {
        var result = ReportSamples.Compliant("key \"a\", b");
        result.Reason = "line 1\nline 2";

        var csv = CsvReportRenderer.Render(ReportSamples.Report(RemediationReportEntry.FromResult(result)));

        Assert.Contains("\"key \"\"a\"\", b\"", csv, StringComparison.Ordinal);
        Assert.Contains("\"line 1\nline 2\"", csv, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", csv, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=HYPERLINK(\"http://x\")")]
    [InlineData("+1")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1)")]
    public void Render_FormulaLikeValue_PrefixedWithApostrophe(string resource)
    {
        var csv = CsvReportRenderer.Render(ReportSamples.Report(RemediationReportEntry.FromResult(ReportSamples.Compliant(resource))));

        Assert.Contains(",\"'" + resource.Replace("\"", "\"\"") + "\",", csv, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Run_RunColumnsFilled()
    {
        var lines = Lines(CsvReportRenderer.Render(ReportSamples.Report(RemediationReportEntry.FromRun(ReportSamples.DeadLetteredRun()))));

        Assert.StartsWith("\"DeadLettered\",", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(",\"prod\",\"req-9\",\"DeadLettered\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"The worker stopped responding three times.\"", lines[1], StringComparison.Ordinal);
    }

    private static string[] Lines(string csv) => csv.Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries);
}
