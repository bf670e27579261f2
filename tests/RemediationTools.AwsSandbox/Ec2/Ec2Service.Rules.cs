using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>Authorize/RevokeSecurityGroupIngress/Egress.</summary>
internal sealed partial class Ec2Service
{
    private static string Authorize(AwsRequestContext context, bool isEgress)
    {
        var state = RegionState(context);
        var group = ResolveGroup(context, state);
        Require(context, GroupArn(state, group.GroupId));
        BeforeChange(context, state, group);
        var permissions = IpPermissionParser.Parse(context.Args);
        if (permissions.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter ipPermissions");
        }

        var specs = permissions.SelectMany(p => p.Rules).Select(s => ResolveGroupSource(state, group, s)).ToList();
        var existing = group.Rules.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var key = spec.Key(isEgress);
            if (existing.Contains(key) || !seen.Add(key))
            {
                throw new AwsServiceError(400, "InvalidPermission.Duplicate", $"the specified rule \"{spec.Describe()}\" already exists");
            }
        }

        // The quota applies per direction and separately to IPv4 and IPv6; a rule that references a
        // group or prefix list counts against both.
        var all = group.Rules.Where(r => r.IsEgress == isEgress)
            .Select(r => (V4: r.CidrIpv6 is null, V6: r.CidrIpv4 is null))
            .Concat(specs.Select(s => (V4: s.CidrIpv6 is null, V6: s.CidrIpv4 is null)))
            .ToList();
        if (all.Count(r => r.V4) > MaxRulesPerDirection || all.Count(r => r.V6) > MaxRulesPerDirection)
        {
            throw new AwsServiceError(400, "RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.");
        }

        var tags = TagSpecifications(context.Args, "security-group-rule");
        var added = new List<SecurityGroupRule>();
        foreach (var spec in specs)
        {
            var rule = new SecurityGroupRule
            {
                RuleId = IdGenerator.Ec2("sgr"),
                GroupId = group.GroupId,
                IsEgress = isEgress,
                Protocol = spec.Protocol,
                FromPort = spec.FromPort,
                ToPort = spec.ToPort,
                CidrIpv4 = spec.CidrIpv4,
                CidrIpv6 = spec.CidrIpv6,
                PrefixListId = spec.PrefixListId,
                ReferencedGroupId = spec.GroupId,
                ReferencedUserId = spec.GroupId is null ? null : state.AccountId,
                Description = spec.Description,
            };
            rule.Tags.AddRange(tags);
            added.Add(rule);
        }

        group.Rules.AddRange(added);
        return Ok(context, E("return", "true"), E("securityGroupRuleSet", added.Select(r => Rule(state, r))));
    }

    /// <summary>Checks a group source exists in the same VPC; a group may also be named by its name there.</summary>
    private static RuleSpec ResolveGroupSource(Ec2RegionState state, SecurityGroup target, RuleSpec spec)
    {
        if (spec.GroupId is not { } reference)
        {
            return spec;
        }

        if (reference.StartsWith("sg-", StringComparison.Ordinal))
        {
            CheckGroupIdFormat(reference);
            var source = state.FindGroup(reference) ?? throw GroupNotFound(reference);
            return source.VpcId == target.VpcId
                ? spec
                : throw new AwsServiceError(400, "InvalidGroup.NotFound", $"You have specified two resources that belong to different networks.");
        }

        var byName = state.Groups.Find(g => g.VpcId == target.VpcId && g.GroupName == reference) ?? throw GroupNotFound(reference);
        return spec with { GroupId = byName.GroupId };
    }

    private static string Revoke(AwsRequestContext context, bool isEgress)
    {
        var state = RegionState(context);
        var group = ResolveGroup(context, state);
        Require(context, GroupArn(state, group.GroupId));
        var ruleIds = context.Args.Strings("SecurityGroupRuleId");
        var permissions = IpPermissionParser.Parse(context.Args);
        if (ruleIds.Count > 0 && permissions.Count > 0)
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", "You may not specify both 'ipPermissions' and 'securityGroupRuleIds'.");
        }

        var revoked = new List<SecurityGroupRule>();
        var unknown = new List<QueryArgs>();
        if (ruleIds.Count > 0)
        {
            foreach (var id in ruleIds)
            {
                if (!IsEc2Id(id, "sgr"))
                {
                    throw new AwsServiceError(400, "InvalidSecurityGroupRuleId.Malformed", $"The security group rule ID '{id}' is malformed");
                }

                var rule = group.Rules.Find(r => r.RuleId == id && r.IsEgress == isEgress)
                    ?? throw new AwsServiceError(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
                revoked.Add(rule);
            }
        }
        else if (permissions.Count > 0)
        {
            foreach (var permission in permissions)
            {
                var matched = new List<SecurityGroupRule>();
                var complete = true;
                foreach (var spec in permission.Rules)
                {
                    var resolved = spec.GroupId is not null && !spec.GroupId.StartsWith("sg-", StringComparison.Ordinal)
                        ? ResolveGroupSource(state, group, spec)
                        : spec;
                    var rule = group.Rules.Find(r => r.Key == resolved.Key(isEgress));
                    if (rule is null)
                    {
                        complete = false;
                    }
                    else
                    {
                        matched.Add(rule);
                    }
                }

                revoked.AddRange(matched);
                if (!complete)
                {
                    unknown.Add(permission.Source);
                }
            }

            var isDefaultVpc = state.Vpcs.TryGetValue(group.VpcId, out var vpc) && vpc.IsDefault;
            if (unknown.Count > 0 && !isDefaultVpc)
            {
                // Outside a default VPC EC2 refuses the whole call and revokes nothing.
                throw new AwsServiceError(400, "InvalidPermission.NotFound", "The specified rule does not exist in this security group.");
            }
        }
        else
        {
            throw new AwsServiceError(400, "MissingParameter", "Either 'ipPermissions' or 'securityGroupRuleIds' should be provided.");
        }

        BeforeChange(context, state, group);
        foreach (var rule in revoked.Distinct())
        {
            group.Rules.Remove(rule);
        }

        // In a default VPC EC2 revokes what matched and reports the rest instead of failing; the call succeeded, so
        // "return" is true ("Returns true if the request succeeds; otherwise, returns an error").
        return Ok(
            context,
            E("return", "true"),
            unknown.Count > 0 ? E("unknownIpPermissionSet", unknown.Select(RequestedPermission)) : null,
            E("revokedSecurityGroupRuleSet", revoked.Distinct().Select(RevokedRule)));
    }
}
