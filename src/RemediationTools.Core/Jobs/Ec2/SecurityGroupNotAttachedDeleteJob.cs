using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>security-group-not-attached-delete</c>: deletes a security group that nothing uses. A default group, a group on
/// a network interface and a group that another group's rule references are skipped with the reason. The undo record
/// holds the group's name, description, VPC, rules and tags; undo creates a new group from it and says its new ID.
/// </summary>
internal sealed class SecurityGroupNotAttachedDeleteJob : IRemediationJob
{
    /// <summary>IAM action: delete the group.</summary>
    public const string DeleteSecurityGroupAction = "ec2:DeleteSecurityGroup";

    /// <summary>IAM action: recreate the group (undo).</summary>
    public const string CreateSecurityGroupAction = "ec2:CreateSecurityGroup";

    /// <summary>IAM action: restore egress rules (undo).</summary>
    public const string AuthorizeEgressAction = "ec2:AuthorizeSecurityGroupEgress";

    /// <summary>IAM action: remove the allow-all egress rule a new group starts with, when the old one lacked it (undo).</summary>
    public const string RevokeEgressAction = "ec2:RevokeSecurityGroupEgress";

    /// <summary>IAM action: restore tags (undo).</summary>
    public const string CreateTagsAction = "ec2:CreateTags";

