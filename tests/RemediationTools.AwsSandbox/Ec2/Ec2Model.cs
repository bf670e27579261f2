namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>A VPC; every account has a default one per region.</summary>
internal sealed class Vpc
{
    public required string VpcId { get; init; }

    public required string CidrBlock { get; init; }

    public required string Ipv6CidrBlock { get; init; }

    public required bool IsDefault { get; init; }

    /// <summary>The VPC's first subnet (zone a).</summary>
    public required string SubnetId { get; init; }

    public required string DefaultSecurityGroupId { get; set; }

    /// <summary>The VPC's subnets: one per zone (a, b, c) in a default VPC, one in a non-default VPC.</summary>
    public List<Subnet> Subnets { get; } = [];
}

/// <summary>A subnet of a VPC in one Availability Zone.</summary>
internal sealed class Subnet
{
    public required string SubnetId { get; init; }

    public string VpcId { get; set; } = string.Empty;

    public required string AvailabilityZone { get; init; }

    public required string CidrBlock { get; init; }

    /// <summary>True for the default subnets of a default VPC.</summary>
    public required bool DefaultForAz { get; init; }

    public required bool MapPublicIpOnLaunch { get; init; }
}

/// <summary>A security group and its rules (both directions, in creation order).</summary>
internal sealed class SecurityGroup
{
    public required string GroupId { get; init; }

    public required string GroupName { get; init; }

    public required string Description { get; init; }

    public required string VpcId { get; init; }

    public required string OwnerId { get; init; }

    public List<SecurityGroupRule> Rules { get; } = [];

    public List<KeyValuePair<string, string>> Tags { get; } = [];
}

/// <summary>One security group rule: a protocol, a port range and exactly one source or destination.</summary>
internal sealed class SecurityGroupRule
{
    public required string RuleId { get; init; }

    public required string GroupId { get; init; }

    public required bool IsEgress { get; init; }

    /// <summary>tcp, udp, icmp, icmpv6, -1, or another protocol number.</summary>
    public required string Protocol { get; init; }

    public int? FromPort { get; init; }

    public int? ToPort { get; init; }

    public string? CidrIpv4 { get; init; }

    public string? CidrIpv6 { get; init; }

    public string? PrefixListId { get; init; }

    public string? ReferencedGroupId { get; init; }

    public string? ReferencedUserId { get; init; }

    public string? Description { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = [];

    /// <summary>Identity of the rule for duplicate and revoke matching (description is not part of it).</summary>
    public string Key => RuleKey(IsEgress, Protocol, FromPort, ToPort, CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupId);

    public static string RuleKey(bool isEgress, string protocol, int? fromPort, int? toPort, string? cidrIpv4, string? cidrIpv6, string? prefixListId, string? groupId) =>
        $"{isEgress}|{protocol}|{fromPort}|{toPort}|{cidrIpv4}|{cidrIpv6}|{prefixListId}|{groupId}";
}

/// <summary>An elastic network interface attached to a seeded instance.</summary>
internal sealed class NetworkInterface
{
    public required string NetworkInterfaceId { get; init; }

    public required string VpcId { get; init; }

    public required string SubnetId { get; init; }

    public required string OwnerId { get; init; }

    public required string PrivateIpAddress { get; init; }

    public required string MacAddress { get; init; }

    public required string InstanceId { get; init; }

    public required string AttachmentId { get; init; }

    public required int DeviceIndex { get; init; }

    public required DateTimeOffset AttachTime { get; init; }

    public List<string> GroupIds { get; } = [];
}

/// <summary>A running instance seeded through <see cref="SandboxServer.AddInstance"/>.</summary>
internal sealed partial class Instance
{
    public required string InstanceId { get; init; }

    public required string ReservationId { get; init; }

    public required string OwnerId { get; init; }

    public required string VpcId { get; init; }

    public required string SubnetId { get; init; }

    public required string AvailabilityZone { get; init; }

    public required DateTimeOffset LaunchTime { get; init; }

    public List<NetworkInterface> NetworkInterfaces { get; } = [];

    public List<KeyValuePair<string, string>> Tags { get; } = [];
}

/// <summary>The EC2 resources of one account in one region.</summary>
internal sealed partial class Ec2RegionState
{
    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public Dictionary<string, Vpc> Vpcs { get; } = new(StringComparer.Ordinal);

    /// <summary>The region's default VPC; null in an account without default VPCs.</summary>
    public required Vpc? DefaultVpc { get; init; }

    /// <summary>The VPC the region was created with: the default VPC, or the non-default VPC that replaces it.</summary>
    public required Vpc FirstVpc { get; init; }

    /// <summary>Security groups changed within the read-after-write lag, as describe calls still see them.</summary>
    public Dictionary<string, LaggedView<SecurityGroup>> LaggedGroups { get; } = new(StringComparer.Ordinal);

    /// <summary>Network ACLs changed within the read-after-write lag, as describe calls still see them.</summary>
    public Dictionary<string, LaggedView<NetworkAcl>> LaggedNetworkAcls { get; } = new(StringComparer.Ordinal);

    /// <summary>Groups in creation order.</summary>
    public List<SecurityGroup> Groups { get; } = [];

    public List<Instance> Instances { get; } = [];

    public IEnumerable<NetworkInterface> NetworkInterfaces => Instances.SelectMany(i => i.NetworkInterfaces);

    public SecurityGroup? FindGroup(string groupId) => Groups.Find(g => g.GroupId == groupId);

    public Subnet? FindSubnet(string subnetId) => Vpcs.Values.SelectMany(v => v.Subnets).FirstOrDefault(s => s.SubnetId == subnetId);
}
