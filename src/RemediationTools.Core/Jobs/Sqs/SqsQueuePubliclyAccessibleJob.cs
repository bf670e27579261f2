using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.Core.Jobs.Policies;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Sqs;

/// <summary>
/// <c>aws-sqs-queue-publicly-accessible</c>: the finding's ObjectId is a queue name, URL or ARN. Removes every
/// unconditional Allow statement whose principal is public (<c>"*"</c>, <c>{"AWS":"*"}</c>, <c>{"AWS":["*"]}</c>),
/// with or without a Sid, by rewriting the queue policy with <c>Version</c>, <c>Id</c> and every other statement kept;
/// conditional public statements stay and are reported. A policy left without statements is removed (the
/// <c>Policy</c> attribute set to the empty string). A queue without a policy is compliant. The write is guarded
/// against a concurrent writer (the engine plans again). Undo puts the previous policy back.
/// </summary>
internal sealed class SqsQueuePubliclyAccessibleJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-sqs-queue-publicly-accessible";

    /// <summary>Creates the job.</summary>
    public SqsQueuePubliclyAccessibleJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "09639b9d-98e8-493b-b8a4-916775a7dea9" },
        Title = "Remove public access from an SQS queue policy",
        Service = "SQS",
        ResourceType = "Queue",
        Impact = "Anonymous and any-account access to the queue granted by unconditional public Allow statements ends; conditional statements and every other statement stay.",
        IamActions = new[]
        {
            SqsQueue.GetQueueAttributesAction,
            SqsQueue.GetQueueUrlAction,
            SqsQueue.ListQueueTagsAction,
            SqsQueue.SetQueueAttributesAction,
        }.OrderBy(a => a, StringComparer.Ordinal).ToArray(),
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var queue = await SqsQueue.OpenAsync(context, JobId, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(context.Finding.Tags) || SkipTag.IsSet(await queue.ReadTagsAsync(cancellationToken).ConfigureAwait(false)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var policy = await queue.ReadPolicyCachedAsync(cancellationToken).ConfigureAwait(false);
        if (!policy.Exists)
        {
            return JobPlan.Compliant(new[] { "The queue " + queue.Name + " has no queue policy." });
        }

        var removed = policy.Statements.Where(PolicyStatements.IsUnconditionalPublicAllow).ToList();
        var notes = policy.Statements.Where(PolicyStatements.IsConditionalPublicAllow)
            .Select(s => "A conditional public statement stays (check its condition): " + PolicyDocument.Show(s)).ToList();
        if (removed.Count == 0)
        {
            return JobPlan.Compliant(notes);
        }

        var updated = policy.Without(removed);
        var removes = SqsQueue.Removes(updated);
        var actions = removed.Select(statement => new RemediationAction
        {
            Operation = SqsQueue.SetQueueAttributesAction,
            Target = queue.Url,
            Description = removes
                ? "Remove the unconditional public Allow statement; the policy holds nothing else, so it is removed (Policy set to empty)."
                : "Remove the unconditional public Allow statement from the queue policy; every other statement stays.",
            Before = PolicyDocument.Show(statement),
            After = null,
        }).ToList();
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = queue.Url,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new SqsQueuePolicyUndoData
            {
                QueueUrl = queue.Url,
                PolicyBefore = policy.ToJson(),
                PolicyWritten = removes ? null : updated.ToJson(),
                RemovedStatements = removed.Select(PolicyDocument.Show).ToList(),
            }),
        };
        return JobPlan.Change(actions, notes, undo, new QueuePolicyChange(queue, policy, updated), new[] { queue.PolicyKey });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        return change.Queue.WritePolicyAsync(change.Planned, change.Updated, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var policy = await change.Queue.ReadPolicyAsync(cancellationToken).ConfigureAwait(false);
        context.Cache.Set(change.Queue.PolicyKey, policy);
        var expected = SqsQueue.Removes(change.Updated) ? PolicyDocument.None : change.Updated;
        return policy.SameAs(expected)
            ? JobVerification.Success()
            : JobVerification.Failure("The queue policy of " + change.Queue.Name + " is " + (policy.ToJson() ?? "absent") + ", not " + (expected.ToJson() ?? "absent") + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        SqsQueuePolicyUndoData data;
        List<JsonObject> removed;
        try
        {
            data = RemediationJson.Deserialize<SqsQueuePolicyUndoData>(record.Data);
            removed = (data.RemovedStatements ?? new List<string>()).Select(s => JsonNode.Parse(s) as JsonObject ?? throw new JsonException("A removed statement is not a JSON object.")).ToList();
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var queue = await SqsQueue.OpenAsync(context, JobId, cancellationToken).ConfigureAwait(false);
        var policy = await queue.ReadPolicyAsync(cancellationToken).ConfigureAwait(false);
        var missing = removed.Where(r => !policy.Statements.Any(s => JsonNode.DeepEquals(s, r))).ToList();
        if (missing.Count == 0)
        {
            return JobPlan.Compliant(new[] { "The queue policy of " + queue.Name + " holds the removed statements already." });
        }

        // Nothing written since this run's change: the exact document from before (Version, Id, order); else the removed
        // statements go back into the policy as it is now, keeping the newer changes.
        var written = PolicyDocument.Parse(data.PolicyWritten, "queue " + queue.Name);
        var untouched = missing.Count == removed.Count && policy.SameAs(written);
        var original = PolicyDocument.Parse(data.PolicyBefore, "queue " + queue.Name);
        var restored = untouched && original.Exists ? original : missing.Aggregate(policy, (document, statement) => document.With(statement));
        var actions = missing.Select(statement => new RemediationAction
        {
            Operation = SqsQueue.SetQueueAttributesAction,
            Target = queue.Url,
            Description = "Put the removed public statement back into the queue policy.",
            Before = null,
            After = PolicyDocument.Show(statement),
        }).ToList();
        return JobPlan.Change(actions, Array.Empty<string>(), null, new QueuePolicyChange(queue, policy, restored), new[] { queue.PolicyKey });
    }

    private static QueuePolicyChange ChangeOf(JobPlan plan)
        => plan.Changes as QueuePolicyChange ?? throw new ArgumentException("The plan was not made by " + nameof(SqsQueuePubliclyAccessibleJob) + ".", nameof(plan));

    private sealed class QueuePolicyChange
    {
        public QueuePolicyChange(SqsQueue queue, PolicyDocument planned, PolicyDocument updated)
        {
            Queue = queue;
            Planned = planned;
            Updated = updated;
        }

        public SqsQueue Queue { get; }

        public PolicyDocument Planned { get; }

        public PolicyDocument Updated { get; }
    }
}

/// <summary>The undo data of <c>aws-sqs-queue-publicly-accessible</c>.</summary>
internal sealed class SqsQueuePolicyUndoData
{
    /// <summary>The queue's URL.</summary>
    public string QueueUrl { get; set; } = string.Empty;

    /// <summary>The whole policy before the change.</summary>
    public string? PolicyBefore { get; set; }

    /// <summary>The policy the change wrote; null when it removed the policy.</summary>
    public string? PolicyWritten { get; set; }

    /// <summary>Each removed statement as JSON.</summary>
    public List<string>? RemovedStatements { get; set; }
}
