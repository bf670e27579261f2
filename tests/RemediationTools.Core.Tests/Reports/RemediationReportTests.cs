using RemediationTools.Core.Reports;

namespace RemediationTools.Core.Tests.Reports;

public sealed class RemediationReportTests
{
    [Fact]
    public void Create_MixedResults_TotalsByStatusAccountRegionAndJob()
    {
        var report = ReportSamples.Mixed();

        Assert.Equal(new[] { "Remediated", "AlreadyCompliant", "Failed" }, report.StatusColumns);
        Assert.Equal(new[] { ("Remediated", 2), ("AlreadyCompliant", 1), ("Failed", 1) }, report.ByStatus.Select(t => (t.Key, t.Count)));
        Assert.Equal(new[] { ("111111111111", 3), ("222222222222", 1) }, report.ByAccount.Select(t => (t.Key, t.Count)));
        Assert.Equal(2, report.ByAccount[0].ByStatus["Remediated"]);
        Assert.Equal(1, report.ByAccount[0].ByStatus["AlreadyCompliant"]);
        Assert.Equal(0, report.ByAccount[0].ByStatus["Failed"]);
        Assert.Equal(new[] { ("eu-west-1", 1), ("us-east-1", 2), ("us-west-2", 1) }, report.ByRegion.Select(t => (t.Key, t.Count)));
        Assert.Equal(new[] { "aws-kms-key-rotates", "s3-remove-public-access", "security-group-close-port-22" }, report.ByJob.Select(t => t.Key));
        Assert.Equal(new[] { "bucket-a" }, report.Failures.Select(f => f.ResourceId));
        Assert.Equal(new[] { "sg-1", "sg-2" }, report.Changes.Select(c => c.Entry.ResourceId));
        Assert.False(report.HasRuns);
    }

    [Fact]
    public void Create_RunWithoutResult_CountsUnderRunStatusAsFailureWithNoAccount()
    {
        var report = ReportSamples.Report(
            RemediationReportEntry.FromRun(ReportSamples.DeadLetteredRun()),
            RemediationReportEntry.FromRun(new RemediationRun { RequestId = "req-1", WorkerGroup = "prod", Status = RemediationRunStatus.Completed, Result = ReportSamples.Remediated("sg-1") }));

        Assert.Equal(new[] { "Remediated", "DeadLettered" }, report.StatusColumns);
        Assert.Equal(new[] { "111111111111", RemediationReport.NoValue }, report.ByAccount.Select(t => t.Key));
        var failure = Assert.Single(report.Failures);
        Assert.Equal("The worker stopped responding three times.", failure.Reason);
        Assert.True(report.HasRuns);
    }

    [Fact]
    public void Create_EmptyTitle_ThrowsNamingTheTitle()
    {
        var error = Assert.Throws<ArgumentException>(() => RemediationReport.Create(" ", ReportSamples.GeneratedAt, Array.Empty<RemediationReportEntry>()));

        Assert.Contains("title", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("report.csv", RemediationReportFormat.Csv)]
    [InlineData("REPORT.CSV", RemediationReportFormat.Csv)]
    [InlineData("report.html", RemediationReportFormat.Html)]
    [InlineData("report", RemediationReportFormat.Html)]
    public void FormatOf_Extension_ChoosesFormat(string path, RemediationReportFormat expected)
        => Assert.Equal(expected, RemediationReportFile.FormatOf(path));

    [Theory]
    [InlineData(250, "250 ms")]
    [InlineData(1234, "1.23 s")]
    [InlineData(125000, "2 min 5 s")]
    public void Duration_Milliseconds_Readable(int milliseconds, string expected)
        => Assert.Equal(expected, ReportValues.Duration(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Write_ExistingFile_ReplacesItAndLeavesNoTemporaryFile()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rt-report-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var path = Path.Combine(directory, "report.html");
            File.WriteAllText(path, "old");

            RemediationReportFile.Write(path, ReportSamples.Mixed(), RemediationReportFormat.Html);

            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.Equal(new[] { path }, Directory.GetFiles(directory));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
