using System.Xml.Linq;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// EBS volumes and instance state: DescribeVolumes, CreateVolume, AttachVolume, DetachVolume,
/// ModifyInstanceAttribute (block device DeleteOnTermination), StopInstances, StartInstances.
/// </summary>
internal sealed partial class Ec2Service
{
    private static readonly string[] VolumeTypes = ["standard", "gp2", "gp3", "io1", "io2", "st1", "sc1"];

    private static string VolumeArn(AwsRequestContext context, string volumeId) => $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:volume/{volumeId}";

    private static string InstanceArn(AwsRequestContext context, string instanceId) => $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:instance/{instanceId}";

    private static Volume FindVolume(Ec2RegionState state, string volumeId)
    {
        if (!IsEc2Id(volumeId, "vol"))
        {
            throw new AwsServiceError(400, "InvalidVolumeID.Malformed", $"Invalid id: \"{volumeId}\" (expecting \"vol-...\")");
        }

        return state.FindVolume(volumeId) ?? throw new AwsServiceError(400, "InvalidVolume.NotFound", $"The volume '{volumeId}' does not exist.");
    }

    private static Instance FindInstance(Ec2RegionState state, string instanceId)
    {
        if (!IsEc2Id(instanceId, "i"))
        {
            throw new AwsServiceError(400, "InvalidInstanceID.Malformed", $"Invalid id: \"{instanceId}\"");
        }

        return state.Instances.Find(i => i.InstanceId == instanceId) ?? throw new AwsServiceError(400, "InvalidInstanceID.NotFound", $"The instance ID '{instanceId}' does not exist");
    }

