using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// Closes ports of security groups to the internet, keeping everything else the rules allowed. A rule is
/// <em>public for port P</em> when it is an ingress rule from <c>0.0.0.0/0</c> or <c>::/0</c> whose protocol is one
/// of the closer's protocols or <c>-1</c> and whose range contains P. Such a rule is replaced by the range(s) around
/// the ports (all-traffic: by tcp, udp and icmp rules), or revoked whole with <see cref="RangeMode.Remove"/>.
/// Shared by every port-closing job; the jobs differ in ports, protocols and how they find the groups.
/// </summary>
internal sealed class SecurityGroupPortCloser
{
    /// <summary>IAM action: read a security group with its rules and tags.</summary>
    public const string DescribeSecurityGroupsAction = "ec2:DescribeSecurityGroups";

    /// <summary>IAM action: list the network interfaces using a group.</summary>
    public const string DescribeNetworkInterfacesAction = "ec2:DescribeNetworkInterfaces";

    /// <summary>IAM action: add ingress rules.</summary>
    public const string AuthorizeIngressAction = "ec2:AuthorizeSecurityGroupIngress";

    /// <summary>IAM action: remove ingress rules.</summary>
    public const string RevokeIngressAction = "ec2:RevokeSecurityGroupIngress";

    /// <summary>The IAM actions the closer calls, for any job built on it.</summary>
    public static readonly IReadOnlyList<string> IamActions = new[]
    {
        AuthorizeIngressAction,
        DescribeNetworkInterfacesAction,
        DescribeSecurityGroupsAction,
        RevokeIngressAction,
    };

    private static readonly string[] InternetCidrs = { "0.0.0.0/0", "::/0" };
    private static readonly string[] SplitProtocols = { "tcp", "udp" };

    /// <summary>Creates a closer for <paramref name="ports"/> on <paramref name="protocols"/> (tcp and/or udp).</summary>
    public SecurityGroupPortCloser(IReadOnlyList<int> ports, IReadOnlyList<string> protocols)
    {
        if (ports is null || ports.Count == 0 || ports.Any(p => p < PortRange.MinPort || p > PortRange.MaxPort))
        {
            throw new ArgumentException("At least one port between 0 and 65535 is required.", nameof(ports));
        }

        if (protocols is null || protocols.Count == 0 || protocols.Any(p => !SplitProtocols.Contains(SecurityGroupRule.NormalizeProtocol(p))))
        {
            throw new ArgumentException("The protocols must be tcp and/or udp.", nameof(protocols));
        }

        Ports = ports.Distinct().OrderBy(p => p).ToArray();
        Protocols = protocols.Select(SecurityGroupRule.NormalizeProtocol).Distinct().ToArray();
    }

    /// <summary>The ports closed.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>The protocols closed (normalized names).</summary>
    public IReadOnlyList<string> Protocols { get; }

