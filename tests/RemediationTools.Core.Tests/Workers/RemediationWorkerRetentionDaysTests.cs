using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Rds;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>-RetentionDays travels with queued requests to the worker, like -MinimumLength.</summary>
public sealed class RemediationWorkerRetentionDaysTests
{
    [Fact]
    public async Task Run_RequestWithRetentionDays_InstanceGetsTheRequestsValue()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var iam = new IamQueryClient(sandbox.Server.Endpoint, sandbox.CloudAdmin.AccessKeyId, sandbox.CloudAdmin.SecretAccessKey, null);
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "rds",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy(JobCatalog.Default.FindById(RdsBackupRetentionJob.JobId)!.Info.IamActions.ToArray()),
        });
        Assert.Equal(200, policy.Status);
        sandbox.Server.AddDBInstance(sandbox.Cloud.AccountId, WorkerSandbox.Region, "orders", backupRetentionPeriod: 7);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var finding = new Finding
        {
            FindingId = "f-orders",
            JobId = RdsBackupRetentionJob.JobId,
            AccountId = sandbox.Cloud.AccountId,
            Region = WorkerSandbox.Region,
            ResourceId = "orders",
        };

        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, new[] { finding }, new RemediationOptions { BackupRetentionDays = 33 });
        var runs = await sandbox.RunWorkerUntilRecordedAsync(dispatcher, ids);

        var run = Assert.Single(runs);
        Assert.True(run.Result?.Status == RemediationStatus.Remediated, run.Result?.ErrorCode + " " + run.Result?.Reason + " " + run.Error);
        Assert.Equal("BackupRetentionPeriod 33", Assert.Single(run.Result!.Actions).After);
    }
}