    private static string DescribeVolumes(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        Require(context, "*");
        IEnumerable<Volume> volumes = state.Volumes;
        var ids = args.Strings("VolumeId");
        if (ids.Count > 0)
        {
            RefuseMaxResultsWithIds(args, "volumeSet");
            foreach (var id in ids)
            {
                FindVolume(state, id);
            }

            volumes = volumes.Where(v => ids.Contains(v.VolumeId));
        }

        foreach (var filter in Filters(args))
        {
            volumes = filter.Name switch
            {
                "volume-id" => volumes.Where(v => filter.Matches(v.VolumeId)),
                "status" => volumes.Where(v => filter.Matches(v.Status(now))),
                "encrypted" => volumes.Where(v => filter.Matches(AwsXml.Bool(v.Encrypted))),
                "volume-type" => volumes.Where(v => filter.Matches(v.VolumeType)),
                "snapshot-id" => volumes.Where(v => filter.Matches(v.SnapshotId)),
                "availability-zone" => volumes.Where(v => filter.Matches(v.AvailabilityZone)),
                "attachment.instance-id" => volumes.Where(v => filter.Matches(v.CurrentAttachment(now)?.InstanceId)),
                "attachment.device" => volumes.Where(v => filter.Matches(v.CurrentAttachment(now)?.Device)),
                "attachment.status" => volumes.Where(v => filter.Matches(v.CurrentAttachment(now)?.State.Current(now))),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => volumes.Where(v => filter.MatchesTags(v.Tags) == true),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, volumes.ToList());
        return Ok(context, E("volumeSet", page.Select(v => Item(VolumeContent(v, now, inSet: true)))), next);
    }

    private static object?[] VolumeContent(Volume volume, DateTimeOffset now, bool inSet)
    {
        var attachment = volume.CurrentAttachment(now);
        return
        [
            E("volumeId", volume.VolumeId),
            E("size", AwsXml.Int(volume.SizeGiB)),
            E("snapshotId", volume.SnapshotId ?? string.Empty),
            E("availabilityZone", volume.AvailabilityZone),
            E("status", volume.Status(now)),
            E("createTime", AwsXml.TimestampMillis(volume.CreateTime)),
            inSet ? E("attachmentSet", attachment is null ? null : Item(AttachmentContent(volume, attachment, now))) : null,
            E("volumeType", volume.VolumeType),
            volume.Iops is { } iops ? E("iops", AwsXml.Int(iops)) : null,
            volume.Throughput is { } throughput ? E("throughput", AwsXml.Int(throughput)) : null,
            E("encrypted", AwsXml.Bool(volume.Encrypted)),
            volume.KmsKeyId is null ? null : E("kmsKeyId", volume.KmsKeyId),
            volume.Tags.Count > 0 ? TagSet(volume.Tags) : null,
            E("multiAttachEnabled", "false"),
        ];
    }

    private static object?[] AttachmentContent(Volume volume, VolumeAttachment attachment, DateTimeOffset now) =>
    [
        E("volumeId", volume.VolumeId),
        E("instanceId", attachment.InstanceId),
        E("device", attachment.Device),
        E("status", attachment.State.Current(now)),
        E("attachTime", AwsXml.TimestampMillis(attachment.AttachTime)),
        E("deleteOnTermination", AwsXml.Bool(attachment.DeleteOnTermination)),
    ];

    private static string CreateVolume(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var zone = args.Required("AvailabilityZone", "AvailabilityZone");
        var type = args.Get("VolumeType") ?? "gp2";
        var tags = TagSpecifications(args, "volume");
        Require(context, $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:volume/*");
        if (tags.Count > 0)
        {
            // Tagging on creation also needs ec2:CreateTags.
            Policies.Authorizer.Require(context, "ec2:CreateTags", $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:volume/*");
        }

        if (!zone.StartsWith(context.Region, StringComparison.Ordinal) || zone.Length != context.Region.Length + 1)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid availability zone: [{zone}]");
        }

        if (!VolumeTypes.Contains(type))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({type}) for parameter volumeType is invalid. Allowed values are [{string.Join(", ", VolumeTypes)}].");
        }

        Snapshot? snapshot = null;
        if (args.Get("SnapshotId") is { } snapshotId)
        {
            snapshot = FindSnapshotOrThrow(context, state, snapshotId);
            if (snapshot.Progress.Current(context.State.Now) != "completed")
            {
                throw new AwsServiceError(400, "IncorrectState", $"Snapshot is in invalid state - {snapshot.Progress.Current(context.State.Now)}");
            }
        }

        var size = args.GetInt("Size") ?? snapshot?.VolumeSizeGiB
            ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter size or snapshotId");
        if (snapshot is not null && size < snapshot.VolumeSizeGiB)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Volume of {size}GiB is too small; minimum is {snapshot.VolumeSizeGiB}GiB.");
        }

        if (size is < 1 or > 16384)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Volume of size {size}GiB is outside the range [1, 16384].");
        }

        var iops = args.GetInt("Iops");
        var throughput = args.GetInt("Throughput");
        if (iops is not null && type is not ("gp3" or "io1" or "io2"))
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", $"The parameter iops is not supported for {type} volumes.");
        }

        if (iops is null && type is "io1" or "io2")
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", $"The parameter iops must be specified for {type} volumes.");
        }

        if (throughput is not null && type != "gp3")
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", "The parameter throughput is only supported for gp3 volumes.");
        }

        if (type == "gp3")
        {
            iops ??= 3000;
            throughput ??= 125;
            if (iops is < 3000 or > 16000 || throughput is < 125 or > 1000)
            {
                throw new AwsServiceError(400, "InvalidParameterValue", "gp3 volumes allow 3000 to 16000 IOPS and 125 to 1000 MiB/s throughput.");
            }
        }
        else if (type == "gp2")
        {
            iops = Math.Clamp(size * 3, 100, 16000);
        }

        var encrypted = string.Equals(args.Get("Encrypted"), "true", StringComparison.OrdinalIgnoreCase) || snapshot?.Encrypted == true;
        var kmsKeyId = args.Get("KmsKeyId");
        if (kmsKeyId is not null && !encrypted)
        {
            throw new AwsServiceError(400, "InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }

        var volume = new Volume
        {
            VolumeId = IdGenerator.Ec2("vol"),
            SizeGiB = size,
            VolumeType = type,
            Iops = iops,
            Throughput = throughput,
            Encrypted = encrypted,
            KmsKeyId = encrypted ? kmsKeyId ?? snapshot?.KmsKeyId ?? state.DefaultEbsKeyArn : null,
            SnapshotId = snapshot?.SnapshotId,
            AvailabilityZone = zone,
            CreateTime = context.State.Now,
            Creation = context.State.Transition("creating", "available"),
        };
        volume.Tags.AddRange(tags);
        state.Volumes.Add(volume);
        return Ok(context, VolumeContent(volume, context.State.Now, inSet: false));
    }

    private static string AttachVolume(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        var volume = FindVolume(state, args.Required("VolumeId", "VolumeId"));
        var instance = FindInstance(state, args.Required("InstanceId", "InstanceId"));
        var device = args.Required("Device", "Device");
        Require(context, VolumeArn(context, volume.VolumeId));
        Require(context, InstanceArn(context, instance.InstanceId));
        if (volume.CurrentAttachment(now) is not null)
        {
            throw new AwsServiceError(400, "VolumeInUse", $"{volume.VolumeId} is already attached to an instance");
        }

        if (volume.Status(now) != "available")
        {
            throw new AwsServiceError(400, "IncorrectState", $"vol '{volume.VolumeId}' is not 'available'.");
        }

        if (volume.AvailabilityZone != instance.AvailabilityZone)
        {
            throw new AwsServiceError(400, "InvalidVolume.ZoneMismatch", $"The volume '{volume.VolumeId}' is not in the same availability zone as instance '{instance.InstanceId}'");
        }

        if (instance.RunState.Current(now) is not ("running" or "stopped"))
        {
            throw new AwsServiceError(400, "IncorrectInstanceState", $"The instance '{instance.InstanceId}' is not in a valid state for this operation.");
        }

        if (state.Volumes.Exists(v => v.CurrentAttachment(now) is { } a && a.InstanceId == instance.InstanceId && a.Device == device))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{device}' for unixDevice. Attachment point {device} is already in use");
        }

        var attachment = new VolumeAttachment
        {
            InstanceId = instance.InstanceId,
            Device = device,
            AttachTime = now,
            State = context.State.Transition("attaching", "attached"),
            DeleteOnTermination = false,
        };
        volume.Attachment = attachment;
        return Ok(context, AttachmentContent(volume, attachment, now));
    }

    private static string DetachVolume(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        var volume = FindVolume(state, args.Required("VolumeId", "VolumeId"));
        Require(context, VolumeArn(context, volume.VolumeId));
        var attachment = volume.CurrentAttachment(now)
            ?? throw new AwsServiceError(400, "IncorrectState", $"Volume '{volume.VolumeId}' is in the '{volume.Status(now)}' state.");
        if (args.Get("InstanceId") is { } instanceId && instanceId != attachment.InstanceId)
        {
            throw new AwsServiceError(400, "InvalidAttachment.NotFound", $"Volume '{volume.VolumeId}' is not attached to instance '{instanceId}'");
        }

        if (args.Get("Device") is { } device && device != attachment.Device)
        {
            throw new AwsServiceError(400, "InvalidAttachment.NotFound", $"Volume '{volume.VolumeId}' is not attached with device '{device}'");
        }

        var instance = FindInstance(state, attachment.InstanceId);
        Require(context, InstanceArn(context, instance.InstanceId));
        if (attachment.Device == instance.RootDeviceName && instance.RunState.Current(now) != "stopped")
        {
            throw new AwsServiceError(400, "IncorrectState", $"Unable to detach root volume '{volume.VolumeId}' from instance '{instance.InstanceId}'");
        }

        if (attachment.State.Current(now) is "detaching")
        {
            throw new AwsServiceError(400, "IncorrectState", $"Volume '{volume.VolumeId}' is already detaching.");
        }

        attachment.State = context.State.Transition("detaching", "detached");
        return Ok(context, AttachmentContent(volume, attachment, now));
    }

    private static string ModifyInstanceAttribute(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        var instance = FindInstance(state, args.Required("InstanceId", "InstanceId"));
        Require(context, InstanceArn(context, instance.InstanceId));
        var mappings = args.List("BlockDeviceMapping");
        if (mappings.Count == 0)
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", "The sandbox supports ModifyInstanceAttribute only for BlockDeviceMapping.");
        }

        var changes = new List<(VolumeAttachment Attachment, bool DeleteOnTermination)>();
        foreach (var mapping in mappings)
        {
            var device = mapping.Required("DeviceName", "DeviceName");
            var attached = state.Volumes.Select(v => (Volume: v, Attachment: v.CurrentAttachment(now)))
                .FirstOrDefault(p => p.Attachment is { } a && a.InstanceId == instance.InstanceId && a.Device == device);
            if (attached.Attachment is null)
            {
                throw new AwsServiceError(400, "InvalidInstanceAttributeValue", $"No device is currently mapped at {device}");
            }

            if (mapping.Get("Ebs.VolumeId") is { } volumeId && volumeId != attached.Volume.VolumeId)
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"The volume '{volumeId}' is not attached at {device}");
            }

            var value = mapping.Get("Ebs.DeleteOnTermination")
                ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter Ebs.DeleteOnTermination");
            changes.Add((attached.Attachment, string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)));
        }

        foreach (var (attachment, deleteOnTermination) in changes)
        {
            attachment.DeleteOnTermination = deleteOnTermination;
        }

        return Ok(context, E("return", "true"));
    }

    private static string StopInstances(AwsRequestContext context) => ChangeRunState(context, stop: true);

    private static string StartInstances(AwsRequestContext context) => ChangeRunState(context, stop: false);

    private static string ChangeRunState(AwsRequestContext context, bool stop)
    {
        var state = RegionState(context);
        var now = context.State.Now;
        var ids = context.Args.Strings("InstanceId");
        if (ids.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter InstanceId");
        }

        var instances = ids.Select(id => FindInstance(state, id)).ToList();
        foreach (var instance in instances)
        {
            Require(context, InstanceArn(context, instance.InstanceId));
            var current = instance.RunState.Current(now);
            if (current is "shutting-down" or "terminated" || (stop ? current is "pending" : current is "stopping"))
            {
                throw new AwsServiceError(400, "IncorrectInstanceState", $"The instance '{instance.InstanceId}' is not in a state from which it can be {(stop ? "stopped" : "started")}.");
            }
        }

        var items = new List<XElement>();
        foreach (var instance in instances)
        {
            var previous = instance.RunState.Current(now);
            if (stop && previous == "running")
            {
                instance.RunState = context.State.Transition("stopping", "stopped");
            }
            else if (!stop && previous == "stopped")
            {
                instance.RunState = context.State.Transition("pending", "running");
            }

            items.Add(Item(
                E("instanceId", instance.InstanceId),
                E("currentState", InstanceStateContent(instance.RunState.Current(now))),
                E("previousState", InstanceStateContent(previous))));
        }

        return Ok(context, E("instancesSet", items));
    }

    /// <summary>The code and name of an instance state, as in instanceState, currentState and previousState.</summary>
    public static object[] InstanceStateContent(string name) =>
    [
        E("code", name switch { "pending" => "0", "running" => "16", "shutting-down" => "32", "terminated" => "48", "stopping" => "64", _ => "80" }),
        E("name", name),
    ];

    /// <summary>The blockDeviceMapping items of an instance: its attached volumes.</summary>
    public static XElement BlockDeviceMappings(Ec2RegionState state, Instance instance, DateTimeOffset now) =>
        E("blockDeviceMapping", state.Volumes
            .Select(v => (Volume: v, Attachment: v.CurrentAttachment(now)))
            .Where(p => p.Attachment?.InstanceId == instance.InstanceId)
            .Select(p => Item(
                E("deviceName", p.Attachment!.Device),
                E(
                    "ebs",
                    E("volumeId", p.Volume.VolumeId),
                    E("status", p.Attachment.State.Current(now)),
                    E("attachTime", AwsXml.TimestampMillis(p.Attachment.AttachTime)),
                    E("deleteOnTermination", AwsXml.Bool(p.Attachment.DeleteOnTermination))))));
}
