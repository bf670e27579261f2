using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// EBS snapshots: DescribeSnapshots, CreateSnapshot, CopySnapshot, DeleteSnapshot, DescribeSnapshotAttribute and
/// ModifySnapshotAttribute (createVolumePermission: the group <c>all</c> and account IDs).
/// </summary>
internal sealed partial class Ec2Service
{
    private static string SnapshotArn(AwsRequestContext context, string snapshotId) => $"arn:aws:ec2:{context.Region}::snapshot/{snapshotId}";

    private static Snapshot FindSnapshotOrThrow(AwsRequestContext context, Ec2RegionState state, string snapshotId)
    {
        if (!IsEc2Id(snapshotId, "snap"))
        {
            throw new AwsServiceError(400, "InvalidSnapshotID.Malformed", $"Invalid id: \"{snapshotId}\" (expecting \"snap-...\")");
        }

        _ = context;
        return state.FindSnapshot(snapshotId) ?? throw new AwsServiceError(400, "InvalidSnapshot.NotFound", $"The snapshot '{snapshotId}' does not exist.");
    }

    private static object?[] SnapshotContent(Snapshot snapshot, DateTimeOffset now) =>
    [
        E("snapshotId", snapshot.SnapshotId),
        E("volumeId", snapshot.VolumeId),
        E("status", snapshot.Progress.Current(now)),
        E("startTime", AwsXml.TimestampMillis(snapshot.StartTime)),
        E("progress", snapshot.Progress.IsSettled(now) ? "100%" : "0%"),
        E("ownerId", snapshot.OwnerId),
        E("volumeSize", AwsXml.Int(snapshot.VolumeSizeGiB)),
        E("description", snapshot.Description ?? string.Empty),
        E("encrypted", AwsXml.Bool(snapshot.Encrypted)),
        snapshot.KmsKeyId is null ? null : E("kmsKeyId", snapshot.KmsKeyId),
        snapshot.Tags.Count > 0 ? TagSet(snapshot.Tags) : null,
        E("storageTier", "standard"),
    ];

    private static string DescribeSnapshots(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var now = context.State.Now;
        Require(context, "*");
        IEnumerable<Snapshot> snapshots = state.Snapshots;
        var ids = args.Strings("SnapshotId");
        if (ids.Count > 0)
        {
            RefuseMaxResultsWithIds(args, "snapshotSet");
            foreach (var id in ids)
            {
                FindSnapshotOrThrow(context, state, id);
            }

            snapshots = snapshots.Where(s => ids.Contains(s.SnapshotId));
        }

        var owners = args.Strings("Owner");
        if (owners.Count > 0)
        {
            snapshots = snapshots.Where(s => owners.Contains(s.OwnerId) || (owners.Contains("self") && s.OwnerId == context.Caller.AccountId));
        }

        foreach (var filter in Filters(args))
        {
            snapshots = filter.Name switch
            {
                "snapshot-id" => snapshots.Where(s => filter.Matches(s.SnapshotId)),
                "volume-id" => snapshots.Where(s => filter.Matches(s.VolumeId)),
                "status" => snapshots.Where(s => filter.Matches(s.Progress.Current(now))),
                "owner-id" => snapshots.Where(s => filter.Matches(s.OwnerId)),
                "encrypted" => snapshots.Where(s => filter.Matches(AwsXml.Bool(s.Encrypted))),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => snapshots.Where(s => filter.MatchesTags(s.Tags) == true),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, snapshots.ToList());
        return Ok(context, E("snapshotSet", page.Select(s => Item(SnapshotContent(s, now)))), next);
    }

    private static string CreateSnapshot(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var volume = FindVolume(state, args.Required("VolumeId", "VolumeId"));
        var tags = TagSpecifications(args, "snapshot");
        Require(context, VolumeArn(context, volume.VolumeId));
        Require(context, $"arn:aws:ec2:{context.Region}::snapshot/*");
        if (tags.Count > 0)
        {
            Policies.Authorizer.Require(context, "ec2:CreateTags", $"arn:aws:ec2:{context.Region}::snapshot/*");
        }

        if (volume.Creation.Current(context.State.Now) != "available")
        {
            throw new AwsServiceError(400, "IncorrectState", $"The volume '{volume.VolumeId}' is in the 'creating' state.");
        }

        var snapshot = new Snapshot
        {
            SnapshotId = IdGenerator.Ec2("snap"),
            VolumeId = volume.VolumeId,
            VolumeSizeGiB = volume.SizeGiB,
            Encrypted = volume.Encrypted,
            KmsKeyId = volume.KmsKeyId,
            OwnerId = context.Caller.AccountId,
            Description = args.Get("Description"),
            StartTime = context.State.Now,
            Progress = context.State.Transition("pending", "completed"),
        };
        snapshot.Tags.AddRange(tags);
        state.Snapshots.Add(snapshot);
        return Ok(context, SnapshotContent(snapshot, context.State.Now));
    }

    private static string CopySnapshot(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var sourceRegion = args.Required("SourceRegion", "SourceRegion");
        if (sourceRegion != context.Region)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "The sandbox copies snapshots within one region only.");
        }

        var source = FindSnapshotOrThrow(context, state, args.Required("SourceSnapshotId", "SourceSnapshotId"));
        var tags = TagSpecifications(args, "snapshot");
        Require(context, SnapshotArn(context, source.SnapshotId));
        if (tags.Count > 0)
        {
            Policies.Authorizer.Require(context, "ec2:CreateTags", $"arn:aws:ec2:{context.Region}::snapshot/*");
        }

