using RemediationTools.Core.Engine;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Workers;
using SandboxS3 = RemediationTools.Core.Tests.Jobs.S3.SandboxS3;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>-KmsKeyId travels with a queued request to the worker, like -RangeMode.</summary>
public sealed class RemediationWorkerKmsKeyTests
{
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public async Task Run_RequestsWithAndWithoutKmsKeyId_EachBucketEncryptedAsItsRequestSays()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var iam = new IamQueryClient(sandbox.Server.Endpoint, sandbox.CloudAdmin.AccessKeyId, sandbox.CloudAdmin.SecretAccessKey, null);
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "s3",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy("s3:GetBucketTagging", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"),
        });
        Assert.Equal(200, policy.Status);
        var withKey = SandboxS3.SeedUnencryptedBucket(sandbox.Server, sandbox.Cloud, WorkerSandbox.Region);
        var withoutKey = SandboxS3.SeedUnencryptedBucket(sandbox.Server, sandbox.Cloud, WorkerSandbox.Region);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ids = (await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { Finding(sandbox, withKey) }, new RemediationOptions { KmsKeyId = KeyArn }))
            .Concat(await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { Finding(sandbox, withoutKey) }, null))
            .ToList();
        var runs = await sandbox.RunWorkerUntilRecordedAsync(dispatcher, ids);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.True(r.Result?.Status == RemediationStatus.Remediated, r.Result?.ErrorCode + " " + r.Result?.Reason + " " + r.Error));
        using var s3 = SandboxS3.Client(sandbox.Server, sandbox.Cloud, WorkerSandbox.Region);
        Assert.Equal("aws:kms " + KeyArn, await EncryptionAsync(s3, withKey));
        Assert.Equal("AES256 ", await EncryptionAsync(s3, withoutKey));
    }

    private static Finding Finding(WorkerSandbox sandbox, string bucket) => new()
    {
        FindingId = "f-" + bucket,
        JobId = "s3-enable-default-encryption",
        AccountId = sandbox.Cloud.AccountId,
        Region = WorkerSandbox.Region,
        ResourceId = bucket,
    };

    private static async Task<string> EncryptionAsync(AmazonS3Client s3, string bucket)
    {
        var rule = (await s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules.Single();
        return rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value + " " + rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId;
    }
}
