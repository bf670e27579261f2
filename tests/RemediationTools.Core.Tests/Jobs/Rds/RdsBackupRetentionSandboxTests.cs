using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Rds;

namespace RemediationTools.Core.Tests.Jobs.Rds;

/// <summary>rds-backup-retention-30-days against the sandbox: standalone instances, Aurora members, retention 0, undo.</summary>
public sealed class RdsBackupRetentionSandboxTests : RdsJobSandbox
{
    private const string Job = RdsBackupRetentionJob.JobId;

    [Fact]
    public async Task Run_SevenDays_RaisedTo30AndCompliantTheSecondTime()
    {
        var arn = Server.AddDBInstance(Account.AccountId, Region, "orders", backupRetentionPeriod: 7, publiclyAccessible: true);

        var result = await Engine().RunAsync(Finding(Job, "orders"), new RemediationOptions());
        var second = await Engine().RunAsync(Finding(Job, "orders"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("rds:ModifyDBInstance", arn, "BackupRetentionPeriod 7", "BackupRetentionPeriod 30"), (action.Operation, action.Target, action.Before, action.After));
        Assert.Contains("no outage", action.Description, StringComparison.Ordinal);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, Calls("rds:ModifyDBInstance"));
        Assert.Equal(0, Calls("rds:DescribeDBClusters"));
        var instance = await InstanceAsync("orders");
        Assert.Equal((30, true), (instance.BackupRetentionPeriod, instance.PubliclyAccessible));
    }

    [Fact]
    public async Task Run_RetentionDays35_RaisedTo35()
    {
        Server.AddDBInstance(Account.AccountId, Region, "long", backupRetentionPeriod: 30);

        var result = await Engine().RunAsync(Finding(Job, "long"), new RemediationOptions { BackupRetentionDays = 35 });

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(35, (await InstanceAsync("long")).BackupRetentionPeriod);
    }

