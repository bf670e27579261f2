using System.Globalization;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// Network ACLs: CreateNetworkAcl, DescribeNetworkAcls, CreateNetworkAclEntry, ReplaceNetworkAclEntry and
/// DeleteNetworkAclEntry, with EC2's validation and error codes. Each VPC has a default ACL.
/// </summary>
internal sealed partial class Ec2Service
{
    /// <summary>The lowest rule number a caller may use.</summary>
    public const int MinAclRuleNumber = 1;

    /// <summary>The highest rule number a caller may use (32767 is reserved for the "*" entry).</summary>
    public const int MaxAclRuleNumber = 32766;

    /// <summary>The default quota of entries per ACL, per direction and per address family, "*" entry included.</summary>
    public const int MaxAclEntriesPerDirection = 20;

    private static readonly HashSet<string> NetworkAclActions = new(StringComparer.Ordinal)
    {
        "CreateNetworkAcl", "DescribeNetworkAcls", "CreateNetworkAclEntry", "ReplaceNetworkAclEntry", "DeleteNetworkAclEntry",
    };

    private static string? DispatchNetworkAcls(AwsRequestContext context) => context.Action switch
    {
        "CreateNetworkAcl" => CreateNetworkAcl(context),
        "DescribeNetworkAcls" => DescribeNetworkAcls(context),
        "CreateNetworkAclEntry" => WriteNetworkAclEntry(context, replace: false),
        "ReplaceNetworkAclEntry" => WriteNetworkAclEntry(context, replace: true),
        "DeleteNetworkAclEntry" => DeleteNetworkAclEntry(context),
        _ => null,
    };

    private static string AclArn(AwsRequestContext context, string aclId) => $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:network-acl/{aclId}";

    private static NetworkAcl FindAcl(Ec2RegionState state, string aclId)
    {
        state.EnsureDefaultNetworkAcls();
        return state.NetworkAcls.Find(a => a.NetworkAclId == aclId)
            ?? throw new AwsServiceError(400, "InvalidNetworkAclID.NotFound", $"The networkAcl ID '{aclId}' does not exist");
    }

