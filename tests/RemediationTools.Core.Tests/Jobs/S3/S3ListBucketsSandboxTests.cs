using Amazon.S3;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>s3-list-buckets against the sandbox: the account's buckets with their regions as the result's data, nothing changed.</summary>
public sealed class S3ListBucketsSandboxTests : IDisposable
{
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3ListBucketsSandboxTests()
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
    public async Task Run_Account_ListsItsBucketsWithRegions_ReadOnly()
    {
        using var west = SandboxS3.Client(server, account, "eu-west-1");
        var east = await SandboxS3.CreateBucketAsync(s3);
        var western = await SandboxS3.CreateBucketAsync(west, "eu-west-1");
        using (var others = SandboxS3.Client(server, server.CreateAccount()))
        {
            await SandboxS3.CreateBucketAsync(others, prefix: "not-mine");
        }

        server.ResetCallCounts();
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

        var result = await engine.RunAsync(new Finding { JobId = "s3-list-buckets", AccountId = account.AccountId, Region = "us-east-1", ResourceId = account.AccountId }, new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.AlreadyCompliant, result.ErrorCode + " " + result.Reason);
        Assert.Empty(result.Actions);
        Assert.Null(result.UndoRecord);
        Assert.Equal(
            new[] { (east, "us-east-1"), (western, "eu-west-1") }.OrderBy(b => b.Item1, StringComparer.Ordinal),
            result.Data!.Buckets.Select(b => (b.Name, b.Region!)));
        Assert.Equal(new[] { "s3:ListAllMyBuckets" }, SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_ObjectIdNotTheAccount_FailedNamingIt()
    {
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

        var result = await engine.RunAsync(new Finding { JobId = "s3-list-buckets", AccountId = account.AccountId, Region = "us-east-1", ResourceId = "my-bucket" }, new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidFinding", result.ErrorCode);
        Assert.Contains("'my-bucket'", result.Reason, StringComparison.Ordinal);
    }
}
