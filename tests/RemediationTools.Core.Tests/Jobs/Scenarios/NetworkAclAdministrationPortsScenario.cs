using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// The default VPC's default ACL (allow all from 0.0.0.0/0 and ::/0) plus an exact allow of tcp 22 from the internet:
/// the job deletes the exact entry and inserts denies, with allows for the VPC's blocks, below the allow-all entries.
/// </summary>
internal sealed class NetworkAclAdministrationPortsScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-ec2-administration-ports-ingress-allowed";

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var ec2 = rootClients.Ec2(ScenarioDefaults.Region);
        var acls = await ec2.DescribeNetworkAclsAsync(
            new DescribeNetworkAclsRequest { Filters = new List<Filter> { new() { Name = "default", Values = new List<string> { "true" } } } },
            cancellationToken);
        var aclId = acls.NetworkAcls[0].NetworkAclId;
        await ec2.CreateNetworkAclEntryAsync(
            new CreateNetworkAclEntryRequest
            {
                NetworkAclId = aclId,
                RuleNumber = 50,
                Egress = false,
                Protocol = "6",
                RuleAction = RuleAction.Allow,
                CidrBlock = "0.0.0.0/0",
                PortRange = new PortRange { From = 22, To = 22 },
            },
            cancellationToken);
        return ScenarioDefaults.Finding(JobId, account, aclId);
    }
}
