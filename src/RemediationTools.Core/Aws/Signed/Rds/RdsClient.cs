using System.Xml.Linq;
using static RemediationTools.Core.Aws.Signed.QueryParameterLists;

namespace RemediationTools.Core.Aws.Signed.Rds;

/// <summary><see cref="IRdsClient"/> over the AWS Query protocol (RDS API version 2014-10-31).</summary>
internal sealed class RdsClient : IRdsClient, IDisposable
{
    public const string ApiVersion = "2014-10-31";

    /// <summary>The service ID of AWS_ENDPOINT_URL_RDS.</summary>
    public const string ServiceId = "RDS";

    public const string SigningName = "rds";

    private readonly AwsQueryClient query;

    public RdsClient(AwsQueryClient query)
    {
        this.query = query ?? throw new ArgumentNullException(nameof(query));
    }

    public async Task<DescribeDBInstancesResponse> DescribeDBInstancesAsync(DescribeDBInstancesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddIf("DBInstanceIdentifier", request.DBInstanceIdentifier).AddIf("Marker", request.Marker).AddIf("MaxRecords", request.MaxRecords);
        var r = await query.InvokeAsync("DescribeDBInstances", p, cancellationToken).ConfigureAwait(false);
        return new DescribeDBInstancesResponse
        {
            DBInstances = Items(r.Result.Child("DBInstances"), "DBInstance").Select(ParseInstance).ToList(),
            Marker = NullIfEmpty(r.Result.Text("Marker")),
            RequestId = r.RequestId,
        };
    }

    public async Task<ModifyDBInstanceResponse> ModifyDBInstanceAsync(ModifyDBInstanceRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("DBInstanceIdentifier", request.DBInstanceIdentifier)
            .AddIf("PubliclyAccessible", request.PubliclyAccessible)
            .AddIf("AutoMinorVersionUpgrade", request.AutoMinorVersionUpgrade)
            .AddIf("BackupRetentionPeriod", request.BackupRetentionPeriod)
            .AddIf("ApplyImmediately", request.ApplyImmediately);
        var r = await query.InvokeAsync("ModifyDBInstance", p, cancellationToken).ConfigureAwait(false);
        return new ModifyDBInstanceResponse { DBInstance = r.Result.Child("DBInstance") is { } i ? ParseInstance(i) : null, RequestId = r.RequestId };
    }

    public async Task<DescribeDBClustersResponse> DescribeDBClustersAsync(DescribeDBClustersRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddIf("DBClusterIdentifier", request.DBClusterIdentifier).AddIf("Marker", request.Marker).AddIf("MaxRecords", request.MaxRecords);
        var r = await query.InvokeAsync("DescribeDBClusters", p, cancellationToken).ConfigureAwait(false);
        return new DescribeDBClustersResponse
        {
            DBClusters = Items(r.Result.Child("DBClusters"), "DBCluster").Select(ParseCluster).ToList(),
            Marker = NullIfEmpty(r.Result.Text("Marker")),
            RequestId = r.RequestId,
        };
    }

    public async Task<ModifyDBClusterResponse> ModifyDBClusterAsync(ModifyDBClusterRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("DBClusterIdentifier", request.DBClusterIdentifier)
            .AddIf("BackupRetentionPeriod", request.BackupRetentionPeriod)
            .AddIf("ApplyImmediately", request.ApplyImmediately);
        var r = await query.InvokeAsync("ModifyDBCluster", p, cancellationToken).ConfigureAwait(false);
        return new ModifyDBClusterResponse { DBCluster = r.Result.Child("DBCluster") is { } c ? ParseCluster(c) : null, RequestId = r.RequestId };
    }

    public async Task<DescribeDBSnapshotAttributesResponse> DescribeDBSnapshotAttributesAsync(DescribeDBSnapshotAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("DBSnapshotIdentifier", request.DBSnapshotIdentifier);
        var r = await query.InvokeAsync("DescribeDBSnapshotAttributes", p, cancellationToken).ConfigureAwait(false);
        return new DescribeDBSnapshotAttributesResponse { DBSnapshotAttributesResult = ParseSnapshotAttributes(r.Result.Child("DBSnapshotAttributesResult")), RequestId = r.RequestId };
    }

    public async Task<ModifyDBSnapshotAttributeResponse> ModifyDBSnapshotAttributeAsync(ModifyDBSnapshotAttributeRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("DBSnapshotIdentifier", request.DBSnapshotIdentifier)
            .Add("AttributeName", request.AttributeName)
            .AddList("ValuesToAdd.AttributeValue", request.ValuesToAdd)
            .AddList("ValuesToRemove.AttributeValue", request.ValuesToRemove);
        var r = await query.InvokeAsync("ModifyDBSnapshotAttribute", p, cancellationToken).ConfigureAwait(false);
        return new ModifyDBSnapshotAttributeResponse { DBSnapshotAttributesResult = ParseSnapshotAttributes(r.Result.Child("DBSnapshotAttributesResult")), RequestId = r.RequestId };
    }

    public async Task<DescribeDBClusterSnapshotAttributesResponse> DescribeDBClusterSnapshotAttributesAsync(DescribeDBClusterSnapshotAttributesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("DBClusterSnapshotIdentifier", request.DBClusterSnapshotIdentifier);
        var r = await query.InvokeAsync("DescribeDBClusterSnapshotAttributes", p, cancellationToken).ConfigureAwait(false);
        return new DescribeDBClusterSnapshotAttributesResponse { DBClusterSnapshotAttributesResult = ParseClusterSnapshotAttributes(r.Result.Child("DBClusterSnapshotAttributesResult")), RequestId = r.RequestId };
    }

