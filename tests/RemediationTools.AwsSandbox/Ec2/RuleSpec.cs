using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>One requested rule: a protocol, ports and exactly one source, as parsed from IpPermissions.</summary>
internal sealed record RuleSpec(
    string Protocol,
    int? FromPort,
    int? ToPort,
    string? CidrIpv4,
    string? CidrIpv6,
    string? PrefixListId,
    string? GroupId,
    string? Description)
{
    public string Key(bool isEgress) => SecurityGroupRule.RuleKey(isEgress, Protocol, FromPort, ToPort, CidrIpv4, CidrIpv6, PrefixListId, GroupId);

    /// <summary>The text AWS puts in InvalidPermission.Duplicate messages.</summary>
    public string Describe()
    {
        var peer = CidrIpv4 ?? CidrIpv6 ?? PrefixListId ?? GroupId;
        var protocol = Protocol == "-1" ? "ALL" : Protocol.ToUpperInvariant();
        var ports = FromPort is null ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", from port: {FromPort}, to port: {ToPort}");
        return $"peer: {peer}, {protocol}{ports}, ALLOW";
    }
}

/// <summary>Parses the <c>IpPermissions.N</c> structure of Authorize/Revoke requests into single-source rules.</summary>
internal static class IpPermissionParser
{
    /// <summary>One IpPermission with the rules it expands to, kept together to report unknown permissions.</summary>
    public sealed record ParsedPermission(QueryArgs Source, IReadOnlyList<RuleSpec> Rules);

    public static IReadOnlyList<ParsedPermission> Parse(QueryArgs args)
    {
        var result = new List<ParsedPermission>();
        foreach (var permission in args.List("IpPermissions"))
        {
            result.Add(new ParsedPermission(permission, Expand(permission)));
        }

        // The legacy top-level form: IpProtocol, FromPort, ToPort, CidrIp.
        if (args.Get("IpProtocol") is not null || args.Get("CidrIp") is not null)
        {
            var legacy = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in new[] { "IpProtocol", "FromPort", "ToPort" })
            {
                if (args.Get(name) is { } value)
                {
                    legacy[name] = value;
                }
            }

            if (args.Get("CidrIp") is { } cidr)
            {
                legacy["IpRanges.1.CidrIp"] = cidr;
            }

            var permission = new QueryArgs(legacy);
            result.Add(new ParsedPermission(permission, Expand(permission)));
        }

        return result;
    }

    private static List<RuleSpec> Expand(QueryArgs permission)
    {
        var protocol = NormalizeProtocol(permission.Get("IpProtocol") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter ipProtocol"));
        var (from, to) = Ports(protocol, permission.GetInt("FromPort"), permission.GetInt("ToPort"));
        var rules = new List<RuleSpec>();
        foreach (var range in permission.List("IpRanges"))
        {
            rules.Add(new RuleSpec(protocol, from, to, Ipv4Cidr(range.Get("CidrIp")), null, null, null, Description(range)));
        }

        foreach (var range in permission.List("Ipv6Ranges"))
        {
            rules.Add(new RuleSpec(protocol, from, to, null, Ipv6Cidr(range.Get("CidrIpv6")), null, null, Description(range)));
        }

        foreach (var prefixList in permission.List("PrefixListIds"))
        {
            var id = prefixList.Get("PrefixListId") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter prefixListId");
            if (!id.StartsWith("pl-", StringComparison.Ordinal) || id.Length < 11 || !id[3..].All(char.IsAsciiHexDigitLower))
            {
                throw new AwsServiceError(400, "InvalidPrefixListID.Malformed", $"The prefix list ID '{id}' is malformed.");
            }

            rules.Add(new RuleSpec(protocol, from, to, null, null, id, null, Description(prefixList)));
        }

        foreach (var pair in permission.List("Groups"))
        {
            var groupId = pair.Get("GroupId") ?? pair.Get("GroupName") ?? throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter groupId");
            rules.Add(new RuleSpec(protocol, from, to, null, null, null, groupId, Description(pair)));
        }

        if (rules.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "Either 'ipPermissions' or 'securityGroupRuleIds' should be provided.");
        }

        return rules;
    }

    private static string? Description(QueryArgs args)
    {
        var description = args.Get("Description");
        if (description is { Length: > 255 })
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Invalid rule description. Valid descriptions are strings less than 256 characters.");
        }

        return description;
    }

    public static string NormalizeProtocol(string text)
    {
        var lower = text.ToLowerInvariant();
        switch (lower)
        {
            case "tcp" or "6": return "tcp";
            case "udp" or "17": return "udp";
            case "icmp" or "1": return "icmp";
            case "icmpv6" or "58": return "icmpv6";
            case "-1": return "-1";
        }

        if (int.TryParse(lower, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number <= 255)
        {
            return number.ToString(CultureInfo.InvariantCulture);
        }

        throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{text}' for IP protocol. Unknown protocol.");
    }

    private static (int? From, int? To) Ports(string protocol, int? from, int? to)
    {
        switch (protocol)
        {
            case "tcp" or "udp":
                if (from is null || to is null)
                {
                    throw new AwsServiceError(400, "InvalidParameterValue", "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange");
                }

                if (from < 0 || to > 65535 || from > to)
                {
                    throw new AwsServiceError(400, "InvalidParameterValue", string.Create(CultureInfo.InvariantCulture, $"Invalid TCP/UDP port range: {from}-{to}"));
                }

                return (from, to);
            case "icmp" or "icmpv6":
                var type = from ?? -1;
                var code = to ?? -1;
                if (type is < -1 or > 255 || code is < -1 or > 255)
                {
                    throw new AwsServiceError(400, "InvalidParameterValue", string.Create(CultureInfo.InvariantCulture, $"Invalid value '{type}/{code}' for ICMP type/code"));
                }

                return (type, code);
            default:
                return (null, null);
        }
    }

    private static string Ipv4Cidr(string? text)
    {
        if (text is null)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter cidrIp");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text[..slash], out var address)
            || address.AddressFamily != AddressFamily.InterNetwork
            || text[..slash].Count(c => c == '.') != 3
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > 32)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"CIDR block {text} is malformed");
        }

        return text;
    }

    private static string Ipv6Cidr(string? text)
    {
        if (text is null)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter cidrIpv6");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !IPAddress.TryParse(text[..slash], out var address)
            || address.AddressFamily != AddressFamily.InterNetworkV6
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > 128)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid IPv6 CIDR block {text}");
        }

        return text.ToLowerInvariant();
    }
}
