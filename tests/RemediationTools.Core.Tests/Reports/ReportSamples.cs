using RemediationTools.Core.Reports;

namespace RemediationTools.Core.Tests.Reports;

/// <summary>Results and runs the report tests share: two accounts, two regions, three jobs, every kind of row.</summary>
internal static class ReportSamples
{
    public const string HostileResourceId = "sg-<script>document.title='pwned'</script>\"&'";

    public static readonly DateTimeOffset GeneratedAt = new(2026, 1, 15, 9, 30, 0, TimeSpan.Zero);

    public static RemediationResult Remediated(string resource, string account = "111111111111", string region = "us-east-1") => WithDuration(new()
    {
        FindingId = "f-" + resource,
        JobId = "security-group-close-port-22",
        RuleId = "rule-22",
        AccountId = account,
        Region = region,
        ResourceId = resource,
        Status = RemediationStatus.Remediated,
        Actions = new[]
        {
            new RemediationAction
            {
                Operation = "ec2:RevokeSecurityGroupIngress",
                Target = resource,
                Description = "Remove SSH from the internet.",
                Before = "tcp 22 from 0.0.0.0/0",
                After = null,
            },
        },
        StartedAt = new DateTimeOffset(2026, 1, 15, 9, 0, 0, TimeSpan.Zero),
    }, TimeSpan.FromMilliseconds(1234));

    public static RemediationResult Failed(string resource, string account = "222222222222") => WithDuration(new()
    {
        FindingId = "f-" + resource,
        JobId = "s3-remove-public-access",
        AccountId = account,
        Region = "eu-west-1",
        ResourceId = resource,
        Status = RemediationStatus.Failed,
        ErrorCode = "AccessDenied",
        Reason = "Access denied: the role may not call s3:PutBucketPublicAccessBlock.",
        MissingIamActions = new[] { "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock" },
    }, TimeSpan.FromMilliseconds(80));

    public static RemediationResult Compliant(string resource) => new()
    {
        JobId = "aws-kms-key-rotates",
        AccountId = "111111111111",
        Region = "us-east-1",
        ResourceId = resource,
        Status = RemediationStatus.AlreadyCompliant,
    };

    public static RemediationRun DeadLetteredRun() => new()
    {
        Id = "req-9",
        RequestId = "req-9",
        WorkerGroup = "prod",
        Status = RemediationRunStatus.DeadLettered,
        Attempts = 3,
        Error = "The worker stopped responding three times.",
    };

    // RemediationResult.Duration is a TimeSpan or (as ConvertTo-Json shows it) its text; set it either way.
    public static RemediationResult WithDuration(RemediationResult result, TimeSpan duration)
    {
        var property = typeof(RemediationResult).GetProperty(nameof(RemediationResult.Duration))!;
        property.SetValue(result, property.PropertyType == typeof(TimeSpan) ? duration : duration.ToString("c", System.Globalization.CultureInfo.InvariantCulture));
        return result;
    }

    public static RemediationReport Report(params RemediationReportEntry[] entries)
        => RemediationReport.Create("Weekly <b>run</b>", GeneratedAt, entries);

    public static RemediationReport Mixed() => Report(
        RemediationReportEntry.FromResult(Remediated("sg-1")),
        RemediationReportEntry.FromResult(Remediated("sg-2", region: "us-west-2")),
        RemediationReportEntry.FromResult(Failed("bucket-a")),
        RemediationReportEntry.FromResult(Compliant("key-1")));
}
