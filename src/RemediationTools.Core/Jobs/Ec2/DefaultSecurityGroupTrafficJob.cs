using System.Globalization;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>aws-ec2-default-security-group-traffic</c>: a VPC's default security group (name <c>default</c>) must allow no
/// traffic. Revokes all its ingress and egress rules; any other group is skipped. The plan lists the network
/// interfaces that use the group, because they lose the traffic its rules allowed.
/// </summary>
internal sealed class DefaultSecurityGroupTrafficJob : IRemediationJob
{
    /// <summary>The job ID.</summary>
    public const string JobId = "aws-ec2-default-security-group-traffic";

    /// <summary>IAM action: remove outbound rules.</summary>
    public const string RevokeEgressAction = "ec2:RevokeSecurityGroupEgress";

    /// <summary>IAM action: add outbound rules (undo only).</summary>
    public const string AuthorizeEgressAction = "ec2:AuthorizeSecurityGroupEgress";

    /// <summary>The name every VPC's default group has.</summary>
    public const string DefaultGroupName = "default";

    /// <summary>Creates the job.</summary>
    public DefaultSecurityGroupTrafficJob()
    {
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "5c8c25f37a550e1fb6560bca" },
            Title = "Remove every rule of a VPC's default security group",
            Service = "EC2",
            ResourceType = "SecurityGroup",
            Impact = "Every network interface that uses the default group loses the traffic its rules allowed (by default: all " +
                     "traffic between members of the group, and all outbound traffic).",
            IamActions = new[]
            {
                SecurityGroupPortCloser.DescribeNetworkInterfacesAction,
                SecurityGroupPortCloser.DescribeSecurityGroupsAction,
                SecurityGroupPortCloser.RevokeIngressAction,
                RevokeEgressAction,
            },
            UndoIamActions = new[] { AuthorizeEgressAction, SecurityGroupPortCloser.AuthorizeIngressAction },
            Disruptive = false,
        };
    }

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

        var group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(group.GroupName, DefaultGroupName, StringComparison.Ordinal))
        {
            return JobPlan.Skip(groupId + " ('" + group.GroupName + "') is not a VPC's default security group; this job only empties default groups.");
        }

        if (SkipTag.IsSet(group.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var changes = new DefaultGroupChangeSet(groupId, isUndo: false);
        changes.RevokeIngress.AddRange(group.Ingress);
        changes.RevokeEgress.AddRange(group.Egress);
        if (changes.IsEmpty)
        {
            return JobPlan.Compliant();
        }

        var interfaces = await SecurityGroupReader.ReadNetworkInterfacesAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>
        {
            interfaces.Count == 0
                ? "No network interface uses " + groupId + "."
                : string.Format(
                    CultureInfo.InvariantCulture,
                    "{0} network interface(s) use {1} and lose the traffic its rules allowed: {2}.",
                    interfaces.Count,
                    groupId,
                    string.Join(", ", interfaces)),
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = groupId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new DefaultGroupUndoData { GroupId = groupId, Ingress = changes.RevokeIngress.ToList(), Egress = changes.RevokeEgress.ToList() }),
        };
        return JobPlan.Change(ToActions(changes), notes, undo, changes, new[] { ResourceKeys.SecurityGroup(groupId) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        var ec2 = context.Clients.Ec2(context.Region);
        var reporter = context.Reporter;
        var id = changes.GroupId;
        try
        {
            // Undo authorizes before anything is revoked; a remediation only revokes.
            if (changes.AuthorizeIngress.Count > 0)
            {
                var request = new AuthorizeSecurityGroupIngressRequest { GroupId = id, IpPermissions = Permissions(changes.AuthorizeIngress, true) };
                await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.AuthorizeIngressAction, id, () => ec2.AuthorizeSecurityGroupIngressAsync(request, cancellationToken)).ConfigureAwait(false);
            }

            if (changes.AuthorizeEgress.Count > 0)
            {
                var request = new AuthorizeSecurityGroupEgressRequest { GroupId = id, IpPermissions = Permissions(changes.AuthorizeEgress, true) };
                await AwsCall.RunAsync(reporter, AuthorizeEgressAction, id, () => ec2.AuthorizeSecurityGroupEgressAsync(request, cancellationToken)).ConfigureAwait(false);
            }

            if (changes.RevokeIngress.Count > 0)
            {
                var request = new RevokeSecurityGroupIngressRequest { GroupId = id, IpPermissions = Permissions(changes.RevokeIngress, false) };
                var response = await AwsCall.RunAsync(reporter, SecurityGroupPortCloser.RevokeIngressAction, id, () => ec2.RevokeSecurityGroupIngressAsync(request, cancellationToken)).ConfigureAwait(false);
                RevokeReplies.ThrowIfUnknown(SecurityGroupPortCloser.RevokeIngressAction, id, response.UnknownIpPermissions, response.ResponseMetadata?.RequestId);
            }

            if (changes.RevokeEgress.Count > 0)
            {
                var request = new RevokeSecurityGroupEgressRequest { GroupId = id, IpPermissions = Permissions(changes.RevokeEgress, false) };
                var response = await AwsCall.RunAsync(reporter, RevokeEgressAction, id, () => ec2.RevokeSecurityGroupEgressAsync(request, cancellationToken)).ConfigureAwait(false);
                RevokeReplies.ThrowIfUnknown(RevokeEgressAction, id, response.UnknownIpPermissions, response.ResponseMetadata?.RequestId);
            }
        }
        finally
        {
            SecurityGroupReader.Invalidate(context, id);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        var group = await SecurityGroupReader.ReadFreshAsync(context, changes.GroupId, cancellationToken).ConfigureAwait(false);
        var current = group.Ingress.Concat(group.Egress).ToList();
        var problems = new List<string>();
        if (changes.IsUndo)
        {
            problems.AddRange(changes.AuthorizeIngress.Concat(changes.AuthorizeEgress).Where(r => !current.Exists(c => c.Key == r.Key)).Select(r => "missing '" + r + "'"));
        }
        else
        {
            problems.AddRange(current.Select(r => "still present '" + r + "'"));
        }

        return problems.Count == 0
            ? JobVerification.Success()
            : JobVerification.Failure("After the change, " + changes.GroupId + " does not look as planned: " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        DefaultGroupUndoData data;
        try
        {
            data = RemediationJson.Deserialize<DefaultGroupUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var groupId = RequireGroupId(string.IsNullOrEmpty(data.GroupId) ? record.ResourceId : data.GroupId);
        var group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        var currentKeys = group.Ingress.Concat(group.Egress).Select(r => r.Key);
        var current = new HashSet<string>(currentKeys, StringComparer.Ordinal);
        var changes = new DefaultGroupChangeSet(groupId, isUndo: true);
        changes.AuthorizeIngress.AddRange((data.Ingress ?? new List<SecurityGroupRule>()).Where(r => !r.Egress && !current.Contains(r.Key)));
        changes.AuthorizeEgress.AddRange((data.Egress ?? new List<SecurityGroupRule>()).Where(r => r.Egress && !current.Contains(r.Key)));
        return changes.IsEmpty
            ? JobPlan.Compliant(new[] { groupId + " already has the recorded rules back." })
            : JobPlan.Change(ToActions(changes), Array.Empty<string>(), null, changes, new[] { ResourceKeys.SecurityGroup(groupId) });
    }

    private static List<IpPermission> Permissions(IEnumerable<SecurityGroupRule> rules, bool withDescription)
        => rules.Select(r => r.ToPermission(withDescription)).ToList();

    private static List<RemediationAction> ToActions(DefaultGroupChangeSet changes)
    {
        var actions = new List<RemediationAction>();
        actions.AddRange(changes.AuthorizeIngress.Select(r => Action(SecurityGroupPortCloser.AuthorizeIngressAction, changes.GroupId, "Restore the revoked rule '" + r + "'.", null, r.ToString())));
        actions.AddRange(changes.AuthorizeEgress.Select(r => Action(AuthorizeEgressAction, changes.GroupId, "Restore the revoked rule '" + r + "'.", null, r.ToString())));
        actions.AddRange(changes.RevokeIngress.Select(r => Action(SecurityGroupPortCloser.RevokeIngressAction, changes.GroupId, "Revoke '" + r + "': a default group allows no traffic.", r.ToString(), null)));
        actions.AddRange(changes.RevokeEgress.Select(r => Action(RevokeEgressAction, changes.GroupId, "Revoke '" + r + "': a default group allows no traffic.", r.ToString(), null)));
        return actions;
    }

    private static RemediationAction Action(string operation, string target, string description, string? before, string? after) => new()
    {
        Operation = operation,
        Target = target,
        Description = description,
        Before = before,
        After = after,
    };

    private static DefaultGroupChangeSet ChangesOf(JobPlan plan)
        => plan.Changes as DefaultGroupChangeSet ?? throw new ArgumentException("The plan was not made by " + JobId + ".", nameof(plan));

    private static string RequireGroupId(string resourceId) => Ec2ResourceIds.Require(resourceId, Ec2ResourceIds.SecurityGroup, "a security group ID");
}

/// <summary>The rule changes of <see cref="DefaultSecurityGroupTrafficJob"/> on one group (revokes; for an undo, authorizations).</summary>
internal sealed class DefaultGroupChangeSet
{
    /// <summary>Creates an empty change set.</summary>
    public DefaultGroupChangeSet(string groupId, bool isUndo)
    {
        GroupId = groupId;
        IsUndo = isUndo;
    }

    /// <summary>The group.</summary>
    public string GroupId { get; }

    /// <summary>True when the change set restores the recorded rules.</summary>
    public bool IsUndo { get; }

    /// <summary>Inbound rules to add back (undo).</summary>
    public List<SecurityGroupRule> AuthorizeIngress { get; } = new();

    /// <summary>Outbound rules to add back (undo).</summary>
    public List<SecurityGroupRule> AuthorizeEgress { get; } = new();

    /// <summary>Inbound rules to revoke.</summary>
    public List<SecurityGroupRule> RevokeIngress { get; } = new();

    /// <summary>Outbound rules to revoke.</summary>
    public List<SecurityGroupRule> RevokeEgress { get; } = new();

    /// <summary>True when nothing changes.</summary>
    public bool IsEmpty => AuthorizeIngress.Count + AuthorizeEgress.Count + RevokeIngress.Count + RevokeEgress.Count == 0;
}

/// <summary>The undo data of <see cref="DefaultSecurityGroupTrafficJob"/>: the exact rules it revoked.</summary>
internal sealed class DefaultGroupUndoData
{
    /// <summary>The group.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>The inbound rules revoked.</summary>
    public List<SecurityGroupRule> Ingress { get; set; } = new();

    /// <summary>The outbound rules revoked.</summary>
    public List<SecurityGroupRule> Egress { get; set; } = new();
}
