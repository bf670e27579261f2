namespace RemediationTools.Core.Aws.Signed.Rds;

// Request and result types shaped like AWSSDK.RDS's (Amazon.RDS.Model), the members the module reads, so the official
// package can replace RdsClient later with few changes in callers.

/// <summary>Base of every RDS response.</summary>
internal class RdsResponse
{
    public string? RequestId { get; set; }
}

/// <summary>A tag of an RDS resource.</summary>
internal sealed class Tag
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

/// <summary>Changes requested but not applied yet (the members the module reads).</summary>
internal sealed class PendingModifiedValues
{
    public int? BackupRetentionPeriod { get; set; }

    public string? EngineVersion { get; set; }

    public string? DBInstanceClass { get; set; }
}

/// <summary>A DB instance (the members the module reads).</summary>
internal sealed class DBInstance
{
    public string DBInstanceIdentifier { get; set; } = string.Empty;

    public string? DBInstanceArn { get; set; }

    public string? Engine { get; set; }

    public string? EngineVersion { get; set; }

    public string? DBInstanceClass { get; set; }

    /// <summary>available, modifying, backing-up, stopped, ...</summary>
    public string? DBInstanceStatus { get; set; }

    /// <summary>The cluster the instance belongs to (Aurora, Multi-AZ clusters); null for a standalone instance.</summary>
    public string? DBClusterIdentifier { get; set; }

    public bool? PubliclyAccessible { get; set; }

    public bool? AutoMinorVersionUpgrade { get; set; }

    /// <summary>Days; 0 = automated backups off. For a cluster member, the cluster's.</summary>
    public int? BackupRetentionPeriod { get; set; }

    public PendingModifiedValues? PendingModifiedValues { get; set; }

    public List<Tag> TagList { get; set; } = new();
}

/// <summary>A member instance of a DB cluster.</summary>
internal sealed class DBClusterMember
{
    public string DBInstanceIdentifier { get; set; } = string.Empty;

    public bool? IsClusterWriter { get; set; }
}

/// <summary>A DB cluster (the members the module reads).</summary>
internal sealed class DBCluster
{
    public string DBClusterIdentifier { get; set; } = string.Empty;

    public string? DBClusterArn { get; set; }

    public string? Engine { get; set; }

    public string? EngineVersion { get; set; }

    public string? Status { get; set; }

    public int? BackupRetentionPeriod { get; set; }

    public bool? PubliclyAccessible { get; set; }

    public List<DBClusterMember> DBClusterMembers { get; set; } = new();

    public List<Tag> TagList { get; set; } = new();
}

/// <summary>One attribute of a snapshot (restore: account IDs or <c>all</c>).</summary>
internal sealed class SnapshotAttribute
{
    public string AttributeName { get; set; } = string.Empty;

    public List<string> AttributeValues { get; set; } = new();
}

/// <summary>The attributes of a DB snapshot (AWSSDK.RDS: DBSnapshotAttributesResult).</summary>
internal sealed class DBSnapshotAttributesResult
{
    public string DBSnapshotIdentifier { get; set; } = string.Empty;

    public List<SnapshotAttribute> DBSnapshotAttributes { get; set; } = new();
}

/// <summary>The attributes of a DB cluster snapshot (AWSSDK.RDS: DBClusterSnapshotAttributesResult).</summary>
internal sealed class DBClusterSnapshotAttributesResult
{
    public string DBClusterSnapshotIdentifier { get; set; } = string.Empty;

    public List<SnapshotAttribute> DBClusterSnapshotAttributes { get; set; } = new();
}

internal sealed class DescribeDBInstancesRequest
{
    /// <summary>One instance; null for every instance (paged).</summary>
    public string? DBInstanceIdentifier { get; set; }

    public string? Marker { get; set; }

    /// <summary>20 to 100.</summary>
    public int? MaxRecords { get; set; }
}

internal sealed class DescribeDBInstancesResponse : RdsResponse
{
    public List<DBInstance> DBInstances { get; set; } = new();

    /// <summary>Marker of the next page; null on the last.</summary>
    public string? Marker { get; set; }
}

internal sealed class ModifyDBInstanceRequest
{
    public string DBInstanceIdentifier { get; set; } = string.Empty;

    public bool? PubliclyAccessible { get; set; }

    public bool? AutoMinorVersionUpgrade { get; set; }

    /// <summary>0 to 35 days; not for a cluster member (set it on the cluster).</summary>
    public int? BackupRetentionPeriod { get; set; }

    /// <summary>Apply now rather than in the next maintenance window.</summary>
    public bool? ApplyImmediately { get; set; }
}

internal sealed class ModifyDBInstanceResponse : RdsResponse
{
    public DBInstance? DBInstance { get; set; }
}

internal sealed class DescribeDBClustersRequest
{
    public string? DBClusterIdentifier { get; set; }

    public string? Marker { get; set; }

    /// <summary>20 to 100.</summary>
    public int? MaxRecords { get; set; }
}

internal sealed class DescribeDBClustersResponse : RdsResponse
{
    public List<DBCluster> DBClusters { get; set; } = new();

    public string? Marker { get; set; }
}

internal sealed class ModifyDBClusterRequest
{
    public string DBClusterIdentifier { get; set; } = string.Empty;

    /// <summary>1 to 35 days.</summary>
    public int? BackupRetentionPeriod { get; set; }

    public bool? ApplyImmediately { get; set; }
}

internal sealed class ModifyDBClusterResponse : RdsResponse
{
    public DBCluster? DBCluster { get; set; }
}

internal sealed class DescribeDBSnapshotAttributesRequest
{
    public string DBSnapshotIdentifier { get; set; } = string.Empty;
}

internal sealed class DescribeDBSnapshotAttributesResponse : RdsResponse
{
    public DBSnapshotAttributesResult? DBSnapshotAttributesResult { get; set; }
}

internal sealed class ModifyDBSnapshotAttributeRequest
{
    public string DBSnapshotIdentifier { get; set; } = string.Empty;

    /// <summary>restore.</summary>
    public string AttributeName { get; set; } = "restore";

    public List<string> ValuesToAdd { get; set; } = new();

    public List<string> ValuesToRemove { get; set; } = new();
}

internal sealed class ModifyDBSnapshotAttributeResponse : RdsResponse
{
    public DBSnapshotAttributesResult? DBSnapshotAttributesResult { get; set; }
}

internal sealed class DescribeDBClusterSnapshotAttributesRequest
{
    public string DBClusterSnapshotIdentifier { get; set; } = string.Empty;
}

internal sealed class DescribeDBClusterSnapshotAttributesResponse : RdsResponse
{
    public DBClusterSnapshotAttributesResult? DBClusterSnapshotAttributesResult { get; set; }
}

internal sealed class ModifyDBClusterSnapshotAttributeRequest
{
    public string DBClusterSnapshotIdentifier { get; set; } = string.Empty;

    /// <summary>restore.</summary>
    public string AttributeName { get; set; } = "restore";

    public List<string> ValuesToAdd { get; set; } = new();

    public List<string> ValuesToRemove { get; set; } = new();
}

internal sealed class ModifyDBClusterSnapshotAttributeResponse : RdsResponse
{
    public DBClusterSnapshotAttributesResult? DBClusterSnapshotAttributesResult { get; set; }
}

internal sealed class ListTagsForResourceRequest
{
    /// <summary>The resource's ARN.</summary>
    public string ResourceName { get; set; } = string.Empty;
}

internal sealed class ListTagsForResourceResponse : RdsResponse
{
    public List<Tag> TagList { get; set; } = new();
}
