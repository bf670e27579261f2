using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.Core.Results;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>aws-s3-bucket-policy-allow-https</c>: the finding's ObjectId is a bucket. Adds one statement denying every S3
/// action to every principal when <c>aws:SecureTransport</c> is false, on the bucket and its objects, keeping
/// <c>Version</c>, <c>Id</c> and every other statement; a bucket without a policy gets one holding just the deny. An
/// equivalent deny already there is compliant. Undo takes the added statement out again (deleting a policy that
/// holds nothing else, as the bucket had none).
/// </summary>
internal sealed class S3BucketPolicyAllowHttpsJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-s3-bucket-policy-allow-https";

    /// <summary>The Sid of the added statement (another is chosen when the policy uses it already).</summary>
    public const string DenySid = "AllowSSLRequestsOnly";

    /// <summary>Creates the job.</summary>
    public S3BucketPolicyAllowHttpsJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "688d093c-3b8d-11eb-adc1-0242ac120002" },
        Title = "Deny requests to an S3 bucket that do not use HTTPS",
        Service = "S3",
        ResourceType = "Bucket",
        Impact = "Requests over plain HTTP to the bucket and its objects are refused (403); HTTPS requests are unaffected. Every other statement of the policy stays.",
        IamActions = new[] { BucketPolicyStore.GetBucketPolicyAction, S3Actions.GetBucketTagging, BucketPolicyStore.PutBucketPolicyAction }.OrderBy(a => a, StringComparer.Ordinal).ToArray(),
        UndoIamActions = new[] { BucketPolicyStore.DeleteBucketPolicyAction },
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        if (await bucket.SkipReasonAsync(cancellationToken).ConfigureAwait(false) is { } skip)
        {
            return JobPlan.Skip(skip);
        }

        var policy = await BucketPolicyStore.ReadCachedAsync(context, bucket, cancellationToken).ConfigureAwait(false);
        var arn = LoggingTargetBucket.BucketArn(bucket.Name, bucket.Region);
        if (policy.Statements.FirstOrDefault(s => BucketPolicyStatements.IsHttpsDeny(s, arn)) is { } existing)
        {
            return JobPlan.Compliant(new[] { bucket.Name + " already denies requests without HTTPS: " + PolicyDocument.Show(existing) });
        }

        var deny = BucketPolicyStatements.HttpsDeny(policy.UnusedSid(DenySid), arn);
        var updated = policy.With(deny);
        var action = new RemediationAction
        {
            Operation = BucketPolicyStore.PutBucketPolicyAction,
            Target = bucket.Name,
            Description = policy.Exists
                ? "Add a statement denying requests without HTTPS to the bucket policy; Version, Id and the " + policy.Statements.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + " other statement(s) stay."
                : "Give the bucket a policy holding just a statement denying requests without HTTPS (it had no policy).",
            Before = null,
            After = PolicyDocument.Show(deny),
        };
        var undo = bucket.UndoRecord(Info.Id, new HttpsDenyUndoData { BucketName = bucket.Name, AddedStatement = PolicyDocument.Show(deny), HadPolicy = policy.Exists, PolicyBefore = policy.ToJson() });
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new PolicyChange(bucket.Name, policy, updated, arn), new[] { ResourceKeys.BucketPolicy(bucket.Name) });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        await BucketPolicyStore.WriteAsync(bucket, change.Planned, change.Updated, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        var policy = await BucketPolicyStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
        context.Cache.Set(ResourceKeys.BucketPolicy(bucket.Name), policy);
        var denies = policy.Statements.Any(s => BucketPolicyStatements.IsHttpsDeny(s, change.BucketArn));
        if (change.IsUndo)
        {
            return change.Removed.All(r => !policy.Statements.Any(s => SameJson(s, r)))
                ? JobVerification.Success()
                : JobVerification.Failure(bucket.Name + "'s policy still holds the statement this run added.");
        }

        return denies ? JobVerification.Success() : JobVerification.Failure(bucket.Name + "'s policy does not deny requests without HTTPS: " + (policy.ToJson() ?? "no policy") + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        HttpsDenyUndoData data;
        JsonObject added;
        try
        {
            data = RemediationJson.Deserialize<HttpsDenyUndoData>(record.Data);
            added = JsonNode.Parse(data.AddedStatement) as JsonObject ?? throw new JsonException("AddedStatement is not a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var bucket = await S3Bucket.OpenNamedAsync(context, string.IsNullOrEmpty(data.BucketName) ? record.ResourceId : data.BucketName, context.Region, cancellationToken).ConfigureAwait(false);
        var policy = await BucketPolicyStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
        var ours = policy.Statements.Where(s => SameJson(s, added)).ToList();
        if (ours.Count == 0)
        {
            return JobPlan.Compliant(new[] { bucket.Name + "'s policy no longer holds the statement this run added." });
        }

        // Nothing else written since this run's change: the exact document from before (Version, Id, Statement's shape);
        // else only the added statement goes.
        var original = PolicyDocument.Parse(data.PolicyBefore, bucket.Name);
        var updated = data.HadPolicy && policy.SameAs(original.With(added)) ? original : policy.Without(ours);
        var deletes = BucketPolicyStore.Deletes(updated);
        var action = new RemediationAction
        {
            Operation = deletes ? BucketPolicyStore.DeleteBucketPolicyAction : BucketPolicyStore.PutBucketPolicyAction,
            Target = bucket.Name,
            Description = deletes
                ? "Delete the bucket policy, which holds only the statement this run added (the bucket had no policy)."
                : "Take the statement this run added out of the bucket policy; every other statement stays.",
            Before = PolicyDocument.Show(added),
            After = null,
        };
        var change = new PolicyChange(bucket.Name, policy, updated, LoggingTargetBucket.BucketArn(bucket.Name, bucket.Region)) { Removed = ours };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, change, new[] { ResourceKeys.BucketPolicy(bucket.Name) });
    }

    private static bool SameJson(JsonObject a, JsonObject b)
        => PolicyDocument.Parse(new JsonObject { ["Statement"] = a.DeepClone() }.ToJsonString(), "statement")
            .SameAs(PolicyDocument.Parse(new JsonObject { ["Statement"] = b.DeepClone() }.ToJsonString(), "statement"));

    private static PolicyChange ChangeOf(JobPlan plan)
        => plan.Changes as PolicyChange ?? throw new ArgumentException("The plan was not made by " + nameof(S3BucketPolicyAllowHttpsJob) + ".", nameof(plan));

    private sealed class PolicyChange
    {
        public PolicyChange(string bucketName, PolicyDocument planned, PolicyDocument updated, string bucketArn)
        {
            BucketName = bucketName;
            Planned = planned;
            Updated = updated;
            BucketArn = bucketArn;
        }

        public string BucketName { get; }

        public PolicyDocument Planned { get; }

        public PolicyDocument Updated { get; }

        public string BucketArn { get; }

        public IReadOnlyList<JsonObject> Removed { get; set; } = Array.Empty<JsonObject>();

        public bool IsUndo => Removed.Count > 0;
    }
}

/// <summary>The undo data of <c>aws-s3-bucket-policy-allow-https</c>: the statement added, and whether the bucket had a policy.</summary>
internal sealed class HttpsDenyUndoData
{
    /// <summary>The bucket.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>The added statement as JSON.</summary>
    public string AddedStatement { get; set; } = "{}";

    /// <summary>True when the bucket had a policy before (undo then keeps the rest of it).</summary>
    public bool HadPolicy { get; set; }

    /// <summary>The whole policy before the change; null when there was none.</summary>
    public string? PolicyBefore { get; set; }
}
