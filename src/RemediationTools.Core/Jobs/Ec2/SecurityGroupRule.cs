using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// One security group rule, exactly as AWS stores it: direction, protocol, port range, and one source or destination
/// (an IPv4 or IPv6 CIDR, a prefix list or a security group), with its description. The one model of a rule for every
/// job (port closers, the default group job, the unattached group job) and the shape written into undo records.
/// </summary>
internal sealed class SecurityGroupRule
{
    /// <summary>The protocol value AWS uses for all traffic.</summary>
    public const string AllProtocols = "-1";

    /// <summary>True for an outbound rule.</summary>
    public bool Egress { get; set; }

    /// <summary>The IP protocol as AWS reports it: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, <c>-1</c> (all) or a number.</summary>
    public string Protocol { get; set; } = AllProtocols;

    /// <summary>The first port (ICMP: the type); null or -1 for all.</summary>
    public int? FromPort { get; set; }

    /// <summary>The last port (ICMP: the code); null or -1 for all.</summary>
    public int? ToPort { get; set; }

    /// <summary>The IPv4 CIDR, when that is the source (or destination).</summary>
    public string? CidrIpv4 { get; set; }

    /// <summary>The IPv6 CIDR, when that is the source (or destination).</summary>
    public string? CidrIpv6 { get; set; }

    /// <summary>The prefix list, when that is the source (or destination).</summary>
    public string? PrefixListId { get; set; }

    /// <summary>The referenced security group, when that is the source (or destination).</summary>
    public string? GroupId { get; set; }

    /// <summary>The account of the referenced security group.</summary>
    public string? UserId { get; set; }

    /// <summary>The rule's description, kept when a rule is replaced.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Reads the <c>Cidr</c> field of undo records written before rules had one model (port closers recorded
    /// <c>Cidr</c> for either family); never written.
    /// </summary>
    [JsonPropertyName("Cidr")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? LegacyCidr
    {
        get => null;
        set
        {
            if (!string.IsNullOrEmpty(value))
            {
                if (value!.IndexOf(':') >= 0)
                {
                    CidrIpv6 = value;
                }
                else
                {
                    CidrIpv4 = value;
                }
            }
        }
    }

    /// <summary>The CIDR source (IPv4 or IPv6); empty for a prefix list or group source. Setting it picks the family.</summary>
    [JsonIgnore]
    public string Cidr
    {
        get => CidrIpv4 ?? CidrIpv6 ?? string.Empty;
        set => WithCidr(this, value ?? throw new ArgumentNullException(nameof(value)));
    }

    /// <summary>True for an IPv6 source.</summary>
    [JsonIgnore]
    public bool IsIpv6 => CidrIpv6 is not null;

    /// <summary>The protocol with numbers replaced by names (6 = tcp, 17 = udp, 1 = icmp, 58 = icmpv6).</summary>
    [JsonIgnore]
    public string ProtocolName => NormalizeProtocol(Protocol);

    /// <summary>True for an all-traffic rule (protocol -1).</summary>
    [JsonIgnore]
    public bool IsAllTraffic => ProtocolName == AllProtocols;

    /// <summary>The port range of a tcp or udp rule; all ports when the rule gives none.</summary>
    [JsonIgnore]
    public PortRange Ports => FromPort is null or < 0 || ToPort is null or < 0 ? PortRange.All : new PortRange(FromPort.Value, ToPort.Value);

    /// <summary>The identity of the rule in its group: direction, protocol, ports and source (the description does not count).</summary>
    [JsonIgnore]
    public string Key => string.Join(
        "|",
        Egress ? "out" : "in",
        ProtocolName,
        IsAllTraffic ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}:{1}", Normalize(FromPort), Normalize(ToPort)),
        CidrIpv4?.ToLowerInvariant(),
        CidrIpv6?.ToLowerInvariant(),
        PrefixListId,
        GroupId);

    /// <summary>Creates an inbound tcp or udp rule for a port range from a CIDR.</summary>
    public static SecurityGroupRule ForPorts(string protocol, PortRange ports, string cidr, string? description)
        => WithCidr(new SecurityGroupRule { Protocol = protocol, FromPort = ports.From, ToPort = ports.To, Description = description }, cidr);

    /// <summary>Creates an inbound rule allowing every ICMP type and code (ICMPv6 for an IPv6 source).</summary>
    public static SecurityGroupRule ForAllIcmp(string cidr, string? description)
        => WithCidr(new SecurityGroupRule { Protocol = cidr.IndexOf(':') >= 0 ? "icmpv6" : "icmp", FromPort = -1, ToPort = -1, Description = description }, cidr);

