using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Results;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>aws-s3-cloudtrail-public-access</c>: the finding's ObjectId is a trail. Its bucket is the ObjectChain's
/// <c>S3BucketName</c> property (no CloudTrail call then), a bucket the finding names itself (a Security Hub
/// finding's resource), else the trail's <c>S3BucketName</c> (CloudTrail GetTrail). Removes every unconditional Allow
/// statement with a public principal (all three forms); conditional ones stay and are reported, CloudTrail's own
/// statements stay, an emptied policy is deleted. Then all four public access block settings go on: in that order,
/// as AWS refuses to write a policy that is still public once BlockPublicPolicy is on. Undo restores the previous
/// public access block first, then puts the removed statements back.
/// </summary>
internal sealed class S3CloudTrailPublicAccessJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-s3-cloudtrail-public-access";

    /// <summary>IAM action: GetTrail.</summary>
    public const string GetTrailAction = "cloudtrail:GetTrail";

    /// <summary>The ObjectChain property that names the trail's bucket.</summary>
    public const string BucketProperty = "S3BucketName";

    /// <summary>Creates the job.</summary>
    public S3CloudTrailPublicAccessJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "5c8c265d7a550e1fb6560c65" },
        Title = "Make the S3 bucket of a CloudTrail trail private",
        Service = "CloudTrail",
        ResourceType = "Trail",
        Impact = "Anonymous and public access to the trail's log bucket ends: unconditional public Allow statements go and all four public access block settings go on. CloudTrail's own statements and conditional statements stay.",
        IamActions = new[]
        {
            GetTrailAction,
            BucketPolicyStore.DeleteBucketPolicyAction,
            BucketPolicyStore.GetBucketPolicyAction,
            S3Actions.GetBucketPublicAccessBlock,
            S3Actions.GetBucketTagging,
            BucketPolicyStore.PutBucketPolicyAction,
            S3Actions.PutBucketPublicAccessBlock,
        }.OrderBy(a => a, StringComparer.Ordinal).ToArray(),
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var bucketName = await BucketNameAsync(context, cancellationToken).ConfigureAwait(false);
        if (bucketName is null)
        {
            return JobPlan.Compliant(new[] { "The trail " + context.ResourceId + " delivers to no S3 bucket." });
        }

        var bucket = await S3Bucket.OpenNamedAsync(context, bucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        if (SkipTag.IsSet(context.Finding.Tags) || SkipTag.IsSet(await bucket.ReadTagsAsync(cancellationToken).ConfigureAwait(false)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var policy = await BucketPolicyStore.ReadCachedAsync(context, bucket, cancellationToken).ConfigureAwait(false);
        var block = await context.Cache.GetOrReadAsync(ResourceKeys.BucketPublicAccessBlock(bucket.Name), () => PublicAccessBlockStore.ReadAsync(bucket, cancellationToken)).ConfigureAwait(false);
        var removed = policy.Statements.Where(BucketPolicyStatements.IsUnconditionalPublicAllow).ToList();
        var conditional = policy.Statements.Where(BucketPolicyStatements.IsConditionalPublicAllow).ToList();
        var notes = conditional.Select(s => "A conditional public statement stays (check its condition): " + PolicyDocument.Show(s)).ToList();
        if (removed.Count == 0 && block.IsAllOn)
        {
            return JobPlan.Compliant(notes);
        }

        var updated = policy.Without(removed);
        var deletes = removed.Count > 0 && BucketPolicyStore.Deletes(updated);
        var actions = removed.Select(statement => new RemediationAction
        {
            Operation = deletes ? BucketPolicyStore.DeleteBucketPolicyAction : BucketPolicyStore.PutBucketPolicyAction,
            Target = bucket.Name,
            Description = deletes
                ? "Remove the unconditional public Allow statement; the policy holds nothing else, so it is deleted."
                : "Remove the unconditional public Allow statement from the bucket policy; every other statement stays.",
            Before = PolicyDocument.Show(statement),
            After = null,
        }).ToList();
        if (!block.IsAllOn)
        {
            actions.Add(new RemediationAction
            {
                Operation = S3Actions.PutBucketPublicAccessBlock,
                Target = bucket.Name,
                Description = "Turn on all four public access block settings: " + string.Join(", ", block.Differences(PublicAccessBlockState.AllOn)) + ".",
                Before = block.Describe(),
                After = PublicAccessBlockState.AllOn.Describe(),
            });
        }

        var undo = bucket.UndoRecord(Info.Id, new CloudTrailBucketUndoData
        {
            TrailName = context.ResourceId,
            BucketName = bucket.Name,
            PolicyBefore = removed.Count > 0 ? policy.ToJson() : null,
            RemovedStatements = removed.Select(PolicyDocument.Show).ToList(),
            PublicAccessBlockBefore = block.IsAllOn ? null : block,
        });
        var change = new BucketChange(bucket.Name, policy, removed.Count > 0 ? updated : null, block.IsAllOn ? null : PublicAccessBlockState.AllOn);
        return JobPlan.Change(actions, notes, undo, change, Touches(bucket.Name, change));
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        if (change.IsUndo)
        {
            // Undo: the old public access block first, as a public policy cannot be written while BlockPublicPolicy is on.
            if (change.Block is { } previous)
            {
                await PublicAccessBlockStore.WriteAsync(bucket, previous, cancellationToken).ConfigureAwait(false);
            }

            if (change.Updated is { } restored)
            {
                await BucketPolicyStore.WriteAsync(bucket, change.Planned, restored, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        if (change.Updated is { } updated)
        {
            await BucketPolicyStore.WriteAsync(bucket, change.Planned, updated, cancellationToken).ConfigureAwait(false);
        }

        if (change.Block is { } block)
        {
            await PublicAccessBlockStore.WriteAsync(bucket, block, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        if (change.Updated is { } updated)
        {
            var policy = await BucketPolicyStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
            context.Cache.Set(ResourceKeys.BucketPolicy(bucket.Name), policy);
            if (!policy.SameAs(BucketPolicyStore.Deletes(updated) ? PolicyDocument.None : updated))
            {
                problems.Add("the bucket policy is " + (policy.ToJson() ?? "absent") + ", not " + (BucketPolicyStore.Deletes(updated) ? "absent" : updated.ToJson()));
            }
        }

        if (change.Block is { } expected)
        {
            var block = await PublicAccessBlockStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
            context.Cache.Set(ResourceKeys.BucketPublicAccessBlock(bucket.Name), block);
            if (!block.SameAs(expected))
            {
                problems.Add("the public access block is " + block.Describe() + ", not " + expected.Describe());
            }
        }

        return problems.Count == 0 ? JobVerification.Success() : JobVerification.Failure(bucket.Name + ": " + string.Join("; ", problems) + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        CloudTrailBucketUndoData data;
        List<JsonObject> removed;
        try
        {
            data = RemediationJson.Deserialize<CloudTrailBucketUndoData>(record.Data);
            removed = (data.RemovedStatements ?? new List<string>()).Select(s => JsonNode.Parse(s) as JsonObject ?? throw new JsonException("A removed statement is not a JSON object.")).ToList();
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var bucket = await S3Bucket.OpenNamedAsync(context, data.BucketName, context.Region, cancellationToken).ConfigureAwait(false);
        var actions = new List<RemediationAction>();
        PublicAccessBlockState? block = null;
        if (data.PublicAccessBlockBefore is { } previous)
        {
            var now = await PublicAccessBlockStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
            if (!now.SameAs(previous))
            {
                block = previous;
                actions.Add(new RemediationAction
                {
                    Operation = S3Actions.PutBucketPublicAccessBlock,
                    Target = bucket.Name,
                    Description = previous.Exists
                        ? "Put back the previous public access block settings: " + string.Join(", ", now.Differences(previous)) + "."
                        : "Delete the public access block configuration (the bucket had none before).",
                    Before = now.Describe(),
                    After = previous.Describe(),
                });
            }
        }

        PolicyDocument? planned = null;
        PolicyDocument? restored = null;
        if (removed.Count > 0)
        {
            var policy = await BucketPolicyStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
            var missing = removed.Where(r => !policy.Statements.Any(s => SameJson(s, r))).ToList();
            if (missing.Count > 0)
            {
                planned = policy;

                // Nothing written since this run's change: the exact document from before (Version, Id, order); else the
                // removed statements go back into the policy as it is now.
                var original = PolicyDocument.Parse(data.PolicyBefore, bucket.Name);
                var leftByThisRun = original.Without(original.Statements.Where(s => removed.Any(r => SameJson(s, r))));
                var untouched = missing.Count == removed.Count && (policy.SameAs(leftByThisRun) || (!policy.Exists && BucketPolicyStore.Deletes(leftByThisRun)));
                restored = untouched && original.Exists ? original : missing.Aggregate(policy, (document, statement) => document.With(statement));
                actions.AddRange(missing.Select(statement => new RemediationAction
                {
                    Operation = BucketPolicyStore.PutBucketPolicyAction,
                    Target = bucket.Name,
                    Description = "Put the removed public statement back into the bucket policy.",
                    Before = null,
                    After = PolicyDocument.Show(statement),
                }));
            }
        }

        if (actions.Count == 0)
        {
            return JobPlan.Compliant(new[] { bucket.Name + " is as it was before the change already." });
        }

        var change = new BucketChange(bucket.Name, planned ?? PolicyDocument.None, restored, block) { IsUndo = true };
        return JobPlan.Change(actions, Array.Empty<string>(), null, change, Touches(bucket.Name, change));
    }

    // The trail's bucket: the ObjectChain property, the bucket the finding names (a Security Hub resource), or GetTrail.
    private static async Task<string?> BucketNameAsync(JobContext context, CancellationToken cancellationToken)
    {
        var finding = context.Finding;
        var property = finding.Properties.FirstOrDefault(p => string.Equals(p.Key, BucketProperty, StringComparison.OrdinalIgnoreCase)).Value;
        if (!string.IsNullOrWhiteSpace(property))
        {
            return S3BucketName.Parse(property);
        }

        if (string.Equals(finding.ResourceType, "AwsS3Bucket", StringComparison.OrdinalIgnoreCase) ||
            (finding.ResourceArn is { } arn && arn.Split(':') is { Length: 6 } parts && parts[2] == "s3"))
        {
            return S3BucketName.Of(finding);
        }

        var trailName = finding.ResourceId;
        if (string.IsNullOrWhiteSpace(trailName))
        {
            throw new FindingFormatException("The finding's ObjectId is empty: " + JobId + " needs a trail name or ARN (or the ObjectChain property " + BucketProperty + ").", "ObjectId");
        }

        var cloudTrail = context.Clients.CloudTrail(context.Region);
        var trailBucket = await context.Cache.GetOrReadAsync("cloudtrail:trail-bucket:" + trailName, async () =>
        {
            var response = await AwsCall.RunAsync(context.Reporter, GetTrailAction, trailName, () =>
                cloudTrail.GetTrailAsync(new GetTrailRequest { Name = finding.ResourceArn ?? trailName }, cancellationToken)).ConfigureAwait(false);
            return response.Trail.S3BucketName ?? string.Empty;
        }).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(trailBucket) ? null : S3BucketName.Parse(trailBucket);
    }

    private static bool SameJson(JsonObject a, JsonObject b)
        => LoggingTargetBucket.SameStatement(a, b) && PolicyStatements.Sid(a) == PolicyStatements.Sid(b);

    private static List<string> Touches(string bucketName, BucketChange change)
    {
        var touches = new List<string>();
        if (change.Updated is not null)
        {
            touches.Add(ResourceKeys.BucketPolicy(bucketName));
        }

        if (change.Block is not null)
        {
            touches.Add(ResourceKeys.BucketPublicAccessBlock(bucketName));
        }

        return touches;
    }

    private static BucketChange ChangeOf(JobPlan plan)
        => plan.Changes as BucketChange ?? throw new ArgumentException("The plan was not made by " + nameof(S3CloudTrailPublicAccessJob) + ".", nameof(plan));

    private sealed class BucketChange
    {
        public BucketChange(string bucketName, PolicyDocument planned, PolicyDocument? updated, PublicAccessBlockState? block)
        {
            BucketName = bucketName;
            Planned = planned;
            Updated = updated;
            Block = block;
        }

        public string BucketName { get; }

        // The policy the plan was made from (the stale-plan guard compares the policy to it before writing).
        public PolicyDocument Planned { get; }

        // The policy to write; null = the policy is not touched.
        public PolicyDocument? Updated { get; }

        // The public access block to write; null = not touched.
        public PublicAccessBlockState? Block { get; }

        public bool IsUndo { get; set; }
    }
}

/// <summary>The undo data of <c>aws-s3-cloudtrail-public-access</c>.</summary>
internal sealed class CloudTrailBucketUndoData
{
    /// <summary>The trail of the finding.</summary>
    public string TrailName { get; set; } = string.Empty;

    /// <summary>The trail's bucket.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>The whole policy before the change; null when the policy was not changed.</summary>
    public string? PolicyBefore { get; set; }

    /// <summary>The statements removed, as JSON.</summary>
    public List<string>? RemovedStatements { get; set; }

    /// <summary>The public access block before the change; null when it was not changed.</summary>
    public PublicAccessBlockState? PublicAccessBlockBefore { get; set; }
}
