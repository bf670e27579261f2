using System.Globalization;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Elb;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Rds;

/// <summary>
/// RDS (awsQuery, API version 2014-10-31) as the module calls it: DescribeDBInstances / DescribeDBClusters (identifier
/// or Marker pages), ModifyDBInstance (modifying until the transition delay has passed when applied immediately, pending
/// otherwise; backup retention of a cluster member refused: it is the cluster's), ModifyDBCluster, the restore attribute
/// of DB snapshots and DB cluster snapshots, ListTagsForResource. Calls count under <c>rds:&lt;Action&gt;</c>.
/// </summary>
internal sealed class RdsService : IAwsService
{
    public static readonly XNamespace Ns = "http://rds.amazonaws.com/doc/2014-10-31/";

    /// <summary>Accounts a manual snapshot can be shared with.</summary>
    private const int MaxSharedAccounts = 20;

    public string? Handle(AwsRequestContext context) => context.Action switch
    {
        "DescribeDBInstances" => DescribeDBInstances(context),
        "ModifyDBInstance" => ModifyDBInstance(context),
        "DescribeDBClusters" => DescribeDBClusters(context),
        "ModifyDBCluster" => ModifyDBCluster(context),
        "DescribeDBSnapshotAttributes" => DescribeSnapshotAttributes(context, cluster: false),
        "ModifyDBSnapshotAttribute" => ModifySnapshotAttribute(context, cluster: false),
        "DescribeDBClusterSnapshotAttributes" => DescribeSnapshotAttributes(context, cluster: true),
        "ModifyDBClusterSnapshotAttribute" => ModifySnapshotAttribute(context, cluster: true),
        "ListTagsForResource" => ListTagsForResource(context),
        _ => null,
    };

    private static XElement E(string name, params object?[] content) => new(Ns + name, content);

    private static string Ok(AwsRequestContext context, params object?[] result) => AwsXml.QueryResponse(Ns, context.Action, context.RequestId, result);

    private static AwsServiceError InstanceNotFound(string id) => new(404, "DBInstanceNotFound", $"DBInstance {id} not found.");

    private static AwsServiceError ClusterNotFound(string id) => new(404, "DBClusterNotFoundFault", $"DBCluster {id} not found.");

    private static AwsServiceError SnapshotNotFound(string id, bool cluster) => cluster
        ? new(404, "DBClusterSnapshotNotFoundFault", $"DBClusterSnapshot {id} not found.")
        : new(404, "DBSnapshotNotFound", $"DBSnapshot {id} not found.");

    private static AwsServiceError InvalidValue(string message) => new(400, "InvalidParameterValue", message);

    private static RdsRegionState Region(AwsRequestContext context) => context.State.Rds(context.Caller.AccountId, context.Region);

    private static string Required(AwsRequestContext context, string name) =>
        context.Args.Get(name) is { Length: > 0 } value ? value : throw new AwsServiceError(400, "MissingParameter", $"The request must contain the parameter {name}");

    private static bool? Bool(AwsRequestContext context, string name) => context.Args.Get(name) switch
    {
        null => null,
        var v when string.Equals(v, "true", StringComparison.OrdinalIgnoreCase) => true,
        var v when string.Equals(v, "false", StringComparison.OrdinalIgnoreCase) => false,
        var v => throw InvalidValue($"Invalid boolean value '{v}' for parameter {name}."),
    };