    /// <summary>Creates the job.</summary>
    public SecurityGroupNotAttachedDeleteJob() => Info = new RemediationJobInfo
    {
        Id = "security-group-not-attached-delete",
        RuleIds = Array.Empty<string>(),
        Title = "Delete a security group that no network interface or rule uses",
        Service = "EC2",
        ResourceType = "SecurityGroup",
        Impact = "None on traffic: the group is on no network interface and no other group's rule refers to it. Its ID is gone; undo recreates it under a new ID.",
        IamActions = new[] { DeleteSecurityGroupAction, SecurityGroupPortCloser.DescribeNetworkInterfacesAction, SecurityGroupPortCloser.DescribeSecurityGroupsAction },
        UndoIamActions = new[] { AuthorizeEgressAction, SecurityGroupPortCloser.AuthorizeIngressAction, CreateSecurityGroupAction, CreateTagsAction, RevokeEgressAction },
        Disruptive = false,
        Irreversible = true,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var groupId = RequireGroupId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var ec2 = context.Clients.Ec2(context.Region);
        SecurityGroupSnapshot group;
        try
        {
            group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "InvalidGroup.NotFound")
        {
            return JobPlan.Compliant(new[] { groupId + " does not exist (any more)." });
        }

        if (SkipTag.IsSet(group.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        if (string.Equals(group.GroupName, "default", StringComparison.Ordinal))
        {
            return JobPlan.Skip(groupId + " is the default security group of " + group.VpcId + ", which AWS does not let anyone delete.");
        }

        var interfaces = await SecurityGroupReader.ReadNetworkInterfacesAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        if (interfaces.Count > 0)
        {
            return JobPlan.Skip(groupId + " is in use by " + interfaces.Count.ToString(CultureInfo.InvariantCulture) + " network interface(s): " + string.Join(", ", interfaces) + ".");
        }

        var referencing = await ReadReferencingGroupsAsync(ec2, groupId, context.Reporter, cancellationToken).ConfigureAwait(false);
        if (referencing.Count > 0)
        {
            return JobPlan.Skip(groupId + " is referenced by rules of " + string.Join(", ", referencing) + "; deleting it would change what those rules allow.");
        }

        var data = SecurityGroupRecord.From(group);
        var action = new RemediationAction
        {
            Operation = DeleteSecurityGroupAction,
            Target = groupId,
            Description = "Delete the unused security group '" + group.GroupName + "' of " + group.VpcId + ".",
            Before = data.Summary(),
            After = null,
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = groupId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(data),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new GroupChange(data, isUndo: false), new[] { ResourceKeys.SecurityGroup(groupId) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var ec2 = context.Clients.Ec2(context.Region);
        var data = change.Group;
        if (!change.IsUndo)
        {
            await AwsCall.RunAsync(context.Reporter, DeleteSecurityGroupAction, data.GroupId, () =>
                ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = data.GroupId }, cancellationToken)).ConfigureAwait(false);
            return;
        }

        var created = await AwsCall.RunAsync(context.Reporter, CreateSecurityGroupAction, data.GroupName, () =>
            ec2.CreateSecurityGroupAsync(
                new CreateSecurityGroupRequest { GroupName = data.GroupName, Description = data.Description, VpcId = data.VpcId },
                cancellationToken)).ConfigureAwait(false);
        var newId = created.GroupId;
        change.NewGroupId = newId;
        foreach (var action in plan.Actions.Where(a => a.Operation == CreateSecurityGroupAction))
        {
            action.After = newId + " ('" + data.GroupName + "' in " + data.VpcId + ")";
        }

        context.Reporter.Verbose("Recreated " + data.GroupId + " as " + newId + ".");

        // A new VPC group starts with allow-all IPv4 egress; the old group's egress rules replace it exactly.
        var defaultEgress = new SecurityGroupRule { Egress = true, Protocol = "-1", CidrIpv4 = "0.0.0.0/0" };
        var egress = data.Egress.Select(r => r.WithGroup(data.GroupId, newId)).ToList();
        var keepsDefault = egress.Any(r => r.SameRuleAs(defaultEgress));
        var addEgress = egress.Where(r => !r.SameRuleAs(defaultEgress)).ToList();
        if (addEgress.Count > 0)
        {
            await AwsCall.RunAsync(context.Reporter, AuthorizeEgressAction, newId, () =>
                ec2.AuthorizeSecurityGroupEgressAsync(
                    new AuthorizeSecurityGroupEgressRequest { GroupId = newId, IpPermissions = addEgress.Select(r => r.ToPermission(withDescription: true)).ToList() },
                    cancellationToken)).ConfigureAwait(false);
        }

        if (!keepsDefault)
        {
            await AwsCall.RunAsync(context.Reporter, RevokeEgressAction, newId, () =>
                ec2.RevokeSecurityGroupEgressAsync(
                    new RevokeSecurityGroupEgressRequest { GroupId = newId, IpPermissions = new List<IpPermission> { defaultEgress.ToPermission(withDescription: false) } },
                    cancellationToken)).ConfigureAwait(false);
        }

        var ingress = data.Ingress.Select(r => r.WithGroup(data.GroupId, newId)).ToList();
        if (ingress.Count > 0)
        {
            await AwsCall.RunAsync(context.Reporter, SecurityGroupPortCloser.AuthorizeIngressAction, newId, () =>
                ec2.AuthorizeSecurityGroupIngressAsync(
                    new AuthorizeSecurityGroupIngressRequest { GroupId = newId, IpPermissions = ingress.Select(r => r.ToPermission(withDescription: true)).ToList() },
                    cancellationToken)).ConfigureAwait(false);
        }

        if (data.Tags.Count > 0)
        {
            await AwsCall.RunAsync(context.Reporter, CreateTagsAction, newId, () =>
                ec2.CreateTagsAsync(
                    new CreateTagsRequest { Resources = new List<string> { newId }, Tags = data.Tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
                    cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var ec2 = context.Clients.Ec2(context.Region);
        if (!change.IsUndo)
        {
            try
            {
                await SecurityGroupReader.ReadFreshAsync(context, change.Group.GroupId, cancellationToken).ConfigureAwait(false);
                return JobVerification.Failure(change.Group.GroupId + " still exists after the delete.");
            }
            catch (AwsCallException ex) when (ex.ErrorCode == "InvalidGroup.NotFound")
            {
                return JobVerification.Success();
            }
        }

        var newId = change.NewGroupId ?? throw new InvalidOperationException("The undo did not create a group.");
        var actual = SecurityGroupRecord.From(await SecurityGroupReader.ReadFreshAsync(context, newId, cancellationToken).ConfigureAwait(false));
        var expected = change.Group;
        var problems = new List<string>();
        problems.AddRange(expected.Ingress.Select(r => r.WithGroup(expected.GroupId, newId)).Where(r => !actual.Ingress.Any(a => a.SameRuleAs(r))).Select(r => "ingress missing '" + r + "'"));
        problems.AddRange(expected.Egress.Select(r => r.WithGroup(expected.GroupId, newId)).Where(r => !actual.Egress.Any(a => a.SameRuleAs(r))).Select(r => "egress missing '" + r + "'"));
        problems.AddRange(actual.Egress.Where(a => !expected.Egress.Select(r => r.WithGroup(expected.GroupId, newId)).Any(r => r.SameRuleAs(a))).Select(a => "extra egress '" + a + "'"));
        problems.AddRange(expected.Tags.Where(t => !actual.Tags.Any(a => a.Key == t.Key && a.Value == t.Value)).Select(t => "tag missing '" + t.Key + "'"));
        return problems.Count == 0
            ? JobVerification.Success()
            : JobVerification.Failure("The recreated group " + newId + " differs from " + expected.GroupId + ": " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        SecurityGroupRecord data;
        try
        {
            data = RemediationJson.Deserialize<SecurityGroupRecord>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        if (string.IsNullOrEmpty(data.GroupName) || string.IsNullOrEmpty(data.VpcId))
        {
            throw new FindingFormatException("The undo record of " + Info.Id + " names no group name or VPC.", "Data");
        }

        var ec2 = context.Clients.Ec2(context.Region);
        var request = new DescribeSecurityGroupsRequest
        {
            Filters = new List<Filter>
            {
                new() { Name = "group-name", Values = new List<string> { data.GroupName } },
                new() { Name = "vpc-id", Values = new List<string> { data.VpcId } },
            },
        };
        var existing = await AwsCall.RunAsync(context.Reporter, SecurityGroupPortCloser.DescribeSecurityGroupsAction, data.GroupName, () =>
            ec2.DescribeSecurityGroupsAsync(request, cancellationToken)).ConfigureAwait(false);
        if (existing.SecurityGroups?.FirstOrDefault() is { } found)
        {
            return JobPlan.Compliant(new[] { "A group named '" + data.GroupName + "' exists in " + data.VpcId + " already: " + found.GroupId + "." });
        }

        var action = new RemediationAction
        {
            Operation = CreateSecurityGroupAction,
            Target = data.GroupId,
            Description = "Recreate the deleted security group '" + data.GroupName + "' in " + data.VpcId + " with its rules and tags (it gets a new ID).",
            Before = null,
            After = data.Summary(),
        };
        return JobPlan.Change(new[] { action }, new[] { "The recreated group has a new ID; rules that referred to " + data.GroupId + " itself now refer to the new group." }, null, new GroupChange(data, isUndo: true), new[] { ResourceKeys.SecurityGroup(data.GroupId) });
    }

    /// <summary>The other groups with an ingress or egress rule whose source or destination is <paramref name="groupId"/>.</summary>
    private static async Task<IReadOnlyList<string>> ReadReferencingGroupsAsync(IAmazonEC2 ec2, string groupId, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var filterName in new[] { "ip-permission.group-id", "egress.ip-permission.group-id" })
        {
            string? nextToken = null;
            do
            {
                var request = new DescribeSecurityGroupsRequest
                {
                    Filters = new List<Filter> { new() { Name = filterName, Values = new List<string> { groupId } } },
                    MaxResults = SecurityGroupReader.PageSize,
                    NextToken = nextToken,
                };
                var response = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.DescribeSecurityGroupsAction, groupId, () =>
                    ec2.DescribeSecurityGroupsAsync(request, cancellationToken)).ConfigureAwait(false);
                foreach (var group in response.SecurityGroups ?? new List<SecurityGroup>())
                {
                    if (group.GroupId != groupId)
                    {
                        found.Add(group.GroupId);
                    }
                }

                nextToken = string.IsNullOrEmpty(response.NextToken) ? null : response.NextToken;
            }
            while (nextToken is not null);
        }

        return found.ToList();
    }

    private static GroupChange ChangeOf(JobPlan plan)
        => plan.Changes as GroupChange ?? throw new ArgumentException("The plan was not made by " + nameof(SecurityGroupNotAttachedDeleteJob) + ".", nameof(plan));

    private static string RequireGroupId(string resourceId) => Ec2ResourceIds.Require(resourceId, Ec2ResourceIds.SecurityGroup, "a security group ID");

    private sealed class GroupChange
    {
        public GroupChange(SecurityGroupRecord group, bool isUndo)
        {
            Group = group;
            IsUndo = isUndo;
        }

        public SecurityGroupRecord Group { get; }

        public bool IsUndo { get; }

        public string? NewGroupId { get; set; }
    }
}
