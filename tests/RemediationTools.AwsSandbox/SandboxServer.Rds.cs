using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Rds;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>Seeds an available DB instance (there is no CreateDBInstance).</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="identifier">Unique among the region's DB instances.</param>
    /// <param name="engine">mysql, postgres, aurora-mysql, aurora-postgresql, ...</param>
    /// <param name="clusterIdentifier">The seeded cluster it is a member of; its backup retention is then the cluster's.</param>
    /// <param name="publiclyAccessible">PubliclyAccessible.</param>
    /// <param name="autoMinorVersionUpgrade">AutoMinorVersionUpgrade.</param>
    /// <param name="backupRetentionPeriod">0 to 35 days (ignored for a cluster member).</param>
    /// <param name="tags">The instance's tags.</param>
    /// <param name="status">Its status (<c>available</c>; <c>stopped</c>, <c>storage-full</c>, ... stay as they are).</param>
    /// <returns>The instance's ARN.</returns>
    public string AddDBInstance(
        string accountId,
        string region,
        string identifier,
        string engine = "mysql",
        string? clusterIdentifier = null,
        bool publiclyAccessible = false,
        bool autoMinorVersionUpgrade = true,
        int backupRetentionPeriod = 1,
        IDictionary<string, string>? tags = null,
        string status = "available")
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (backupRetentionPeriod is < 0 or > 35)
        {
            throw new ArgumentOutOfRangeException(nameof(backupRetentionPeriod), backupRetentionPeriod, "Backup retention is 0 to 35 days.");
        }

        lock (_state.Gate)
        {
            var state = _state.Rds(accountId, region);
            if (state.Instances.Any(i => i.Identifier == identifier))
            {
                throw new ArgumentException($"A DB instance '{identifier}' already exists in {accountId}/{region}.", nameof(identifier));
            }

            if (clusterIdentifier is not null && state.Clusters.All(c => c.Identifier != clusterIdentifier))
            {
                throw new ArgumentException($"No DB cluster '{clusterIdentifier}' in {accountId}/{region}: seed it first.", nameof(clusterIdentifier));
            }

            var instance = new RdsInstance
            {
                Identifier = identifier,
                AccountId = accountId,
                Region = region,
                Engine = engine,
                ClusterIdentifier = clusterIdentifier,
                PubliclyAccessible = publiclyAccessible,
                AutoMinorVersionUpgrade = autoMinorVersionUpgrade,
                BackupRetentionPeriod = backupRetentionPeriod,
                Status = StateTransition.Settled(status),
            };
            instance.Tags.AddRange(tags ?? new Dictionary<string, string>());
            state.Instances.Add(instance);
            return instance.Arn;
        }
    }

    /// <summary>Seeds an available DB cluster; add its members with <see cref="AddDBInstance"/>.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="identifier">Unique among the region's DB clusters.</param>
    /// <param name="engine">aurora-mysql, aurora-postgresql, ...</param>
    /// <param name="backupRetentionPeriod">1 to 35 days.</param>
    /// <param name="tags">The cluster's tags.</param>
    /// <param name="status">Its status (<c>available</c>; <c>stopped</c>, ... stay as they are).</param>
    /// <returns>The cluster's ARN.</returns>
    public string AddDBCluster(string accountId, string region, string identifier, string engine = "aurora-mysql", int backupRetentionPeriod = 1, IDictionary<string, string>? tags = null, string status = "available")
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        if (backupRetentionPeriod is < 1 or > 35)
        {
            throw new ArgumentOutOfRangeException(nameof(backupRetentionPeriod), backupRetentionPeriod, "A cluster's backup retention is 1 to 35 days.");
        }

        lock (_state.Gate)
        {
            var state = _state.Rds(accountId, region);
            if (state.Clusters.Any(c => c.Identifier == identifier))
            {
                throw new ArgumentException($"A DB cluster '{identifier}' already exists in {accountId}/{region}.", nameof(identifier));
            }

            var cluster = new RdsCluster { Identifier = identifier, AccountId = accountId, Region = region, Engine = engine, BackupRetentionPeriod = backupRetentionPeriod, Status = status };
            cluster.Tags.AddRange(tags ?? new Dictionary<string, string>());
            state.Clusters.Add(cluster);
            return cluster.Arn;
        }
    }

    /// <summary>Seeds a manual DB snapshot (or, with <paramref name="cluster"/>, DB cluster snapshot) shared with <paramref name="restore"/>.</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The region.</param>
    /// <param name="identifier">Unique among the region's snapshots of that kind.</param>
    /// <param name="sourceIdentifier">The instance or cluster it was taken of.</param>
    /// <param name="cluster">A DB cluster snapshot rather than a DB snapshot.</param>
    /// <param name="restore">Its restore attribute: account IDs and/or "all".</param>
    /// <param name="encrypted">Encrypted snapshots cannot be made public.</param>
    /// <param name="tags">The snapshot's tags (ListTagsForResource).</param>
    /// <returns>The snapshot's ARN.</returns>
    public string AddDBSnapshot(string accountId, string region, string identifier, string sourceIdentifier, bool cluster = false, IEnumerable<string>? restore = null, bool encrypted = false, IDictionary<string, string>? tags = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(identifier);
        lock (_state.Gate)
        {
            var state = _state.Rds(accountId, region);
            var list = cluster ? state.ClusterSnapshots : state.Snapshots;
            if (list.Any(s => s.Identifier == identifier))
            {
                throw new ArgumentException($"A snapshot '{identifier}' already exists in {accountId}/{region}.", nameof(identifier));
            }

            var snapshot = new RdsSnapshot { Identifier = identifier, AccountId = accountId, Region = region, SourceIdentifier = sourceIdentifier, Encrypted = encrypted };
            snapshot.Restore.AddRange((restore ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal));
            snapshot.Tags.AddRange(tags ?? new Dictionary<string, string>());
            list.Add(snapshot);
            return $"arn:aws:rds:{region}:{accountId}:{(cluster ? "cluster-snapshot" : "snapshot")}:{identifier}";
        }
    }
}

