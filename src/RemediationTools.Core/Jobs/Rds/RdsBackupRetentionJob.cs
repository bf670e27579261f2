using System.Globalization;
using System.Text.Json;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Rds;

/// <summary>
/// <c>rds-backup-retention-30-days</c>: the finding's ObjectId is a DB instance identifier or ARN. Raises the backup
/// retention to at least <see cref="Engine.RemediationOptions.BackupRetentionDays"/> (<c>-RetentionDays</c>, default 30),
/// applied immediately, and never lowers it (a longer retention, or a longer one pending, is kept). A cluster member
/// (Aurora) has its cluster's retention, which ModifyDBInstance refuses to set: it is raised on the cluster with
/// ModifyDBCluster, for every member. Enabling backups on a standalone instance that has none (retention 0) causes an
/// outage (a brief I/O suspension while the first backup starts), so that plan is disruptive: without
/// <c>-AllowDisruptive</c> it is skipped with the reason. The instance's and the cluster's TagList carry
/// <c>remediation:skip</c>. Undo sets the previous retention back, unless someone changed it since; back to 0 (backups
/// off, which deletes the automated backups) is disruptive as well.
/// </summary>
internal sealed class RdsBackupRetentionJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "rds-backup-retention-30-days";

    private readonly RdsWaiter waiter;

    /// <summary>Creates the job with the waits of the shipped catalog.</summary>
    public RdsBackupRetentionJob()
        : this(RdsWaiter.Default)
    {
    }

    /// <summary>Creates the job with its own wait for the instance or cluster to be available (tests).</summary>
    public RdsBackupRetentionJob(RdsWaiter waiter)
    {
        this.waiter = waiter ?? throw new ArgumentNullException(nameof(waiter));
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "5c8c264a7a550e1fb6560c4d" },
            Title = "Raise the backup retention of an RDS DB instance (or its cluster) to at least 30 days (-RetentionDays)",
            Service = "RDS",
            ResourceType = "DBInstance",
            Impact = "Automated backups are kept longer (more backup storage beyond the free allowance). No outage when backups are on already; enabling them on an instance with none (retention 0) causes an outage, so that finding runs only with -AllowDisruptive.",
            IamActions = new[] { RdsActions.DescribeDBInstances, RdsActions.ModifyDBInstance, RdsActions.DescribeDBClusters, RdsActions.ModifyDBCluster },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var target = RdsInstanceTarget.Of(context, Info.Id);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var instance = await waiter.InstanceAsync(context, target, null, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(RdsActions.Pairs(instance.TagList)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var wanted = context.Options.BackupRetentionDays;
        if (instance.DBClusterIdentifier is { Length: > 0 } clusterId)
        {
            return await PlanClusterAsync(context, target, clusterId, wanted, cancellationToken).ConfigureAwait(false);
        }

        var current = instance.BackupRetentionPeriod ?? 0;
        if (current >= wanted)
        {
            return JobPlan.Compliant(new[] { "The DB instance " + target.Identifier + " keeps backups for " + Days(current) + ", at least " + Days(wanted) + "; it is never lowered." });
        }

        if (RdsInstanceFlagJob.PendingElsewhere(instance.PendingModifiedValues, "BackupRetentionPeriod") is { } pending)
        {
            return JobPlan.Skip("The DB instance " + target.Identifier + " has pending modifications (" + pending + ") that ApplyImmediately would apply now as well; apply or cancel them first, then run the job again.");
        }

        // A longer retention already pending (for the maintenance window) is kept, not lowered to ours.
        var set = Math.Max(wanted, instance.PendingModifiedValues?.BackupRetentionPeriod ?? 0);
        if (current == 0 && !context.Options.AllowDisruptive)
        {
            return JobPlan.Skip("The DB instance " + target.Identifier + " has automated backups off (retention 0): enabling them causes an outage (a brief I/O suspension while the first backup starts), so this change runs only when disruptive changes are allowed (-AllowDisruptive).");
        }

        var action = new RemediationAction
        {
            Operation = RdsActions.ModifyDBInstance,
            Target = instance.DBInstanceArn ?? target.Identifier,
            Description = current == 0
                ? "Turn on automated backups kept for " + Days(set) + ", applied immediately: this causes an outage (a brief I/O suspension while the first backup starts); the instance is modifying meanwhile."
                : "Raise the backup retention from " + Days(current) + " to " + Days(set) + ", applied immediately; no outage (the instance stays available while modifying).",
            Before = "BackupRetentionPeriod " + Int(current),
            After = "BackupRetentionPeriod " + Int(set),
        };
        var undo = Undo(context, new RdsRetentionUndoData { Previous = current, Set = set });
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new RetentionChange(target, null, set), new[] { target.Key });
    }

    private async Task<JobPlan> PlanClusterAsync(JobContext context, RdsInstanceTarget target, string clusterId, int wanted, CancellationToken cancellationToken)
    {
        var cluster = await waiter.ClusterAsync(context, clusterId, null, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(RdsActions.Pairs(cluster.TagList)))
        {
            return JobPlan.Skip("The DB cluster " + clusterId + " of the DB instance " + target.Identifier + " is tagged remediation:skip = true (its backup retention is the cluster's).");
        }

        var current = cluster.BackupRetentionPeriod ?? 0;
        if (current >= wanted)
        {
            return JobPlan.Compliant(new[] { "The DB instance " + target.Identifier + " is a member of the DB cluster " + clusterId + ", which keeps backups for " + Days(current) + ", at least " + Days(wanted) + "; it is never lowered." });
        }

        var others = cluster.DBClusterMembers.Select(m => m.DBInstanceIdentifier).Where(m => !string.Equals(m, target.Identifier, StringComparison.OrdinalIgnoreCase)).ToList();
        var action = new RemediationAction
        {
            Operation = RdsActions.ModifyDBCluster,
            Target = cluster.DBClusterArn ?? clusterId,
            Description = "Raise the backup retention of the DB cluster " + clusterId + " (the DB instance " + target.Identifier + " is a member; the retention is the cluster's) from " + Days(current) + " to " + Days(wanted) + ", applied immediately; no outage.",
            Before = "BackupRetentionPeriod " + Int(current) + " (cluster " + clusterId + ")",
            After = "BackupRetentionPeriod " + Int(wanted) + " (cluster " + clusterId + ")",
        };
        var notes = others.Count == 0
            ? Array.Empty<string>()
            : new[] { "The retention is the cluster's: the other members of " + clusterId + " (" + string.Join(", ", others) + ") get it too." };
        var undo = Undo(context, new RdsRetentionUndoData { Cluster = clusterId, Previous = current, Set = wanted });
        return JobPlan.Change(new[] { action }, notes, undo, new RetentionChange(target, clusterId, wanted), new[] { RdsActions.ClusterKey(clusterId) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var rds = context.Clients.Rds(context.Region);
        if (change.Cluster is { } clusterId)
        {
            await AwsCall.RunAsync(context.Reporter, RdsActions.ModifyDBCluster, clusterId, () => rds.ModifyDBClusterAsync(
                new ModifyDBClusterRequest { DBClusterIdentifier = clusterId, BackupRetentionPeriod = change.Days, ApplyImmediately = true }, cancellationToken)).ConfigureAwait(false);
            await waiter.ClusterAsync(context, clusterId, c => c.BackupRetentionPeriod == change.Days, cancellationToken).ConfigureAwait(false);
            return;
        }

        await AwsCall.RunAsync(context.Reporter, RdsActions.ModifyDBInstance, change.Target.Identifier, () => rds.ModifyDBInstanceAsync(
            new ModifyDBInstanceRequest { DBInstanceIdentifier = change.Target.Identifier, BackupRetentionPeriod = change.Days, ApplyImmediately = true }, cancellationToken)).ConfigureAwait(false);

        // The change is in place once the instance is available again and shows it; verify reads it then.
        await waiter.InstanceAsync(context, change.Target, i => i.BackupRetentionPeriod == change.Days, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        if (change.Cluster is { } clusterId)
        {
            var cluster = await RdsWaiter.DescribeClusterAsync(context, clusterId, cancellationToken).ConfigureAwait(false);
            return cluster.BackupRetentionPeriod == change.Days
                ? JobVerification.Success()
                : JobVerification.Failure("The DB cluster " + clusterId + " keeps backups for " + Days(cluster.BackupRetentionPeriod ?? 0) + " (status " + cluster.Status + "), not " + Days(change.Days) + ".");
        }

        var instance = await change.Target.DescribeAsync(context, cancellationToken).ConfigureAwait(false);
        return instance.BackupRetentionPeriod == change.Days
            ? JobVerification.Success()
            : JobVerification.Failure("The DB instance " + change.Target.Identifier + " keeps backups for " + Days(instance.BackupRetentionPeriod ?? 0) + " (status " + instance.DBInstanceStatus + "), not " + Days(change.Days) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        RdsRetentionUndoData data;
        try
        {
            data = RemediationJson.Deserialize<RdsRetentionUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var target = RdsInstanceTarget.Of(context, Info.Id);
        if (data.Cluster is { Length: > 0 } clusterId)
        {
            var cluster = await waiter.ClusterAsync(context, clusterId, null, cancellationToken).ConfigureAwait(false);
            var now = cluster.BackupRetentionPeriod ?? 0;
            if (now == data.Previous)
            {
                return JobPlan.Compliant(new[] { "The DB cluster " + clusterId + " keeps backups for " + Days(now) + " already." });
            }

            Guard(now, data, "The DB cluster " + clusterId);
            var action = new RemediationAction
            {
                Operation = RdsActions.ModifyDBCluster,
                Target = cluster.DBClusterArn ?? clusterId,
                Description = "Set the backup retention of the DB cluster " + clusterId + " back to " + Days(data.Previous) + ", applied immediately; automated backups older than that are deleted.",
                Before = "BackupRetentionPeriod " + Int(now) + " (cluster " + clusterId + ")",
                After = "BackupRetentionPeriod " + Int(data.Previous) + " (cluster " + clusterId + ")",
            };
            return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new RetentionChange(target, clusterId, data.Previous), new[] { RdsActions.ClusterKey(clusterId) });
        }

        var instance = await waiter.InstanceAsync(context, target, null, cancellationToken).ConfigureAwait(false);
        var current = instance.BackupRetentionPeriod ?? 0;
        if (current == data.Previous)
        {
            return JobPlan.Compliant(new[] { "The DB instance " + target.Identifier + " keeps backups for " + Days(current) + " already." });
        }

        Guard(current, data, "The DB instance " + target.Identifier);
        if (RdsInstanceFlagJob.PendingElsewhere(instance.PendingModifiedValues, "BackupRetentionPeriod") is { } pending)
        {
            return JobPlan.Skip("The DB instance " + target.Identifier + " has pending modifications (" + pending + ") that ApplyImmediately would apply now as well; apply or cancel them first.");
        }

        if (data.Previous == 0 && !context.Options.AllowDisruptive)
        {
            return JobPlan.Skip("Undoing turns automated backups of the DB instance " + target.Identifier + " off again (retention 0), which deletes its automated backups and causes an outage; it runs only when disruptive changes are allowed (-AllowDisruptive).");
        }

        var undoAction = new RemediationAction
        {
            Operation = RdsActions.ModifyDBInstance,
            Target = instance.DBInstanceArn ?? target.Identifier,
            Description = data.Previous == 0
                ? "Turn automated backups off again (retention 0), applied immediately: this deletes the instance's automated backups and causes an outage."
                : "Set the backup retention back to " + Days(data.Previous) + ", applied immediately; automated backups older than that are deleted; no outage.",
            Before = "BackupRetentionPeriod " + Int(current),
            After = "BackupRetentionPeriod " + Int(data.Previous),
        };
        return JobPlan.Change(new[] { undoAction }, Array.Empty<string>(), null, new RetentionChange(target, null, data.Previous), new[] { target.Key });
    }

    private static void Guard(int now, RdsRetentionUndoData data, string what)
    {
        if (now != data.Set)
        {
            throw new JobFailureException(
                RdsActions.UndoWouldOverwriteNewerChangeErrorCode,
                what + " keeps backups for " + Days(now) + ", not the " + Days(data.Set) + " the remediation set: someone changed it since, so the undo leaves it alone.");
        }
    }

    private RemediationUndoRecord Undo(JobContext context, RdsRetentionUndoData data) => new()
    {
        JobId = Info.Id,
        AccountId = context.Finding.AccountId,
        Region = context.Region,
        ResourceId = context.ResourceId,
        RecordedAt = DateTimeOffset.UtcNow,
        Data = RemediationJson.Serialize(data),
    };

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Days(int value) => value == 0 ? "0 days (automated backups off)" : value == 1 ? "1 day" : Int(value) + " days";

    private static RetentionChange ChangeOf(JobPlan plan)
        => plan.Changes as RetentionChange ?? throw new ArgumentException("The plan was not made by " + nameof(RdsBackupRetentionJob) + ".", nameof(plan));

    private sealed class RetentionChange
    {
        public RetentionChange(RdsInstanceTarget target, string? cluster, int days)
        {
            Target = target;
            Cluster = cluster;
            Days = days;
        }

        public RdsInstanceTarget Target { get; }

        // The cluster whose retention is set (a member's); null for a standalone instance.
        public string? Cluster { get; }

        public int Days { get; }
    }
}

/// <summary>The undo data of <c>rds-backup-retention-30-days</c>.</summary>
internal sealed class RdsRetentionUndoData
{
    /// <summary>The cluster whose retention was raised (the instance was a member); null for a standalone instance.</summary>
    public string? Cluster { get; set; }

    /// <summary>The retention before the remediation (0 = backups off).</summary>
    public int Previous { get; set; }

    /// <summary>The retention the remediation set.</summary>
    public int Set { get; set; }
}
