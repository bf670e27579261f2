using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// One security group rule with any kind of source or destination (IPv4 or IPv6 CIDR, prefix list or security
/// group), ingress or egress, exactly as AWS stores it. Also the shape written into undo records.
/// </summary>
internal sealed class SecurityGroupPermissionRule
{
    /// <summary>True for an outbound rule.</summary>
    public bool Egress { get; set; }

    /// <summary>The IP protocol as AWS reports it (<c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>-1</c>, a number).</summary>
    public string Protocol { get; set; } = IngressRule.AllProtocols;

    /// <summary>The first port (ICMP: the type); null for all traffic.</summary>
    public int? FromPort { get; set; }

    /// <summary>The last port (ICMP: the code); null for all traffic.</summary>
    public int? ToPort { get; set; }

    /// <summary>The IPv4 CIDR, when that is the source.</summary>
    public string? CidrIpv4 { get; set; }

    /// <summary>The IPv6 CIDR, when that is the source.</summary>
    public string? CidrIpv6 { get; set; }

    /// <summary>The prefix list, when that is the source.</summary>
    public string? PrefixListId { get; set; }

    /// <summary>The referenced security group, when that is the source.</summary>
    public string? GroupId { get; set; }

    /// <summary>The account of the referenced security group.</summary>
    public string? UserId { get; set; }

    /// <summary>The rule's description.</summary>
    public string? Description { get; set; }

    /// <summary>The identity of the rule in its group (the description does not count).</summary>
    [JsonIgnore]
    public string Key => string.Join(
        "|",
        Egress ? "out" : "in",
        IngressRule.NormalizeProtocol(Protocol),
        IngressRule.NormalizeProtocol(Protocol) == IngressRule.AllProtocols ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}:{1}", FromPort ?? -1, ToPort ?? -1),
        CidrIpv4?.ToLowerInvariant(),
        CidrIpv6?.ToLowerInvariant(),
        PrefixListId,
        GroupId);

    /// <summary>Every rule of the permissions, one per source.</summary>
    public static List<SecurityGroupPermissionRule> FromPermissions(IEnumerable<IpPermission>? permissions, bool egress)
    {
        var rules = new List<SecurityGroupPermissionRule>();
        foreach (var permission in permissions ?? Enumerable.Empty<IpPermission>())
        {
            SecurityGroupPermissionRule Rule() => new()
            {
                Egress = egress,
                Protocol = permission.IpProtocol ?? IngressRule.AllProtocols,
                FromPort = IngressRule.NormalizeProtocol(permission.IpProtocol ?? IngressRule.AllProtocols) == IngressRule.AllProtocols ? null : permission.FromPort,
                ToPort = IngressRule.NormalizeProtocol(permission.IpProtocol ?? IngressRule.AllProtocols) == IngressRule.AllProtocols ? null : permission.ToPort,
            };

            foreach (var range in permission.Ipv4Ranges ?? new List<IpRange>())
            {
                var rule = Rule();
                rule.CidrIpv4 = range.CidrIp;
                rule.Description = range.Description;
                rules.Add(rule);
            }

            foreach (var range in permission.Ipv6Ranges ?? new List<Ipv6Range>())
            {
                var rule = Rule();
                rule.CidrIpv6 = range.CidrIpv6;
                rule.Description = range.Description;
                rules.Add(rule);
            }

            foreach (var prefixList in permission.PrefixListIds ?? new List<PrefixListId>())
            {
                var rule = Rule();
                rule.PrefixListId = prefixList.Id;
                rule.Description = prefixList.Description;
                rules.Add(rule);
            }

            foreach (var pair in permission.UserIdGroupPairs ?? new List<UserIdGroupPair>())
            {
                var rule = Rule();
                rule.GroupId = pair.GroupId;
                rule.UserId = pair.UserId;
                rule.Description = pair.Description;
                rules.Add(rule);
            }
        }

        return rules;
    }

    /// <summary>
    /// The rule as an EC2 permission. The description is sent when authorizing; a revoke matches on protocol,
    /// ports and source only.
    /// </summary>
    public IpPermission ToPermission(bool withDescription)
    {
        var permission = new IpPermission { IpProtocol = Protocol };
        if (IngressRule.NormalizeProtocol(Protocol) != IngressRule.AllProtocols)
        {
            permission.FromPort = FromPort ?? -1;
            permission.ToPort = ToPort ?? -1;
        }

        var description = withDescription && !string.IsNullOrEmpty(Description) ? Description : null;
        if (CidrIpv4 is not null)
        {
            permission.Ipv4Ranges = new List<IpRange> { new() { CidrIp = CidrIpv4, Description = description } };
        }
        else if (CidrIpv6 is not null)
        {
            permission.Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = CidrIpv6, Description = description } };
        }
        else if (PrefixListId is not null)
        {
            permission.PrefixListIds = new List<PrefixListId> { new() { Id = PrefixListId, Description = description } };
        }
        else
        {
            permission.UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = GroupId, UserId = UserId, Description = description } };
        }

        return permission;
    }

    /// <summary>Readable form, for example <c>inbound all traffic from sg-0123</c> or <c>outbound tcp 443 to 0.0.0.0/0</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Egress ? "outbound " : "inbound ");
        var protocol = IngressRule.NormalizeProtocol(Protocol);
        if (protocol == IngressRule.AllProtocols)
        {
            text.Append("all traffic");
        }
        else if (protocol is "tcp" or "udp")
        {
            text.Append(protocol).Append(' ').Append(FromPort == ToPort
                ? (FromPort ?? -1).ToString(CultureInfo.InvariantCulture)
                : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", FromPort, ToPort));
        }
        else
        {
            text.Append(protocol);
        }

        text.Append(Egress ? " to " : " from ").Append(CidrIpv4 ?? CidrIpv6 ?? PrefixListId ?? GroupId);
        if (!string.IsNullOrEmpty(Description))
        {
            text.Append(" (\"").Append(Description).Append("\")");
        }

        return text.ToString();
    }
}
