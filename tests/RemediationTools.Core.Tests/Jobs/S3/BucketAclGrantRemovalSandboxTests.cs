using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>
/// The ACL jobs end to end against the sandbox's S3: only the offending group grants go, every other grant (owner,
/// other accounts, the log delivery group, harmless public grants) stays exactly; a concurrent writer forces a replan.
/// </summary>
public sealed class BucketAclGrantRemovalSandboxTests : IDisposable
{
    private const string PublicAdmin = "s3-remove-public-admin-acl";
    private const string AuthenticatedFull = "aws-s3-remove-fullaccess-authenticatedusers";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly SandboxAccount other;
    private readonly AmazonS3Client s3;

    public BucketAclGrantRemovalSandboxTests()
    {
        account = server.CreateAccount();
        other = server.CreateAccount();
        s3 = SandboxS3.Client(server, account);
    }

    public void Dispose()
    {
        s3.Dispose();
        server.Dispose();
    }

    [Fact]
    public async Task PublicAdmin_RemovesOnlyPublicFullControlAndWriteAcp_KeepsLogDeliveryAndOthers_UndoPutsThemBack()
    {
        var otherId = await OtherAccountIdAsync();
        var bucket = await BucketAsync(
            SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"),
            SandboxS3.Group(S3AclGrant.AuthenticatedUsersUri, "WRITE_ACP"),
            SandboxS3.Group(S3AclGrant.AllUsersUri, "READ"),
            SandboxS3.Group(S3AclGrant.LogDeliveryUri, "WRITE"),
            SandboxS3.Group(S3AclGrant.LogDeliveryUri, "READ_ACP"),
            SandboxS3.User(otherId, "READ"));
        var before = await SandboxS3.GrantsAsync(s3, bucket);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var after = await SandboxS3.GrantsAsync(s3, bucket);
        Assert.Equal(before.Where(g => g != "AllUsers FULL_CONTROL" && g != "AuthenticatedUsers WRITE_ACP"), after);
        Assert.Contains("LogDelivery WRITE", after);
        Assert.Contains("user " + otherId + " READ", after);
        Assert.Contains("AllUsers FULL_CONTROL, AuthenticatedUsers WRITE_ACP", Assert.Single(result.Actions).Description, StringComparison.Ordinal);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal(before, await SandboxS3.GrantsAsync(s3, bucket));
    }

