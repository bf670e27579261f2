using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// An unencrypted, tagged gp3 volume with DeleteOnTermination on a running instance, used by ebs-encrypt-volume
/// (so the job stops, swaps, sets DeleteOnTermination and starts: every declared action).
/// </summary>
internal sealed class EbsEncryptVolumeScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "ebs-encrypt-volume";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var group = server.GetDefaultSecurityGroupId(account.AccountId, ScenarioDefaults.Region);
        var instanceId = server.AddInstance(account.AccountId, ScenarioDefaults.Region, new[] { new[] { group } });
        var spec = new SandboxVolumeSpec(SizeGiB: 20, VolumeType: "gp3") { Tags = new Dictionary<string, string> { ["app"] = "scenario" } };
        var volumeId = server.AddVolume(account.AccountId, ScenarioDefaults.Region, spec, instanceId, "/dev/sdf", deleteOnTermination: true);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, volumeId));
    }
}