public sealed partial class SandboxServer
{
    /// <summary>Every DB instance, cluster and snapshot as JSON, for assertions (the control API's GET /_sandbox/rds; not counted).</summary>
    internal string DumpRds()
    {
        lock (_state.Gate)
        {
            var now = _state.Now;
            var all = new System.Text.Json.Nodes.JsonObject
            {
                ["instances"] = new System.Text.Json.Nodes.JsonArray(_state.RdsRegions.Values.SelectMany(r => r.Instances).Select(i =>
                {
                    i.Settle(now);
                    return (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                    {
                        ["identifier"] = i.Identifier,
                        ["accountId"] = i.AccountId,
                        ["region"] = i.Region,
                        ["engine"] = i.Engine,
                        ["clusterIdentifier"] = i.ClusterIdentifier,
                        ["status"] = i.Status.Current(now),
                        ["publiclyAccessible"] = i.PubliclyAccessible,
                        ["autoMinorVersionUpgrade"] = i.AutoMinorVersionUpgrade,
                        ["backupRetentionPeriod"] = i.BackupRetentionPeriod,
                        ["pendingBackupRetentionPeriod"] = i.InFlight?.BackupRetentionPeriod ?? i.Pending?.BackupRetentionPeriod,
                    };
                }).ToArray()),
                ["clusters"] = new System.Text.Json.Nodes.JsonArray(_state.RdsRegions.Values.SelectMany(r => r.Clusters).Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                {
                    ["identifier"] = c.Identifier,
                    ["accountId"] = c.AccountId,
                    ["region"] = c.Region,
                    ["engine"] = c.Engine,
                    ["status"] = c.Status,
                    ["backupRetentionPeriod"] = c.BackupRetentionPeriod,
                }).ToArray()),
                ["snapshots"] = Snapshots(_state.RdsRegions.Values.SelectMany(r => r.Snapshots), cluster: false),
                ["clusterSnapshots"] = Snapshots(_state.RdsRegions.Values.SelectMany(r => r.ClusterSnapshots), cluster: true),
            };
            return all.ToJsonString();
        }

        static System.Text.Json.Nodes.JsonArray Snapshots(IEnumerable<RdsSnapshot> snapshots, bool cluster) => new(snapshots.Select(s => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
        {
            ["identifier"] = s.Identifier,
            ["accountId"] = s.AccountId,
            ["region"] = s.Region,
            ["cluster"] = cluster,
            ["sourceIdentifier"] = s.SourceIdentifier,
            ["restore"] = new System.Text.Json.Nodes.JsonArray(s.Restore.Select(v => (System.Text.Json.Nodes.JsonNode)v).ToArray()),
        }).ToArray());
    }
}