    [Fact]
    public async Task AuthenticatedUsersFullControl_RemovesOnlyThatGrant()
    {
        var bucket = await BucketAsync(
            SandboxS3.Group(S3AclGrant.AuthenticatedUsersUri, "FULL_CONTROL"),
            SandboxS3.Group(S3AclGrant.AuthenticatedUsersUri, "READ"),
            SandboxS3.Group(S3AclGrant.AllUsersUri, "WRITE_ACP"),
            SandboxS3.Group(S3AclGrant.LogDeliveryUri, "WRITE"));
        var before = await SandboxS3.GrantsAsync(s3, bucket);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(AuthenticatedFull, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(before.Where(g => g != "AuthenticatedUsers FULL_CONTROL"), await SandboxS3.GrantsAsync(s3, bucket));
    }

    [Fact]
    public async Task Run_NoOffendingGrant_AlreadyCompliantWithoutWriting_AndTwiceChangesNothing()
    {
        var bucket = await BucketAsync(SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"), SandboxS3.Group(S3AclGrant.LogDeliveryUri, "WRITE"));
        var engine = await EngineAsync();
        var first = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());
        server.ResetCallCounts();

        var second = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, first.Status);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.DoesNotContain("s3:PutBucketAcl", SandboxS3.S3Calls(server).Keys);
        Assert.DoesNotContain("s3:GetBucketOwnershipControls", SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_AclsDisabled_AlreadyCompliant()
    {
        // A new bucket: object ownership BucketOwnerEnforced (ACLs disabled), as AWS creates buckets since April 2023.
        var bucket = await SandboxS3.CreateBucketAsync(s3);
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.DoesNotContain("s3:PutBucketAcl", SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_ConcurrentAclWriterBetweenPlanAndApply_PlansAgainAndKeepsTheOtherWritersGrant()
    {
        var otherId = await OtherAccountIdAsync();
        var bucket = await BucketAsync(SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"), SandboxS3.Group(S3AclGrant.LogDeliveryUri, "WRITE"));
        var engine = await EngineAsync();
        var writes = 0;

        // The confirm callback runs after the plan and before the apply: another writer changes the ACL there.
        var results = await engine.RunBatchAsync(
            new[] { SandboxS3.Finding(PublicAdmin, account, bucket) },
            new RemediationOptions { FindingRetryDelay = TimeSpan.Zero },
            async plan =>
            {
                writes++;
                await SandboxS3.PutAclAsync(s3, bucket, SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"), SandboxS3.Group(S3AclGrant.LogDeliveryUri, "WRITE"), SandboxS3.User(otherId, "READ_ACP"));
                return true;
            },
            null);

        var result = Assert.Single(results);
        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(1, writes);
        Assert.Equal(
            new[] { "LogDelivery WRITE", "user " + otherId + " READ_ACP", "user " + (await SandboxS3.OwnerIdAsync(s3, bucket)) + " (owner) FULL_CONTROL" }.OrderBy(g => g, StringComparer.Ordinal),
            await SandboxS3.GrantsAsync(s3, bucket));
        Assert.Contains("READ_ACP", Assert.Single(result.Actions).Before, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ConcurrentAclWriter_SingleRunFailsWithStalePlanCodeAndWritesNothing()
    {
        var otherId = await OtherAccountIdAsync();
        var bucket = await BucketAsync(SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"));
        var engine = await EngineAsync();
        var plan = await engine.PlanAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());
        await SandboxS3.PutAclAsync(s3, bucket, SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"), SandboxS3.User(otherId, "READ"));

        var result = await engine.ApplyAsync(plan);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(WholeDocumentGuard.StalePlanErrorCode, result.ErrorCode);
        Assert.Contains("AllUsers FULL_CONTROL", await SandboxS3.GrantsAsync(s3, bucket));
        Assert.Contains("user " + otherId + " READ", await SandboxS3.GrantsAsync(s3, bucket));
    }

    [Fact]
    public async Task Run_PutAclDenied_FailedNamingTheIamAction()
    {
        var bucket = await BucketAsync(SandboxS3.Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"));
        var user = server.CreateUser(account.AccountId, "no-acl", SandboxS3.AllowAllBut("s3:PutBucketAcl"));
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, user.AccessKeyId, user.SecretAccessKey));

        var result = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Equal(new[] { "s3:PutBucketAcl" }, result.MissingIamActions);
        Assert.Contains("AllUsers FULL_CONTROL", await SandboxS3.GrantsAsync(s3, bucket));
    }

    [Fact]
    public async Task Run_BlockPublicAclsOnAndAPublicReadGrantStays_FailedSayingWhy()
    {
        var bucket = "blocked-" + Guid.NewGuid().ToString("N")[..12];
        server.AddS3Bucket(account.AccountId, SandboxS3.Region, bucket, SandboxS3BucketSpec.Legacy with
        {
            PublicAccessBlock = new SandboxS3PublicAccessBlock(BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false),
            Grants = new[] { SandboxS3Grant.Account(account.AccountId, "FULL_CONTROL"), SandboxS3Grant.AllUsers("FULL_CONTROL"), SandboxS3Grant.AllUsers("READ") },
        });
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(PublicAdmin, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Contains("still grants AllUsers READ", result.Reason, StringComparison.Ordinal);
        Assert.Contains("BlockPublicAcls", result.Reason, StringComparison.Ordinal);
        Assert.Contains("AllUsers FULL_CONTROL", await SandboxS3.GrantsAsync(s3, bucket));
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private async Task<string> BucketAsync(params S3AclGrant[] grants)
    {
        var bucket = await SandboxS3.CreateBucketAsync(s3);
        await SandboxS3.EnableAclsAsync(s3, bucket);
        await SandboxS3.PutAclAsync(s3, bucket, grants);
        server.ResetCallCounts();
        return bucket;
    }

    private async Task<string> OtherAccountIdAsync()
    {
        using var client = SandboxS3.Client(server, other);
        return await SandboxS3.OwnerIdAsync(client, await SandboxS3.CreateBucketAsync(client, prefix: "other"));
    }
}
