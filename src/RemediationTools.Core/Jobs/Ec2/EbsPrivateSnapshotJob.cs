using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>ebs-private-snapshot</c>: the finding's ObjectId is an EBS snapshot ID. Removes the group <c>all</c> from the
/// snapshot's createVolumePermission; shares with specific accounts stay. Undo adds <c>all</c> back.
/// </summary>
internal sealed class EbsPrivateSnapshotJob : IRemediationJob
{
    /// <summary>IAM action: read the snapshot and its tags.</summary>
    public const string DescribeSnapshotsAction = "ec2:DescribeSnapshots";

    /// <summary>IAM action: read createVolumePermission.</summary>
    public const string DescribeSnapshotAttributeAction = "ec2:DescribeSnapshotAttribute";

    /// <summary>IAM action: change createVolumePermission.</summary>
    public const string ModifySnapshotAttributeAction = "ec2:ModifySnapshotAttribute";

    private const string AllGroup = "all";

    /// <summary>Creates the job.</summary>
    public EbsPrivateSnapshotJob() => Info = new RemediationJobInfo
    {
        Id = "ebs-private-snapshot",
        RuleIds = new[] { "2cdb8877-7ac3-4483-9ed0-1e792171d125" },
        Title = "Make a public EBS snapshot private",
        Service = "EC2",
        ResourceType = "Snapshot",
        Impact = "Accounts that are not named in the snapshot's permissions can no longer create volumes from it; named accounts keep access.",
        IamActions = new[] { DescribeSnapshotAttributeAction, DescribeSnapshotsAction, ModifySnapshotAttributeAction },
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var snapshotId = RequireSnapshotId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var snapshot = await ReadSnapshotAsync(ec2, snapshotId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(Ec2Tags.ToPairs(snapshot.Tags)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var permissions = await ReadPermissionsAsync(ec2, snapshotId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var accounts = permissions.Where(p => !string.IsNullOrEmpty(p.UserId)).Select(p => p.UserId).ToList();
        if (!permissions.Any(IsAll))
        {
            return JobPlan.Compliant(accounts.Count == 0 ? null : new[] { snapshotId + " is shared with account(s) " + string.Join(", ", accounts) + " only." });
        }

        var notes = accounts.Count == 0
            ? Array.Empty<string>()
            : new[] { "The shares with account(s) " + string.Join(", ", accounts) + " stay." };
        var action = new RemediationAction
        {
            Operation = ModifySnapshotAttributeAction,
            Target = snapshotId,
            Description = "Remove the group 'all' from createVolumePermission, so the snapshot is no longer public.",
            Before = Describe(permissions),
            After = Describe(permissions.Where(p => !IsAll(p)).ToList()),
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = snapshotId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new SnapshotUndoData { SnapshotId = snapshotId, RemovedGroup = AllGroup }),
        };
        return JobPlan.Change(new[] { action }, notes, undo, new SnapshotChange(snapshotId, makePublic: false), new[] { ResourceKeys.Snapshot(snapshotId) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var ec2 = context.Clients.Ec2(context.Region);
        var modification = new CreateVolumePermissionModifications();
        var entry = new List<CreateVolumePermission> { new() { Group = PermissionGroup.All } };
        if (change.MakePublic)
        {
            modification.Add = entry;
        }
        else
        {
            modification.Remove = entry;
        }

        var request = new ModifySnapshotAttributeRequest
        {
            SnapshotId = change.SnapshotId,
            Attribute = SnapshotAttributeName.CreateVolumePermission,
            CreateVolumePermission = modification,
        };
        await AwsCall.RunAsync(context.Reporter, ModifySnapshotAttributeAction, change.SnapshotId, () =>
            ec2.ModifySnapshotAttributeAsync(request, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var permissions = await ReadPermissionsAsync(context.Clients.Ec2(context.Region), change.SnapshotId, context.Reporter, cancellationToken).ConfigureAwait(false);
        var isPublic = permissions.Any(IsAll);
        return isPublic == change.MakePublic
            ? JobVerification.Success()
            : JobVerification.Failure(change.SnapshotId + (isPublic ? " is still public." : " is not public again.") + " createVolumePermission: " + Describe(permissions) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        SnapshotUndoData data;
        try
        {
            data = RemediationJson.Deserialize<SnapshotUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var snapshotId = RequireSnapshotId(string.IsNullOrEmpty(data.SnapshotId) ? record.ResourceId : data.SnapshotId);
        var permissions = await ReadPermissionsAsync(context.Clients.Ec2(context.Region), snapshotId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (permissions.Any(IsAll))
        {
            return JobPlan.Compliant(new[] { snapshotId + " is public again already." });
        }

        var action = new RemediationAction
        {
            Operation = ModifySnapshotAttributeAction,
            Target = snapshotId,
            Description = "Add the group 'all' back to createVolumePermission (the snapshot becomes public again).",
            Before = Describe(permissions),
            After = Describe(permissions.Concat(new[] { new CreateVolumePermission { Group = PermissionGroup.All } }).ToList()),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new SnapshotChange(snapshotId, makePublic: true), new[] { ResourceKeys.Snapshot(snapshotId) });
    }

    private static bool IsAll(CreateVolumePermission permission)
        => string.Equals(permission.Group?.Value, AllGroup, StringComparison.Ordinal);

    private static string Describe(IReadOnlyList<CreateVolumePermission> permissions)
    {
        var parts = permissions.Select(p => IsAll(p) ? "group all (public)" : "account " + p.UserId).ToList();
        return parts.Count == 0 ? "private (no shares)" : string.Join(", ", parts);
    }

    private static async Task<Snapshot> ReadSnapshotAsync(IAmazonEC2 ec2, string snapshotId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeSnapshotsAction, snapshotId, () =>
            ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { SnapshotIds = new List<string> { snapshotId } }, cancellationToken)).ConfigureAwait(false);
        return response.Snapshots?.FirstOrDefault(s => s.SnapshotId == snapshotId)
            ?? throw new InvalidOperationException(DescribeSnapshotsAction + " did not return the snapshot " + snapshotId + ".");
    }

    private static async Task<IReadOnlyList<CreateVolumePermission>> ReadPermissionsAsync(IAmazonEC2 ec2, string snapshotId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(reporter, DescribeSnapshotAttributeAction, snapshotId, () =>
            ec2.DescribeSnapshotAttributeAsync(
                new DescribeSnapshotAttributeRequest { SnapshotId = snapshotId, Attribute = SnapshotAttributeName.CreateVolumePermission },
                cancellationToken)).ConfigureAwait(false);
        return response.CreateVolumePermissions ?? new List<CreateVolumePermission>();
    }

    private static SnapshotChange ChangeOf(JobPlan plan)
        => plan.Changes as SnapshotChange ?? throw new ArgumentException("The plan was not made by " + nameof(EbsPrivateSnapshotJob) + ".", nameof(plan));

    private static string RequireSnapshotId(string resourceId) => Ec2ResourceIds.Require(resourceId, "snap-", "an EBS snapshot ID");

    private sealed class SnapshotChange
    {
        public SnapshotChange(string snapshotId, bool makePublic)
        {
            SnapshotId = snapshotId;
            MakePublic = makePublic;
        }

        public string SnapshotId { get; }

        public bool MakePublic { get; }
    }
}

/// <summary>The undo data of <c>ebs-private-snapshot</c>: the snapshot and the group removed from createVolumePermission.</summary>
internal sealed class SnapshotUndoData
{
    /// <summary>The snapshot.</summary>
    public string SnapshotId { get; set; } = string.Empty;

    /// <summary>The group removed (always <c>all</c>).</summary>
    public string RemovedGroup { get; set; } = "all";
}
