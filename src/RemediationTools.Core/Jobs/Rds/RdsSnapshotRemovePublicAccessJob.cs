using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// <c>aws-rds-snapshot-remove-publicaccess</c>: the finding's ObjectId is a manual DB snapshot or DB cluster snapshot
/// identifier, or its ARN (<c>...:snapshot:&lt;id&gt;</c>, <c>...:cluster-snapshot:&lt;id&gt;</c>). Removes only <c>all</c> from
/// the snapshot's <c>restore</c> attribute; the accounts it is shared with keep their access. A bare identifier is a
/// cluster snapshot when the finding's resource type or ARN says so; otherwise the DB snapshot of that name, else the
/// DB cluster snapshot. The snapshot's tags (ListTagsForResource, which also finds which kind it is) carry
/// <c>remediation:skip</c>. Undo adds <c>all</c> back.
/// </summary>
internal sealed class RdsSnapshotRemovePublicAccessJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-rds-snapshot-remove-publicaccess";

    /// <summary>The restore attribute's value that makes a snapshot public.</summary>
    public const string All = "all";

    private const string RestoreAttribute = "restore";

    private static readonly Regex IdentifierPattern = new("^[A-Za-z][A-Za-z0-9:-]{0,254}$", RegexOptions.CultureInvariant);

    private static readonly Regex ArnPattern = new(
        @"^arn:(?:aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):rds:(?<region>[a-z0-9-]+):(?<account>\d{12}):(?<kind>snapshot|cluster-snapshot):(?<id>.+)$",
        RegexOptions.CultureInvariant);

    /// <summary>Creates the job.</summary>
    public RdsSnapshotRemovePublicAccessJob()
    {
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "5c8c26487a550e1fb6560c4a" },
            Title = "Make a public RDS DB snapshot or DB cluster snapshot private (remove 'all' from restore)",
            Service = "RDS",
            ResourceType = "DBSnapshot",
            Impact = "Other AWS accounts can no longer copy or restore the snapshot unless it is shared with them by account ID; those shares stay. No effect on running databases.",
            IamActions = new[]
            {
                RdsActions.ListTagsForResource,
                RdsActions.DescribeDBSnapshotAttributes,
                RdsActions.ModifyDBSnapshotAttribute,
                RdsActions.DescribeDBClusterSnapshotAttributes,
                RdsActions.ModifyDBClusterSnapshotAttribute,
            },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var (identifier, cluster) = Parse(context);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var (snapshot, tags) = await ReadTagsAsync(context, identifier, cluster, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(RdsActions.Pairs(tags)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var restore = await ReadRestoreAsync(context, snapshot, cancellationToken).ConfigureAwait(false);
        var accounts = restore.Where(v => !string.Equals(v, All, StringComparison.OrdinalIgnoreCase)).ToList();
        if (accounts.Count == restore.Count)
        {
            return JobPlan.Compliant(new[]
            {
                "The " + snapshot.Display + " is not public" + (accounts.Count == 0 ? "." : "; it is shared with " + string.Join(", ", accounts) + ", which stays."),
            });
        }

        var action = new RemediationAction
        {
            Operation = snapshot.ModifyAction,
            Target = snapshot.Arn(context),
            Description = "Remove 'all' from the restore attribute: no other account can copy or restore the snapshot any more" +
                (accounts.Count == 0 ? "." : ", except the accounts it is shared with, which keep their access (" + string.Join(", ", accounts) + ")."),
            Before = "restore " + string.Join(", ", restore),
            After = "restore " + (accounts.Count == 0 ? "(not shared)" : string.Join(", ", accounts)),
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = context.ResourceId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new RdsSnapshotUndoData { Identifier = snapshot.Identifier, Cluster = snapshot.Cluster }),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new SnapshotChange(snapshot, makePublic: false), new[] { snapshot.Key });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var rds = context.Clients.Rds(context.Region);
        var values = new List<string> { All };
        var snapshot = change.Snapshot;
        if (snapshot.Cluster)
        {
            var request = new ModifyDBClusterSnapshotAttributeRequest { DBClusterSnapshotIdentifier = snapshot.Identifier, AttributeName = RestoreAttribute };
            (change.MakePublic ? request.ValuesToAdd : request.ValuesToRemove).AddRange(values);
            await AwsCall.RunAsync(context.Reporter, snapshot.ModifyAction, snapshot.Identifier, () => rds.ModifyDBClusterSnapshotAttributeAsync(request, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            var request = new ModifyDBSnapshotAttributeRequest { DBSnapshotIdentifier = snapshot.Identifier, AttributeName = RestoreAttribute };
            (change.MakePublic ? request.ValuesToAdd : request.ValuesToRemove).AddRange(values);
            await AwsCall.RunAsync(context.Reporter, snapshot.ModifyAction, snapshot.Identifier, () => rds.ModifyDBSnapshotAttributeAsync(request, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var restore = await ReadRestoreAsync(context, change.Snapshot, cancellationToken).ConfigureAwait(false);
        var isPublic = restore.Any(v => string.Equals(v, All, StringComparison.OrdinalIgnoreCase));
        return isPublic == change.MakePublic
            ? JobVerification.Success()
            : JobVerification.Failure("The " + change.Snapshot.Display + " has restore " + (restore.Count == 0 ? "(not shared)" : string.Join(", ", restore)) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        RdsSnapshotUndoData data;
        try
        {
            data = RemediationJson.Deserialize<RdsSnapshotUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var snapshot = new Snapshot(data.Identifier, data.Cluster);
        var restore = await ReadRestoreAsync(context, snapshot, cancellationToken).ConfigureAwait(false);
        if (restore.Any(v => string.Equals(v, All, StringComparison.OrdinalIgnoreCase)))
        {
            return JobPlan.Compliant(new[] { "The " + snapshot.Display + " is public already." });
        }

        var action = new RemediationAction
        {
            Operation = snapshot.ModifyAction,
            Target = snapshot.Arn(context),
            Description = "Add 'all' back to the restore attribute: every AWS account can copy or restore the snapshot again.",
            Before = "restore " + (restore.Count == 0 ? "(not shared)" : string.Join(", ", restore)),
            After = "restore " + string.Join(", ", new[] { All }.Concat(restore)),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new SnapshotChange(snapshot, makePublic: true), new[] { snapshot.Key });
    }

    // The identifier and, when the finding says, whether it is a cluster snapshot (null: not known yet).
    private static (string Identifier, bool? Cluster) Parse(JobContext context)
    {
        var text = (context.ResourceId ?? string.Empty).Trim();
        var match = ArnPattern.Match(text);
        if (!match.Success && context.Finding.ResourceArn is { } findingArn && ArnPattern.Match(findingArn) is { Success: true } other &&
            string.Equals(other.Groups["id"].Value, text, StringComparison.Ordinal))
        {
            match = other;
        }

        if (match.Success)
        {
            if (context.Finding.AccountId is { } account && match.Groups["account"].Value != account)
            {
                throw new JobFailureException("AccountMismatch", "The snapshot " + match.Value + " belongs to account " + match.Groups["account"].Value + ", not to the finding's account " + account + "; nothing was changed.");
            }

            if (!string.Equals(match.Groups["region"].Value, context.Region, StringComparison.Ordinal))
            {
                throw new FindingFormatException("The snapshot ARN '" + match.Value + "' is in region " + match.Groups["region"].Value + ", not in the finding's region " + context.Region + ".", "ObjectId");
            }

            return (Valid(match.Groups["id"].Value, text), match.Groups["kind"].Value == "cluster-snapshot");
        }

        var type = context.Finding.ResourceType ?? string.Empty;
        bool? cluster = type.IndexOf("ClusterSnapshot", StringComparison.OrdinalIgnoreCase) >= 0 ? true
            : type.IndexOf("Snapshot", StringComparison.OrdinalIgnoreCase) >= 0 ? false
            : null;
        return (Valid(text, text), cluster);
    }

    private static string Valid(string identifier, string text) => IdentifierPattern.IsMatch(identifier)
        ? identifier
        : throw new FindingFormatException(
            "The finding's ObjectId '" + text + "' is not a DB snapshot or DB cluster snapshot identifier (a letter, then up to 254 letters, digits, hyphens or colons) or ARN (arn:aws:rds:<region>:<account>:snapshot:<id> or :cluster-snapshot:<id>), which " + JobId + " needs.",
            "ObjectId");

    // ListTagsForResource by ARN; for an identifier of unknown kind, the DB snapshot's, else the DB cluster snapshot's.
    private static async Task<(Snapshot Snapshot, List<Tag> Tags)> ReadTagsAsync(JobContext context, string identifier, bool? cluster, CancellationToken cancellationToken)
    {
        var rds = context.Clients.Rds(context.Region);
        foreach (var kind in cluster is { } known ? new[] { known } : new[] { false, true })
        {
            var snapshot = new Snapshot(identifier, kind);
            var arn = snapshot.Arn(context);
            try
            {
                var response = await AwsCall.RunAsync(context.Reporter, RdsActions.ListTagsForResource, arn, () =>
                    rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = arn }, cancellationToken)).ConfigureAwait(false);
                return (snapshot, response.TagList);
            }
            catch (AwsCallException ex) when (cluster is null && !kind && ex.ErrorCode == "DBSnapshotNotFound")
            {
                context.Reporter.Verbose("No DB snapshot " + identifier + "; looking for a DB cluster snapshot of that name.");
            }
            catch (AwsCallException ex) when (cluster is null && kind && ex.ErrorCode == "DBClusterSnapshotNotFoundFault")
            {
                throw new JobFailureException("DBSnapshotNotFound", "There is no DB snapshot and no DB cluster snapshot " + identifier + " in " + context.Region + ".");
            }
        }

        throw new InvalidOperationException("Unreachable: every kind either returned or threw.");
    }

    private static async Task<List<string>> ReadRestoreAsync(JobContext context, Snapshot snapshot, CancellationToken cancellationToken)
    {
        var rds = context.Clients.Rds(context.Region);
        List<SnapshotAttribute> attributes;
        if (snapshot.Cluster)
        {
            var response = await AwsCall.RunAsync(context.Reporter, RdsActions.DescribeDBClusterSnapshotAttributes, snapshot.Identifier, () =>
                rds.DescribeDBClusterSnapshotAttributesAsync(new DescribeDBClusterSnapshotAttributesRequest { DBClusterSnapshotIdentifier = snapshot.Identifier }, cancellationToken)).ConfigureAwait(false);
            attributes = response.DBClusterSnapshotAttributesResult?.DBClusterSnapshotAttributes ?? new List<SnapshotAttribute>();
        }
        else
        {
            var response = await AwsCall.RunAsync(context.Reporter, RdsActions.DescribeDBSnapshotAttributes, snapshot.Identifier, () =>
                rds.DescribeDBSnapshotAttributesAsync(new DescribeDBSnapshotAttributesRequest { DBSnapshotIdentifier = snapshot.Identifier }, cancellationToken)).ConfigureAwait(false);
            attributes = response.DBSnapshotAttributesResult?.DBSnapshotAttributes ?? new List<SnapshotAttribute>();
        }

        return attributes.Where(a => string.Equals(a.AttributeName, RestoreAttribute, StringComparison.Ordinal)).SelectMany(a => a.AttributeValues).ToList();
    }

    private static SnapshotChange ChangeOf(JobPlan plan)
        => plan.Changes as SnapshotChange ?? throw new ArgumentException("The plan was not made by " + nameof(RdsSnapshotRemovePublicAccessJob) + ".", nameof(plan));

    private sealed class Snapshot
    {
        public Snapshot(string identifier, bool cluster)
        {
            Identifier = identifier;
            Cluster = cluster;
        }

        public string Identifier { get; }

        public bool Cluster { get; }

        public string Display => (Cluster ? "DB cluster snapshot " : "DB snapshot ") + Identifier;

        public string Key => RdsActions.SnapshotKey(Cluster, Identifier);

        public string ModifyAction => Cluster ? RdsActions.ModifyDBClusterSnapshotAttribute : RdsActions.ModifyDBSnapshotAttribute;

        public string Arn(JobContext context) =>
            "arn:" + AwsPartition.Of(context.Region) + ":rds:" + context.Region + ":" + context.Finding.AccountId + ":" + (Cluster ? "cluster-snapshot:" : "snapshot:") + Identifier;
    }

    private sealed class SnapshotChange
    {
        public SnapshotChange(Snapshot snapshot, bool makePublic)
        {
            Snapshot = snapshot;
            MakePublic = makePublic;
        }

        public Snapshot Snapshot { get; }

        // False: remove 'all' (the remediation); true: add it back (the undo).
        public bool MakePublic { get; }
    }
}

/// <summary>The undo data of <c>aws-rds-snapshot-remove-publicaccess</c>: which snapshot had <c>all</c> removed.</summary>
internal sealed class RdsSnapshotUndoData
{
    /// <summary>The snapshot identifier.</summary>
    public string Identifier { get; set; } = string.Empty;

    /// <summary>True for a DB cluster snapshot.</summary>
    public bool Cluster { get; set; }
}
