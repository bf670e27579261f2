using System.Text.Json;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>s3-remove-public-access</c>: turns on all four bucket-level public access block settings (BlockPublicAcls,
/// IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets); compliant when they are on already. Undo restores the
/// previous configuration, or deletes it when the bucket had none.
/// </summary>
internal sealed class S3RemovePublicAccessJob : IRemediationJob
{
    /// <summary>Creates the job.</summary>
    public S3RemovePublicAccessJob() => Info = new RemediationJobInfo
    {
        Id = "s3-remove-public-access",
        RuleIds = new[]
        {
            "5c8c26507a550e1fb6560c57", "5c8c26517a550e1fb6560c59", "5c8c26537a550e1fb6560c5a", "5c8c26537a550e1fb6560c5b",
            "5c8c26547a550e1fb6560c5c", "5c8c26637a550e1fb6560c6b", "5c8c26617a550e1fb6560c69",
        },
        Title = "Block all public access to an S3 bucket",
        Service = "S3",
        ResourceType = "Bucket",
        Impact = "Public ACLs and public bucket policies stop granting access, and new ones are refused; access granted to named accounts, users and AWS services stays.",
        IamActions = new[] { S3Actions.GetBucketPublicAccessBlock, S3Actions.GetBucketTagging, S3Actions.PutBucketPublicAccessBlock },
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

        var key = ResourceKeys.BucketPublicAccessBlock(bucket.Name);
        var before = await context.Cache.GetOrReadAsync(key, () => PublicAccessBlockStore.ReadAsync(bucket, cancellationToken)).ConfigureAwait(false);
        if (before.IsAllOn)
        {
            return JobPlan.Compliant();
        }

        var after = PublicAccessBlockState.AllOn;
        var changed = before.Exists ? before.Differences(after) : new[] { "all four settings false -> true" };
        var action = new RemediationAction
        {
            Operation = S3Actions.PutBucketPublicAccessBlock,
            Target = bucket.Name,
            Description = "Turn on all four public access block settings of the bucket (" + string.Join("; ", changed) + ").",
            Before = before.Describe(),
            After = after.Describe(),
        };
        var undo = bucket.UndoRecord(Info.Id, new PublicAccessBlockUndoData { Previous = before });
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new Change(bucket, after), new[] { key });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        return PublicAccessBlockStore.WriteAsync(change.Bucket, change.Target, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var now = await PublicAccessBlockStore.ReadAsync(change.Bucket, cancellationToken).ConfigureAwait(false);
        return now.SameAs(change.Target)
            ? JobVerification.Success()
            : JobVerification.Failure("Bucket " + change.Bucket.Name + " has " + now.Describe() + ", not " + change.Target.Describe() + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        PublicAccessBlockUndoData data;
        try
        {
            data = RemediationJson.Deserialize<PublicAccessBlockUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var previous = data.Previous ?? throw new FindingFormatException("The undo record's Data has no Previous configuration.", "Data");
        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        var now = await PublicAccessBlockStore.ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (now.SameAs(previous))
        {
            return JobPlan.Compliant();
        }

        var action = new RemediationAction
        {
            Operation = S3Actions.PutBucketPublicAccessBlock,
            Target = bucket.Name,
            Description = previous.Exists
                ? "Restore the bucket's previous public access block settings."
                : "Delete the bucket's public access block configuration (it had none before).",
            Before = now.Describe(),
            After = previous.Describe(),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new Change(bucket, previous), new[] { ResourceKeys.BucketPublicAccessBlock(bucket.Name) });
    }

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(S3RemovePublicAccessJob) + ".", nameof(plan));

    private sealed class Change
    {
        public Change(S3Bucket bucket, PublicAccessBlockState target)
        {
            Bucket = bucket;
            Target = target;
        }

        public S3Bucket Bucket { get; }

        public PublicAccessBlockState Target { get; }
    }
}

/// <summary>The undo data of <c>s3-remove-public-access</c>: the configuration before the change.</summary>
internal sealed class PublicAccessBlockUndoData
{
    /// <summary>The bucket's configuration before (<see cref="PublicAccessBlockState.Exists"/> false: it had none).</summary>
    public PublicAccessBlockState? Previous { get; set; }
}
