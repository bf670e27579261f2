using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>CreateSecurityGroup, DeleteSecurityGroup, DescribeSecurityGroups, DescribeSecurityGroupRules.</summary>
internal sealed partial class Ec2Service
{
    private static string CreateSecurityGroup(AwsRequestContext context)
    {
        var args = context.Args;
        var name = args.Required("GroupName", "GroupName");
        var description = args.Required("GroupDescription", "GroupDescription");
        var state = RegionState(context);
        var vpcId = args.Get("VpcId") ?? state.DefaultVpc?.VpcId ?? throw new AwsServiceError(400, "VPCIdNotSpecified", "No default VPC for this user");
        Require(context, $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:security-group/*");
        if (name.Length > 255 || description.Length > 255)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Security group names and descriptions may be at most 255 characters.");
        }

        if (name.StartsWith("sg-", StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Group names may not be in the format sg-*");
        }

        if (string.Equals(name, "default", StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Cannot use reserved security group name: default");
        }

        if (!state.Vpcs.ContainsKey(vpcId))
        {
            throw new AwsServiceError(400, "InvalidVpcID.NotFound", $"The vpc ID '{vpcId}' does not exist");
        }

        if (state.Groups.Exists(g => g.VpcId == vpcId && string.Equals(g.GroupName, name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new AwsServiceError(400, "InvalidGroup.Duplicate", $"The security group '{name}' already exists for VPC '{vpcId}'");
        }

        var tags = TagSpecifications(args, "security-group");
        var group = new SecurityGroup
        {
            GroupId = IdGenerator.Ec2("sg"),
            GroupName = name,
            Description = description,
            VpcId = vpcId,
            OwnerId = state.AccountId,
        };
        group.Tags.AddRange(tags);

        // As in AWS, a new VPC security group allows all outbound IPv4 traffic and no inbound traffic.
        group.Rules.Add(new SecurityGroupRule { RuleId = IdGenerator.Ec2("sgr"), GroupId = group.GroupId, IsEgress = true, Protocol = "-1", CidrIpv4 = "0.0.0.0/0" });
        state.Groups.Add(group);
        return Ok(
            context,
            E("return", "true"),
            E("groupId", group.GroupId),
            tags.Count > 0 ? TagSet(tags) : null,
            E("securityGroupArn", GroupArn(state, group.GroupId)));
    }

    /// <summary>Finds the group named by GroupId (any VPC) or GroupName (default VPC only), as EC2 does.</summary>
    private static SecurityGroup ResolveGroup(AwsRequestContext context, Ec2RegionState state)
    {
        if (context.Args.Get("GroupId") is { } groupId)
        {
            CheckGroupIdFormat(groupId);
            return state.FindGroup(groupId) ?? throw GroupNotFound(groupId);
        }

        if (context.Args.Get("GroupName") is { } groupName)
        {
            var defaultVpcId = DefaultVpcIdForNames(state);
            return state.Groups.Find(g => g.VpcId == defaultVpcId && g.GroupName == groupName)
                ?? throw new AwsServiceError(400, "InvalidGroup.NotFound", $"The security group '{groupName}' does not exist in default VPC '{defaultVpcId}'");
        }

        throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter groupName or groupId");
    }

    /// <summary>
    /// Group names select groups of the default VPC only (groups in a non-default VPC are named by ID); in an account
    /// without a default VPC no name matches, and EC2 names the default VPC 'none' in the error.
    /// </summary>
    private static string DefaultVpcIdForNames(Ec2RegionState state) => state.DefaultVpc?.VpcId ?? "none";

    private static string DeleteSecurityGroup(AwsRequestContext context)
    {
        var state = RegionState(context);
        var group = ResolveGroup(context, state);
        Require(context, GroupArn(state, group.GroupId));
        if (group.GroupName == "default")
        {
            throw new AwsServiceError(400, "CannotDelete", $"the specified group: \"{group.GroupId}\" name: \"default\" cannot be deleted by a user");
        }

        var referenced = state.Groups.Any(g => g != group && g.Rules.Exists(r => r.ReferencedGroupId == group.GroupId));
        if (referenced || state.NetworkInterfaces.Any(n => n.GroupIds.Contains(group.GroupId)))
        {
            throw new AwsServiceError(400, "DependencyViolation", $"resource {group.GroupId} has a dependent object");
        }

        state.Groups.Remove(group);
        state.LaggedGroups.Remove(group.GroupId);
        return Ok(context, E("return", "true"), E("groupId", group.GroupId));
    }

    private static string DescribeSecurityGroups(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        IEnumerable<SecurityGroup> groups = state.Groups.Select(g => Seen(context, state, g)).ToList();
        var ids = args.Strings("GroupId");
        if (ids.Count > 0)
        {
            foreach (var id in ids)
            {
                CheckGroupIdFormat(id);
            }

            var missing = ids.Where(id => state.FindGroup(id) is null).ToList();
            if (missing.Count > 0)
            {
                throw GroupNotFound(missing[0]);
            }

            groups = groups.Where(g => ids.Contains(g.GroupId));
        }

        var names = args.Strings("GroupName");
        if (names.Count > 0)
        {
            var defaultVpcId = DefaultVpcIdForNames(state);
            foreach (var name in names)
            {
                if (!state.Groups.Exists(g => g.VpcId == defaultVpcId && g.GroupName == name))
                {
                    throw new AwsServiceError(400, "InvalidGroup.NotFound", $"The security group '{name}' does not exist in default VPC '{defaultVpcId}'");
                }
            }

            groups = groups.Where(g => g.VpcId == defaultVpcId && names.Contains(g.GroupName));
        }

        foreach (var filter in Filters(args))
        {
            groups = filter.Name switch
            {
                "group-id" => groups.Where(g => filter.Matches(g.GroupId)),
                "group-name" => groups.Where(g => filter.Matches(g.GroupName)),
                "vpc-id" => groups.Where(g => filter.Matches(g.VpcId)),
                "description" => groups.Where(g => filter.Matches(g.Description)),
                "owner-id" => groups.Where(g => filter.Matches(g.OwnerId)),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => groups.Where(g => filter.MatchesTags(g.Tags) == true),
                _ when filter.Name.StartsWith("ip-permission.", StringComparison.Ordinal) => groups.Where(g => PermissionFilterMatches(g, filter, isEgress: false)),
                _ when filter.Name.StartsWith("egress.ip-permission.", StringComparison.Ordinal) => groups.Where(g => PermissionFilterMatches(g, filter, isEgress: true)),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, groups.ToList());
        UseReads(context, state.LaggedGroups, page.Select(g => g.GroupId));
        return Ok(context, E("securityGroupInfo", page.Select(g => SecurityGroup(state, g))), next);
    }

    /// <summary>
    /// The ip-permission.* filters: true when any rule of the direction has the attribute. As in EC2, two
    /// such filters may be satisfied by different rules of the same group.
    /// </summary>
    private static bool PermissionFilterMatches(SecurityGroup group, Filter filter, bool isEgress)
    {
        var attribute = filter.Name[(filter.Name.IndexOf("ip-permission.", StringComparison.Ordinal) + "ip-permission.".Length)..];
        var rules = group.Rules.Where(r => r.IsEgress == isEgress);
        return attribute switch
        {
            "cidr" => rules.Any(r => filter.Matches(r.CidrIpv4)),
            "ipv6-cidr" => rules.Any(r => filter.Matches(r.CidrIpv6)),
            "prefix-list-id" => rules.Any(r => filter.Matches(r.PrefixListId)),
            "group-id" => rules.Any(r => filter.Matches(r.ReferencedGroupId)),
            "protocol" => rules.Any(r => filter.Matches(r.Protocol)),
            "from-port" => rules.Any(r => filter.Matches(AwsXml.Int(r.FromPort ?? -1))),
            "to-port" => rules.Any(r => filter.Matches(AwsXml.Int(r.ToPort ?? -1))),
            "user-id" => rules.Any(r => filter.Matches(r.ReferencedUserId)),
            _ => throw InvalidFilter(filter.Name),
        };
    }

    private static string DescribeSecurityGroupRules(AwsRequestContext context)
    {
        var args = context.Args;
        var state = RegionState(context);
        Require(context, "*");
        IEnumerable<SecurityGroupRule> rules = state.Groups.Select(g => Seen(context, state, g)).SelectMany(g => g.Rules).ToList();
        var ids = args.Strings("SecurityGroupRuleId");
        if (ids.Count > 0)
        {
            var all = rules.ToList();
            foreach (var id in ids)
            {
                if (!IsEc2Id(id, "sgr"))
                {
                    throw new AwsServiceError(400, "InvalidSecurityGroupRuleId.Malformed", $"The security group rule ID '{id}' is malformed");
                }

                if (!all.Exists(r => r.RuleId == id))
                {
                    throw new AwsServiceError(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
                }
            }

            rules = rules.Where(r => ids.Contains(r.RuleId));
        }

        foreach (var filter in Filters(args))
        {
            rules = filter.Name switch
            {
                "group-id" => rules.Where(r => filter.Matches(r.GroupId)),
                "security-group-rule-id" => rules.Where(r => filter.Matches(r.RuleId)),
                _ when filter.Name.StartsWith("tag:", StringComparison.Ordinal) || filter.Name == "tag-key" => rules.Where(r => filter.MatchesTags(r.Tags) == true),
                _ => throw InvalidFilter(filter.Name),
            };
        }

        var (page, next) = Page(context, rules.ToList());
        UseReads(context, state.LaggedGroups, page.Select(r => r.GroupId));
        return Ok(context, E("securityGroupRuleSet", page.Select(r => Rule(state, r))), next);
    }
}
