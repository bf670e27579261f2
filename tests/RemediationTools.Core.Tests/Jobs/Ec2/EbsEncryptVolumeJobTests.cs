using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Tests.Jobs.Ec2;

/// <summary>ebs-encrypt-volume against the sandbox: the swap, instance state, copied attributes, undo and failures.</summary>
public sealed class EbsEncryptVolumeJobTests : IDisposable
{
    private const string JobId = "ebs-encrypt-volume";
    private readonly Ec2JobSandbox sandbox = new();
    private readonly RemediationOptions allow = new() { AllowDisruptive = true };

    public void Dispose() => sandbox.Dispose();

    private string Instance() => sandbox.Server.AddInstance(
        sandbox.Account.AccountId,
        Ec2JobSandbox.Region,
        new[] { new[] { sandbox.Server.GetDefaultSecurityGroupId(sandbox.Account.AccountId, Ec2JobSandbox.Region) } });

    private string Volume(string? instanceId, bool encrypted = false, bool deleteOnTermination = true, IReadOnlyDictionary<string, string>? tags = null) =>
        sandbox.Server.AddVolume(
            sandbox.Account.AccountId,
            Ec2JobSandbox.Region,
            new SandboxVolumeSpec(SizeGiB: 50, VolumeType: "gp3", Iops: 4000, Throughput: 250, Encrypted: encrypted) { Tags = tags ?? new Dictionary<string, string> { ["app"] = "db" } },
            instanceId,
            "/dev/sdf",
            deleteOnTermination);

