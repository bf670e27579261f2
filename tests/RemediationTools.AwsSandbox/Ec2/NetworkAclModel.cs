using System.Globalization;
using System.Net;
using System.Net.Sockets;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>A network ACL: numbered ingress and egress entries, evaluated in ascending rule number order.</summary>
internal sealed class NetworkAcl
{
    public required string NetworkAclId { get; init; }

    public required string VpcId { get; init; }

    public required bool IsDefault { get; init; }

    public required string OwnerId { get; init; }

    public List<NetworkAclEntry> Entries { get; } = [];

    public List<string> SubnetIds { get; } = [];

    public List<KeyValuePair<string, string>> Tags { get; } = [];

    public NetworkAclEntry? Find(int ruleNumber, bool egress) => Entries.Find(e => e.RuleNumber == ruleNumber && e.Egress == egress);
}

/// <summary>One network ACL entry (rule). Numbers 32767 and 32768 are the fixed IPv4 and IPv6 "*" deny entries.</summary>
internal sealed class NetworkAclEntry
{
    /// <summary>The IPv4 "*" entry's number as DescribeNetworkAcls reports it.</summary>
    public const int DefaultDenyIpv4 = 32767;

    /// <summary>The IPv6 "*" entry's number as DescribeNetworkAcls reports it.</summary>
    public const int DefaultDenyIpv6 = 32768;

    public required int RuleNumber { get; init; }

    public required bool Egress { get; init; }

    /// <summary>The protocol number as a string ("6", "17", "1", "58", "-1", ...), as AWS stores it.</summary>
    public required string Protocol { get; init; }

    /// <summary>allow or deny.</summary>
    public required string RuleAction { get; init; }

    public string? CidrBlock { get; init; }

    public string? Ipv6CidrBlock { get; init; }

    public int? PortFrom { get; init; }

    public int? PortTo { get; init; }

    public int? IcmpType { get; init; }

    public int? IcmpCode { get; init; }

    public bool IsIpv6 => Ipv6CidrBlock is not null;
}

/// <summary>The network ACLs of one account in one region; each VPC gets its default ACL on first use.</summary>
internal sealed partial class Ec2RegionState
{
    /// <summary>ACLs in creation order.</summary>
    public List<NetworkAcl> NetworkAcls { get; } = [];

    /// <summary>Creates the default ACL of every VPC that has none yet: allow all (100, and 101 for IPv6) plus the "*" deny, both directions.</summary>
    public void EnsureDefaultNetworkAcls()
    {
        foreach (var vpc in Vpcs.Values.Where(v => !NetworkAcls.Exists(a => a.IsDefault && a.VpcId == v.VpcId)))
        {
            var acl = new NetworkAcl { NetworkAclId = IdGenerator.Ec2("acl"), VpcId = vpc.VpcId, IsDefault = true, OwnerId = AccountId };
            acl.SubnetIds.AddRange(vpc.Subnets.Select(s => s.SubnetId));
            foreach (var egress in new[] { false, true })
            {
                acl.Entries.Add(new NetworkAclEntry { RuleNumber = 100, Egress = egress, Protocol = "-1", RuleAction = "allow", CidrBlock = "0.0.0.0/0" });
                if (!string.IsNullOrEmpty(vpc.Ipv6CidrBlock))
                {
                    acl.Entries.Add(new NetworkAclEntry { RuleNumber = 101, Egress = egress, Protocol = "-1", RuleAction = "allow", Ipv6CidrBlock = "::/0" });
                }
            }

            AddDefaultDenyEntries(acl, !string.IsNullOrEmpty(vpc.Ipv6CidrBlock));
            NetworkAcls.Add(acl);
        }
    }

    /// <summary>The "*" deny entries every ACL ends with.</summary>
    public static void AddDefaultDenyEntries(NetworkAcl acl, bool ipv6)
    {
        foreach (var egress in new[] { false, true })
        {
            acl.Entries.Add(new NetworkAclEntry { RuleNumber = NetworkAclEntry.DefaultDenyIpv4, Egress = egress, Protocol = "-1", RuleAction = "deny", CidrBlock = "0.0.0.0/0" });
            if (ipv6)
            {
                acl.Entries.Add(new NetworkAclEntry { RuleNumber = NetworkAclEntry.DefaultDenyIpv6, Egress = egress, Protocol = "-1", RuleAction = "deny", Ipv6CidrBlock = "::/0" });
            }
        }
    }
}

/// <summary>CIDR parsing as EC2 does it: the address is reduced to its canonical network form.</summary>
internal static class Cidr
{
    /// <summary>The canonical form of <paramref name="text"/> (host bits cleared), or null when it is not a CIDR block of that family.</summary>
    public static string? Canonical(string text, bool ipv6)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !IPAddress.TryParse(text[..slash], out var address)
            || !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var prefix))
        {
            return null;
        }

        var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily != family || prefix > bytes.Length * 8)
        {
            return null;
        }

        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes) + "/" + prefix.ToString(CultureInfo.InvariantCulture);
    }
}
