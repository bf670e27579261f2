using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed.Rds;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Rds;

namespace RemediationTools.Core.Tests.Jobs.Rds;

/// <summary>What the RDS job tests share: a sandbox, an account, the RDS jobs with a fast wait, findings and reads.</summary>
public abstract class RdsJobSandbox : IDisposable
{
    /// <summary>The region of every test.</summary>
    protected const string Region = "eu-west-1";

    private readonly AwsClientFactory factory;

    /// <summary>Starts the sandbox and the account.</summary>
    protected RdsJobSandbox()
    {
        Server = SandboxEc2.StartForJobs();
        Account = SandboxEc2.JobAccount(Server);
        factory = SandboxEc2.JobFactory(Server, Account, Region);
    }

    /// <summary>The sandbox.</summary>
    protected SandboxServer Server { get; }

    /// <summary>The account the resources are in.</summary>
    protected SandboxAccount Account { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        factory.Dispose();
        Server.Dispose();
        GC.SuppressFinalize(this);
    }

    // Polls every few milliseconds, so that a resource modifying for a moment is waited for without slowing the tests.
    private static RdsWaiter Waiter(TimeSpan? timeout) => new(TimeSpan.FromMilliseconds(5), timeout ?? TimeSpan.FromMinutes(1));

    /// <summary>An engine with the four RDS jobs, waiting at most <paramref name="timeout"/> (default a minute).</summary>
    internal RemediationEngine Engine(TimeSpan? timeout = null) => new(factory, new JobCatalog(new IRemediationJob[]
    {
        new RdsRemovePublicEndpointJob(Waiter(timeout)),
        new RdsEnableVersionUpdateJob(Waiter(timeout)),
        new RdsBackupRetentionJob(Waiter(timeout)),
        new RdsSnapshotRemovePublicAccessJob(),
    }));

    /// <summary>A finding of <paramref name="jobId"/> on <paramref name="resourceId"/>.</summary>
    internal Finding Finding(string jobId, string resourceId, IReadOnlyDictionary<string, string>? tags = null, string? resourceType = null) => new()
    {
        FindingId = "f-" + resourceId,
        JobId = jobId,
        AccountId = Account.AccountId,
        Region = Region,
        ResourceId = resourceId,
        ResourceType = resourceType,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    /// <summary>How often the sandbox counted <paramref name="action"/>.</summary>
    protected int Calls(string action) => Server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    /// <summary>The account's own RDS client (its calls are counted: read after asserting counts).</summary>
    internal async Task<IRdsClient> RdsAsync() => (await factory.ForAccountAsync(null, CancellationToken.None)).Rds(Region);

    /// <summary>The instance as RDS describes it now.</summary>
    internal async Task<DBInstance> InstanceAsync(string id) =>
        Assert.Single((await (await RdsAsync()).DescribeDBInstancesAsync(new DescribeDBInstancesRequest { DBInstanceIdentifier = id })).DBInstances);

    /// <summary>The cluster as RDS describes it now.</summary>
    internal async Task<DBCluster> ClusterAsync(string id) =>
        Assert.Single((await (await RdsAsync()).DescribeDBClustersAsync(new DescribeDBClustersRequest { DBClusterIdentifier = id })).DBClusters);

    /// <summary>The restore attribute of a DB snapshot or DB cluster snapshot now.</summary>
    internal async Task<List<string>> RestoreAsync(string id, bool cluster)
    {
        var rds = await RdsAsync();
        return cluster
            ? Assert.Single((await rds.DescribeDBClusterSnapshotAttributesAsync(new DescribeDBClusterSnapshotAttributesRequest { DBClusterSnapshotIdentifier = id })).DBClusterSnapshotAttributesResult!.DBClusterSnapshotAttributes).AttributeValues
            : Assert.Single((await rds.DescribeDBSnapshotAttributesAsync(new DescribeDBSnapshotAttributesRequest { DBSnapshotIdentifier = id })).DBSnapshotAttributesResult!.DBSnapshotAttributes).AttributeValues;
    }
}
