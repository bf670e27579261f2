using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>An unused security group with a rule, used by security-group-not-attached-delete.</summary>
internal sealed class SecurityGroupNotAttachedDeleteScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "security-group-not-attached-delete";

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var ec2 = rootClients.Ec2(ScenarioDefaults.Region);
        var group = await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "scenario-unused", Description = "scenario", VpcId = server.GetFirstVpcId(account.AccountId, ScenarioDefaults.Region) }, cancellationToken);
        await ec2.AuthorizeSecurityGroupIngressAsync(
            new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = group.GroupId,
                IpPermissions = new List<IpPermission> { new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.0/8" } } } },
            },
            cancellationToken);
        return ScenarioDefaults.Finding(JobId, account, group.GroupId);
    }
}
