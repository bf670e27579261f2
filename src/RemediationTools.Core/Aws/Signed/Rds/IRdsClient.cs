namespace RemediationTools.Core.Aws.Signed.Rds;

/// <summary>
/// The RDS operations the module uses (API version 2014-10-31), shaped like AWSSDK.RDS's <c>IAmazonRDS</c> so the
/// official client can replace <see cref="RdsClient"/> later. Errors are <see cref="AwsQueryServiceException"/>s with
/// RDS's error codes: DBInstanceNotFound, DBClusterNotFoundFault, DBSnapshotNotFound, DBClusterSnapshotNotFoundFault,
/// InvalidDBInstanceState, InvalidDBClusterStateFault, InvalidParameterCombination, InvalidParameterValue,
/// SharedSnapshotQuotaExceeded, AccessDenied, Throttling.
/// </summary>
internal interface IRdsClient
{
    /// <summary>Describes one DB instance by identifier, or one page (<c>Marker</c>) of all of them.</summary>
    Task<DescribeDBInstancesResponse> DescribeDBInstancesAsync(DescribeDBInstancesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the settings sent; returns the instance as it is right after the call (pending values included).</summary>
    Task<ModifyDBInstanceResponse> ModifyDBInstanceAsync(ModifyDBInstanceRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes one DB cluster by identifier, or one page of all of them.</summary>
    Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the cluster settings sent (backup retention is the cluster's, for every member).</summary>
    Task<ModifyDBClusterResponse> ModifyDBClusterAsync(ModifyDBClusterRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a DB snapshot's attributes (<c>restore</c>: the accounts it is shared with, or <c>all</c>).</summary>
    Task<DescribeDBSnapshotAttributesResponse> DescribeDBSnapshotAttributesAsync(DescribeDBSnapshotAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Adds and removes values of a DB snapshot's <c>restore</c> attribute.</summary>
    Task<ModifyDBSnapshotAttributeResponse> ModifyDBSnapshotAttributeAsync(ModifyDBSnapshotAttributeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a DB cluster snapshot's attributes.</summary>
    Task<DescribeDBClusterSnapshotAttributesResponse> DescribeDBClusterSnapshotAttributesAsync(DescribeDBClusterSnapshotAttributesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Adds and removes values of a DB cluster snapshot's <c>restore</c> attribute.</summary>
    Task<ModifyDBClusterSnapshotAttributeResponse> ModifyDBClusterSnapshotAttributeAsync(ModifyDBClusterSnapshotAttributeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the tags of an RDS resource by ARN.</summary>
    Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default);
}
