using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// An instance whose one network interface uses a group open to the world on every tcp and udp port, so the job
/// splits the ranges around its ports (authorize the remainder, revoke the original) after reading the instance,
/// the group and the interfaces using it.
/// </summary>
internal abstract class InstanceClosePortScenario : IJobScenario
{
    /// <inheritdoc/>
    public abstract string JobId { get; }

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var ec2 = rootClients.Ec2(ScenarioDefaults.Region);
        var group = await ec2.CreateSecurityGroupAsync(
            new CreateSecurityGroupRequest { GroupName = "scenario-" + JobId, Description = "scenario", VpcId = server.GetFirstVpcId(account.AccountId, ScenarioDefaults.Region) }, cancellationToken);
        await ec2.AuthorizeSecurityGroupIngressAsync(
            new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = group.GroupId,
                IpPermissions = new List<IpPermission>
                {
                    new() { IpProtocol = "tcp", FromPort = 0, ToPort = 65535, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                    new() { IpProtocol = "udp", FromPort = 0, ToPort = 65535, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                },
            },
            cancellationToken);
        var instanceId = server.AddInstance(account.AccountId, ScenarioDefaults.Region, new[] { (IReadOnlyList<string>)new[] { group.GroupId } });
        return ScenarioDefaults.Finding(JobId, account, instanceId);
    }
}

/// <summary>The instance scenario for ec2-close-port-20.</summary>
internal sealed class Ec2ClosePort20Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-20";
}

/// <summary>The instance scenario for ec2-close-port-21.</summary>
internal sealed class Ec2ClosePort21Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-21";
}

/// <summary>The instance scenario for ec2-close-port-22.</summary>
internal sealed class Ec2ClosePort22Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-22";
}

/// <summary>The instance scenario for ec2-close-port-23.</summary>
internal sealed class Ec2ClosePort23Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-23";
}

/// <summary>The instance scenario for ec2-close-port-1433.</summary>
internal sealed class Ec2ClosePort1433Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-1433";
}

/// <summary>The instance scenario for ec2-close-port-1521.</summary>
internal sealed class Ec2ClosePort1521Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-1521";
}

/// <summary>The instance scenario for ec2-close-port-3306.</summary>
internal sealed class Ec2ClosePort3306Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-3306";
}

/// <summary>The instance scenario for ec2-close-port-3389.</summary>
internal sealed class Ec2ClosePort3389Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-3389";
}

/// <summary>The instance scenario for ec2-close-port-5439.</summary>
internal sealed class Ec2ClosePort5439Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-5439";
}

/// <summary>The instance scenario for ec2-close-port-5601.</summary>
internal sealed class Ec2ClosePort5601Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-5601";
}

/// <summary>The instance scenario for ec2-close-port-8080.</summary>
internal sealed class Ec2ClosePort8080Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-8080";
}

/// <summary>The instance scenario for ec2-close-port-27017.</summary>
internal sealed class Ec2ClosePort27017Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-27017";
}

/// <summary>The instance scenario for ec2-close-port-9200-9300.</summary>
internal sealed class Ec2ClosePort9200To9300Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "ec2-close-port-9200-9300";
}

/// <summary>The instance scenario for aws-ec2-close-port-11211.</summary>
internal sealed class AwsEc2ClosePort11211Scenario : InstanceClosePortScenario
{
    /// <inheritdoc/>
    public override string JobId => "aws-ec2-close-port-11211";
}
