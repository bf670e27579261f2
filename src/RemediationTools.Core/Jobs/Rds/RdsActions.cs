namespace RemediationTools.Core.Jobs.Rds;

/// <summary>The IAM actions and result error codes of the RDS jobs.</summary>
internal static class RdsActions
{
    /// <summary>IAM action: DescribeDBInstances (the instance, with its TagList).</summary>
    public const string DescribeDBInstances = "rds:DescribeDBInstances";

    /// <summary>IAM action: ModifyDBInstance.</summary>
    public const string ModifyDBInstance = "rds:ModifyDBInstance";

    /// <summary>IAM action: DescribeDBClusters (the cluster of an Aurora member, with its TagList).</summary>
    public const string DescribeDBClusters = "rds:DescribeDBClusters";

    /// <summary>IAM action: ModifyDBCluster.</summary>
    public const string ModifyDBCluster = "rds:ModifyDBCluster";

    /// <summary>IAM action: DescribeDBSnapshotAttributes.</summary>
    public const string DescribeDBSnapshotAttributes = "rds:DescribeDBSnapshotAttributes";

    /// <summary>IAM action: ModifyDBSnapshotAttribute.</summary>
    public const string ModifyDBSnapshotAttribute = "rds:ModifyDBSnapshotAttribute";

    /// <summary>IAM action: DescribeDBClusterSnapshotAttributes.</summary>
    public const string DescribeDBClusterSnapshotAttributes = "rds:DescribeDBClusterSnapshotAttributes";

    /// <summary>IAM action: ModifyDBClusterSnapshotAttribute.</summary>
    public const string ModifyDBClusterSnapshotAttribute = "rds:ModifyDBClusterSnapshotAttribute";

    /// <summary>IAM action: ListTagsForResource (a snapshot's tags: the attribute calls return none).</summary>
    public const string ListTagsForResource = "rds:ListTagsForResource";

    /// <summary>The error code of an instance that did not become <c>available</c> (with the change in place) within the wait.</summary>
    public const string DBInstanceNotAvailableErrorCode = "DBInstanceNotAvailable";

    /// <summary>The error code of a cluster that did not become <c>available</c> (with the change in place) within the wait.</summary>
    public const string DBClusterNotAvailableErrorCode = "DBClusterNotAvailable";

    /// <summary>The error code of an undo that finds a newer change than the remediation's.</summary>
    public const string UndoWouldOverwriteNewerChangeErrorCode = "UndoWouldOverwriteNewerChange";

    /// <summary>The lock key of a DB instance's settings.</summary>
    public static string InstanceKey(string identifier) => "rds:db:" + identifier.ToLowerInvariant();

    /// <summary>The lock key of a DB cluster's settings.</summary>
    public static string ClusterKey(string identifier) => "rds:cluster:" + identifier.ToLowerInvariant();

    /// <summary>The lock key of a DB snapshot's or DB cluster snapshot's restore attribute.</summary>
    public static string SnapshotKey(bool cluster, string identifier) => (cluster ? "rds:cluster-snapshot:" : "rds:snapshot:") + identifier.ToLowerInvariant();

    /// <summary>The tags of an RDS describe result, as key-value pairs for <see cref="SkipTag"/>.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Pairs(IEnumerable<Aws.Signed.Rds.Tag>? tags)
        => (tags ?? Enumerable.Empty<Aws.Signed.Rds.Tag>()).Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty));
}
