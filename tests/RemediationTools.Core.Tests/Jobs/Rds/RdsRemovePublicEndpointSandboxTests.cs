using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Rds;

namespace RemediationTools.Core.Tests.Jobs.Rds;

/// <summary>rds-remove-public-endpoint and rds-enable-version-update against the sandbox.</summary>
public sealed class RdsRemovePublicEndpointSandboxTests : RdsJobSandbox
{
    private const string Job = RdsRemovePublicEndpointJob.JobId;

    [Fact]
    public async Task Run_PublicInstance_TurnsItOffAppliedImmediatelyAndIsCompliantTheSecondTime()
    {
        var arn = Server.AddDBInstance(Account.AccountId, Region, "orders", publiclyAccessible: true, autoMinorVersionUpgrade: false, backupRetentionPeriod: 3);

        var result = await Engine().RunAsync(Finding(Job, "orders"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("rds:ModifyDBInstance", arn, "PubliclyAccessible true", "PubliclyAccessible false"), (action.Operation, action.Target, action.Before, action.After));
        Assert.Contains("no outage", action.Description, StringComparison.Ordinal);
        Assert.Equal(1, Calls("rds:ModifyDBInstance"));
        var second = await Engine().RunAsync(Finding(Job, "orders"), new RemediationOptions());
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, Calls("rds:ModifyDBInstance"));

        // Nothing else changed.
        var instance = await InstanceAsync("orders");
        Assert.Equal((false, false, 3, "available"), (instance.PubliclyAccessible, instance.AutoMinorVersionUpgrade, instance.BackupRetentionPeriod, instance.DBInstanceStatus));
    }

