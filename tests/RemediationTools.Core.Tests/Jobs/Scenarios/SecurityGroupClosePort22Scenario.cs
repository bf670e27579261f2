using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>A group open to the world on 22 inside a wider public range, used by security-group-close-port-22.</summary>
internal sealed class SecurityGroupClosePort22Scenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "security-group-close-port-22";

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var ec2 = rootClients.Ec2(ScenarioDefaults.Region);
        var group = await ec2.CreateSecurityGroupAsync(
            new CreateSecurityGroupRequest { GroupName = "scenario-22", Description = "scenario", VpcId = server.GetFirstVpcId(account.AccountId, ScenarioDefaults.Region) }, cancellationToken);
        await ec2.AuthorizeSecurityGroupIngressAsync(
            new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = group.GroupId,
                IpPermissions = new List<IpPermission>
                {
                    new() { IpProtocol = "tcp", FromPort = 0, ToPort = 10000, Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = "::/0" } } },
                },
            },
            cancellationToken);
        return ScenarioDefaults.Finding(JobId, account, group.GroupId);
    }
}