    public async Task<ModifyDBClusterSnapshotAttributeResponse> ModifyDBClusterSnapshotAttributeAsync(ModifyDBClusterSnapshotAttributeRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("DBClusterSnapshotIdentifier", request.DBClusterSnapshotIdentifier)
            .Add("AttributeName", request.AttributeName)
            .AddList("ValuesToAdd.AttributeValue", request.ValuesToAdd)
            .AddList("ValuesToRemove.AttributeValue", request.ValuesToRemove);
        var r = await query.InvokeAsync("ModifyDBClusterSnapshotAttribute", p, cancellationToken).ConfigureAwait(false);
        return new ModifyDBClusterSnapshotAttributeResponse { DBClusterSnapshotAttributesResult = ParseClusterSnapshotAttributes(r.Result.Child("DBClusterSnapshotAttributesResult")), RequestId = r.RequestId };
    }

    public async Task<ListTagsForResourceResponse> ListTagsForResourceAsync(ListTagsForResourceRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("ResourceName", request.ResourceName);
        var r = await query.InvokeAsync("ListTagsForResource", p, cancellationToken).ConfigureAwait(false);
        return new ListTagsForResourceResponse { TagList = ParseTags(r.Result.Child("TagList")), RequestId = r.RequestId };
    }

    public void Dispose() => query.Dispose();

    // RDS names list items after their type (<DBInstances><DBInstance>, <TagList><Tag>), not <member>.
    private static IEnumerable<XElement> Items(XElement? list, string itemName) =>
        list?.Elements().Where(e => e.Name.LocalName == itemName) ?? Enumerable.Empty<XElement>();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static List<Tag> ParseTags(XElement? list) =>
        Items(list, "Tag").Select(t => new Tag { Key = t.Text("Key") ?? string.Empty, Value = t.Text("Value") }).ToList();

    private static DBInstance ParseInstance(XElement e) => new()
    {
        DBInstanceIdentifier = e.Text("DBInstanceIdentifier") ?? string.Empty,
        DBInstanceArn = e.Text("DBInstanceArn"),
        Engine = e.Text("Engine"),
        EngineVersion = e.Text("EngineVersion"),
        DBInstanceClass = e.Text("DBInstanceClass"),
        DBInstanceStatus = e.Text("DBInstanceStatus"),
        DBClusterIdentifier = e.Text("DBClusterIdentifier"),
        PubliclyAccessible = ParseBool(e.Text("PubliclyAccessible")),
        AutoMinorVersionUpgrade = ParseBool(e.Text("AutoMinorVersionUpgrade")),
        BackupRetentionPeriod = ParseInt(e.Text("BackupRetentionPeriod")),
        PendingModifiedValues = e.Child("PendingModifiedValues") is { } p
            ? new PendingModifiedValues
            {
                BackupRetentionPeriod = ParseInt(p.Text("BackupRetentionPeriod")),
                EngineVersion = p.Text("EngineVersion"),
                DBInstanceClass = p.Text("DBInstanceClass"),
            }
            : null,
        TagList = ParseTags(e.Child("TagList")),
    };

    private static DBCluster ParseCluster(XElement e) => new()
    {
        DBClusterIdentifier = e.Text("DBClusterIdentifier") ?? string.Empty,
        DBClusterArn = e.Text("DBClusterArn"),
        Engine = e.Text("Engine"),
        EngineVersion = e.Text("EngineVersion"),
        Status = e.Text("Status"),
        BackupRetentionPeriod = ParseInt(e.Text("BackupRetentionPeriod")),
        PubliclyAccessible = ParseBool(e.Text("PubliclyAccessible")),
        DBClusterMembers = Items(e.Child("DBClusterMembers"), "DBClusterMember")
            .Select(m => new DBClusterMember { DBInstanceIdentifier = m.Text("DBInstanceIdentifier") ?? string.Empty, IsClusterWriter = ParseBool(m.Text("IsClusterWriter")) })
            .ToList(),
        TagList = ParseTags(e.Child("TagList")),
    };

    private static List<SnapshotAttribute> ParseAttributes(XElement? list, string itemName) =>
        Items(list, itemName).Select(a => new SnapshotAttribute
        {
            AttributeName = a.Text("AttributeName") ?? string.Empty,
            AttributeValues = Items(a.Child("AttributeValues"), "AttributeValue").Select(v => v.Value).ToList(),
        }).ToList();

    private static DBSnapshotAttributesResult? ParseSnapshotAttributes(XElement? e) => e is null ? null : new DBSnapshotAttributesResult
    {
        DBSnapshotIdentifier = e.Text("DBSnapshotIdentifier") ?? string.Empty,
        DBSnapshotAttributes = ParseAttributes(e.Child("DBSnapshotAttributes"), "DBSnapshotAttribute"),
    };

    private static DBClusterSnapshotAttributesResult? ParseClusterSnapshotAttributes(XElement? e) => e is null ? null : new DBClusterSnapshotAttributesResult
    {
        DBClusterSnapshotIdentifier = e.Text("DBClusterSnapshotIdentifier") ?? string.Empty,
        DBClusterSnapshotAttributes = ParseAttributes(e.Child("DBClusterSnapshotAttributes"), "DBClusterSnapshotAttribute"),
    };

    private static QueryParameters Params(object request) =>
        request is null ? throw new ArgumentNullException(nameof(request)) : new QueryParameters();
}