    [Fact]
    public async Task Run_ByArn_Remediated()
    {
        var arn = Server.AddDBInstance(Account.AccountId, Region, "by-arn", publiclyAccessible: true);

        var result = await Engine().RunAsync(Finding(Job, arn), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.False((await InstanceAsync("by-arn")).PubliclyAccessible);
    }

    [Fact]
    public async Task Run_ArnOfAnotherAccount_FailedAccountMismatchWithoutCalls()
    {
        var result = await Engine().RunAsync(Finding(Job, "arn:aws:rds:" + Region + ":999999999999:db:theirs"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccountMismatch", result.ErrorCode);
        Assert.Equal(0, Calls("rds:DescribeDBInstances"));
    }

    [Fact]
    public async Task Run_NotPublic_CompliantWithoutModify()
    {
        Server.AddDBInstance(Account.AccountId, Region, "private");

        var result = await Engine().RunAsync(Finding(Job, "private"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
    }

    [Fact]
    public async Task Run_SkipTagOnTheInstance_SkippedUnchanged()
    {
        Server.AddDBInstance(Account.AccountId, Region, "exempt", publiclyAccessible: true, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await Engine().RunAsync(Finding(Job, "exempt"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(1, Calls("rds:DescribeDBInstances"));
        Assert.True((await InstanceAsync("exempt")).PubliclyAccessible);
    }

    [Fact]
    public async Task Run_SkipTagInTheFinding_SkippedWithoutAnyRdsCall()
    {
        Server.AddDBInstance(Account.AccountId, Region, "tagged", publiclyAccessible: true);

        var result = await Engine().RunAsync(Finding(Job, "tagged", new Dictionary<string, string> { ["remediation:skip"] = "TRUE" }), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, Calls("rds:DescribeDBInstances"));
    }

    [Fact]
    public async Task Run_UnknownInstance_FailedDBInstanceNotFound()
    {
        var result = await Engine().RunAsync(Finding(Job, "nothing-here"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("DBInstanceNotFound", result.ErrorCode);
    }

    [Theory]
    [InlineData("no_such")]
    [InlineData("1starts-with-digit")]
    [InlineData("two--hyphens")]
    public async Task Run_ObjectIdNotAnInstanceIdentifier_FailedNamingIt(string objectId)
    {
        var result = await Engine().RunAsync(Finding(Job, objectId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("'" + objectId + "'", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:DescribeDBInstances"));
    }

    [Fact]
    public async Task Run_ModifyingForAMoment_WaitsUntilAvailableThenVerifies()
    {
        Server.AddDBInstance(Account.AccountId, Region, "slow", publiclyAccessible: true);
        var clock = new SandboxManualClock(Server);
        Server.TransitionDelay = TimeSpan.FromMinutes(5);

        var run = Engine().RunAsync(Finding(Job, "slow"), new RemediationOptions());
        // The plan's read and two of the wait's, which saw modifying: the instance is available only once time moves.
        await Server.WhenCalledAsync("rds:DescribeDBInstances", 3).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(5));
        var result = await run;

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        // Then the read that saw available, then verify's.
        Assert.True(Calls("rds:DescribeDBInstances") >= 5, "DescribeDBInstances was called " + Calls("rds:DescribeDBInstances") + " times.");
        Assert.False((await InstanceAsync("slow")).PubliclyAccessible);
    }

    [Fact]
    public async Task Run_StaysModifyingPastTheWait_FailedDBInstanceNotAvailable()
    {
        Server.AddDBInstance(Account.AccountId, Region, "stuck", publiclyAccessible: true);
        Server.TransitionDelay = TimeSpan.FromHours(1);

        var result = await Engine(TimeSpan.FromMilliseconds(50)).RunAsync(Finding(Job, "stuck"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(RdsActions.DBInstanceNotAvailableErrorCode, result.ErrorCode);
        Assert.Contains("modifying", result.Reason, StringComparison.Ordinal);
        Assert.Equal("modifying", (await InstanceAsync("stuck")).DBInstanceStatus);
    }

    [Fact]
    public async Task Run_ModifyingFromAnotherChangeWhenPlanned_WaitsAndPlansFromTheSettledState()
    {
        Server.AddDBInstance(Account.AccountId, Region, "busy", publiclyAccessible: true);
        Server.TransitionDelay = TimeSpan.FromMilliseconds(100);
        await (await RdsAsync()).ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "busy", PubliclyAccessible = false, ApplyImmediately = true });
        Server.ResetCallCounts();

        var result = await Engine().RunAsync(Finding(Job, "busy"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
    }

    [Fact]
    public async Task Run_PendingModificationOfAnotherSetting_SkippedSinceApplyImmediatelyWouldApplyIt()
    {
        Server.AddDBInstance(Account.AccountId, Region, "pending", publiclyAccessible: true, backupRetentionPeriod: 0);
        await (await RdsAsync()).ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "pending", BackupRetentionPeriod = 14, ApplyImmediately = false });
        Server.ResetCallCounts();

        var result = await Engine().RunAsync(Finding(Job, "pending"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("BackupRetentionPeriod 14", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:ModifyDBInstance"));
        var instance = await InstanceAsync("pending");
        Assert.Equal((true, 0, (int?)14), (instance.PubliclyAccessible, instance.BackupRetentionPeriod, instance.PendingModifiedValues?.BackupRetentionPeriod));
    }

    [Fact]
    public async Task Undo_TurnsThePublicEndpointBackOn()
    {
        Server.AddDBInstance(Account.AccountId, Region, "undone", publiclyAccessible: true);
        var result = await Engine().RunAsync(Finding(Job, "undone"), new RemediationOptions());
        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal("PubliclyAccessible true", Assert.Single(undo.Actions).After);
        Assert.True((await InstanceAsync("undone")).PubliclyAccessible);
    }

    [Fact]
    public async Task VersionUpdate_Off_TurnsItOnAndIsCompliantTheSecondTime()
    {
        Server.AddDBInstance(Account.AccountId, Region, "legacy", autoMinorVersionUpgrade: false, publiclyAccessible: true);

        var result = await Engine().RunAsync(Finding(RdsEnableVersionUpdateJob.JobId, "legacy"), new RemediationOptions());
        var second = await Engine().RunAsync(Finding(RdsEnableVersionUpdateJob.JobId, "legacy"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("AutoMinorVersionUpgrade false", "AutoMinorVersionUpgrade true"), (action.Before, action.After));
        Assert.Contains("no outage", action.Description, StringComparison.Ordinal);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, Calls("rds:ModifyDBInstance"));
        var instance = await InstanceAsync("legacy");
        Assert.Equal((true, true), (instance.AutoMinorVersionUpgrade, instance.PubliclyAccessible));
    }

    [Fact]
    public async Task VersionUpdate_Undo_TurnsItOffAgain()
    {
        Server.AddDBInstance(Account.AccountId, Region, "legacy", autoMinorVersionUpgrade: false);
        var result = await Engine().RunAsync(Finding(RdsEnableVersionUpdateJob.JobId, "legacy"), new RemediationOptions());

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.False((await InstanceAsync("legacy")).AutoMinorVersionUpgrade);
    }
}
