using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Ec2.Ec2Xml;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>CreateTags and DeleteTags on security groups, rules, instances and VPCs.</summary>
internal sealed partial class Ec2Service
{
    private static string CreateTags(AwsRequestContext context)
    {
        var state = RegionState(context);
        var targets = TagTargets(context, state);
        var tags = context.Args.List("Tag").ToList();
        if (tags.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter tagSet");
        }

        foreach (var target in targets)
        {
            var copy = new List<KeyValuePair<string, string>>(target);
            foreach (var tag in tags)
            {
                AddTag(copy, tag.Get("Key"), tag.Get("Value") ?? string.Empty);
            }
        }

        foreach (var target in targets)
        {
            foreach (var tag in tags)
            {
                AddTag(target, tag.Get("Key"), tag.Get("Value") ?? string.Empty);
            }
        }

        return Ok(context, E("return", "true"));
    }

    private static string DeleteTags(AwsRequestContext context)
    {
        var state = RegionState(context);
        var targets = TagTargets(context, state);
        var tags = context.Args.List("Tag");
        foreach (var target in targets)
        {
            if (tags.Count == 0)
            {
                target.Clear();
                continue;
            }

            foreach (var tag in tags)
            {
                var value = tag.Get("Value");
                target.RemoveAll(t => t.Key == tag.Get("Key") && (value is null || t.Value == value));
            }
        }

        return Ok(context, E("return", "true"));
    }

    /// <summary>Resolves ResourceId.N to tag lists, authorizing the action on each resource.</summary>
    private static List<List<KeyValuePair<string, string>>> TagTargets(AwsRequestContext context, Ec2RegionState state)
    {
        var ids = context.Args.Strings("ResourceId");
        if (ids.Count == 0)
        {
            throw new AwsServiceError(400, "MissingParameter", "The request must contain the parameter resourceIdSet");
        }

        var targets = new List<List<KeyValuePair<string, string>>>();
        foreach (var id in ids)
        {
            var arnPrefix = $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:";
            List<KeyValuePair<string, string>> tags;
            string arn;
            if (id.StartsWith("sg-", StringComparison.Ordinal))
            {
                var group = state.FindGroup(id) ?? throw GroupNotFound(id);
                BeforeChange(context, state, group);
                tags = group.Tags;
                arn = arnPrefix + "security-group/" + id;
            }
            else if (id.StartsWith("sgr-", StringComparison.Ordinal))
            {
                tags = state.Groups.SelectMany(g => g.Rules).FirstOrDefault(r => r.RuleId == id)?.Tags
                    ?? throw new AwsServiceError(400, "InvalidSecurityGroupRuleId.NotFound", $"The security group rule ID '{id}' does not exist");
                arn = arnPrefix + "security-group-rule/" + id;
            }
            else if (id.StartsWith("i-", StringComparison.Ordinal))
            {
                tags = state.Instances.Find(i => i.InstanceId == id)?.Tags
                    ?? throw new AwsServiceError(400, "InvalidInstanceID.NotFound", $"The instance ID '{id}' does not exist");
                arn = arnPrefix + "instance/" + id;
            }
            else if (id.StartsWith("vol-", StringComparison.Ordinal))
            {
                tags = FindVolume(state, id).Tags;
                arn = arnPrefix + "volume/" + id;
            }
            else if (id.StartsWith("snap-", StringComparison.Ordinal))
            {
                tags = FindSnapshotOrThrow(context, state, id).Tags;
                arn = $"arn:aws:ec2:{context.Region}::snapshot/" + id;
            }
            else
            {
                throw new AwsServiceError(400, "InvalidID", $"The ID '{id}' is not valid");
            }

            Authorizer.Require(context, "ec2:" + context.Action, arn);
            targets.Add(tags);
        }

        return targets;
    }
}
