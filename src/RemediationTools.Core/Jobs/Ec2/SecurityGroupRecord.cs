using System.Globalization;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>Everything needed to recreate a security group: name, description, VPC, rules of both directions and tags.</summary>
internal sealed class SecurityGroupRecord
{
    /// <summary>The group's ID when it was recorded.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>The group name.</summary>
    public string GroupName { get; set; } = string.Empty;

    /// <summary>The group description.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The VPC.</summary>
    public string VpcId { get; set; } = string.Empty;

    /// <summary>Inbound rules, one source each.</summary>
    public List<SecurityGroupRuleRecord> Ingress { get; set; } = new();

    /// <summary>Outbound rules, one destination each.</summary>
    public List<SecurityGroupRuleRecord> Egress { get; set; } = new();

    /// <summary>The tags.</summary>
    public List<KeyValuePair<string, string>> Tags { get; set; } = new();

    /// <summary>Records a group as DescribeSecurityGroups returns it.</summary>
    public static SecurityGroupRecord From(SecurityGroup group) => new()
    {
        GroupId = group.GroupId,
        GroupName = group.GroupName,
        Description = group.Description ?? string.Empty,
        VpcId = group.VpcId ?? string.Empty,
        Ingress = SecurityGroupRuleRecord.FromPermissions(group.IpPermissions),
        Egress = SecurityGroupRuleRecord.FromPermissions(group.IpPermissionsEgress),
        Tags = Ec2Tags.ToPairs(group.Tags).ToList(),
    };

    /// <summary>The group in one line, for a plan's before or after.</summary>
    public string Summary() => string.Format(
        CultureInfo.InvariantCulture,
        "{0} '{1}' in {2}: {3} inbound rule(s), {4} outbound rule(s), {5} tag(s)",
        GroupId,
        GroupName,
        VpcId,
        Ingress.Count,
        Egress.Count,
        Tags.Count);
}

/// <summary>One security group rule with exactly one source or destination of any kind.</summary>
internal sealed class SecurityGroupRuleRecord
{
    /// <summary>tcp, udp, icmp, icmpv6, -1 or a protocol number.</summary>
    public string Protocol { get; set; } = string.Empty;

    /// <summary>First port or ICMP type.</summary>
    public int? FromPort { get; set; }

    /// <summary>Last port or ICMP code.</summary>
    public int? ToPort { get; set; }

    /// <summary>IPv4 CIDR.</summary>
    public string? CidrIpv4 { get; set; }

    /// <summary>IPv6 CIDR.</summary>
    public string? CidrIpv6 { get; set; }

    /// <summary>Prefix list.</summary>
    public string? PrefixListId { get; set; }

    /// <summary>Referenced security group.</summary>
    public string? GroupId { get; set; }

    /// <summary>Account of the referenced security group.</summary>
    public string? UserId { get; set; }

    /// <summary>The rule's description.</summary>
    public string? Description { get; set; }

    /// <summary>Splits IpPermissions into one record per source.</summary>
    public static List<SecurityGroupRuleRecord> FromPermissions(IEnumerable<IpPermission>? permissions)
    {
        var rules = new List<SecurityGroupRuleRecord>();
        foreach (var p in permissions ?? Enumerable.Empty<IpPermission>())
        {
            SecurityGroupRuleRecord Rule() => new() { Protocol = p.IpProtocol, FromPort = p.IpProtocol == "-1" ? null : p.FromPort, ToPort = p.IpProtocol == "-1" ? null : p.ToPort };
            rules.AddRange((p.Ipv4Ranges ?? new List<IpRange>()).Select(r => With(Rule(), x => { x.CidrIpv4 = r.CidrIp; x.Description = r.Description; })));
            rules.AddRange((p.Ipv6Ranges ?? new List<Ipv6Range>()).Select(r => With(Rule(), x => { x.CidrIpv6 = r.CidrIpv6; x.Description = r.Description; })));
            rules.AddRange((p.PrefixListIds ?? new List<PrefixListId>()).Select(r => With(Rule(), x => { x.PrefixListId = r.Id; x.Description = r.Description; })));
            rules.AddRange((p.UserIdGroupPairs ?? new List<UserIdGroupPair>()).Select(r => With(Rule(), x => { x.GroupId = r.GroupId; x.UserId = r.UserId; x.Description = r.Description; })));
        }

        return rules;
    }

    /// <summary>A copy whose group source <paramref name="oldId"/> (a self-reference) is replaced by <paramref name="newId"/>.</summary>
    public SecurityGroupRuleRecord WithGroup(string oldId, string newId)
    {
        var copy = (SecurityGroupRuleRecord)MemberwiseClone();
        if (copy.GroupId == oldId)
        {
            copy.GroupId = newId;
        }

        return copy;
    }

    /// <summary>True when both are the same rule (description aside).</summary>
    public bool SameRuleAs(SecurityGroupRuleRecord other)
        => Protocol == other.Protocol && Normalize(FromPort) == Normalize(other.FromPort) && Normalize(ToPort) == Normalize(other.ToPort)
           && CidrIpv4 == other.CidrIpv4 && CidrIpv6 == other.CidrIpv6 && PrefixListId == other.PrefixListId && GroupId == other.GroupId;

    /// <summary>The rule as an IpPermission for Authorize/Revoke calls.</summary>
    public IpPermission ToPermission()
    {
        var permission = new IpPermission { IpProtocol = Protocol };
        if (Protocol != "-1")
        {
            permission.FromPort = FromPort;
            permission.ToPort = ToPort;
        }

        if (CidrIpv4 is not null)
        {
            permission.Ipv4Ranges = new List<IpRange> { new() { CidrIp = CidrIpv4, Description = Description } };
        }
        else if (CidrIpv6 is not null)
        {
            permission.Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = CidrIpv6, Description = Description } };
        }
        else if (PrefixListId is not null)
        {
            permission.PrefixListIds = new List<PrefixListId> { new() { Id = PrefixListId, Description = Description } };
        }
        else if (GroupId is not null)
        {
            permission.UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = GroupId, Description = Description } };
        }

        return permission;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var ports = Protocol == "-1" ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", FromPort, ToPort);
        return Protocol + " " + ports + " " + (CidrIpv4 ?? CidrIpv6 ?? PrefixListId ?? GroupId);
    }

    private static int? Normalize(int? port) => port is null or -1 ? null : port;

    private static SecurityGroupRuleRecord With(SecurityGroupRuleRecord rule, Action<SecurityGroupRuleRecord> set)
    {
        set(rule);
        return rule;
    }
}
