using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>A public snapshot also shared with one account, used by ebs-private-snapshot.</summary>
internal sealed class EbsPrivateSnapshotScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "ebs-private-snapshot";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var volumeId = server.AddVolume(account.AccountId, ScenarioDefaults.Region, new SandboxVolumeSpec());
        var snapshotId = server.AddSnapshot(account.AccountId, ScenarioDefaults.Region, volumeId, isPublic: true, sharedWithAccountIds: new[] { "111122223333" });
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, snapshotId));
    }
}
