using System.Text.Json;
using Amazon.S3.Model;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>s3-enable-access-logging</c>: the finding's ObjectId is a bucket. Logging already on is compliant, whatever its
/// target (never re-pointed). Otherwise the bucket logs to the account's logging bucket in its region
/// (<see cref="LoggingTargetBucket"/>, created once per batch when missing) under <c>s3bucket/&lt;source&gt;/</c>. A bucket
/// that is itself the logging target is skipped. Undo turns logging off again; the shared logging bucket stays.
/// </summary>
internal sealed class S3EnableAccessLoggingJob : IRemediationJob
{
    /// <summary>IAM action: GetBucketLogging.</summary>
    public const string GetBucketLoggingAction = "s3:GetBucketLogging";

    /// <summary>IAM action: PutBucketLogging.</summary>
    public const string PutBucketLoggingAction = "s3:PutBucketLogging";

    /// <summary>The job's ID.</summary>
    public const string JobId = "s3-enable-access-logging";

    /// <summary>Creates the job.</summary>
    public S3EnableAccessLoggingJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "5c8c265e7a550e1fb6560c67", "5c8c265c7a550e1fb6560c63" },
        Title = "Turn on S3 server access logging to the account's logging bucket",
        Service = "S3",
        ResourceType = "Bucket",
        Impact = "Requests to the bucket are logged to <prefix>-<account>-<region> (created once, encrypted, private); log objects are billed as storage. Nothing else of the bucket changes.",
        IamActions = LoggingTargetBucket.IamActions
            .Concat(new[] { GetBucketLoggingAction, PutBucketLoggingAction, S3Actions.GetBucketTagging })
            .OrderBy(a => a, StringComparer.Ordinal)
            .ToArray(),
        Disruptive = false,
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>The key prefix a source bucket's logs go under in the logging bucket.</summary>
    public static string TargetPrefixFor(string sourceBucket) => LoggingTargetBucket.S3LogKeyPrefix + sourceBucket + "/";

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        if (await bucket.SkipReasonAsync(cancellationToken).ConfigureAwait(false) is { } skip)
        {
            return JobPlan.Skip(skip);
        }

        // After the first call: the bucket's region is its real one now (a redirect moves it).
        var accountId = context.Finding.AccountId!;
        var targetName = LoggingTargetBucket.NameFor(context.Options.LoggingBucketPrefix, accountId, bucket.Region);
        if (string.Equals(targetName, bucket.Name, StringComparison.Ordinal))
        {
            return JobPlan.Skip(bucket.Name + " is itself the logging bucket of its account and region; logging it into itself would log its own log deliveries without end.");
        }

        var logging = await context.Cache.GetOrReadAsync(ResourceKeys.BucketLogging(bucket.Name), () => ReadLoggingAsync(bucket, cancellationToken)).ConfigureAwait(false);
        if (IsOn(logging))
        {
            return JobPlan.Compliant(new[] { bucket.Name + " already logs to " + Describe(logging) + "; it is not re-pointed." });
        }

        var statement = LoggingTargetBucket.S3ServerAccessLogsStatement(targetName, accountId, bucket.Region);
        var target = await LoggingTargetBucket.PlanAsync(context, bucket.Region, new[] { statement }, cancellationToken).ConfigureAwait(false);
        var prefix = TargetPrefixFor(bucket.Name);
        var actions = target.Actions.ToList();
        actions.Add(new RemediationAction
        {
            Operation = PutBucketLoggingAction,
            Target = bucket.Name,
            Description = "Turn on server access logging to " + targetName + " under " + prefix + ".",
            Before = Describe(logging),
            After = targetName + "/" + prefix,
        });
        var notes = target.Notes;
        var undo = bucket.UndoRecord(Info.Id, new AccessLoggingUndoData { BucketName = bucket.Name, TargetBucket = targetName, TargetPrefix = prefix });
        var touches = target.Touches.Concat(new[] { ResourceKeys.BucketLogging(bucket.Name) }).ToList();
        return JobPlan.Change(actions, notes, undo, new LoggingChange(bucket.Name, target, targetName, prefix), touches);
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        if (change.Target is { } target)
        {
            // The logging bucket first: S3 refuses a logging configuration whose target does not exist.
            await LoggingTargetBucket.ApplyAsync(context, target, cancellationToken).ConfigureAwait(false);
        }

        var config = change.TurnOff
            ? new S3BucketLoggingConfig()
            : new S3BucketLoggingConfig { TargetBucketName = change.TargetBucket, TargetPrefix = change.TargetPrefix };
        await bucket.RunAsync(PutBucketLoggingAction, s3 => s3.PutBucketLoggingAsync(new PutBucketLoggingRequest { BucketName = bucket.Name, LoggingConfig = config }, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = await S3Bucket.OpenNamedAsync(context, change.BucketName, context.ResourceRegion ?? context.Region, cancellationToken).ConfigureAwait(false);
        var logging = await ReadLoggingAsync(bucket, cancellationToken).ConfigureAwait(false);
        context.Cache.Set(ResourceKeys.BucketLogging(bucket.Name), logging);
        if (change.TurnOff)
        {
            return IsOn(logging) ? JobVerification.Failure(bucket.Name + " still logs to " + Describe(logging) + ".") : JobVerification.Success();
        }

        return IsOn(logging) && logging.TargetBucketName == change.TargetBucket && logging.TargetPrefix == change.TargetPrefix
            ? JobVerification.Success()
            : JobVerification.Failure(bucket.Name + " logs to " + Describe(logging) + ", not to " + change.TargetBucket + "/" + change.TargetPrefix + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        AccessLoggingUndoData data;
        try
        {
            data = RemediationJson.Deserialize<AccessLoggingUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var bucket = await S3Bucket.OpenNamedAsync(context, string.IsNullOrEmpty(data.BucketName) ? record.ResourceId : data.BucketName, context.Region, cancellationToken).ConfigureAwait(false);
        var logging = await ReadLoggingAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (!IsOn(logging))
        {
            return JobPlan.Compliant(new[] { bucket.Name + " does not log any more." });
        }

        if (logging.TargetBucketName != data.TargetBucket || logging.TargetPrefix != data.TargetPrefix)
        {
            throw new JobFailureException(
                "UndoConflict",
                bucket.Name + " now logs to " + Describe(logging) + ", not to " + data.TargetBucket + "/" + data.TargetPrefix + " as this run set it; it was left as it is.");
        }

        var action = new RemediationAction
        {
            Operation = PutBucketLoggingAction,
            Target = bucket.Name,
            Description = "Turn server access logging off again (the logging bucket " + data.TargetBucket + " and its logs stay).",
            Before = Describe(logging),
            After = "logging off",
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, LoggingChange.Off(bucket.Name), new[] { ResourceKeys.BucketLogging(bucket.Name) });
    }

    private static bool IsOn(S3BucketLoggingConfig logging) => !string.IsNullOrEmpty(logging.TargetBucketName);

    private static string Describe(S3BucketLoggingConfig logging) => IsOn(logging) ? logging.TargetBucketName + "/" + logging.TargetPrefix : "logging off";

    private static async Task<S3BucketLoggingConfig> ReadLoggingAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        var response = await bucket.RunAsync(GetBucketLoggingAction, s3 => s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
        return response.BucketLoggingConfig ?? new S3BucketLoggingConfig();
    }

    private static LoggingChange ChangeOf(JobPlan plan)
        => plan.Changes as LoggingChange ?? throw new ArgumentException("The plan was not made by " + nameof(S3EnableAccessLoggingJob) + ".", nameof(plan));

    private sealed class LoggingChange
    {
        public LoggingChange(string bucketName, LoggingTargetPlan? target, string? targetBucket, string? targetPrefix)
        {
            BucketName = bucketName;
            Target = target;
            TargetBucket = targetBucket;
            TargetPrefix = targetPrefix;
        }

        public string BucketName { get; }

        public LoggingTargetPlan? Target { get; }

        public string? TargetBucket { get; }

        public string? TargetPrefix { get; }

        public bool TurnOff => TargetBucket is null;

        public static LoggingChange Off(string bucketName) => new(bucketName, null, null, null);
    }
}

/// <summary>The undo data of <c>s3-enable-access-logging</c>: the bucket and where this run pointed its logs.</summary>
internal sealed class AccessLoggingUndoData
{
    /// <summary>The source bucket.</summary>
    public string BucketName { get; set; } = string.Empty;

    /// <summary>The logging bucket this run set.</summary>
    public string TargetBucket { get; set; } = string.Empty;

    /// <summary>The key prefix this run set.</summary>
    public string TargetPrefix { get; set; } = string.Empty;
}
