using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Deployment;

/// <summary>Where the workers run: a subnet, its VPC, and the workers' security group (no ingress at all).</summary>
internal sealed class WorkerNetwork
{
    public WorkerNetwork(string subnetId, string vpcId, string availabilityZone, string securityGroupName, string? securityGroupId)
    {
        SubnetId = subnetId;
        VpcId = vpcId;
        AvailabilityZone = availabilityZone;
        SecurityGroupName = securityGroupName;
        SecurityGroupId = securityGroupId;
    }

    public string SubnetId { get; }

    public string VpcId { get; }

    public string AvailabilityZone { get; }

    public string SecurityGroupName { get; }

    /// <summary>The existing group to reuse; null when it is to be created.</summary>
    public string? SecurityGroupId { get; set; }
}

/// <summary>Finds the subnet (the given one, or a default subnet of the default VPC) and the workers' security group.</summary>
internal static class WorkerNetworkResolver
{
    /// <summary>The workers' security group of a group: <c>remediation-worker-&lt;group&gt;</c>.</summary>
    public static string SecurityGroupName(string groupName) => WorkerContainerCommand.ContainerNameOf(groupName);

    public static async Task<WorkerNetwork> ResolveAsync(IAmazonEC2 ec2, string groupName, string? subnetId, string region, CancellationToken cancellationToken)
    {
        Subnet subnet;
        if (subnetId is not null)
        {
            try
            {
                var given = await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest { SubnetIds = new List<string> { subnetId } }, cancellationToken).ConfigureAwait(false);
                subnet = given.Subnets?.FirstOrDefault() ?? throw new ArgumentException("-SubnetId '" + subnetId + "' does not exist in " + region + ".", nameof(subnetId));
            }
            catch (AmazonEC2Exception ex) when (ex.ErrorCode is "InvalidSubnetID.NotFound" or "InvalidSubnetID.Malformed")
            {
                throw new ArgumentException("-SubnetId '" + subnetId + "' does not exist in " + region + ": " + ex.Message, nameof(subnetId), ex);
            }
        }
        else
        {
            var vpcs = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest { Filters = new List<Filter> { new("is-default", new List<string> { "true" }) } }, cancellationToken).ConfigureAwait(false);
            var vpc = vpcs.Vpcs?.FirstOrDefault()
                ?? throw new ArgumentException("There is no default VPC in " + region + ": name the workers' subnet with -SubnetId.", nameof(subnetId));
            var subnets = await ec2.DescribeSubnetsAsync(
                new DescribeSubnetsRequest
                {
                    Filters = new List<Filter> { new("vpc-id", new List<string> { vpc.VpcId }), new("default-for-az", new List<string> { "true" }) },
                },
                cancellationToken).ConfigureAwait(false);
            subnet = (subnets.Subnets ?? new List<Subnet>()).OrderBy(s => s.AvailabilityZone, StringComparer.Ordinal).FirstOrDefault()
                ?? throw new ArgumentException("The default VPC " + vpc.VpcId + " in " + region + " has no default subnet: name the workers' subnet with -SubnetId.", nameof(subnetId));
        }

        var name = SecurityGroupName(groupName);
        var groups = await ec2.DescribeSecurityGroupsAsync(
            new DescribeSecurityGroupsRequest
            {
                Filters = new List<Filter> { new("vpc-id", new List<string> { subnet.VpcId }), new("group-name", new List<string> { name }) },
            },
            cancellationToken).ConfigureAwait(false);
        var existing = groups.SecurityGroups?.FirstOrDefault();
        if (existing is not null && existing.IpPermissions is { Count: > 0 })
        {
            throw new InvalidOperationException(
                "The workers' security group " + existing.GroupId + " (" + name + ") in " + subnet.VpcId + " allows inbound traffic; workers need none. Remove its inbound rules, then deploy again.");
        }

        return new WorkerNetwork(subnet.SubnetId, subnet.VpcId, subnet.AvailabilityZone ?? string.Empty, name, existing?.GroupId);
    }

    /// <summary>Creates the workers' security group: no inbound rule, EC2's default outbound rule (the workers call AWS APIs).</summary>
    public static async Task<string> CreateSecurityGroupAsync(IAmazonEC2 ec2, WorkerNetwork network, string groupName, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken)
    {
        CreateSecurityGroupResponse response;
        try
        {
            response = await ec2.CreateSecurityGroupAsync(
                new CreateSecurityGroupRequest
                {
                    GroupName = network.SecurityGroupName,
                    Description = "RemediationTools workers of group " + groupName + ": no inbound traffic",
                    VpcId = network.VpcId,
                    TagSpecifications = new List<TagSpecification> { WorkerInstances.TagsFor(ResourceType.SecurityGroup, tags) },
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonEC2Exception ex) when (ex.ErrorCode == "InvalidGroup.Duplicate")
        {
            // Another deployment of the group created it since the plan read: use that one (it was made the same way).
            var again = await ec2.DescribeSecurityGroupsAsync(
                new DescribeSecurityGroupsRequest
                {
                    Filters = new List<Filter> { new("vpc-id", new List<string> { network.VpcId }), new("group-name", new List<string> { network.SecurityGroupName }) },
                },
                cancellationToken).ConfigureAwait(false);
            network.SecurityGroupId = again.SecurityGroups?.FirstOrDefault()?.GroupId ?? throw new InvalidOperationException("The security group " + network.SecurityGroupName + " exists in " + network.VpcId + " but cannot be read.", ex);
            return network.SecurityGroupId;
        }

        network.SecurityGroupId = response.GroupId;
        return response.GroupId;
    }
}
