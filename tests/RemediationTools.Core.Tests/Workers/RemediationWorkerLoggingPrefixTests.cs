using RemediationTools.Core.Engine;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Workers;
using SandboxS3 = RemediationTools.Core.Tests.Jobs.S3.SandboxS3;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>-LoggingBucketPrefix travels with a queued request to the worker, like -RangeMode and -KmsKeyId.</summary>
public sealed class RemediationWorkerLoggingPrefixTests
{
    private const string JobId = "s3-enable-access-logging";

    [Fact]
    public async Task Run_RequestsWithAndWithoutLoggingBucketPrefix_EachBucketLogsToItsRequestsBucket()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var iam = new IamQueryClient(sandbox.Server.Endpoint, sandbox.CloudAdmin.AccessKeyId, sandbox.CloudAdmin.SecretAccessKey, null);
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "s3-logging",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy(JobCatalog.Default.FindById(JobId)!.Info.IamActions.ToArray()),
        });
        Assert.Equal(200, policy.Status);
        var withPrefix = Bucket(sandbox);
        var withoutPrefix = Bucket(sandbox);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ids = (await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { Finding(sandbox, withPrefix) }, new RemediationOptions { LoggingBucketPrefix = "worker-logs" }))
            .Concat(await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { Finding(sandbox, withoutPrefix) }, null))
            .ToList();
        var runs = await sandbox.RunWorkerUntilRecordedAsync(dispatcher, ids);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.True(r.Result?.Status == RemediationStatus.Remediated, r.Result?.ErrorCode + " " + r.Result?.Reason + " " + r.Error));
        using var s3 = SandboxS3.Client(sandbox.Server, sandbox.Cloud, WorkerSandbox.Region);
        Assert.Equal("worker-logs-" + sandbox.Cloud.AccountId + "-" + WorkerSandbox.Region, await TargetAsync(s3, withPrefix));
        Assert.Equal("vss-logging-target-" + sandbox.Cloud.AccountId + "-" + WorkerSandbox.Region, await TargetAsync(s3, withoutPrefix));
    }

    private static string Bucket(WorkerSandbox sandbox)
    {
        var name = "worker-src-" + Guid.NewGuid().ToString("N")[..12];
        sandbox.Server.AddS3Bucket(sandbox.Cloud.AccountId, WorkerSandbox.Region, name);
        return name;
    }

    private static Finding Finding(WorkerSandbox sandbox, string bucket) => new()
    {
        FindingId = "f-" + bucket,
        JobId = JobId,
        AccountId = sandbox.Cloud.AccountId,
        Region = WorkerSandbox.Region,
        ResourceId = bucket,
    };

    private static async Task<string?> TargetAsync(AmazonS3Client s3, string bucket)
        => (await s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = bucket })).BucketLoggingConfig?.TargetBucketName;
}
