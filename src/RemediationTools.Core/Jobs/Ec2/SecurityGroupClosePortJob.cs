using System.Globalization;
using System.Text.Json;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// <c>security-group-close-port-*</c>: the finding's ObjectId is a security group ID; the group's rules public for
/// the job's ports are narrowed (or revoked) by a <see cref="SecurityGroupPortCloser"/>.
/// </summary>
internal sealed class SecurityGroupClosePortJob : IRemediationJob, IBatchPrefetchingJob
{
    private readonly SecurityGroupPortCloser closer;

    /// <summary>Creates the job.</summary>
    public SecurityGroupClosePortJob(string id, IReadOnlyList<string> ruleIds, SecurityGroupPortCloser closer)
    {
        this.closer = closer ?? throw new ArgumentNullException(nameof(closer));
        Info = new RemediationJobInfo
        {
            Id = id,
            RuleIds = ruleIds,
            Title = "Close " + closer.PortText + " of a security group to the internet",
            Service = "EC2",
            ResourceType = "SecurityGroup",
            Impact = "Sources on the internet (0.0.0.0/0, ::/0) lose access to " + closer.PortText +
                     " on every network interface that uses the group; all other access stays.",
            IamActions = SecurityGroupPortCloser.IamActions,
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>Creates a job serving <paramref name="ruleId"/> that closes <paramref name="ports"/> on <paramref name="protocol"/>.</summary>
    public static SecurityGroupClosePortJob Create(string id, string ruleId, string protocol, params int[] ports)
        => new(id, new[] { ruleId }, new SecurityGroupPortCloser(ports, new[] { protocol }));

    /// <summary>The closer the job uses.</summary>
    public SecurityGroupPortCloser Closer => closer;

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var groupId = RequireGroupId(context.ResourceId);
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(group.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var changes = closer.PlanChanges(groupId, group.IngressRules, context.Options.RangeMode);
        if (changes.IsEmpty)
        {
            return JobPlan.Compliant();
        }

        var interfaces = await SecurityGroupReader.ReadNetworkInterfacesAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        var notes = new List<string>(changes.Notes);
        if (interfaces.Count > 0)
        {
            // The group is shared: every interface that uses it loses the access, which the user must see.
            notes.Insert(0, string.Format(
                CultureInfo.InvariantCulture,
                "{0} network interface(s) use {1} and lose internet access to {2} too: {3}.",
                interfaces.Count,
                groupId,
                closer.PortText,
                string.Join(", ", interfaces)));
        }

        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = groupId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(SecurityGroupPortCloser.ToUndoData(changes)),
        };
        return JobPlan.Change(SecurityGroupPortCloser.ToActions(changes), notes, undo, changes, new[] { ResourceKeys.SecurityGroup(groupId) });
    }

    /// <inheritdoc />
    public Task PrefetchAsync(IReadOnlyList<JobContext> contexts, CancellationToken cancellationToken)
    {
        if (contexts is null || contexts.Count == 0)
        {
            return Task.CompletedTask;
        }

        var first = contexts[0];
        var groupIds = contexts.Where(c => !SkipTag.IsSet(c.Finding.Tags)).Select(c => c.ResourceId);
        return SecurityGroupReader.PrefetchAsync(first.Clients.Ec2(first.Region), first.Cache, groupIds, first.Reporter, cancellationToken);
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        try
        {
            await SecurityGroupPortCloser.ApplyAsync(context.Clients.Ec2(context.Region), changes, context.Reporter, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            SecurityGroupReader.Invalidate(context, changes.GroupId);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var changes = ChangesOf(plan);
        var group = await SecurityGroupReader.ReadFreshAsync(context, changes.GroupId, cancellationToken).ConfigureAwait(false);
        var check = closer.Check(changes, group.IngressRules);
        return check.Succeeded
            ? JobVerification.Success()
            : JobVerification.Failure("After the change, " + changes.GroupId + " does not look as planned: " + string.Join("; ", check.Problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        SecurityGroupUndoData data;
        try
        {
            data = RemediationJson.Deserialize<SecurityGroupUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var groupId = RequireGroupId(string.IsNullOrEmpty(data.GroupId) ? record.ResourceId : data.GroupId);
        data.GroupId = groupId;
        var group = await SecurityGroupReader.ReadGroupAsync(context, groupId, cancellationToken).ConfigureAwait(false);
        var changes = SecurityGroupPortCloser.PlanUndo(data, group.IngressRules);
        return changes.IsEmpty
            ? JobPlan.Compliant(new[] { groupId + " already has the recorded rules back." })
            : JobPlan.Change(SecurityGroupPortCloser.ToActions(changes), Array.Empty<string>(), null, changes, new[] { ResourceKeys.SecurityGroup(groupId) });
    }

    private static SecurityGroupChangeSet ChangesOf(JobPlan plan)
        => plan.Changes as SecurityGroupChangeSet ?? throw new ArgumentException("The plan was not made by a security group port closer.", nameof(plan));

    private static string RequireGroupId(string resourceId) => Ec2ResourceIds.Require(resourceId, Ec2ResourceIds.SecurityGroup, "a security group ID");
}
