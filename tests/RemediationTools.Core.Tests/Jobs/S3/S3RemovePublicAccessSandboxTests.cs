using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>s3-remove-public-access end to end against the sandbox's S3, with the official client; outcomes read back with GetPublicAccessBlock.</summary>
public sealed class S3RemovePublicAccessSandboxTests : IDisposable
{
    private const string JobId = "s3-remove-public-access";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3RemovePublicAccessSandboxTests()
    {
        account = server.CreateAccount();
        s3 = SandboxS3.Client(server, account);
    }

    public void Dispose()
    {
        s3.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task Run_NoConfiguration_TurnsAllFourOn_UndoDeletesIt()
    {
        var bucket = await BucketAsync(configuration: null);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal("s3:PutBucketPublicAccessBlock", action.Operation);
        Assert.Contains("no public access block configuration", action.Before, StringComparison.Ordinal);
        Assert.Equal("BlockPublicAcls=true, IgnorePublicAcls=true, BlockPublicPolicy=true, RestrictPublicBuckets=true", action.After);
        Assert.Equal("BlockPublicAcls=True IgnorePublicAcls=True BlockPublicPolicy=True RestrictPublicBuckets=True", await SettingsAsync(bucket));

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal("none", await SettingsAsync(bucket));
    }

    [Fact]
    public async Task Run_SomeSettingsOn_PlanShowsEachChange_UndoRestoresThePreviousOnes()
    {
        var bucket = await BucketAsync(new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = false, BlockPublicPolicy = true, RestrictPublicBuckets = false });
        var engine = await EngineAsync();

        var planned = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, planned.Status);
        var action = Assert.Single(planned.Actions);
        Assert.Contains("IgnorePublicAcls false -> true; RestrictPublicBuckets false -> true", action.Description, StringComparison.Ordinal);
        Assert.Equal("BlockPublicAcls=true, IgnorePublicAcls=false, BlockPublicPolicy=true, RestrictPublicBuckets=false", action.Before);
        Assert.Equal("BlockPublicAcls=True IgnorePublicAcls=False BlockPublicPolicy=True RestrictPublicBuckets=False", await SettingsAsync(bucket));

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());
        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal("BlockPublicAcls=True IgnorePublicAcls=False BlockPublicPolicy=True RestrictPublicBuckets=False", await SettingsAsync(bucket));
    }

    [Fact]
    public async Task Run_Twice_SecondRunChangesNothing()
    {
        var bucket = await BucketAsync(configuration: null);
        var engine = await EngineAsync();
        var first = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());
        server.ResetCallCounts();

        var second = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, first.Status);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Null(second.UndoRecord);
        Assert.DoesNotContain("s3:PutBucketPublicAccessBlock", SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_BucketTaggedSkip_SkippedUnchanged()
    {
        var bucket = await BucketAsync(configuration: null);
        await SandboxS3.TagAsync(s3, bucket, SkipTag.Key, "true");
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(SkipTag.Reason, result.Reason);
        Assert.Equal("none", await SettingsAsync(bucket));
    }

    [Fact]
    public async Task Run_PutDenied_FailedNamingTheIamAction()
    {
        var bucket = await BucketAsync(configuration: null);
        var user = server.CreateUser(account.AccountId, "no-pab", SandboxS3.AllowAllBut("s3:PutBucketPublicAccessBlock"));
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, user.AccessKeyId, user.SecretAccessKey));

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Equal(new[] { "s3:PutBucketPublicAccessBlock" }, result.MissingIamActions);
        Assert.Equal("none", await SettingsAsync(bucket));
    }

    [Fact]
    public async Task Run_FindingInAnotherRegion_CallsTheBucketsRegionAndReportsIt()
    {
        using var west = SandboxS3.Client(server, account, "eu-west-1");
        var bucket = await SandboxS3.CreateBucketAsync(west, "eu-west-1");
        await west.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket, region: "us-east-1"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("eu-west-1", result.Region);
        Assert.Equal("eu-west-1", result.UndoRecord!.Region);
        Assert.Equal("BlockPublicAcls=True IgnorePublicAcls=True BlockPublicPolicy=True RestrictPublicBuckets=True", await SettingsAsync(bucket, west));

        var undo = await engine.UndoAsync(result.UndoRecord, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal("none", await SettingsAsync(bucket, west));
    }

    [Fact]
    public async Task RunBatch_TwoFindingsOnAWrongRegionBucket_OnlyTheFirstCallIsRedirected()
    {
        using var west = SandboxS3.Client(server, account, "eu-west-1");
        var bucket = SandboxS3.SeedUnencryptedBucket(server, account, "eu-west-1");
        await west.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        server.ResetCallCounts();
        var engine = await EngineAsync();

        var results = await engine.RunAsync(
            new[] { SandboxS3.Finding(JobId, account, bucket), SandboxS3.Finding("s3-enable-default-encryption", account, bucket) },
            new RemediationOptions());

        Assert.All(results, r => Assert.True(r.Status == RemediationStatus.Remediated && r.Region == "eu-west-1", r.Status + " " + r.Region + " " + r.Reason));
        var calls = SandboxS3.S3Calls(server);

        // The shared tag read is redirected once and retried; every later call of either finding goes to eu-west-1.
        Assert.Equal(2, calls["s3:GetBucketTagging"]);
        Assert.Equal(2, calls["s3:GetBucketPublicAccessBlock"]);
        Assert.Equal(2, calls["s3:GetEncryptionConfiguration"]);
        Assert.Equal(1, calls["s3:PutBucketPublicAccessBlock"]);
        Assert.Equal(1, calls["s3:PutEncryptionConfiguration"]);
    }

    [Theory]
    [InlineData("arn:aws:s3:::bucket/key", "names an object")]
    [InlineData("not a bucket", "is not an S3 bucket name")]
    public async Task Run_BadObjectId_FailedNamingItWithoutAnyCall(string objectId, string why)
    {
        var engine = await EngineAsync();
        server.ResetCallCounts();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, objectId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidFinding", result.ErrorCode);
        Assert.Contains(objectId, result.Reason, StringComparison.Ordinal);
        Assert.Contains(why, result.Reason, StringComparison.Ordinal);
        Assert.Empty(SandboxS3.S3Calls(server));
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private async Task<string> BucketAsync(PublicAccessBlockConfiguration? configuration)
    {
        var bucket = await SandboxS3.CreateBucketAsync(s3);
        await s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        if (configuration is not null)
        {
            await s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest { BucketName = bucket, PublicAccessBlockConfiguration = configuration });
        }

        server.ResetCallCounts();
        return bucket;
    }

    private async Task<string> SettingsAsync(string bucket, AmazonS3Client? client = null)
    {
        try
        {
            var c = (await (client ?? s3).GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket })).PublicAccessBlockConfiguration;
            return $"BlockPublicAcls={c.BlockPublicAcls} IgnorePublicAcls={c.IgnorePublicAcls} BlockPublicPolicy={c.BlockPublicPolicy} RestrictPublicBuckets={c.RestrictPublicBuckets}";
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchPublicAccessBlockConfiguration")
        {
            return "none";
        }
    }
}
