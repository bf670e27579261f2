using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Aws.Signed.Rds;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's RDS service through the module's signed RDS client.</summary>
public sealed class SandboxRdsTests : IDisposable
{
    private const string Region = "eu-west-1";
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount root;
    private readonly AwsClientFactory factory;
    private DateTimeOffset now = DateTimeOffset.UtcNow;

    public SandboxRdsTests()
    {
        root = server.CreateAccount(defaultVpc: false);
        factory = SandboxSignedClients.Factory(server, root, Region);
        server.Clock = () => now;
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    private async Task<IRdsClient> RdsAsync() => (await factory.ClientsAsync()).Rds(Region);

    private static async Task<DBInstance> InstanceAsync(IRdsClient rds, string id) =>
        Assert.Single((await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = id })).DBInstances);

    [Fact]
    public async Task DescribeDBInstances_SeededInstance_AllFieldsAndTags()
    {
        var arn = server.AddDBInstance(root.AccountId, Region, "db1", "postgres", publiclyAccessible: true, autoMinorVersionUpgrade: false, backupRetentionPeriod: 7, tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });
        var rds = await RdsAsync();

        var db = await InstanceAsync(rds, "db1");
        var tags = (await rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = arn })).TagList;

        Assert.Equal((arn, "postgres", "available", true, false, 7), (db.DBInstanceArn, db.Engine, db.DBInstanceStatus, db.PubliclyAccessible, db.AutoMinorVersionUpgrade, db.BackupRetentionPeriod));
        Assert.Null(db.DBClusterIdentifier);
        Assert.Equal(("remediation:skip", "true"), (Assert.Single(tags).Key, tags[0].Value));
        Assert.Equal(("remediation:skip", "true"), (Assert.Single(db.TagList).Key, db.TagList[0].Value));
    }

    [Fact]
    public async Task DescribeDBInstances_Paged_EveryInstanceOnceWithMarker()
    {
        for (var i = 0; i < 25; i++)
        {
            server.AddDBInstance(root.AccountId, Region, "db" + i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var rds = await RdsAsync();
        var first = await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { MaxRecords = 20 });
        var second = await rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { MaxRecords = 20, Marker = first.Marker });

        Assert.Equal(20, first.DBInstances.Count);
        Assert.NotNull(first.Marker);
        Assert.Equal(5, second.DBInstances.Count);
        Assert.Null(second.Marker);
        Assert.Equal(25, first.DBInstances.Concat(second.DBInstances).Select(d => d.DBInstanceIdentifier).Distinct().Count());
    }

    [Fact]
    public async Task ModifyDBInstance_ApplyImmediately_ModifyingThenAvailableWithTheChange()
    {
        server.TransitionDelay = TimeSpan.FromMinutes(1);
        server.AddDBInstance(root.AccountId, Region, "db1", publiclyAccessible: true, autoMinorVersionUpgrade: false, backupRetentionPeriod: 0);
        var rds = await RdsAsync();

        var response = await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", PubliclyAccessible = false, AutoMinorVersionUpgrade = true, BackupRetentionPeriod = 30, ApplyImmediately = true });
        var during = await InstanceAsync(rds, "db1");
        var again = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", PubliclyAccessible = true, ApplyImmediately = true }));
        now += TimeSpan.FromMinutes(2);
        var after = await InstanceAsync(rds, "db1");

        Assert.Equal("modifying", response.DBInstance!.DBInstanceStatus);
        Assert.Equal(30, response.DBInstance.PendingModifiedValues!.BackupRetentionPeriod);
        Assert.Equal(("modifying", true, 0), (during.DBInstanceStatus, during.PubliclyAccessible, during.BackupRetentionPeriod));
        Assert.Equal("InvalidDBInstanceState", again.ErrorCode);
        Assert.Equal(("available", false, true, 30), (after.DBInstanceStatus, after.PubliclyAccessible, after.AutoMinorVersionUpgrade, after.BackupRetentionPeriod));
        Assert.Null(after.PendingModifiedValues?.BackupRetentionPeriod);
    }

    [Fact]
    public async Task ModifyDBInstance_EnablingBackupsNotImmediately_StaysPendingAndAvailable()
    {
        server.AddDBInstance(root.AccountId, Region, "db1", backupRetentionPeriod: 0);
        var rds = await RdsAsync();

        await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", BackupRetentionPeriod = 30, ApplyImmediately = false });
        now += TimeSpan.FromHours(1);
        var db = await InstanceAsync(rds, "db1");

        Assert.Equal(("available", 0, 30), (db.DBInstanceStatus, db.BackupRetentionPeriod, db.PendingModifiedValues!.BackupRetentionPeriod));
    }

    [Fact]
    public async Task ModifyDBInstance_NotImmediately_PublicAccessMinorUpgradeAndNonZeroRetentionAppliedAsSoonAsPossible()
    {
        server.TransitionDelay = TimeSpan.FromMinutes(1);
        server.AddDBInstance(root.AccountId, Region, "db1", publiclyAccessible: true, autoMinorVersionUpgrade: false, backupRetentionPeriod: 1);
        var rds = await RdsAsync();

        var response = await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", PubliclyAccessible = false, AutoMinorVersionUpgrade = true, BackupRetentionPeriod = 7, ApplyImmediately = false });
        now += TimeSpan.FromMinutes(2);
        var db = await InstanceAsync(rds, "db1");

        Assert.Equal("modifying", response.DBInstance!.DBInstanceStatus);
        Assert.Equal(("available", false, true, 7), (db.DBInstanceStatus, db.PubliclyAccessible, db.AutoMinorVersionUpgrade, db.BackupRetentionPeriod));
        Assert.Null(db.PendingModifiedValues?.BackupRetentionPeriod);
    }

    [Fact]
    public async Task ModifyDBInstance_ApplyImmediatelyWithPendingBackups_AppliesThePendingChangeToo()
    {
        server.AddDBInstance(root.AccountId, Region, "db1", publiclyAccessible: true, backupRetentionPeriod: 0);
        var rds = await RdsAsync();
        await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", BackupRetentionPeriod = 7, ApplyImmediately = false });

        await rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", PubliclyAccessible = false, ApplyImmediately = true });
        var db = await InstanceAsync(rds, "db1");

        Assert.Equal((false, 7), (db.PubliclyAccessible, db.BackupRetentionPeriod));
        Assert.Null(db.PendingModifiedValues?.BackupRetentionPeriod);
    }

    [Fact]
    public async Task AuroraMember_RetentionOnInstanceRefused_SetOnClusterShownOnMember()
    {
        server.AddDBCluster(root.AccountId, Region, "aurora", backupRetentionPeriod: 1);
        server.AddDBInstance(root.AccountId, Region, "aurora-1", "aurora-mysql", clusterIdentifier: "aurora");
        var rds = await RdsAsync();

        var refused = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "aurora-1", BackupRetentionPeriod = 30, ApplyImmediately = true }));
        var modified = await rds.ModifyDBClusterAsync(new ModifyDBClusterRequest { DBClusterIdentifier = "aurora", BackupRetentionPeriod = 30, ApplyImmediately = true });
        var member = await InstanceAsync(rds, "aurora-1");
        var cluster = Assert.Single((await rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "aurora" })).DBClusters);

        Assert.Equal("InvalidParameterCombination", refused.ErrorCode);
        Assert.Contains("aurora", refused.Message, StringComparison.Ordinal);
        Assert.Equal(30, modified.DBCluster!.BackupRetentionPeriod);
        Assert.Equal(("aurora", 30), (member.DBClusterIdentifier, member.BackupRetentionPeriod));
        Assert.Equal("aurora-1", Assert.Single(cluster.DBClusterMembers).DBInstanceIdentifier);
        Assert.Equal(30, cluster.BackupRetentionPeriod);
    }

    [Fact]
    public async Task NotFound_EachResourceKindHasAwsCode()
    {
        var rds = await RdsAsync();

        var instance = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = "nope" }));
        var modify = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "nope", PubliclyAccessible = false }));
        var cluster = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = "nope" }));
        var snapshot = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.DescribeDBSnapshotAttributesAsync(new DescribeDBSnapshotAttributesRequest { DBSnapshotIdentifier = "nope" }));
        var clusterSnapshot = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.DescribeDBClusterSnapshotAttributesAsync(new DescribeDBClusterSnapshotAttributesRequest { DBClusterSnapshotIdentifier = "nope" }));

        Assert.Equal("DBInstanceNotFound", instance.ErrorCode);
        Assert.Contains("nope", instance.Message, StringComparison.Ordinal);
        Assert.Equal("DBInstanceNotFound", modify.ErrorCode);
        Assert.Equal("DBClusterNotFoundFault", cluster.ErrorCode);
        Assert.Equal("DBSnapshotNotFound", snapshot.ErrorCode);
        Assert.Equal("DBClusterSnapshotNotFoundFault", clusterSnapshot.ErrorCode);
    }

    [Fact]
    public async Task SnapshotRestore_RemoveAllKeepsAccountShare()
    {
        server.AddDBSnapshot(root.AccountId, Region, "snap", "db1", restore: new[] { "all", "111122223333" });
        server.AddDBSnapshot(root.AccountId, Region, "csnap", "aurora", cluster: true, restore: new[] { "all" });
        var rds = await RdsAsync();

        var before = await rds.DescribeDBSnapshotAttributesAsync(new DescribeDBSnapshotAttributesRequest { DBSnapshotIdentifier = "snap" });
        var after = await rds.ModifyDBSnapshotAttributeAsync(new ModifyDBSnapshotAttributeRequest { DBSnapshotIdentifier = "snap", ValuesToRemove = { "all" } });
        var cluster = await rds.ModifyDBClusterSnapshotAttributeAsync(new ModifyDBClusterSnapshotAttributeRequest { DBClusterSnapshotIdentifier = "csnap", ValuesToRemove = { "all" }, ValuesToAdd = { "444455556666" } });
        var reread = await rds.DescribeDBClusterSnapshotAttributesAsync(new DescribeDBClusterSnapshotAttributesRequest { DBClusterSnapshotIdentifier = "csnap" });

        var restoreBefore = Assert.Single(before.DBSnapshotAttributesResult!.DBSnapshotAttributes);
        Assert.Equal("restore", restoreBefore.AttributeName);
        Assert.Equal(new[] { "all", "111122223333" }, restoreBefore.AttributeValues);
        Assert.Equal(new[] { "111122223333" }, Assert.Single(after.DBSnapshotAttributesResult!.DBSnapshotAttributes).AttributeValues);
        Assert.Equal(new[] { "444455556666" }, Assert.Single(cluster.DBClusterSnapshotAttributesResult!.DBClusterSnapshotAttributes).AttributeValues);
        Assert.Equal("csnap", reread.DBClusterSnapshotAttributesResult!.DBClusterSnapshotIdentifier);
        Assert.Equal(new[] { "444455556666" }, Assert.Single(reread.DBClusterSnapshotAttributesResult.DBClusterSnapshotAttributes).AttributeValues);
    }

    [Fact]
    public async Task ListTagsForResource_SeededSnapshotTags_ReturnedByArnOfEachKind()
    {
        var snap = server.AddDBSnapshot(root.AccountId, Region, "snap", "db1", tags: new Dictionary<string, string> { ["remediation:skip"] = "true" });
        var csnap = server.AddDBSnapshot(root.AccountId, Region, "csnap", "aurora", cluster: true, tags: new Dictionary<string, string> { ["team"] = "data" });
        var rds = await RdsAsync();

        var snapTags = (await rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = snap })).TagList;
        var csnapTags = (await rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = csnap })).TagList;
        var missing = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ListTagsForResourceAsync(new ListTagsForResourceRequest { ResourceName = snap.Replace(":snapshot:", ":cluster-snapshot:", StringComparison.Ordinal) }));

        Assert.Equal(("remediation:skip", "true"), (Assert.Single(snapTags).Key, snapTags[0].Value));
        Assert.Equal(("team", "data"), (Assert.Single(csnapTags).Key, csnapTags[0].Value));
        Assert.Equal("DBClusterSnapshotNotFoundFault", missing.ErrorCode);
    }

    [Fact]
    public async Task SnapshotRestore_BadAttributeOrValue_InvalidParameterValueNamingIt()
    {
        server.AddDBSnapshot(root.AccountId, Region, "snap", "db1");
        var rds = await RdsAsync();

        var name = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBSnapshotAttributeAsync(new ModifyDBSnapshotAttributeRequest { DBSnapshotIdentifier = "snap", AttributeName = "copy", ValuesToAdd = { "all" } }));
        var value = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBSnapshotAttributeAsync(new ModifyDBSnapshotAttributeRequest { DBSnapshotIdentifier = "snap", ValuesToAdd = { "12ab" } }));

        Assert.Equal("InvalidParameterValue", name.ErrorCode);
        Assert.Contains("'copy'", name.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidParameterValue", value.ErrorCode);
        Assert.Contains("'12ab'", value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Calls_CountUnderRdsPrefix_AndModifyNeedsPermission()
    {
        server.AddDBInstance(root.AccountId, Region, "db1", publiclyAccessible: true);
        var reader = server.CreateUser(root.AccountId, "reader", SandboxHarness.AllowPolicy("rds:Describe*"));
        using var readerFactory = SandboxSignedClients.Factory(server, reader, Region);
        var rds = (await readerFactory.ClientsAsync()).Rds(Region);
        server.ResetCallCounts();

        await InstanceAsync(rds, "db1");
        var denied = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBInstanceAsync(new ModifyDBInstanceRequest { DBInstanceIdentifier = "db1", PubliclyAccessible = false, ApplyImmediately = true }));

        Assert.Equal(1, server.CallCounts["rds:DescribeDBInstances"]);
        Assert.Equal(1, server.CallCounts["rds:ModifyDBInstance"]);
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Contains("rds:ModifyDBInstance", denied.Message, StringComparison.Ordinal);
        Assert.True((await InstanceAsync(await RdsAsync(), "db1")).PubliclyAccessible);
    }

    [Fact]
    public async Task ControlApi_SeedsClusterMemberAndSnapshot_VisibleThroughRdsAndDump()
    {
        using var http = new HttpClient();
        async Task<string> PostAsync(string path, string body)
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri(server.Endpoint, path), content);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return text;
        }

        var account = root.AccountId;
        await PostAsync("_sandbox/rds/clusters", $"{{\"accountId\":\"{account}\",\"region\":\"{Region}\",\"identifier\":\"aurora\",\"backupRetentionPeriod\":7}}");
        var instance = await PostAsync("_sandbox/rds/instances", $"{{\"accountId\":\"{account}\",\"region\":\"{Region}\",\"identifier\":\"aurora-1\",\"engine\":\"aurora-mysql\",\"clusterIdentifier\":\"aurora\",\"publiclyAccessible\":true}}");
        await PostAsync("_sandbox/rds/snapshots", $"{{\"accountId\":\"{account}\",\"region\":\"{Region}\",\"identifier\":\"snap\",\"sourceIdentifier\":\"aurora\",\"cluster\":true,\"restore\":[\"all\"]}}");
        var rds = await RdsAsync();
        server.ResetCallCounts();

        var dump = await http.GetStringAsync(new Uri(server.Endpoint, "_sandbox/rds"));
        var member = await InstanceAsync(rds, "aurora-1");
        var shared = await rds.DescribeDBClusterSnapshotAttributesAsync(new DescribeDBClusterSnapshotAttributesRequest { DBClusterSnapshotIdentifier = "snap" });

        Assert.Contains($"arn:aws:rds:{Region}:{account}:db:aurora-1", instance, StringComparison.Ordinal);
        Assert.Equal(("aurora", true, 7), (member.DBClusterIdentifier, member.PubliclyAccessible, member.BackupRetentionPeriod));
        Assert.Equal(new[] { "all" }, Assert.Single(shared.DBClusterSnapshotAttributesResult!.DBClusterSnapshotAttributes).AttributeValues);
        Assert.Contains("\"clusterIdentifier\":\"aurora\"", dump, StringComparison.Ordinal);
        Assert.False(server.CallCounts.ContainsKey("rds:DescribeDBClusters"));
    }

    [Fact]
    public async Task SnapshotRestore_MoreThanTwentyAccounts_QuotaExceededAndUnchanged()
    {
        server.AddDBSnapshot(root.AccountId, Region, "snap", "db1", restore: new[] { "111122223333" });
        var rds = await RdsAsync();
        var accounts = Enumerable.Range(0, 20).Select(i => (200000000000L + i).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.ModifyDBSnapshotAttributeAsync(new ModifyDBSnapshotAttributeRequest { DBSnapshotIdentifier = "snap", ValuesToAdd = accounts }));
        var after = await rds.DescribeDBSnapshotAttributesAsync(new DescribeDBSnapshotAttributesRequest { DBSnapshotIdentifier = "snap" });

        Assert.Equal("SharedSnapshotQuotaExceeded", ex.ErrorCode);
        Assert.Equal(new[] { "111122223333" }, Assert.Single(after.DBSnapshotAttributesResult!.DBSnapshotAttributes).AttributeValues);
    }

    [Fact]
    public async Task InjectedThrottling_ThrottlingCode_Retryable()
    {
        server.AddDBInstance(root.AccountId, Region, "db1");
        server.Faults.ThrottleRate = 1;
        var rds = await RdsAsync();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => rds.DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = "db1" }));

        Assert.Equal("Throttling", ex.ErrorCode);
        Assert.True(AwsRetryPolicy.IsRetryable(ex, CancellationToken.None));
    }
}
