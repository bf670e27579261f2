using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>-MinimumLength and -ReusePrevention travel with queued requests to the worker, like -LoggingBucketPrefix.</summary>
public sealed class RemediationWorkerPasswordPolicyTests
{
    private const string MinLengthJob = "aws-iam-password-policy-min-length";
    private const string ReuseJob = "aws-iam-password-reuse-prevention";

    [Fact]
    public async Task Run_RequestsWithPasswordPolicyTargets_PolicyHasTheRequestsValues()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var iam = new IamQueryClient(sandbox.Server.Endpoint, sandbox.CloudAdmin.AccessKeyId, sandbox.CloudAdmin.SecretAccessKey, null);
        var actions = new[] { MinLengthJob, ReuseJob }.SelectMany(id => JobCatalog.Default.FindById(id)!.Info.IamActions).Distinct().ToArray();
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "password-policy",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy(actions),
        });
        Assert.Equal(200, policy.Status);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var targets = new RemediationOptions { MinimumPasswordLength = 17, PasswordReusePrevention = 12 };
        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { Finding(sandbox, MinLengthJob), Finding(sandbox, ReuseJob) }, targets);
        var runs = await sandbox.RunWorkerUntilRecordedAsync(dispatcher, ids);

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.True(r.Result?.Status == RemediationStatus.Remediated, r.Result?.ErrorCode + " " + r.Result?.Reason + " " + r.Error));
        var read = await iam.CallAsync("GetAccountPasswordPolicy", new());
        Assert.Equal("17", read.Value("MinimumPasswordLength"));
        Assert.Equal("12", read.Value("PasswordReusePrevention"));
    }

    private static Finding Finding(WorkerSandbox sandbox, string jobId) => new()
    {
        FindingId = "f-" + jobId,
        JobId = jobId,
        AccountId = sandbox.Cloud.AccountId,
        Region = WorkerSandbox.Region,
        ResourceId = sandbox.Cloud.AccountId,
    };
}
