using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

/// <summary>Seeding of EBS volumes and snapshots, and the duration of EC2's asynchronous transitions.</summary>
public sealed partial class SandboxServer
{
    /// <summary>
    /// How long stops, starts, attaches, detaches, snapshots and volume creations take before they settle
    /// (the resource shows the intermediate state until then); zero settles them at once.
    /// </summary>
    public TimeSpan TransitionDelay
    {
        get { lock (_state.Gate) { return _state.TransitionDelay; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            lock (_state.Gate) { _state.TransitionDelay = value; }
        }
    }

    /// <summary>
    /// Seeds an available EBS volume, attached to <paramref name="instanceId"/> at <paramref name="device"/> when given.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="volume">Size, type, performance, encryption and tags of the volume.</param>
    /// <param name="instanceId">An instance of the account to attach to, or null.</param>
    /// <param name="device">The device name, e.g. /dev/sdf (the instance's root device is /dev/xvda).</param>
    /// <param name="deleteOnTermination">The attachment's DeleteOnTermination flag.</param>
    /// <returns>The vol-… id.</returns>
    public string AddVolume(string accountId, string region, SandboxVolumeSpec volume, string? instanceId = null, string device = "/dev/sdf", bool deleteOnTermination = false)
    {
        ArgumentNullException.ThrowIfNull(volume);
        lock (_state.Gate)
        {
            var state = _state.Ec2(accountId, region);
            var now = _state.Now;
            Instance? instance = null;
            if (instanceId is not null)
            {
                instance = state.Instances.Find(i => i.InstanceId == instanceId) ?? throw new ArgumentException($"Instance '{instanceId}' does not exist in {accountId}/{region}.", nameof(instanceId));
                if (state.Volumes.Exists(v => v.CurrentAttachment(now) is { } a && a.InstanceId == instanceId && a.Device == device))
                {
                    throw new ArgumentException($"Device {device} of {instanceId} is in use.", nameof(device));
                }
            }

            var created = new Volume
            {
                VolumeId = IdGenerator.Ec2("vol"),
                SizeGiB = volume.SizeGiB,
                VolumeType = volume.VolumeType,
                Iops = volume.Iops ?? (volume.VolumeType == "gp3" ? 3000 : null),
                Throughput = volume.Throughput ?? (volume.VolumeType == "gp3" ? 125 : null),
                Encrypted = volume.Encrypted,
                KmsKeyId = volume.Encrypted ? state.DefaultEbsKeyArn : null,
                AvailabilityZone = instance?.AvailabilityZone ?? region + "a",
                CreateTime = now,
                Creation = StateTransition.Settled("available"),
            };
            foreach (var tag in volume.Tags)
            {
                created.Tags.Add(tag);
            }

            if (instance is not null)
            {
                created.Attachment = new VolumeAttachment
                {
                    InstanceId = instance.InstanceId,
                    Device = device,
                    AttachTime = now,
                    State = StateTransition.Settled("attached"),
                    DeleteOnTermination = deleteOnTermination,
                };
            }

            state.Volumes.Add(created);
            return created.VolumeId;
        }
    }

    /// <summary>Seeds a completed snapshot of <paramref name="volumeId"/>, public and/or shared with accounts.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="volumeId">A volume of the account.</param>
    /// <param name="isPublic">True to give the group <c>all</c> createVolumePermission.</param>
    /// <param name="sharedWithAccountIds">Accounts given createVolumePermission.</param>
    /// <param name="tags">Snapshot tags.</param>
    /// <returns>The snap-… id.</returns>
    public string AddSnapshot(string accountId, string region, string volumeId, bool isPublic = false, IReadOnlyList<string>? sharedWithAccountIds = null, IDictionary<string, string>? tags = null)
    {
        lock (_state.Gate)
        {
            var state = _state.Ec2(accountId, region);
            var volume = state.FindVolume(volumeId) ?? throw new ArgumentException($"Volume '{volumeId}' does not exist in {accountId}/{region}.", nameof(volumeId));
            var snapshot = new Snapshot
            {
                SnapshotId = IdGenerator.Ec2("snap"),
                VolumeId = volume.VolumeId,
                VolumeSizeGiB = volume.SizeGiB,
                Encrypted = volume.Encrypted,
                KmsKeyId = volume.KmsKeyId,
                OwnerId = accountId,
                StartTime = _state.Now,
                Progress = StateTransition.Settled("completed"),
                Public = isPublic,
            };
            snapshot.SharedWithUserIds.AddRange(sharedWithAccountIds ?? []);
            foreach (var tag in tags ?? new Dictionary<string, string>())
            {
                snapshot.Tags.Add(tag);
            }

            state.Snapshots.Add(snapshot);
            return snapshot.SnapshotId;
        }
    }
}

/// <summary>What <see cref="SandboxServer.AddVolume"/> creates.</summary>
/// <param name="SizeGiB">Size in GiB.</param>
/// <param name="VolumeType">gp2, gp3, io1, io2, st1, sc1 or standard.</param>
/// <param name="Iops">Provisioned IOPS (gp3, io1, io2).</param>
/// <param name="Throughput">Throughput in MiB/s (gp3).</param>
/// <param name="Encrypted">True for an encrypted volume (with the default EBS key).</param>
public sealed record SandboxVolumeSpec(int SizeGiB = 8, string VolumeType = "gp3", int? Iops = null, int? Throughput = null, bool Encrypted = false)
{
    /// <summary>Volume tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
