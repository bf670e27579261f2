using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Tests.Jobs.Iam;

/// <summary>aws-iam-server-certificate-expired and aws-iam-root-user-disable-access-keys against the sandbox.</summary>
public sealed class IamAccountJobsSandboxTests : IDisposable
{
    private const string CertificateJob = "aws-iam-server-certificate-expired";
    private const string RootKeysJob = "aws-iam-root-user-disable-access-keys";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;
    private readonly RemediationEngine engine;

    public IamAccountJobsSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = account.AccessKeyId, SecretKey = account.SecretAccessKey, Region = "us-east-1", EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None).GetAwaiter().GetResult();
        engine = new RemediationEngine(factory);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private Finding Finding(string jobId, string resourceId, IReadOnlyDictionary<string, string>? tags = null, string? arn = null) => new()
    {
        FindingId = "f-" + resourceId,
        JobId = jobId,
        AccountId = account.AccountId,
        Region = "us-east-1",
        ResourceId = resourceId,
        ResourceArn = arn,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    [Fact]
    public async Task Certificate_Expired_DeletedWithoutUndoRecordAndIrreversible()
    {
        server.AddServerCertificate(account.AccountId, "old-web", DateTimeOffset.UtcNow.AddDays(-3));

        var result = await engine.RunAsync(Finding(CertificateJob, "old-web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.False(server.HasServerCertificate(account.AccountId, "old-web"));
        Assert.Null(result.UndoRecord);
        Assert.Equal("iam:DeleteServerCertificate", Assert.Single(result.Actions).Operation);
        Assert.Contains(result.Notes, n => n.Contains("cannot be undone", StringComparison.Ordinal));
        var info = JobCatalog.Default.FindById(CertificateJob)!.Info;
        Assert.True(info.Irreversible);
        Assert.Equal("High", info.ConfirmImpact);

        Assert.Equal(RemediationStatus.AlreadyCompliant, (await engine.RunAsync(Finding(CertificateJob, "old-web"), new RemediationOptions())).Status);
    }

    [Fact]
    public async Task Certificate_ByArnWithPath_Deleted()
    {
        var arn = server.AddServerCertificate(account.AccountId, "old-api", DateTimeOffset.UtcNow.AddDays(-1), path: "/cloudfront/");

        var result = await engine.RunAsync(Finding(CertificateJob, "cloudfront/old-api", arn: arn), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.False(server.HasServerCertificate(account.AccountId, "old-api"));
    }

    [Fact]
    public async Task Certificate_NotExpired_CompliantAndKept()
    {
        server.AddServerCertificate(account.AccountId, "current-web", DateTimeOffset.UtcNow.AddDays(30));

        var result = await engine.RunAsync(Finding(CertificateJob, "current-web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.True(server.HasServerCertificate(account.AccountId, "current-web"));
        Assert.Contains(result.Notes, n => n.Contains("has not expired", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Certificate_TaggedSkip_SkippedAndKept()
    {
        server.AddServerCertificate(account.AccountId, "kept-web", DateTimeOffset.UtcNow.AddDays(-1), tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await engine.RunAsync(Finding(CertificateJob, "kept-web"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.True(server.HasServerCertificate(account.AccountId, "kept-web"));
    }

    [Fact]
    public async Task Certificate_DryRun_PlannedAndKept()
    {
        server.AddServerCertificate(account.AccountId, "old-web", DateTimeOffset.UtcNow.AddDays(-1));

        var result = await engine.RunAsync(Finding(CertificateJob, "old-web"), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.True(server.HasServerCertificate(account.AccountId, "old-web"));
    }

    [Fact]
    public async Task Certificate_InvalidName_FailedNamingIt()
    {
        var result = await engine.RunAsync(Finding(CertificateJob, "bad name!"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("'bad name!'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RootKeys_Present_FailedManualActionRequiredWithTheStepsAndNothingChanged()
    {
        server.SetRootAccessKeys(account.AccountId, 1);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(RootKeysJob, account.AccountId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("ManualActionRequired", result.ErrorCode);
        Assert.Contains("sign in to the AWS Management Console as the root user", result.Reason, StringComparison.Ordinal);
        Assert.Contains("delete every access key", result.Reason, StringComparison.Ordinal);
        Assert.Empty(result.Actions);
        Assert.Equal(new[] { "iam:GetAccountSummary" }, server.CallCounts.Keys.Where(k => k.StartsWith("iam:", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public async Task RootKeys_Absent_Compliant()
    {
        var result = await engine.RunAsync(Finding(RootKeysJob, account.AccountId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
    }

    [Fact]
    public async Task RootKeys_FindingTaggedSkip_Skipped()
    {
        server.SetRootAccessKeys(account.AccountId, 2);

        var result = await engine.RunAsync(Finding(RootKeysJob, account.AccountId, new Dictionary<string, string> { ["remediation:skip"] = "true" }), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
    }
}
