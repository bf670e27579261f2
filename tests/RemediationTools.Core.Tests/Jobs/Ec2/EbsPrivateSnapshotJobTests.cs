using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Jobs.Ec2;

/// <summary>ebs-private-snapshot against the sandbox; assertions read createVolumePermission back with the root client.</summary>
public sealed class EbsPrivateSnapshotJobTests : IDisposable
{
    private const string JobId = "ebs-private-snapshot";
    private const string Modify = "ec2:ModifySnapshotAttribute";
    private readonly Ec2JobSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private string Snapshot(bool isPublic, string[]? accounts = null, IDictionary<string, string>? tags = null)
    {
        var volumeId = sandbox.Server.AddVolume(sandbox.Account.AccountId, Ec2JobSandbox.Region, new SandboxVolumeSpec());
        return sandbox.Server.AddSnapshot(sandbox.Account.AccountId, Ec2JobSandbox.Region, volumeId, isPublic, accounts, tags);
    }

    private async Task<string[]> PermissionsAsync(string snapshotId)
    {
        var response = await sandbox.Ec2.DescribeSnapshotAttributeAsync(new DescribeSnapshotAttributeRequest { SnapshotId = snapshotId, Attribute = SnapshotAttributeName.CreateVolumePermission });
        return (response.CreateVolumePermissions ?? new List<CreateVolumePermission>()).Select(p => p.Group?.Value ?? p.UserId).OrderBy(x => x, StringComparer.Ordinal).ToArray();
    }

    [Fact]
    public async Task Run_PublicWithAccountShares_RemovesAllKeepsAccounts()
    {
        var snapshotId = Snapshot(isPublic: true, new[] { "111122223333", "444455556666" });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "111122223333", "444455556666" }, await PermissionsAsync(snapshotId));
        Assert.Equal(Modify, Assert.Single(result.Actions).Operation);
        Assert.Contains(result.Notes, n => n.Contains("111122223333", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_AccountSharesOnly_AlreadyCompliantAndUnchanged()
    {
        var snapshotId = Snapshot(isPublic: false, new[] { "111122223333" });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, sandbox.Calls(Modify));
        Assert.Equal(new[] { "111122223333" }, await PermissionsAsync(snapshotId));
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliant()
    {
        var snapshotId = Snapshot(isPublic: true);
        var engine = sandbox.Engine();

        var first = await engine.RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());
        var second = await engine.RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, first.Status);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, sandbox.Calls(Modify));
    }

    [Fact]
    public async Task Undo_AfterRun_MakesSnapshotPublicAgain()
    {
        var snapshotId = Snapshot(isPublic: true, new[] { "111122223333" });
        var engine = sandbox.Engine();
        var result = await engine.RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());
        var again = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(new[] { "111122223333", "all" }, await PermissionsAsync(snapshotId));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Fact]
    public async Task Run_DryRun_PlansAndChangesNothing()
    {
        var snapshotId = Snapshot(isPublic: true);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(0, sandbox.Calls(Modify));
        Assert.Equal(new[] { "all" }, await PermissionsAsync(snapshotId));
    }

    [Fact]
    public async Task Run_SkipTagOnSnapshot_Skipped()
    {
        var snapshotId = Snapshot(isPublic: true, tags: new Dictionary<string, string> { ["remediation:skip"] = "True" });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(new[] { "all" }, await PermissionsAsync(snapshotId));
    }

    [Fact]
    public async Task Run_ModifyDenied_FailedNamingTheAction()
    {
        var snapshotId = Snapshot(isPublic: true);

        var result = await sandbox.EngineDenying(Modify).RunAsync(sandbox.Finding(JobId, snapshotId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { Modify }, result.MissingIamActions);
        Assert.Equal(new[] { "all" }, await PermissionsAsync(snapshotId));
    }

    [Fact]
    public async Task Run_UnknownSnapshot_FailedWithAwsCode()
    {
        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, "snap-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidSnapshot.NotFound", result.ErrorCode);
    }

    [Fact]
    public async Task Run_NotASnapshotId_FailedNamingTheValue()
    {
        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, "vol-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("vol-0123456789abcdef0", result.Reason, StringComparison.Ordinal);
    }
}
