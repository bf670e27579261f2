namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// A state that moves from <see cref="From"/> to <see cref="To"/> at <see cref="At"/> (sandbox clock), as EC2's
/// asynchronous transitions do (pending, stopping, attaching, ...). With no delay it is settled at once.
/// </summary>
internal sealed record StateTransition(string From, string To, DateTimeOffset At)
{
    public static StateTransition Settled(string state) => new(state, state, DateTimeOffset.MinValue);

    public string Current(DateTimeOffset now) => now >= At ? To : From;

    public bool IsSettled(DateTimeOffset now) => now >= At;
}

/// <summary>An EBS volume; its attachment (at most one: no multi-attach) and its state over time.</summary>
internal sealed class Volume
{
    public required string VolumeId { get; init; }

    public required int SizeGiB { get; init; }

    public required string VolumeType { get; init; }

    public int? Iops { get; init; }

    public int? Throughput { get; init; }

    public required bool Encrypted { get; init; }

    public string? KmsKeyId { get; init; }

    public string? SnapshotId { get; init; }

    public required string AvailabilityZone { get; init; }

    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>creating → available; in-use is derived from the attachment.</summary>
    public required StateTransition Creation { get; set; }

    /// <summary>The attachment, including one that is detaching; see <see cref="CurrentAttachment"/>.</summary>
    public VolumeAttachment? Attachment { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = [];

    /// <summary>The attachment unless its detach has completed.</summary>
    public VolumeAttachment? CurrentAttachment(DateTimeOffset now) =>
        Attachment is { } attachment && attachment.State.Current(now) != "detached" ? attachment : null;

    /// <summary>EC2's volume status: creating, available or in-use.</summary>
    public string Status(DateTimeOffset now) => CurrentAttachment(now) is not null ? "in-use" : Creation.Current(now);
}

/// <summary>A volume's attachment to an instance at a device.</summary>
internal sealed class VolumeAttachment
{
    public required string InstanceId { get; init; }

    public required string Device { get; init; }

    public required DateTimeOffset AttachTime { get; init; }

    /// <summary>attaching → attached, then detaching → detached.</summary>
    public required StateTransition State { get; set; }

    public bool DeleteOnTermination { get; set; }
}

/// <summary>An EBS snapshot with its createVolumePermission list.</summary>
internal sealed class Snapshot
{
    public required string SnapshotId { get; init; }

    public required string VolumeId { get; init; }

    public required int VolumeSizeGiB { get; init; }

    public required bool Encrypted { get; init; }

    public string? KmsKeyId { get; init; }

    public required string OwnerId { get; init; }

    public string? Description { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    /// <summary>pending → completed.</summary>
    public required StateTransition Progress { get; init; }

    /// <summary>True when the group <c>all</c> may create volumes (the snapshot is public).</summary>
    public bool Public { get; set; }

    /// <summary>Account IDs that may create volumes from the snapshot.</summary>
    public List<string> SharedWithUserIds { get; } = [];

    public List<KeyValuePair<string, string>> Tags { get; } = [];
}

/// <summary>An instance's run state over time (running, stopping → stopped, pending → running).</summary>
internal sealed partial class Instance
{
    public StateTransition RunState { get; set; } = StateTransition.Settled("running");

    public string RootDeviceName { get; init; } = "/dev/xvda";
}

/// <summary>EBS volumes and snapshots of one account in one region.</summary>
internal sealed partial class Ec2RegionState
{
    public List<Volume> Volumes { get; } = [];

    public List<Snapshot> Snapshots { get; } = [];

    /// <summary>The account's AWS managed EBS key (alias/aws/ebs) in the region, used when no key is given.</summary>
    public string DefaultEbsKeyArn => $"arn:aws:kms:{Region}:{AccountId}:key/{DefaultEbsKeyId}";

    public string DefaultEbsKeyId { get; } = Guid.NewGuid().ToString();

    public Volume? FindVolume(string volumeId) => Volumes.Find(v => v.VolumeId == volumeId);

    public Snapshot? FindSnapshot(string snapshotId) => Snapshots.Find(s => s.SnapshotId == snapshotId);
}
