using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>s3-enable-default-encryption end to end against the sandbox's S3: never a downgrade, SSE-S3 or SSE-KMS with a bucket key.</summary>
public sealed class S3EnableDefaultEncryptionSandboxTests : IDisposable
{
    private const string JobId = "s3-enable-default-encryption";
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount account;
    private readonly AmazonS3Client s3;

    public S3EnableDefaultEncryptionSandboxTests()
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
    public async Task Run_NoDefaultEncryption_SseS3_UndoDeletesTheConfiguration()
    {
        var bucket = await UnencryptedBucketAsync();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("no default encryption", Assert.Single(result.Actions).Before);
        Assert.Equal("AES256 bucketKey=off", await EncryptionAsync(bucket));

        server.ResetCallCounts();

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        // DeleteBucketEncryption: S3 (and the sandbox) then report its base level, SSE-S3, as for every bucket since 2023.
        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal(1, SandboxS3.S3Calls(server)["s3:PutEncryptionConfiguration"]);
        Assert.Equal("AES256 bucketKey=off", await EncryptionAsync(bucket));
    }

    [Fact]
    public async Task Run_WithKmsKeyId_SseKmsWithBucketKey()
    {
        var bucket = await UnencryptedBucketAsync();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions { KmsKeyId = KeyArn });

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("aws:kms " + KeyArn + " bucketKey=on", await EncryptionAsync(bucket));
        Assert.Contains("bucket key on", Assert.Single(result.Actions).After, StringComparison.Ordinal);

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal("AES256 bucketKey=off", await EncryptionAsync(bucket));
    }

    [Theory]
    [InlineData("aws:kms")]
    [InlineData("aws:kms:dsse")]
    [InlineData("AES256")]
    public async Task Run_AnyDefaultEncryption_AlreadyCompliant_NeverDowngradedOrReKeyed(string algorithm)
    {
        var bucket = await SandboxS3.CreateBucketAsync(s3);
        var byDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = new ServerSideEncryptionMethod(algorithm) };
        if (algorithm != "AES256")
        {
            byDefault.ServerSideEncryptionKeyManagementServiceKeyId = "arn:aws:kms:us-east-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab";
        }

        await s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = bucket,
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration { ServerSideEncryptionRules = new List<ServerSideEncryptionRule> { new() { ServerSideEncryptionByDefault = byDefault } } },
        });
        var before = await EncryptionAsync(bucket);
        server.ResetCallCounts();
        var engine = await EngineAsync();

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions { KmsKeyId = KeyArn });

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(before, await EncryptionAsync(bucket));
        Assert.DoesNotContain("s3:PutEncryptionConfiguration", SandboxS3.S3Calls(server).Keys);
    }

    [Fact]
    public async Task Run_GetEncryptionDenied_FailedNamingGetEncryptionConfiguration()
    {
        var bucket = await UnencryptedBucketAsync();
        var user = server.CreateUser(account.AccountId, "no-get-enc", SandboxS3.AllowAllBut("s3:GetEncryptionConfiguration"));
        var engine = new RemediationEngine(await SandboxS3.FactoryAsync(server, user.AccessKeyId, user.SecretAccessKey));

        var result = await engine.RunAsync(SandboxS3.Finding(JobId, account, bucket), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Equal(new[] { "s3:GetEncryptionConfiguration" }, result.MissingIamActions);
        Assert.Equal("none", await EncryptionAsync(bucket));
    }

    private async Task<RemediationEngine> EngineAsync() => new(await SandboxS3.FactoryAsync(server, account.AccessKeyId, account.SecretAccessKey));

    private async Task<string> UnencryptedBucketAsync()
    {
        await Task.CompletedTask;
        var bucket = SandboxS3.SeedUnencryptedBucket(server, account);
        server.ResetCallCounts();
        return bucket;
    }

    private async Task<string> EncryptionAsync(string bucket)
    {
        try
        {
            var response = await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket });
            if (response.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules is not { Count: > 0 } rules)
            {
                // AWSSDK.S3 4 answers this 404 with an empty response instead of an exception.
                return "none";
            }

            var rule = rules.Single();
            var byDefault = rule.ServerSideEncryptionByDefault;
            return byDefault.ServerSideEncryptionAlgorithm.Value + (string.IsNullOrEmpty(byDefault.ServerSideEncryptionKeyManagementServiceKeyId) ? string.Empty : " " + byDefault.ServerSideEncryptionKeyManagementServiceKeyId) + " bucketKey=" + (rule.BucketKeyEnabled == true ? "on" : "off");
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError")
        {
            return "none";
        }
    }
}