    private static int? Retention(AwsRequestContext context, int min)
    {
        var text = context.Args.Get("BackupRetentionPeriod");
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var days) && days >= min && days <= 35
            ? days
            : throw InvalidValue($"Invalid backup retention period '{text}': it must be between {min.ToString(CultureInfo.InvariantCulture)} and 35 days.");
    }

    /// <summary>One page of <paramref name="all"/> after Marker, MaxRecords 20 to 100 (default 100), capped by the sandbox's page size.</summary>
    private static (List<T> Page, string? Next) Page<T>(AwsRequestContext context, List<T> all)
    {
        var size = context.Args.GetInt("MaxRecords") ?? 100;
        if (size is < 20 or > 100)
        {
            throw InvalidValue($"Invalid value {size.ToString(CultureInfo.InvariantCulture)} for MaxRecords. Must be between 20 and 100");
        }

        if (context.State.MaxPageSize is { } cap)
        {
            size = Math.Min(size, cap);
        }

        var start = ClassicElbService.ParseMarker(context.Args.Get("Marker"));
        var page = all.Skip(start).Take(size).ToList();
        return (page, start + page.Count < all.Count ? ClassicElbService.Marker(start + page.Count) : null);
    }

    private static XElement TagList(IEnumerable<KeyValuePair<string, string>> tags) =>
        E("TagList", tags.Select(t => E("Tag", E("Key", t.Key), E("Value", t.Value))));

    private static XElement Instance(AwsRequestContext context, RdsInstance i)
    {
        var now = context.State.Now;
        i.Settle(now);
        var cluster = i.ClusterIdentifier is null ? null : Region(context).Clusters.FirstOrDefault(c => c.Identifier == i.ClusterIdentifier);
        return E(
            "DBInstance",
            E("DBInstanceIdentifier", i.Identifier),
            E("DBInstanceArn", i.Arn),
            E("DBInstanceClass", "db.t3.micro"),
            E("Engine", i.Engine),
            E("EngineVersion", i.EngineVersion),
            E("DBInstanceStatus", i.Status.Current(now)),
            i.ClusterIdentifier is null ? null : E("DBClusterIdentifier", i.ClusterIdentifier),
            E("PubliclyAccessible", AwsXml.Bool(i.PubliclyAccessible)),
            E("AutoMinorVersionUpgrade", AwsXml.Bool(i.AutoMinorVersionUpgrade)),
            E("BackupRetentionPeriod", AwsXml.Int(cluster?.BackupRetentionPeriod ?? i.BackupRetentionPeriod)),
            E("PendingModifiedValues", (i.InFlight?.BackupRetentionPeriod ?? i.Pending?.BackupRetentionPeriod) is { } days ? E("BackupRetentionPeriod", AwsXml.Int(days)) : null),
            TagList(i.Tags));
    }

    private static XElement Cluster(AwsRequestContext context, RdsCluster c) => E(
        "DBCluster",
        E("DBClusterIdentifier", c.Identifier),
        E("DBClusterArn", c.Arn),
        E("Engine", c.Engine),
        E("Status", c.Status),
        E("BackupRetentionPeriod", AwsXml.Int(c.BackupRetentionPeriod)),
        E("DBClusterMembers", Region(context).Instances.Where(i => i.ClusterIdentifier == c.Identifier).Select((i, n) =>
            E("DBClusterMember", E("DBInstanceIdentifier", i.Identifier), E("IsClusterWriter", AwsXml.Bool(n == 0))))),
        TagList(c.Tags));

    private static string InstanceArn(AwsRequestContext context, string id) => $"arn:aws:rds:{context.Region}:{context.Caller.AccountId}:db:{id}";

    private static string DescribeDBInstances(AwsRequestContext context)
    {
        var region = Region(context);
        if (context.Args.Get("DBInstanceIdentifier") is { Length: > 0 } id)
        {
            Authorizer.Require(context, "rds:DescribeDBInstances", InstanceArn(context, id));
            var one = region.Instances.FirstOrDefault(i => i.Identifier == id) ?? throw InstanceNotFound(id);
            return Ok(context, E("DBInstances", Instance(context, one)));
        }

        Authorizer.Require(context, "rds:DescribeDBInstances", "*");
        var (page, next) = Page(context, region.Instances);
        return Ok(context, E("DBInstances", page.Select(i => Instance(context, i))), next is null ? null : E("Marker", next));
    }

    private static string ModifyDBInstance(AwsRequestContext context)
    {
        var id = Required(context, "DBInstanceIdentifier");
        Authorizer.Require(context, "rds:ModifyDBInstance", InstanceArn(context, id));
        var instance = Region(context).Instances.FirstOrDefault(i => i.Identifier == id) ?? throw InstanceNotFound(id);
        var now = context.State.Now;
        instance.Settle(now);
        var publicly = Bool(context, "PubliclyAccessible");
        var minor = Bool(context, "AutoMinorVersionUpgrade");
        var immediately = Bool(context, "ApplyImmediately") ?? false;
        var retention = Retention(context, 0);
        if (instance.Status.Current(now) != "available")
        {
            throw new AwsServiceError(400, "InvalidDBInstanceState", "Database instance is not in available state.");
        }

        if (retention is not null && instance.ClusterIdentifier is not null)
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", $"The requested DB Instance will be a member of a DB Cluster. Set backup retention period for the DB Cluster {instance.ClusterIdentifier}.");
        }

        if (publicly is null && minor is null && retention is null)
        {
            return Ok(context, Instance(context, instance));
        }

        // The API reference: PubliclyAccessible, AutoMinorVersionUpgrade and a retention from one non-zero value to another
        // are applied as soon as possible whatever ApplyImmediately says; turning backups on or off (0 to non-zero or back)
        // waits for the maintenance window unless ApplyImmediately, which also applies the changes already pending.
        var backupsToggled = retention is { } days && (days == 0) != (instance.BackupRetentionPeriod == 0);
        var asap = new RdsPendingChanges(publicly, minor, backupsToggled && !immediately ? null : retention);
        if (immediately)
        {
            asap = RdsPendingChanges.Merge(instance.Pending, asap)!;
            instance.Pending = null;
        }
        else if (backupsToggled)
        {
            instance.Pending = RdsPendingChanges.Merge(instance.Pending, new RdsPendingChanges(null, null, retention));
        }

        if (RdsPendingChanges.Merge(null, asap) is { } changes)
        {
            instance.InFlight = RdsPendingChanges.Merge(instance.InFlight, changes);
            instance.Status = context.State.Transition("modifying", "available");
            instance.Settle(now);
        }

        return Ok(context, Instance(context, instance));
    }

    private static string DescribeDBClusters(AwsRequestContext context)
    {
        var region = Region(context);
        if (context.Args.Get("DBClusterIdentifier") is { Length: > 0 } id)
        {
            Authorizer.Require(context, "rds:DescribeDBClusters", $"arn:aws:rds:{context.Region}:{context.Caller.AccountId}:cluster:{id}");
            var one = region.Clusters.FirstOrDefault(c => c.Identifier == id) ?? throw ClusterNotFound(id);
            return Ok(context, E("DBClusters", Cluster(context, one)));
        }

        Authorizer.Require(context, "rds:DescribeDBClusters", "*");
        var (page, next) = Page(context, region.Clusters);
        return Ok(context, E("DBClusters", page.Select(c => Cluster(context, c))), next is null ? null : E("Marker", next));
    }

    private static string ModifyDBCluster(AwsRequestContext context)
    {
        var id = Required(context, "DBClusterIdentifier");
        Authorizer.Require(context, "rds:ModifyDBCluster", $"arn:aws:rds:{context.Region}:{context.Caller.AccountId}:cluster:{id}");
        var cluster = Region(context).Clusters.FirstOrDefault(c => c.Identifier == id) ?? throw ClusterNotFound(id);
        var retention = Retention(context, 1);
        _ = Bool(context, "ApplyImmediately");
        if (cluster.Status != "available")
        {
            throw new AwsServiceError(400, "InvalidDBClusterStateFault", $"DbCluster {id} is not in a valid state.");
        }

        // A cluster's backup retention changes at once, whatever ApplyImmediately says.
        cluster.BackupRetentionPeriod = retention ?? cluster.BackupRetentionPeriod;
        return Ok(context, Cluster(context, cluster));
    }

    private static (RdsSnapshot Snapshot, string Arn) Snapshot(AwsRequestContext context, bool cluster, string action)
    {
        var id = Required(context, cluster ? "DBClusterSnapshotIdentifier" : "DBSnapshotIdentifier");
        var arn = $"arn:aws:rds:{context.Region}:{context.Caller.AccountId}:{(cluster ? "cluster-snapshot" : "snapshot")}:{id}";
        Authorizer.Require(context, action, arn);
        var region = Region(context);
        var snapshot = (cluster ? region.ClusterSnapshots : region.Snapshots).FirstOrDefault(s => s.Identifier == id) ?? throw SnapshotNotFound(id, cluster);
        return (snapshot, arn);
    }

    private static XElement Attributes(RdsSnapshot snapshot, bool cluster)
    {
        var prefix = cluster ? "DBClusterSnapshot" : "DBSnapshot";
        return E(
            prefix + "AttributesResult",
            E(prefix + "Identifier", snapshot.Identifier),
            E(prefix + "Attributes", E(prefix + "Attribute", E("AttributeName", "restore"), E("AttributeValues", snapshot.Restore.Select(v => E("AttributeValue", v))))));
    }

    private static string DescribeSnapshotAttributes(AwsRequestContext context, bool cluster)
    {
        var (snapshot, _) = Snapshot(context, cluster, "rds:" + context.Action);
        return Ok(context, Attributes(snapshot, cluster));
    }

    private static string ModifySnapshotAttribute(AwsRequestContext context, bool cluster)
    {
        var (snapshot, _) = Snapshot(context, cluster, "rds:" + context.Action);
        var name = Required(context, "AttributeName");
        if (name != "restore")
        {
            throw InvalidValue($"Invalid snapshot attribute name '{name}': only 'restore' can be modified.");
        }

        var add = context.Args.Strings("ValuesToAdd.AttributeValue");
        var remove = context.Args.Strings("ValuesToRemove.AttributeValue");
        foreach (var value in add.Concat(remove))
        {
            if (value != "all" && (value.Length != 12 || !value.All(char.IsAsciiDigit)))
            {
                throw InvalidValue($"Invalid attribute value '{value}': an account ID of 12 digits or 'all'.");
            }
        }

        if (add.Contains("all") && snapshot.Encrypted)
        {
            throw InvalidValue("An encrypted snapshot cannot be shared publicly.");
        }

        // Validate against the result first: a refused call changes nothing.
        var after = snapshot.Restore.Where(v => !remove.Contains(v)).ToList();
        after.AddRange(add.Where(v => !after.Contains(v)).Distinct());
        if (after.Count(v => v != "all") > MaxSharedAccounts)
        {
            throw new AwsServiceError(400, "SharedSnapshotQuotaExceeded", $"The snapshot would be shared with more than {MaxSharedAccounts.ToString(CultureInfo.InvariantCulture)} accounts.");
        }

        snapshot.Restore.Clear();
        snapshot.Restore.AddRange(after);
        return Ok(context, Attributes(snapshot, cluster));
    }

    private static string ListTagsForResource(AwsRequestContext context)
    {
        var arn = Required(context, "ResourceName");
        Authorizer.Require(context, "rds:ListTagsForResource", arn);
        var parts = arn.Split(':');
        if (parts.Length != 7 || parts[0] != "arn" || parts[2] != "rds" || parts[3] != context.Region || parts[4] != context.Caller.AccountId)
        {
            throw InvalidValue($"Invalid resource name: {arn}");
        }

        var region = Region(context);
        var id = parts[6];
        IEnumerable<KeyValuePair<string, string>> tags = parts[5] switch
        {
            "db" => (region.Instances.FirstOrDefault(i => i.Identifier == id) ?? throw InstanceNotFound(id)).Tags,
            "cluster" => (region.Clusters.FirstOrDefault(c => c.Identifier == id) ?? throw ClusterNotFound(id)).Tags,
            "snapshot" => (region.Snapshots.FirstOrDefault(s => s.Identifier == id) ?? throw SnapshotNotFound(id, false)).Tags,
            "cluster-snapshot" => (region.ClusterSnapshots.FirstOrDefault(s => s.Identifier == id) ?? throw SnapshotNotFound(id, true)).Tags,
            _ => throw InvalidValue($"Invalid resource name: {arn}"),
        };
        return Ok(context, TagList(tags));
    }
}
