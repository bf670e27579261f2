using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Serialization;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// One network ACL entry as AWS stores it: number, direction, protocol number, allow or deny, one CIDR, ports or
/// ICMP type and code. Also the shape written into undo records.
/// </summary>
internal sealed class NetworkAclRule
{
    /// <summary>The protocol number of TCP.</summary>
    public const string Tcp = "6";

    /// <summary>The protocol value for all traffic.</summary>
    public const string AllProtocols = "-1";

    /// <summary>The IPv4 internet.</summary>
    public const string InternetIpv4 = "0.0.0.0/0";

    /// <summary>The IPv6 internet.</summary>
    public const string InternetIpv6 = "::/0";

    /// <summary>The rule number (1-32766; 32767 and 32768 are the "*" entries).</summary>
    public int RuleNumber { get; set; }

    /// <summary>True for an outbound entry.</summary>
    public bool Egress { get; set; }

    /// <summary>The protocol number as a string (<c>6</c>, <c>17</c>, <c>-1</c>, ...).</summary>
    public string Protocol { get; set; } = AllProtocols;

    /// <summary><c>allow</c> or <c>deny</c>.</summary>
    public string RuleAction { get; set; } = "deny";

    /// <summary>The IPv4 CIDR, or null for an IPv6 entry.</summary>
    public string? CidrBlock { get; set; }

    /// <summary>The IPv6 CIDR, or null for an IPv4 entry.</summary>
    public string? Ipv6CidrBlock { get; set; }

    /// <summary>The first port (tcp and udp).</summary>
    public int? FromPort { get; set; }

    /// <summary>The last port (tcp and udp).</summary>
    public int? ToPort { get; set; }

    /// <summary>The ICMP type.</summary>
    public int? IcmpType { get; set; }

    /// <summary>The ICMP code.</summary>
    public int? IcmpCode { get; set; }

    /// <summary>The entry's CIDR, whichever family.</summary>
    [JsonIgnore]
    public string Cidr => CidrBlock ?? Ipv6CidrBlock ?? string.Empty;

    /// <summary>True for an IPv6 entry.</summary>
    [JsonIgnore]
    public bool IsIpv6 => Ipv6CidrBlock is not null;