    /// <summary>Names protocol numbers AWS also accepts.</summary>
    public static string NormalizeProtocol(string protocol) => protocol.Trim().ToUpperInvariant() switch
    {
        "6" or "TCP" => "tcp",
        "17" or "UDP" => "udp",
        "1" or "ICMP" => "icmp",
        "58" or "ICMPV6" => "icmpv6",
        "-1" or "ALL" => AllProtocols,
        var other => other.ToLowerInvariant(),
    };

    /// <summary>Every rule of the permissions, one per source (or destination), in the direction given.</summary>
    public static List<SecurityGroupRule> FromPermissions(IEnumerable<IpPermission>? permissions, bool egress)
    {
        var rules = new List<SecurityGroupRule>();
        foreach (var permission in permissions ?? Enumerable.Empty<IpPermission>())
        {
            var protocol = permission.IpProtocol ?? AllProtocols;
            var all = NormalizeProtocol(protocol) == AllProtocols;
            SecurityGroupRule Rule(string? description) => new()
            {
                Egress = egress,
                Protocol = protocol,
                FromPort = all ? null : permission.FromPort,
                ToPort = all ? null : permission.ToPort,
                Description = description,
            };

            foreach (var range in permission.Ipv4Ranges ?? new List<IpRange>())
            {
                var rule = Rule(range.Description);
                rule.CidrIpv4 = range.CidrIp;
                rules.Add(rule);
            }

            foreach (var range in permission.Ipv6Ranges ?? new List<Ipv6Range>())
            {
                var rule = Rule(range.Description);
                rule.CidrIpv6 = range.CidrIpv6;
                rules.Add(rule);
            }

            foreach (var prefixList in permission.PrefixListIds ?? new List<PrefixListId>())
            {
                var rule = Rule(prefixList.Description);
                rule.PrefixListId = prefixList.Id;
                rules.Add(rule);
            }

            foreach (var pair in permission.UserIdGroupPairs ?? new List<UserIdGroupPair>())
            {
                var rule = Rule(pair.Description);
                rule.GroupId = pair.GroupId;
                rule.UserId = pair.UserId;
                rules.Add(rule);
            }
        }

        return rules;
    }

    /// <summary>True when both are the same AWS rule (the description does not count).</summary>
    public bool SameRuleAs(SecurityGroupRule other) => other is not null && Key == other.Key;

    /// <summary>A copy whose group source <paramref name="oldId"/> (a self-reference) is replaced by <paramref name="newId"/>.</summary>
    public SecurityGroupRule WithGroup(string oldId, string newId)
    {
        var copy = (SecurityGroupRule)MemberwiseClone();
        if (copy.GroupId == oldId)
        {
            copy.GroupId = newId;
        }

        return copy;
    }

    /// <summary>
    /// The rule as an EC2 permission. The description is sent when authorizing; a revoke matches on protocol, ports
    /// and source only, so it is left out there.
    /// </summary>
    public IpPermission ToPermission(bool withDescription)
    {
        var permission = new IpPermission { IpProtocol = Protocol };
        if (!IsAllTraffic)
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

    /// <summary>
    /// Readable form: <c>tcp 5432 from 0.0.0.0/0</c>, <c>all traffic from sg-0123</c>, <c>outbound tcp 443 to ::/0</c>,
    /// with the description in quotes.
    /// </summary>
    public override string ToString()
    {
        var text = new StringBuilder(Egress ? "outbound " : string.Empty);
        var protocol = ProtocolName;
        if (protocol == AllProtocols)
        {
            text.Append("all traffic");
        }
        else if (protocol is "tcp" or "udp")
        {
            text.Append(protocol).Append(' ').Append(Ports.ToString());
        }
        else if (protocol is "icmp" or "icmpv6")
        {
            text.Append(protocol);
            text.Append(FromPort is null or -1 ? " all" : string.Format(CultureInfo.InvariantCulture, " type {0} code {1}", FromPort, ToPort ?? -1));
        }
        else
        {
            text.Append("protocol ").Append(Protocol);
        }

        text.Append(Egress ? " to " : " from ").Append(CidrIpv4 ?? CidrIpv6 ?? PrefixListId ?? GroupId);
        if (!string.IsNullOrEmpty(Description))
        {
            text.Append(" (\"").Append(Description).Append("\")");
        }

        return text.ToString();
    }

    private static int Normalize(int? port) => port ?? -1;

    private static SecurityGroupRule WithCidr(SecurityGroupRule rule, string cidr)
    {
        if (cidr.IndexOf(':') >= 0)
        {
            rule.CidrIpv6 = cidr;
        }
        else
        {
            rule.CidrIpv4 = cidr;
        }

        return rule;
    }
}