    private async Task<Volume> ReadVolumeAsync(string volumeId) =>
        (await sandbox.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = new List<string> { volumeId } })).Volumes[0];

    private async Task<string> StateAsync(string instanceId) =>
        (await sandbox.Ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = new List<string> { instanceId } })).Reservations[0].Instances[0].State.Name.Value;

    private async Task<Volume?> AttachedAtAsync(string instanceId)
    {
        var response = await sandbox.Ec2.DescribeVolumesAsync(new DescribeVolumesRequest
        {
            Filters = new List<Filter> { new() { Name = "attachment.instance-id", Values = new List<string> { instanceId } } },
        });
        return response.Volumes?.SingleOrDefault();
    }

    [Fact]
    public async Task Run_RunningInstance_StoppedSwappedStartedAttributesCopied()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        var replacement = (await AttachedAtAsync(instanceId))!;
        Assert.NotEqual(volumeId, replacement.VolumeId);
        Assert.True(replacement.Encrypted);
        Assert.Equal(50, replacement.Size);
        Assert.Equal("gp3", replacement.VolumeType.Value);
        Assert.Equal(4000, replacement.Iops);
        Assert.Equal(250, replacement.Throughput);
        Assert.Equal("/dev/sdf", replacement.Attachments[0].Device);
        Assert.True(replacement.Attachments[0].DeleteOnTermination);
        Assert.Equal(new[] { "app=db" }, replacement.Tags.Select(t => t.Key + "=" + t.Value));
        var original = await ReadVolumeAsync(volumeId);
        Assert.Equal("available", original.State.Value);
        Assert.Contains(original.Tags, t => t.Key == EbsEncryptVolumeJob.ReplacedByTag && t.Value == replacement.VolumeId);
        Assert.Equal("running", await StateAsync(instanceId));
        Assert.Equal(1, sandbox.Calls("ec2:StopInstances"));
        Assert.Equal(1, sandbox.Calls("ec2:StartInstances"));
        Assert.Empty((await sandbox.Ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest())).Snapshots ?? new List<Snapshot>());
        Assert.Contains(replacement.VolumeId, System.Text.Json.JsonSerializer.Serialize(result.UndoRecord), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StoppedInstance_LeftStopped()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId, deleteOnTermination: false);
        await sandbox.Ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = new List<string> { instanceId } });
        sandbox.Server.ResetCallCounts();

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal("stopped", await StateAsync(instanceId));
        Assert.Equal(0, sandbox.Calls("ec2:StopInstances") + sandbox.Calls("ec2:StartInstances"));
        var replacement = (await AttachedAtAsync(instanceId))!;
        Assert.True(replacement.Encrypted);
        Assert.False(replacement.Attachments[0].DeleteOnTermination);
        Assert.Equal(0, sandbox.Calls("ec2:ModifyInstanceAttribute"));
    }

    [Fact]
    public async Task Run_UnattachedVolume_EncryptedCopyCreatedOriginalKept()
    {
        var volumeId = Volume(null);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var original = await ReadVolumeAsync(volumeId);
        var newId = original.Tags.Single(t => t.Key == EbsEncryptVolumeJob.ReplacedByTag).Value;
        var copy = await ReadVolumeAsync(newId);
        Assert.True(copy.Encrypted);
        Assert.Equal("available", copy.State.Value);
        Assert.Equal(0, sandbox.Calls("ec2:AttachVolume") + sandbox.Calls("ec2:DetachVolume"));
    }

    [Fact]
    public async Task Run_EncryptedVolume_AlreadyCompliant()
    {
        var volumeId = Volume(Instance(), encrypted: true);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, sandbox.Calls("ec2:CreateSnapshot"));
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliant()
    {
        var volumeId = Volume(Instance());
        var engine = sandbox.Engine();

        var first = await engine.RunAsync(sandbox.Finding(JobId, volumeId), allow);
        var second = await engine.RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Remediated, first.Status);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, sandbox.Calls("ec2:CreateVolume"));
    }

    [Fact]
    public async Task Run_WithoutAllowDisruptive_SkippedAndNothingCalled()
    {
        var volumeId = Volume(Instance());

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("AllowDisruptive", result.Reason, StringComparison.Ordinal);
        Assert.Empty(sandbox.Server.CallCounts);
    }

    [Fact]
    public async Task Undo_AfterRun_SwapsOriginalBack()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId);
        var engine = sandbox.Engine();
        var result = await engine.RunAsync(sandbox.Finding(JobId, volumeId), allow);

        var undo = await engine.UndoAsync(result.UndoRecord!, allow);
        var again = await engine.UndoAsync(result.UndoRecord!, allow);

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        var attached = (await AttachedAtAsync(instanceId))!;
        Assert.Equal(volumeId, attached.VolumeId);
        Assert.Equal("/dev/sdf", attached.Attachments[0].Device);
        Assert.True(attached.Attachments[0].DeleteOnTermination);
        Assert.DoesNotContain(attached.Tags, t => t.Key == EbsEncryptVolumeJob.ReplacedByTag);
        Assert.Equal("running", await StateAsync(instanceId));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Fact]
    public async Task Run_DryRun_PlansAndChangesNothing()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), new RemediationOptions { AllowDisruptive = true, DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Contains(result.Actions, a => a.Operation == "ec2:StopInstances");
        Assert.Equal(volumeId, (await AttachedAtAsync(instanceId))!.VolumeId);
        Assert.Equal(0, sandbox.Calls("ec2:StopInstances") + sandbox.Calls("ec2:CreateSnapshot"));
    }

    [Fact]
    public async Task Run_SkipTagOnFinding_Skipped()
    {
        var volumeId = Volume(Instance());

        var result = await sandbox.Engine().RunAsync(
            sandbox.Finding(JobId, volumeId, new Dictionary<string, string> { ["remediation:skip"] = "true" }), allow);

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Empty(sandbox.Server.CallCounts);
    }

    [Fact]
    public async Task Run_SkipTagOnVolume_Skipped()
    {
        var volumeId = Volume(Instance(), tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, sandbox.Calls("ec2:CreateSnapshot"));
    }

    [Fact]
    public async Task Run_StopDenied_FailedNamingTheActionVolumeUntouched()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId);

        var result = await sandbox.EngineDenying("ec2:StopInstances").RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { "ec2:StopInstances" }, result.MissingIamActions);
        Assert.Equal(volumeId, (await AttachedAtAsync(instanceId))!.VolumeId);
        Assert.Equal("running", await StateAsync(instanceId));
    }

    [Fact]
    public async Task Run_AttachDenied_OriginalReattachedAndInstanceRunning()
    {
        var instanceId = Instance();
        var volumeId = Volume(instanceId);

        var result = await sandbox.EngineDenying("ec2:AttachVolume").RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(new[] { "ec2:AttachVolume" }, result.MissingIamActions);
        Assert.Equal("running", await StateAsync(instanceId));
    }

    [Fact]
    public async Task Run_DelayedTransitions_WaitsForEachStateByPolling()
    {
        sandbox.Server.TransitionDelay = TimeSpan.FromMilliseconds(150);
        var catalog = new JobCatalog(new IRemediationJob[] { new EbsEncryptVolumeJob(new Ec2StateWaiter(TimeSpan.FromMilliseconds(20), TimeSpan.FromSeconds(20))) });
        var instanceId = Instance();
        var volumeId = Volume(instanceId);

        var result = await sandbox.Engine(catalog).RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.True(sandbox.Calls("ec2:DescribeInstances") > 2, "the stop and the start were waited for");
        Assert.True((await AttachedAtAsync(instanceId))!.Encrypted);
    }

    [Fact]
    public async Task Run_TransitionSlowerThanTimeout_FailedAndInstanceRestarted()
    {
        sandbox.Server.TransitionDelay = TimeSpan.FromSeconds(30);
        var catalog = new JobCatalog(new IRemediationJob[] { new EbsEncryptVolumeJob(new Ec2StateWaiter(TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200))) });
        var volumeId = Volume(null);

        var result = await sandbox.Engine(catalog).RunAsync(sandbox.Finding(JobId, volumeId), allow);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(nameof(Ec2WaitTimeoutException), result.ErrorCode);
        Assert.Contains("completed", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_Cancelled_StopsPolling()
    {
        var waiter = new Ec2StateWaiter(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var reads = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync("x", "done", () => { reads++; return Task.FromResult<string?>("pending"); }, cts.Token));

        Assert.Equal(1, reads);
    }
}
