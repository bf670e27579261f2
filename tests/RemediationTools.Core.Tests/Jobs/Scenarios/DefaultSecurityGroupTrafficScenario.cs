using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>The default VPC's default group as AWS creates it: all traffic from itself in, all traffic out (IPv4 and IPv6).</summary>
internal sealed class DefaultSecurityGroupTrafficScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-ec2-default-security-group-traffic";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, server.GetDefaultSecurityGroupId(account.AccountId, ScenarioDefaults.Region)));
}
