using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Rds;

namespace RemediationTools.Core.Tests.Jobs.Rds;

/// <summary>aws-rds-snapshot-remove-publicaccess against the sandbox: DB and cluster snapshots, account shares, tags, undo.</summary>
public sealed class RdsSnapshotRemovePublicAccessSandboxTests : RdsJobSandbox
{
    private const string Job = RdsSnapshotRemovePublicAccessJob.JobId;
    private const string OtherAccount = "111122223333";

    [Fact]
    public async Task Run_SharedWithAllAndAnAccount_RemovesOnlyAllAndIsCompliantTheSecondTime()
    {
        var arn = Server.AddDBSnapshot(Account.AccountId, Region, "nightly", "orders", restore: new[] { "all", OtherAccount });

        var result = await Engine().RunAsync(Finding(Job, "nightly"), new RemediationOptions());
        var second = await Engine().RunAsync(Finding(Job, "nightly"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        var action = Assert.Single(result.Actions);
        Assert.Equal(("rds:ModifyDBSnapshotAttribute", arn, "restore all, " + OtherAccount, "restore " + OtherAccount), (action.Operation, action.Target, action.Before, action.After));
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Contains(OtherAccount, Assert.Single(second.Notes), StringComparison.Ordinal);
        Assert.Equal(1, Calls("rds:ModifyDBSnapshotAttribute"));
        Assert.Equal(new[] { OtherAccount }, await RestoreAsync("nightly", cluster: false));
    }

    [Fact]
    public async Task Run_SharedWithOneAccountOnly_CompliantAndTheShareStays()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "shared", "orders", restore: new[] { OtherAccount });

        var result = await Engine().RunAsync(Finding(Job, "shared"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, Calls("rds:ModifyDBSnapshotAttribute"));
        Assert.Equal(new[] { OtherAccount }, await RestoreAsync("shared", cluster: false));
    }

    [Fact]
    public async Task Run_ClusterSnapshotByIdentifier_FoundAfterTheDBSnapshotLookupAndMadePrivate()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "aurora-snap", "aurora", cluster: true, restore: new[] { "all" });

        var result = await Engine().RunAsync(Finding(Job, "aurora-snap"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(("rds:ModifyDBClusterSnapshotAttribute", "restore (not shared)"), (Assert.Single(result.Actions).Operation, result.Actions[0].After));
        Assert.Equal(2, Calls("rds:ListTagsForResource"));
        Assert.Equal(0, Calls("rds:DescribeDBSnapshotAttributes"));
        Assert.Empty(await RestoreAsync("aurora-snap", cluster: true));
    }

    [Fact]
    public async Task Run_ClusterSnapshotByArn_OneTagLookup()
    {
        var arn = Server.AddDBSnapshot(Account.AccountId, Region, "aurora-snap", "aurora", cluster: true, restore: new[] { "all", OtherAccount });

        var result = await Engine().RunAsync(Finding(Job, arn), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(1, Calls("rds:ListTagsForResource"));
        Assert.Equal(new[] { OtherAccount }, await RestoreAsync("aurora-snap", cluster: true));
    }

    [Fact]
    public async Task Run_ClusterSnapshotByResourceType_OneTagLookup()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "aurora-snap", "aurora", cluster: true, restore: new[] { "all" });

        var result = await Engine().RunAsync(Finding(Job, "aurora-snap", resourceType: "AwsRdsDbClusterSnapshot"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.ErrorCode + " " + result.Reason);
        Assert.Equal(1, Calls("rds:ListTagsForResource"));
    }

    [Fact]
    public async Task Run_SkipTagOnTheSnapshot_SkippedUnchanged()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "exempt", "orders", restore: new[] { "all" }, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await Engine().RunAsync(Finding(Job, "exempt"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, Calls("rds:DescribeDBSnapshotAttributes"));
        Assert.Equal(new[] { "all" }, await RestoreAsync("exempt", cluster: false));
    }

    [Fact]
    public async Task Run_NoSuchSnapshot_FailedDBSnapshotNotFoundNamingIt()
    {
        var result = await Engine().RunAsync(Finding(Job, "missing"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("DBSnapshotNotFound", result.ErrorCode);
        Assert.Contains("missing", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ObjectIdNotASnapshot_FailedNamingIt()
    {
        var result = await Engine().RunAsync(Finding(Job, "no such snapshot"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("'no such snapshot'", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Calls("rds:ListTagsForResource"));
    }

    [Fact]
    public async Task Undo_AddsAllBackAndKeepsTheAccountShares()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "nightly", "orders", restore: new[] { "all", OtherAccount });
        var result = await Engine().RunAsync(Finding(Job, "nightly"), new RemediationOptions());

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal(new[] { OtherAccount, "all" }, await RestoreAsync("nightly", cluster: false));
    }

    [Fact]
    public async Task Undo_ClusterSnapshot_AddsAllBack()
    {
        Server.AddDBSnapshot(Account.AccountId, Region, "aurora-snap", "aurora", cluster: true, restore: new[] { "all" });
        var result = await Engine().RunAsync(Finding(Job, "aurora-snap"), new RemediationOptions());

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.ErrorCode + " " + undo.Reason);
        Assert.Equal(new[] { "all" }, await RestoreAsync("aurora-snap", cluster: true));
    }
}
