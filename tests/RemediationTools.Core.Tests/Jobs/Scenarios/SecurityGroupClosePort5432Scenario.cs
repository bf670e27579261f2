using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>A group open to the world on 5432 inside a wider public range, used by security-group-close-port-5432.</summary>
internal sealed class SecurityGroupClosePort5432Scenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "security-group-close-port-5432";

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var ec2 = rootClients.Ec2(ScenarioDefaults.Region);
        var vpcs = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest(), cancellationToken);
        var group = await ec2.CreateSecurityGroupAsync(
            new CreateSecurityGroupRequest { GroupName = "scenario-5432", Description = "scenario", VpcId = vpcs.Vpcs[0].VpcId }, cancellationToken);
        await ec2.AuthorizeSecurityGroupIngressAsync(
            new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = group.GroupId,
                IpPermissions = new List<IpPermission>
                {
                    new() { IpProtocol = "tcp", FromPort = 5000, ToPort = 6000, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                },
            },
            cancellationToken);
        return ScenarioDefaults.Finding(JobId, account, group.GroupId);
    }
}