    /// <summary>True for an allow entry.</summary>
    [JsonIgnore]
    public bool IsAllow => string.Equals(RuleAction, "allow", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the source is the whole internet of its family.</summary>
    [JsonIgnore]
    public bool IsInternet => Cidr is InternetIpv4 or InternetIpv6;

    /// <summary>True when the entry matches tcp traffic to <paramref name="port"/> (protocol 6 with the port in range, or -1).</summary>
    public bool CoversTcpPort(int port)
        => Protocol == AllProtocols || (Protocol == Tcp && (FromPort ?? PortRange.MinPort) <= port && port <= (ToPort ?? PortRange.MaxPort));

    /// <summary>True when the entry is tcp for exactly <paramref name="port"/>.</summary>
    public bool IsExactlyTcpPort(int port) => Protocol == Tcp && FromPort == port && ToPort == port;

    /// <summary>True when both are the same entry: number, direction and content.</summary>
    public bool SameAs(NetworkAclRule other) => Key == other.Key;

    /// <summary>The entry's identity and content.</summary>
    [JsonIgnore]
    public string Key => string.Join(
        "|",
        RuleNumber.ToString(CultureInfo.InvariantCulture),
        Egress ? "out" : "in",
        Protocol,
        RuleAction.ToLowerInvariant(),
        CanonicalCidr(Cidr),
        (FromPort ?? -1).ToString(CultureInfo.InvariantCulture),
        (ToPort ?? -1).ToString(CultureInfo.InvariantCulture),
        (IcmpType ?? -1).ToString(CultureInfo.InvariantCulture),
        (IcmpCode ?? -1).ToString(CultureInfo.InvariantCulture));

    /// <summary>An allow or deny entry for tcp <paramref name="port"/> from <paramref name="cidr"/>.</summary>
    public static NetworkAclRule ForTcpPort(int ruleNumber, string action, int port, string cidr)
    {
        cidr = CanonicalCidr(cidr);
        return ForCanonicalCidr(ruleNumber, action, port, cidr);
    }

    /// <summary>
    /// The canonical form of a CIDR block as EC2 stores it (host bits cleared, IPv6 compressed and lower case), so that
    /// <c>2600:1f18:0800::/56</c> and <c>2600:1f18:800::/56</c> are one block; the text as given when it is no CIDR.
    /// </summary>
    public static string CanonicalCidr(string cidr)
    {
        var slash = cidr.IndexOf('/');
        if (slash <= 0
            || !IPAddress.TryParse(cidr.Substring(0, slash), out var address)
            || !int.TryParse(cidr.Substring(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return cidr.Trim().ToLowerInvariant();
        }

        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8)
        {
            return cidr.Trim().ToLowerInvariant();
        }

        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes).ToString().ToLowerInvariant() + "/" + prefix.ToString(CultureInfo.InvariantCulture);
    }

    private static NetworkAclRule ForCanonicalCidr(int ruleNumber, string action, int port, string cidr) => new()
    {
        RuleNumber = ruleNumber,
        Egress = false,
        Protocol = Tcp,
        RuleAction = action,
        CidrBlock = cidr.IndexOf(':') >= 0 ? null : cidr,
        Ipv6CidrBlock = cidr.IndexOf(':') >= 0 ? cidr : null,
        FromPort = port,
        ToPort = port,
    };

    /// <summary>The entry as read from AWS.</summary>
    public static NetworkAclRule FromEntry(NetworkAclEntry entry) => new()
    {
        RuleNumber = entry.RuleNumber ?? 0,
        Egress = entry.Egress ?? false,
        Protocol = NormalizeProtocol(entry.Protocol),
        RuleAction = entry.RuleAction?.Value ?? "deny",
        CidrBlock = string.IsNullOrEmpty(entry.CidrBlock) ? null : entry.CidrBlock,
        Ipv6CidrBlock = string.IsNullOrEmpty(entry.Ipv6CidrBlock) ? null : entry.Ipv6CidrBlock,
        FromPort = entry.PortRange?.From,
        ToPort = entry.PortRange?.To,
        IcmpType = entry.IcmpTypeCode?.Type,
        IcmpCode = entry.IcmpTypeCode?.Code,
    };

    /// <summary>The create request for this entry in <paramref name="aclId"/>.</summary>
    public CreateNetworkAclEntryRequest ToCreateRequest(string aclId)
    {
        var request = new CreateNetworkAclEntryRequest
        {
            NetworkAclId = aclId,
            RuleNumber = RuleNumber,
            Egress = Egress,
            Protocol = Protocol,
            RuleAction = new RuleAction(RuleAction.ToLowerInvariant()),
            CidrBlock = CidrBlock,
            Ipv6CidrBlock = Ipv6CidrBlock,
        };
        if (FromPort is not null || ToPort is not null)
        {
            request.PortRange = new Amazon.EC2.Model.PortRange { From = FromPort, To = ToPort };
        }

        if (IcmpType is not null || IcmpCode is not null)
        {
            request.IcmpTypeCode = new IcmpTypeCode { Type = IcmpType, Code = IcmpCode };
        }

        return request;
    }

    /// <summary>Protocol names some tools write are numbers in the API.</summary>
    public static string NormalizeProtocol(string? protocol) => (protocol ?? AllProtocols).Trim().ToLowerInvariant() switch
    {
        "tcp" => Tcp,
        "udp" => "17",
        "icmp" => "1",
        "icmpv6" => "58",
        "all" => AllProtocols,
        var other => other,
    };

    /// <summary>Readable form, for example <c>#100 allow tcp 22 from 0.0.0.0/0</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("#").Append(RuleNumber.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(RuleAction.ToLowerInvariant()).Append(' ');
        switch (Protocol)
        {
            case AllProtocols:
                text.Append("all traffic");
                break;
            case Tcp or "17":
                text.Append(Protocol == Tcp ? "tcp " : "udp ");
                text.Append(FromPort == ToPort
                    ? (FromPort ?? -1).ToString(CultureInfo.InvariantCulture)
                    : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", FromPort, ToPort));
                break;
            default:
                text.Append("protocol ").Append(Protocol);
                break;
        }

        return text.Append(Egress ? " to " : " from ").Append(Cidr).ToString();
    }
}
