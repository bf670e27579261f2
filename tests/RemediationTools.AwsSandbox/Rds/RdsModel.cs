using RemediationTools.AwsSandbox.Ec2;

namespace RemediationTools.AwsSandbox.Rds;

/// <summary>The RDS resources of one account in one region, in creation order.</summary>
internal sealed class RdsRegionState
{
    public List<RdsInstance> Instances { get; } = new();

    public List<RdsCluster> Clusters { get; } = new();

    public List<RdsSnapshot> Snapshots { get; } = new();

    public List<RdsSnapshot> ClusterSnapshots { get; } = new();
}

/// <summary>Changes ModifyDBInstance accepted and not applied yet.</summary>
internal sealed record RdsPendingChanges(bool? PubliclyAccessible, bool? AutoMinorVersionUpgrade, int? BackupRetentionPeriod);

/// <summary>A DB instance; <see cref="Status"/> is modifying until a change applied immediately has taken effect.</summary>
internal sealed class RdsInstance
{
    public required string Identifier { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string Engine { get; init; }

    public string EngineVersion { get; init; } = "8.0.35";

    public string? ClusterIdentifier { get; init; }

    public bool PubliclyAccessible { get; set; }

    public bool AutoMinorVersionUpgrade { get; set; } = true;

    public int BackupRetentionPeriod { get; set; } = 1;

    public StateTransition Status { get; set; } = StateTransition.Settled("available");

    /// <summary>Applied when <see cref="Status"/> settles (ApplyImmediately), or never in the sandbox (next maintenance window).</summary>
    public RdsPendingChanges? Pending { get; set; }

    public bool PendingApplyImmediately { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = new();

    public string Arn => $"arn:aws:rds:{Region}:{AccountId}:db:{Identifier}";

    /// <summary>Applies what a settled transition carried.</summary>
    public void Settle(DateTimeOffset now)
    {
        if (Pending is not { } pending || !PendingApplyImmediately || !Status.IsSettled(now))
        {
            return;
        }

        PubliclyAccessible = pending.PubliclyAccessible ?? PubliclyAccessible;
        AutoMinorVersionUpgrade = pending.AutoMinorVersionUpgrade ?? AutoMinorVersionUpgrade;
        BackupRetentionPeriod = pending.BackupRetentionPeriod ?? BackupRetentionPeriod;
        Pending = null;
        PendingApplyImmediately = false;
    }
}

/// <summary>A DB cluster (Aurora): its backup retention is its members'.</summary>
internal sealed class RdsCluster
{
    public required string Identifier { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required string Engine { get; init; }

    public int BackupRetentionPeriod { get; set; } = 1;

    public string Status { get; set; } = "available";

    public List<KeyValuePair<string, string>> Tags { get; } = new();

    public string Arn => $"arn:aws:rds:{Region}:{AccountId}:cluster:{Identifier}";
}

/// <summary>A manual DB snapshot or DB cluster snapshot and its restore attribute (account IDs or "all").</summary>
internal sealed class RdsSnapshot
{
    public required string Identifier { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    /// <summary>The instance or cluster it was taken of.</summary>
    public required string SourceIdentifier { get; init; }

    public bool Encrypted { get; init; }

    public List<string> Restore { get; } = new();

    public List<KeyValuePair<string, string>> Tags { get; } = new();
}