    /// <summary>The ports and protocols in words, for example <c>tcp 5432</c> or <c>tcp 9200 and 9300</c>.</summary>
    public string PortText => string.Join(" and ", Protocols) + " " + string.Join(" and ", Ports.Select(p => p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>True when <paramref name="rule"/> (an ingress rule) is public for one of the closer's ports.</summary>
    public bool IsPublicForPort(SecurityGroupRule rule)
    {
        if (!InternetCidrs.Contains(rule.Cidr.Trim(), StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (rule.IsAllTraffic)
        {
            return true;
        }

        if (!Protocols.Contains(rule.ProtocolName))
        {
            return false;
        }

        var ports = rule.Ports;
        return Ports.Any(ports.Contains);
    }

    /// <summary>
    /// Plans the changes for a group with ingress rules <paramref name="rules"/>: read-only and pure. Rules to add
    /// that the group already has (and keeps) are not added twice.
    /// </summary>
    public SecurityGroupChangeSet PlanChanges(string groupId, IReadOnlyList<SecurityGroupRule> rules, RangeMode rangeMode)
    {
        var changes = new SecurityGroupChangeSet(groupId, isUndo: false);
        var publicRules = rules.Where(IsPublicForPort).ToList();
        var kept = rules.Where(r => !publicRules.Contains(r)).ToList();

        foreach (var rule in publicRules)
        {
            if (rangeMode == RangeMode.Remove)
            {
                changes.Revoke.Add(new PlannedRuleChange(rule, "Revoke the whole rule: it allows " + PortText + " from the internet (RangeMode Remove)."));
                continue;
            }

            var replacements = Replacements(rule);
            foreach (var replacement in replacements)
            {
                if (kept.Any(r => r.SameRuleAs(replacement)) || changes.Authorize.Any(c => c.Rule.SameRuleAs(replacement)))
                {
                    continue;
                }

                changes.Authorize.Add(new PlannedRuleChange(replacement, "Keep what '" + rule + "' allowed besides " + PortText + "."));
            }

            var why = replacements.Count == 0
                ? "It allows exactly " + PortText + " from the internet."
                : "Replaced by the rules above, which allow the same minus " + PortText + ".";
            changes.Revoke.Add(new PlannedRuleChange(rule, "Revoke '" + rule + "'. " + why));

            if (rule.IsAllTraffic)
            {
                changes.Notes.Add(
                    "The all-traffic rule from " + rule.Cidr + " on " + groupId + " is replaced by tcp, udp and " +
                    (rule.IsIpv6 ? "icmpv6" : "icmp") + " rules; other IP protocols (for example ESP, GRE) from " + rule.Cidr + " are no longer allowed.");
            }
        }

        return changes;
    }

    /// <summary>The rules that allow what <paramref name="rule"/> allowed minus the closer's ports (none for an exact-port rule).</summary>
    public IReadOnlyList<SecurityGroupRule> Replacements(SecurityGroupRule rule)
    {
        var replacements = new List<SecurityGroupRule>();
        if (rule.IsAllTraffic)
        {
            foreach (var protocol in SplitProtocols)
            {
                var ranges = Protocols.Contains(protocol) ? PortRange.All.Without(Ports) : new[] { PortRange.All };
                replacements.AddRange(ranges.Select(r => SecurityGroupRule.ForPorts(protocol, r, rule.Cidr, rule.Description)));
            }

            replacements.Add(SecurityGroupRule.ForAllIcmp(rule.Cidr, rule.Description));
            return replacements;
        }

        // Keep the protocol spelling of the original (tcp or 6) so the new rules read like the old one.
        replacements.AddRange(rule.Ports.Without(Ports).Select(r => SecurityGroupRule.ForPorts(rule.Protocol, r, rule.Cidr, rule.Description)));
        return replacements;
    }

    /// <summary>Plans the changes that restore the state before a remediation, given the group's current rules.</summary>
    public static SecurityGroupChangeSet PlanUndo(SecurityGroupUndoData data, IReadOnlyList<SecurityGroupRule> currentRules)
    {
        var changes = new SecurityGroupChangeSet(data.GroupId, isUndo: true);
        foreach (var rule in data.Revoked)
        {
            if (!currentRules.Any(r => r.SameRuleAs(rule)) && !changes.Authorize.Any(c => c.Rule.SameRuleAs(rule)))
            {
                changes.Authorize.Add(new PlannedRuleChange(rule, "Restore the revoked rule '" + rule + "'."));
            }
        }

        foreach (var rule in data.Authorized)
        {
            if (currentRules.Any(r => r.SameRuleAs(rule)) && !changes.Revoke.Any(c => c.Rule.SameRuleAs(rule)))
            {
                changes.Revoke.Add(new PlannedRuleChange(rule, "Remove the rule '" + rule + "' that the remediation added."));
            }
        }

        return changes;
    }

    /// <summary>The planned changes as result actions, in the order they are applied.</summary>
    public static IReadOnlyList<RemediationAction> ToActions(SecurityGroupChangeSet changes)
    {
        var actions = new List<RemediationAction>();
        actions.AddRange(changes.Authorize.Select(c => new RemediationAction
        {
            Operation = AuthorizeIngressAction,
            Target = changes.GroupId,
            Description = c.Reason,
            Before = null,
            After = c.Rule.ToString(),
        }));
        actions.AddRange(changes.Revoke.Select(c => new RemediationAction
        {
            Operation = RevokeIngressAction,
            Target = changes.GroupId,
            Description = c.Reason,
            Before = c.Rule.ToString(),
            After = null,
        }));
        return actions;
    }

    /// <summary>The undo data of a planned remediation.</summary>
    public static SecurityGroupUndoData ToUndoData(SecurityGroupChangeSet changes) => new()
    {
        GroupId = changes.GroupId,
        Authorized = changes.Authorize.Select(c => c.Rule).ToList(),
        Revoked = changes.Revoke.Select(c => c.Rule).ToList(),
    };

    /// <summary>The network interfaces that use <paramref name="groupId"/>, each as <c>eni-... (instance i-...)</c> or with its description.</summary>
    public static async Task<IReadOnlyList<string>> ReadNetworkInterfacesAsync(IAmazonEC2 ec2, string groupId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var interfaces = new List<string>();
        string? nextToken = null;
        do
        {
            var request = new DescribeNetworkInterfacesRequest
            {
                Filters = new List<Filter> { new() { Name = "group-id", Values = new List<string> { groupId } } },
                MaxResults = SecurityGroupReader.PageSize,
                NextToken = nextToken,
            };
            var response = await AwsCall.RunAsync(reporter, DescribeNetworkInterfacesAction, groupId, () =>
                ec2.DescribeNetworkInterfacesAsync(request, cancellationToken)).ConfigureAwait(false);
            foreach (var eni in response.NetworkInterfaces ?? new List<NetworkInterface>())
            {
                var owner = eni.Attachment?.InstanceId is { Length: > 0 } instance
                    ? " (instance " + instance + ")"
                    : string.IsNullOrEmpty(eni.Description) ? string.Empty : " (" + eni.Description + ")";
                interfaces.Add(eni.NetworkInterfaceId + owner);
            }

            nextToken = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
        }
        while (nextToken is not null);

        return interfaces;
    }

    /// <summary>Makes the changes: authorizes first, then revokes, each as one call.</summary>
    public static async Task ApplyAsync(IAmazonEC2 ec2, SecurityGroupChangeSet changes, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        if (changes.Authorize.Count > 0)
        {
            var request = new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = changes.GroupId,
                IpPermissions = changes.Authorize.Select(c => c.Rule.ToPermission(withDescription: true)).ToList(),
            };
            await AwsCall.RunAsync(reporter, AuthorizeIngressAction, changes.GroupId, () =>
                ec2.AuthorizeSecurityGroupIngressAsync(request, cancellationToken)).ConfigureAwait(false);
        }

        if (changes.Revoke.Count > 0)
        {
            var request = new RevokeSecurityGroupIngressRequest
            {
                GroupId = changes.GroupId,
                IpPermissions = changes.Revoke.Select(c => c.Rule.ToPermission(withDescription: false)).ToList(),
            };
            var response = await AwsCall.RunAsync(reporter, RevokeIngressAction, changes.GroupId, () =>
                ec2.RevokeSecurityGroupIngressAsync(request, cancellationToken)).ConfigureAwait(false);
            RevokeReplies.ThrowIfUnknown(RevokeIngressAction, changes.GroupId, response.UnknownIpPermissions, response.ResponseMetadata?.RequestId);
        }
    }

    /// <summary>
    /// Checks a re-read group against the change set: every added rule present, every revoked rule gone and, for a
    /// remediation, no rule public for the closer's ports left.
    /// </summary>
    public SecurityGroupVerification Check(SecurityGroupChangeSet changes, IReadOnlyList<SecurityGroupRule> currentRules)
    {
        var problems = new List<string>();
        problems.AddRange(changes.Authorize.Where(c => !currentRules.Any(r => r.SameRuleAs(c.Rule))).Select(c => "missing '" + c.Rule + "'"));
        problems.AddRange(changes.Revoke.Where(c => currentRules.Any(r => r.SameRuleAs(c.Rule))).Select(c => "still present '" + c.Rule + "'"));
        if (!changes.IsUndo)
        {
            problems.AddRange(currentRules.Where(IsPublicForPort).Where(r => !changes.Revoke.Any(c => c.Rule.SameRuleAs(r))).Select(r => "still public '" + r + "'"));
        }

        return new SecurityGroupVerification(problems);
    }
}

/// <summary>A security group as read (<see cref="SecurityGroupReader"/>): its rules of both directions, every kind of source, and tags.</summary>
internal sealed class SecurityGroupSnapshot
{
    /// <summary>Creates the snapshot.</summary>
    public SecurityGroupSnapshot(
        string groupId,
        string? groupName,
        string? description,
        string? vpcId,
        IReadOnlyList<SecurityGroupRule> ingress,
        IReadOnlyList<SecurityGroupRule> egress,
        IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        GroupId = groupId;
        GroupName = groupName;
        Description = description;
        VpcId = vpcId;
        Ingress = ingress;
        Egress = egress;
        Tags = tags;
    }

    /// <summary>The group ID.</summary>
    public string GroupId { get; }

    /// <summary>The group name.</summary>
    public string? GroupName { get; }

    /// <summary>The group description.</summary>
    public string? Description { get; }

    /// <summary>The VPC.</summary>
    public string? VpcId { get; }

    /// <summary>The inbound rules, one source each.</summary>
    public IReadOnlyList<SecurityGroupRule> Ingress { get; }

    /// <summary>The outbound rules, one destination each.</summary>
    public IReadOnlyList<SecurityGroupRule> Egress { get; }

    /// <summary>The inbound rules (what the port closers examine; only CIDR sources can be public).</summary>
    public IReadOnlyList<SecurityGroupRule> IngressRules => Ingress;

    /// <summary>The group's tags.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; }
}

/// <summary>The outcome of <see cref="SecurityGroupPortCloser.Check"/>.</summary>
internal sealed class SecurityGroupVerification
{
    /// <summary>Creates the outcome.</summary>
    public SecurityGroupVerification(IReadOnlyList<string> problems) => Problems = problems;

    /// <summary>What does not match; empty when all is well.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <summary>True when nothing is wrong.</summary>
    public bool Succeeded => Problems.Count == 0;
}
