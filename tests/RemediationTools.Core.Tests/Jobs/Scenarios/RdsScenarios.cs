using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.Rds;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>rds-remove-public-endpoint: a publicly accessible instance (describe, modify, wait, verify).</summary>
internal sealed class RdsRemovePublicEndpointScenario : IJobScenario
{
    public string JobId => RdsRemovePublicEndpointJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddDBInstance(account.AccountId, ScenarioDefaults.Region, "scenario-public", publiclyAccessible: true);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-public"));
    }
}

/// <summary>rds-enable-version-update: an instance without automatic minor version upgrades.</summary>
internal sealed class RdsEnableVersionUpdateScenario : IJobScenario
{
    public string JobId => RdsEnableVersionUpdateJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddDBInstance(account.AccountId, ScenarioDefaults.Region, "scenario-minor", autoMinorVersionUpgrade: false);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-minor"));
    }
}

/// <summary>rds-backup-retention-30-days on a standalone instance keeping backups 7 days (ModifyDBInstance).</summary>
internal sealed class RdsBackupRetentionInstanceScenario : IJobScenario
{
    public string JobId => RdsBackupRetentionJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddDBInstance(account.AccountId, ScenarioDefaults.Region, "scenario-backups", backupRetentionPeriod: 7);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-backups"));
    }
}

/// <summary>rds-backup-retention-30-days on an Aurora member: the cluster's retention is raised (DescribeDBClusters, ModifyDBCluster).</summary>
internal sealed class RdsBackupRetentionClusterMemberScenario : IJobScenario
{
    public string JobId => RdsBackupRetentionJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddDBCluster(account.AccountId, ScenarioDefaults.Region, "scenario-aurora", backupRetentionPeriod: 7);
        server.AddDBInstance(account.AccountId, ScenarioDefaults.Region, "scenario-aurora-1", "aurora-mysql", clusterIdentifier: "scenario-aurora");
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-aurora-1"));
    }
}

/// <summary>aws-rds-snapshot-remove-publicaccess on a public DB snapshot by identifier.</summary>
internal sealed class RdsSnapshotRemovePublicAccessScenario : IJobScenario
{
    public string JobId => RdsSnapshotRemovePublicAccessJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddDBSnapshot(account.AccountId, ScenarioDefaults.Region, "scenario-snap", "db1", restore: new[] { "all", "111122223333" });
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-snap"));
    }
}

/// <summary>aws-rds-snapshot-remove-publicaccess on a public DB cluster snapshot by ARN.</summary>
internal sealed class RdsClusterSnapshotRemovePublicAccessScenario : IJobScenario
{
    public string JobId => RdsSnapshotRemovePublicAccessJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var arn = server.AddDBSnapshot(account.AccountId, ScenarioDefaults.Region, "scenario-csnap", "aurora", cluster: true, restore: new[] { "all" });
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, arn));
    }
}
