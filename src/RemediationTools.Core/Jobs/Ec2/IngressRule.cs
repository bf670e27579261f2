using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// One security group ingress rule with a CIDR source (IPv4 or IPv6), as AWS stores it: protocol, port range,
/// source and description. Also the shape written into undo records.
/// </summary>
internal sealed class IngressRule
{
    /// <summary>The IP protocol as AWS reports it: <c>tcp</c>, <c>udp</c>, <c>icmp</c>, <c>icmpv6</c>, <c>-1</c> (all) or a number.</summary>
    public string Protocol { get; set; } = string.Empty;

    /// <summary>The first port (ICMP: the type); null or -1 for all.</summary>
    public int? FromPort { get; set; }

    /// <summary>The last port (ICMP: the code); null or -1 for all.</summary>
    public int? ToPort { get; set; }

    /// <summary>The source CIDR, IPv4 or IPv6.</summary>
    public string Cidr { get; set; } = string.Empty;

    /// <summary>The rule's description, kept when a rule is replaced.</summary>
    public string? Description { get; set; }

    /// <summary>True for an IPv6 source.</summary>
    [JsonIgnore]
    public bool IsIpv6 => Cidr.IndexOf(':') >= 0;

    /// <summary>The protocol with numbers replaced by names (6 = tcp, 17 = udp, 1 = icmp, 58 = icmpv6).</summary>
    [JsonIgnore]
    public string ProtocolName => NormalizeProtocol(Protocol);

    /// <summary>True for an all-traffic rule (protocol -1).</summary>
    [JsonIgnore]
    public bool IsAllTraffic => ProtocolName == AllProtocols;

    /// <summary>The port range of a tcp or udp rule; all ports when the rule gives none.</summary>
    [JsonIgnore]
    public PortRange Ports => FromPort is null or < 0 || ToPort is null or < 0 ? PortRange.All : new PortRange(FromPort.Value, ToPort.Value);

    /// <summary>The protocol value AWS uses for all traffic.</summary>
    public const string AllProtocols = "-1";

    /// <summary>Creates a tcp or udp rule for a port range.</summary>
    public static IngressRule ForPorts(string protocol, PortRange ports, string cidr, string? description) => new()
    {
        Protocol = protocol,
        FromPort = ports.From,
        ToPort = ports.To,
        Cidr = cidr,
        Description = description,
    };

    /// <summary>Creates a rule allowing every ICMP type and code (ICMPv6 for an IPv6 source).</summary>
    public static IngressRule ForAllIcmp(string cidr, string? description) => new()
    {
        Protocol = cidr.IndexOf(':') >= 0 ? "icmpv6" : "icmp",
        FromPort = -1,
        ToPort = -1,
        Cidr = cidr,
        Description = description,
    };

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

    /// <summary>The CIDR-sourced rules of a security group's ingress permissions; prefix-list and group sources are not included.</summary>
    public static List<IngressRule> FromPermissions(IEnumerable<IpPermission>? permissions)
    {
        var rules = new List<IngressRule>();
        foreach (var permission in permissions ?? Enumerable.Empty<IpPermission>())
        {
            foreach (var range in permission.Ipv4Ranges ?? new List<IpRange>())
            {
                rules.Add(new IngressRule { Protocol = permission.IpProtocol ?? AllProtocols, FromPort = permission.FromPort, ToPort = permission.ToPort, Cidr = range.CidrIp ?? string.Empty, Description = range.Description });
            }

            foreach (var range in permission.Ipv6Ranges ?? new List<Ipv6Range>())
            {
                rules.Add(new IngressRule { Protocol = permission.IpProtocol ?? AllProtocols, FromPort = permission.FromPort, ToPort = permission.ToPort, Cidr = range.CidrIpv6 ?? string.Empty, Description = range.Description });
            }
        }

        return rules;
    }

    /// <summary>
    /// The rule as an EC2 permission. The description is sent when authorizing; a revoke matches on protocol,
    /// ports and source only, so it is left out there.
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
        if (IsIpv6)
        {
            permission.Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = Cidr, Description = description } };
        }
        else
        {
            permission.Ipv4Ranges = new List<IpRange> { new() { CidrIp = Cidr, Description = description } };
        }

        return permission;
    }

    /// <summary>True when both rules are the same AWS rule: protocol, ports and source (the description does not count).</summary>
    public bool SameRuleAs(IngressRule other) => Key == other.Key;

    /// <summary>The identity of the rule in its group.</summary>
    [JsonIgnore]
    public string Key
    {
        get
        {
            var protocol = ProtocolName;
            var ports = protocol == AllProtocols ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}:{1}", FromPort ?? -1, ToPort ?? -1);
            return protocol + "|" + ports + "|" + Cidr.ToLowerInvariant();
        }
    }

    /// <summary>Readable form, for example <c>tcp 5432 from 0.0.0.0/0</c> or <c>all traffic from ::/0</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
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

        text.Append(" from ").Append(Cidr);
        if (!string.IsNullOrEmpty(Description))
        {
            text.Append(" (\"").Append(Description).Append("\")");
        }

        return text.ToString();
    }
}