    private static string CreateNetworkAcl(AwsRequestContext context)
    {
        var args = context.Args;
        var vpcId = args.Required("VpcId", "VpcId");
        var state = RegionState(context);
        Require(context, $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:network-acl/*");
        if (!state.Vpcs.TryGetValue(vpcId, out var vpc))
        {
            throw new AwsServiceError(400, "InvalidVpcID.NotFound", $"The vpc ID '{vpcId}' does not exist");
        }

        state.EnsureDefaultNetworkAcls();
        var acl = new NetworkAcl { NetworkAclId = IdGenerator.Ec2("acl"), VpcId = vpcId, IsDefault = false, OwnerId = state.AccountId };
        acl.Tags.AddRange(TagSpecifications(args, "network-acl"));

        // As in AWS, a new ACL denies everything: only the "*" entries (IPv6 too when the VPC has an IPv6 block).
        Ec2RegionState.AddDefaultDenyEntries(acl, !string.IsNullOrEmpty(vpc.Ipv6CidrBlock));
        state.NetworkAcls.Add(acl);
        return Ok(context, NetworkAclXml(acl, "networkAcl"));
    }

    private static string DescribeNetworkAcls(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        state.EnsureDefaultNetworkAcls();
        IEnumerable<NetworkAcl> acls = state.NetworkAcls.Select(a => Seen(context, state, a)).ToList();
        var ids = args.Strings("NetworkAclId");
        if (ids.Count > 0)
        {
            foreach (var id in ids.Where(id => !state.NetworkAcls.Exists(a => a.NetworkAclId == id)))
            {
                throw new AwsServiceError(400, "InvalidNetworkAclID.NotFound", $"The networkAcl ID '{id}' does not exist");
            }

            acls = acls.Where(a => ids.Contains(a.NetworkAclId));
        }

        foreach (var filter in Filters(args))
        {
            acls = filter.Name switch
            {
                "network-acl-id" => acls.Where(a => filter.Matches(a.NetworkAclId)),
                "vpc-id" => acls.Where(a => filter.Matches(a.VpcId)),
                "default" => acls.Where(a => filter.Matches(AwsXml.Bool(a.IsDefault))),
                "association.subnet-id" => acls.Where(a => filter.MatchesAny(a.SubnetIds)),
                "owner-id" => acls.Where(a => filter.Matches(a.OwnerId)),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => acls.Where(a => filter.MatchesTags(a.Tags) == true),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, acls.ToList());
        UseReads(context, state.LaggedNetworkAcls, page.Select(a => a.NetworkAclId));
        return Ok(context, E("networkAclSet", page.Select(a => NetworkAclXml(a, "item"))), next);
    }

    private static string WriteNetworkAclEntry(AwsRequestContext context, bool replace)
    {
        var args = context.Args;
        var aclId = args.Required("NetworkAclId", "NetworkAclId");
        var state = RegionState(context);
        Require(context, AclArn(context, aclId));
        var acl = FindAcl(state, aclId);
        BeforeChange(context, state, acl);
        var entry = ParseEntry(args);
        var existing = acl.Find(entry.RuleNumber, entry.Egress);
        if (replace && existing is null)
        {
            throw EntryNotFound(entry.RuleNumber);
        }

        if (!replace && existing is not null)
        {
            throw new AwsServiceError(400, "NetworkAclEntryAlreadyExists", $"The network acl entry identified by {entry.RuleNumber.ToString(CultureInfo.InvariantCulture)} already exists.");
        }

        var sameFamily = acl.Entries.Count(e => e.Egress == entry.Egress && e.IsIpv6 == entry.IsIpv6 && e != existing);
        if (sameFamily >= MaxAclEntriesPerDirection)
        {
            throw new AwsServiceError(400, "NetworkAclEntryLimitExceeded", $"The maximum number of network ACL entries has been reached for {aclId}.");
        }

        if (existing is not null)
        {
            acl.Entries.Remove(existing);
        }

        acl.Entries.Add(entry);
        return Ok(context, E("return", "true"));
    }

    private static string DeleteNetworkAclEntry(AwsRequestContext context)
    {
        var args = context.Args;
        var aclId = args.Required("NetworkAclId", "NetworkAclId");
        var state = RegionState(context);
        Require(context, AclArn(context, aclId));
        var acl = FindAcl(state, aclId);
        var ruleNumber = RuleNumber(args);
        var egress = Egress(args);
        var existing = acl.Find(ruleNumber, egress) ?? throw EntryNotFound(ruleNumber);
        BeforeChange(context, state, acl);
        acl.Entries.Remove(existing);
        return Ok(context, E("return", "true"));
    }

    private static AwsServiceError EntryNotFound(int ruleNumber) =>
        new(400, "InvalidNetworkAclEntry.NotFound", $"The network acl entry identified by {ruleNumber.ToString(CultureInfo.InvariantCulture)} does not exist.");

    private static int RuleNumber(QueryArgs args)
    {
        var text = args.Required("RuleNumber", "RuleNumber");
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) || number < MinAclRuleNumber || number > MaxAclRuleNumber)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{text}' for ruleNumber. Value must be between {MinAclRuleNumber} and {MaxAclRuleNumber}.");
        }

        return number;
    }

    private static bool Egress(QueryArgs args) => args.Required("Egress", "Egress").ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        var other => throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{other}' for egress."),
    };

    private static NetworkAclEntry ParseEntry(QueryArgs args)
    {
        var ruleNumber = RuleNumber(args);
        var egress = Egress(args);
        var action = args.Required("RuleAction", "RuleAction").ToLowerInvariant();
        if (action is not ("allow" or "deny"))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{action}' for ruleAction. Valid values: allow, deny.");
        }

        var protocolText = args.Required("Protocol", "Protocol");
        var protocol = protocolText.ToLowerInvariant() switch
        {
            "tcp" => "6",
            "udp" => "17",
            "icmp" => "1",
            "icmpv6" => "58",
            "all" => "-1",
            var number when int.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n is >= -1 and <= 255 => n.ToString(CultureInfo.InvariantCulture),
            _ => throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{protocolText}' for protocol."),
        };

        var cidr = args.Get("CidrBlock");
        var ipv6Cidr = args.Get("Ipv6CidrBlock");
        if (cidr is not null && ipv6Cidr is not null)
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", "Specify either 'cidrBlock' or 'ipv6CidrBlock', not both.");
        }

        if (cidr is null && ipv6Cidr is null)
        {
            throw new AwsServiceError(400, "MissingParameter", "Either 'cidrBlock' or 'ipv6CidrBlock' should be provided.");
        }

        var canonical = Cidr.Canonical(cidr ?? ipv6Cidr!, ipv6: cidr is null)
            ?? throw new AwsServiceError(400, "InvalidParameterValue", $"Value ({cidr ?? ipv6Cidr}) for parameter {(cidr is null ? "ipv6CidrBlock" : "cidrBlock")} is invalid. This is not a valid CIDR block.");

        int? from = null, to = null, icmpType = null, icmpCode = null;
        if (protocol is "6" or "17")
        {
            from = args.GetInt("PortRange.From");
            to = args.GetInt("PortRange.To");
            if (from is null || to is null)
            {
                throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter portRange");
            }

            if (from is < 0 or > 65535 || to is < 0 or > 65535 || from > to)
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid port range {from}-{to}: ports are 0 to 65535 and From may not exceed To.");
            }
        }
        else if (protocol is "1" or "58")
        {
            icmpType = args.GetInt("Icmp.Type");
            icmpCode = args.GetInt("Icmp.Code");
            if (icmpType is null || icmpCode is null)
            {
                throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter icmpTypeCode");
            }
        }

        return new NetworkAclEntry
        {
            RuleNumber = ruleNumber,
            Egress = egress,
            Protocol = protocol,
            RuleAction = action,
            CidrBlock = cidr is null ? null : canonical,
            Ipv6CidrBlock = cidr is null ? canonical : null,
            PortFrom = from,
            PortTo = to,
            IcmpType = icmpType,
            IcmpCode = icmpCode,
        };
    }

    private static XElement NetworkAclXml(NetworkAcl acl, string elementName) => E(
        elementName,
        E("networkAclId", acl.NetworkAclId),
        E("vpcId", acl.VpcId),
        E("default", AwsXml.Bool(acl.IsDefault)),
        E("entrySet", acl.Entries.OrderBy(e => e.Egress).ThenBy(e => e.RuleNumber).Select(e => Item(
            E("ruleNumber", AwsXml.Int(e.RuleNumber)),
            E("protocol", e.Protocol),
            E("ruleAction", e.RuleAction),
            E("egress", AwsXml.Bool(e.Egress)),
            e.CidrBlock is null ? null : E("cidrBlock", e.CidrBlock),
            e.Ipv6CidrBlock is null ? null : E("ipv6CidrBlock", e.Ipv6CidrBlock),
            e.IcmpType is null ? null : E("icmpTypeCode", E("code", AwsXml.Int(e.IcmpCode ?? -1)), E("type", AwsXml.Int(e.IcmpType.Value))),
            e.PortFrom is null ? null : E("portRange", E("from", AwsXml.Int(e.PortFrom.Value)), E("to", AwsXml.Int(e.PortTo ?? e.PortFrom.Value)))))),
        E("associationSet", acl.SubnetIds.Select(s => Item(
            E("networkAclAssociationId", "aclassoc-" + acl.NetworkAclId[4..12] + s[7..15]),
            E("networkAclId", acl.NetworkAclId),
            E("subnetId", s)))),
        TagSet(acl.Tags),
        E("ownerId", acl.OwnerId));
}