    [Theory]
    [InlineData(30)]
    [InlineData(35)]
    public async Task Run_AlreadyAtLeast30_CompliantNeverLowered(int days)
    {
        Server.AddDBInstance(Account.AccountId, Region, "kept", backupRetentionPeriod: days);

        var result = await Engine().RunAsync(Finding(Job, "kept"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Contains("never lowered", Assert.Single(result.Notes), StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
        Assert.Equal(days, (await InstanceAsync("kept")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_AuroraMember_RaisedOnItsClusterForEveryMember()
    {
        var clusterArn = Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 7);
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");
        Server.AddDBInstance(Account.AccountId, Region, "aurora-2", "aurora-mysql", clusterIdentifier: "aurora");

        var result = await Engine().RunAsync(Finding(Job, "aurora-2"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("rds:ModifyDBCluster", clusterArn), (action.Operation, action.Target));
        Assert.Equal(("BackupRetentionPeriod 7 (cluster aurora)", "BackupRetentionPeriod 30 (cluster aurora)"), (action.Before, action.After));
        Assert.Contains("aurora-1", Assert.Single(result.Notes), StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
        Assert.Equal(1, Calls("rds:ModifyDBCluster"));
        Assert.Equal(30, (await ClusterAsync("aurora")).BackupRetentionPeriod);
        Assert.Equal(30, (await InstanceAsync("aurora-1")).BackupRetentionPeriod);

        var other = await Engine().RunAsync(Finding(Job, "aurora-1"), new RemediationOptions());
        Assert.Equal(RemediationStatus.AlreadyCompliant, other.Status);
    }

    [Fact]
    public async Task Run_TwoMembersOfOneClusterInOneBatch_TheClusterIsModifiedOnce()
    {
        Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 7);
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");
        Server.AddDBInstance(Account.AccountId, Region, "aurora-2", "aurora-mysql", clusterIdentifier: "aurora");

        var results = await Engine().RunAsync(new[] { Finding(Job, "aurora-1"), Finding(Job, "aurora-2") }, new RemediationOptions());

        Assert.All(results, r => Assert.True(r.Status is RemediationStatus.Remediated or RemediationStatus.AlreadyCompliant, r.ErrorCode + " " + r.Reason));
        Assert.Equal(1, Calls("rds:ModifyDBCluster"));
        Assert.Single(results, r => r.UndoRecord is not null);
        Assert.Equal(30, (await ClusterAsync("aurora")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_AuroraClusterAbove30_CompliantNeverLowered()
    {
        Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 35);
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");

        var result = await Engine().RunAsync(Finding(Job, "aurora-1"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("rds:ModifyDBCluster"));
        Assert.Equal(35, (await ClusterAsync("aurora")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_ClusterTaggedSkip_SkippedUnchanged()
    {
        Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 7, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");

        var result = await Engine().RunAsync(Finding(Job, "aurora-1"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("DB cluster aurora", result.Reason, StringComparison.Ordinal);
        Assert.Equal(7, (await ClusterAsync("aurora")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_InstanceTaggedSkip_SkippedUnchanged()
    {
        Server.AddDBInstance(Account.AccountId, Region, "exempt", backupRetentionPeriod: 7, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await Engine().RunAsync(Finding(Job, "exempt"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(7, (await InstanceAsync("exempt")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_BackupsOffWithoutAllowDisruptive_SkippedWithTheReasonAndUnchanged()
    {
        Server.AddDBInstance(Account.AccountId, Region, "nobackups", backupRetentionPeriod: 0);

        var result = await Engine().RunAsync(Finding(Job, "nobackups"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("outage", result.Reason, StringComparison.Ordinal);
        Assert.Contains("-AllowDisruptive", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
        Assert.Equal(0, (await InstanceAsync("nobackups")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_BackupsOffWithAllowDisruptive_EnabledAndThePlanSaysItCausesAnOutage()
    {
        Server.AddDBInstance(Account.AccountId, Region, "nobackups", backupRetentionPeriod: 0);

        var result = await Engine().RunAsync(Finding(Job, "nobackups"), new RemediationOptions { AllowDisruptive = true });

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("BackupRetentionPeriod 0", "BackupRetentionPeriod 30"), (action.Before, action.After));
        Assert.Contains("causes an outage", action.Description, StringComparison.Ordinal);
        Assert.Equal(30, (await InstanceAsync("nobackups")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_LongerRetentionPending_KeepsThePendingValue()
    {
        // Enabling backups without ApplyImmediately waits for the maintenance window.
        Server.AddDBInstance(Account.AccountId, Region, "pending", backupRetentionPeriod: 0);
        await (await RdsAsync()).ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "pending", BackupRetentionPeriod = 35, ApplyImmediately = false });

        var result = await Engine().RunAsync(Finding(Job, "pending"), new RemediationOptions { AllowDisruptive = true });

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal("BackupRetentionPeriod 35", Assert.Single(result.Actions).After);
        Assert.Equal(35, (await InstanceAsync("pending")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Run_StaysModifyingPastTheWait_FailedDBInstanceNotAvailable()
    {
        Server.AddDBInstance(Account.AccountId, Region, "stuck", backupRetentionPeriod: 7);
        Server.TransitionDelay = TimeSpan.FromHours(1);

        var result = await Engine(TimeSpan.FromMilliseconds(50)).RunAsync(Finding(Job, "stuck"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(RdsActions.DBInstanceNotAvailableErrorCode, result.ErrorCode);
        Assert.Equal("modifying", (await InstanceAsync("stuck")).DBInstanceStatus);
    }

    [Fact]
    public async Task Run_StoppedInstance_FailedAtOnceWithoutWaitingOrModifying()
    {
        Server.AddDBInstance(Account.AccountId, Region, "parked", backupRetentionPeriod: 7, status: "stopped");

        // A wait of a minute would time the test out: a stopped instance is not waited for.
        var result = await Engine(TimeSpan.FromHours(1)).RunAsync(Finding(Job, "parked"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(RdsActions.DBInstanceNotAvailableErrorCode, result.ErrorCode);
        Assert.Contains("stopped", result.Reason, StringComparison.Ordinal);
        Assert.Equal(1, Calls("rds:DescribeDBInstances"));
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
    }

    [Fact]
    public async Task Run_ClusterStopped_FailedDBClusterNotAvailableUnchanged()
    {
        Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 7, status: "stopped");
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");

        var result = await Engine(TimeSpan.FromHours(1)).RunAsync(Finding(Job, "aurora-1"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(RdsActions.DBClusterNotAvailableErrorCode, result.ErrorCode);
        Assert.Equal(0, Calls("rds:ModifyDBCluster"));
        Assert.Equal(7, (await ClusterAsync("aurora")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Undo_Standalone_SetsThePreviousRetentionBack()
    {
        Server.AddDBInstance(Account.AccountId, Region, "undone", backupRetentionPeriod: 7);
        var result = await Engine().RunAsync(Finding(Job, "undone"), new RemediationOptions());

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal("BackupRetentionPeriod 7", Assert.Single(undo.Actions).After);
        Assert.Equal(7, (await InstanceAsync("undone")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Undo_Cluster_SetsTheClustersPreviousRetentionBack()
    {
        Server.AddDBCluster(Account.AccountId, Region, "aurora", backupRetentionPeriod: 7);
        Server.AddDBInstance(Account.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");
        var result = await Engine().RunAsync(Finding(Job, "aurora-1"), new RemediationOptions());

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal(7, (await ClusterAsync("aurora")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Undo_AfterSomeoneChangedTheRetention_FailedAndLeftAlone()
    {
        Server.AddDBInstance(Account.AccountId, Region, "changed", backupRetentionPeriod: 7);
        var result = await Engine().RunAsync(Finding(Job, "changed"), new RemediationOptions());
        await (await RdsAsync()).ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "changed", BackupRetentionPeriod = 33, ApplyImmediately = true });

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, undo.Status);
        Assert.Equal(RdsActions.UndoWouldOverwriteNewerChangeErrorCode, undo.ErrorCode);
        Assert.Equal(33, (await InstanceAsync("changed")).BackupRetentionPeriod);
    }

    [Fact]
    public async Task Undo_BackToZeroWithoutAllowDisruptive_SkippedAndBackupsStayOn()
    {
        Server.AddDBInstance(Account.AccountId, Region, "enabled", backupRetentionPeriod: 0);
        var result = await Engine().RunAsync(Finding(Job, "enabled"), new RemediationOptions { AllowDisruptive = true });

        var skipped = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());
        Assert.Equal(RemediationStatus.Skipped, skipped.Status);
        Assert.Equal(30, (await InstanceAsync("enabled")).BackupRetentionPeriod);

        var undone = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions { AllowDisruptive = true });
        Assert.True(undone.Status == RemediationStatus.Remediated, undone.ErrorCode + " " + undone.Reason);
        Assert.Equal(0, (await InstanceAsync("enabled")).BackupRetentionPeriod);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(36)]
    public void Options_RetentionDaysOutsideRdsRange_ThrowsNamingTheValue(int days)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new RemediationOptions { BackupRetentionDays = days });

        Assert.Equal("RetentionDays", ex.ParamName);
        Assert.Contains("-RetentionDays " + days.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}
