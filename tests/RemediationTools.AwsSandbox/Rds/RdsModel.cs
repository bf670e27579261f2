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
internal sealed record RdsPendingChanges(bool? PubliclyAccessible, bool? AutoMinorVersionUpgrade, int? BackupRetentionPeriod)
{
    /// <summary>These changes with <paramref name="later"/>'s on top; null when neither has any.</summary>
    public static RdsPendingChanges? Merge(RdsPendingChanges? earlier, RdsPendingChanges? later)
    {
        var merged = new RdsPendingChanges(
            later?.PubliclyAccessible ?? earlier?.PubliclyAccessible,
            later?.AutoMinorVersionUpgrade ?? earlier?.AutoMinorVersionUpgrade,
            later?.BackupRetentionPeriod ?? earlier?.BackupRetentionPeriod);
        return merged is { PubliclyAccessible: null, AutoMinorVersionUpgrade: null, BackupRetentionPeriod: null } ? null : merged;
    }
}

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

    /// <summary>Deferred to the next maintenance window, which never comes in the sandbox (until a call applies them immediately).</summary>
    public RdsPendingChanges? Pending { get; set; }

    /// <summary>Being applied: in place when <see cref="Status"/> settles (<c>modifying</c> until then).</summary>
    public RdsPendingChanges? InFlight { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = new();

    public string Arn => $"arn:aws:rds:{Region}:{AccountId}:db:{Identifier}";

    /// <summary>Applies what a settled transition carried.</summary>
    public void Settle(DateTimeOffset now)
    {
        if (InFlight is not { } changes || !Status.IsSettled(now))
        {
            return;
        }

        PubliclyAccessible = changes.PubliclyAccessible ?? PubliclyAccessible;
        AutoMinorVersionUpgrade = changes.AutoMinorVersionUpgrade ?? AutoMinorVersionUpgrade;
        BackupRetentionPeriod = changes.BackupRetentionPeriod ?? BackupRetentionPeriod;
        InFlight = null;
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