        if (source.Progress.Current(context.State.Now) != "completed")
        {
            throw new AwsServiceError(400, "IncorrectState", $"Snapshot is in invalid state - {source.Progress.Current(context.State.Now)}");
        }

        var encrypted = string.Equals(args.Get("Encrypted"), "true", StringComparison.OrdinalIgnoreCase) || source.Encrypted;
        var kmsKeyId = args.Get("KmsKeyId");
        if (kmsKeyId is not null && !encrypted)
        {
            throw new AwsServiceError(400, "InvalidParameterDependency", "The parameter KmsKeyId requires the parameter Encrypted to be set.");
        }

        var copy = new Snapshot
        {
            SnapshotId = IdGenerator.Ec2("snap"),
            VolumeId = "vol-ffffffff",
            VolumeSizeGiB = source.VolumeSizeGiB,
            Encrypted = encrypted,
            KmsKeyId = encrypted ? kmsKeyId ?? source.KmsKeyId ?? state.DefaultEbsKeyArn : null,
            OwnerId = context.Caller.AccountId,
            Description = args.Get("Description"),
            StartTime = context.State.Now,
            Progress = context.State.Transition("pending", "completed"),
        };
        copy.Tags.AddRange(tags);
        state.Snapshots.Add(copy);
        return Ok(context, E("snapshotId", copy.SnapshotId), tags.Count > 0 ? TagSet(tags) : null);
    }

    private static string DeleteSnapshot(AwsRequestContext context)
    {
        var state = RegionState(context);
        var snapshot = FindSnapshotOrThrow(context, state, context.Args.Required("SnapshotId", "SnapshotId"));
        Require(context, SnapshotArn(context, snapshot.SnapshotId));
        var now = context.State.Now;
        if (state.Volumes.Exists(v => v.SnapshotId == snapshot.SnapshotId && v.Creation.Current(now) == "creating"))
        {
            throw new AwsServiceError(400, "InvalidSnapshot.InUse", $"The snapshot {snapshot.SnapshotId} is currently in use by a volume being created.");
        }

        state.Snapshots.Remove(snapshot);
        return Ok(context, E("return", "true"));
    }

    private static string DescribeSnapshotAttribute(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var snapshot = FindSnapshotOrThrow(context, state, args.Required("SnapshotId", "SnapshotId"));
        var attribute = args.Required("Attribute", "Attribute");
        Require(context, SnapshotArn(context, snapshot.SnapshotId));
        return attribute switch
        {
            "createVolumePermission" => Ok(context, E("snapshotId", snapshot.SnapshotId), CreateVolumePermissions(snapshot)),
            "productCodes" => Ok(context, E("snapshotId", snapshot.SnapshotId), E("productCodes")),
            _ => throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Unknown attribute."),
        };
    }

    private static System.Xml.Linq.XElement CreateVolumePermissions(Snapshot snapshot) =>
        E(
            "createVolumePermission",
            snapshot.Public ? Item(E("group", "all")) : null,
            snapshot.SharedWithUserIds.Select(id => Item(E("userId", id))));

    private static string ModifySnapshotAttribute(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        var snapshot = FindSnapshotOrThrow(context, state, args.Required("SnapshotId", "SnapshotId"));
        Require(context, SnapshotArn(context, snapshot.SnapshotId));
        var attribute = args.Get("Attribute") ?? "createVolumePermission";
        if (attribute != "createVolumePermission")
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({attribute}) for parameter attribute is invalid. Only createVolumePermission can be modified.");
        }

        var add = new List<(string? Group, string? UserId)>();
        var remove = new List<(string? Group, string? UserId)>();
        foreach (var item in args.List("CreateVolumePermission.Add"))
        {
            add.Add((item.Get("Group"), item.Get("UserId")));
        }

        foreach (var item in args.List("CreateVolumePermission.Remove"))
        {
            remove.Add((item.Get("Group"), item.Get("UserId")));
        }

        var operation = args.Get("OperationType");
        var simple = args.Strings("UserGroup").Select(g => ((string?)g, (string?)null))
            .Concat(args.Strings("UserId").Select(u => ((string?)null, (string?)u))).ToList();
        if (simple.Count > 0)
        {
            switch (operation)
            {
                case "add":
                    add.AddRange(simple);
                    break;
                case "remove":
                    remove.AddRange(simple);
                    break;
                default:
                    throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter operationType");
            }
        }

        if (add.Count == 0 && remove.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter createVolumePermission");
        }

        foreach (var (group, userId) in add.Concat(remove))
        {
            if (group is not null && group != "all")
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({group}) for parameter userGroup is invalid. The only valid group is 'all'.");
            }

            if (userId is not null && (userId.Length != 12 || !userId.All(char.IsAsciiDigit)))
            {
                throw new AwsServiceError(400, "InvalidAMIAttributeItemValue", $"Invalid attribute item value \"{userId}\" for userId item type.");
            }
        }

        if (snapshot.Encrypted && add.Exists(p => p.Group == "all"))
        {
            throw new AwsServiceError(400, "OperationNotPermitted", "Encrypted snapshots with EBS default key cannot be shared");
        }

        foreach (var (group, userId) in add)
        {
            if (group == "all")
            {
                snapshot.Public = true;
            }
            else if (userId is not null && !snapshot.SharedWithUserIds.Contains(userId))
            {
                snapshot.SharedWithUserIds.Add(userId);
            }
        }

        foreach (var (group, userId) in remove)
        {
            if (group == "all")
            {
                snapshot.Public = false;
            }
            else if (userId is not null)
            {
                snapshot.SharedWithUserIds.Remove(userId);
            }
        }

        return Ok(context);
    }
}
