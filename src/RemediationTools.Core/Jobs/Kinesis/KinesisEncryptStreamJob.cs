using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.Core.Aws.Signed.Kinesis;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Kinesis;

/// <summary>
/// <c>kinesis-encrypt-stream</c>: the finding's ObjectId is a stream name or ARN. A stream with KMS server-side encryption
/// is compliant, whatever its key (never re-keyed). Otherwise StartStreamEncryption with <c>alias/aws/kinesis</c> (the
/// AWS managed key), or the key of <see cref="Engine.RemediationOptions.KmsKeyId"/> (<c>-KmsKeyId</c>, shared with
/// <c>s3-enable-default-encryption</c>); the stream is UPDATING until Kinesis is done, and the job waits, bounded, until it
/// is ACTIVE again before it verifies (a stream UPDATING or CREATING when planned is waited for first). Undo stops the
/// encryption the job started.
/// </summary>
internal sealed class KinesisEncryptStreamJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "kinesis-encrypt-stream";

    /// <summary>The AWS managed key of Kinesis, the default key.</summary>
    public const string DefaultKeyId = "alias/aws/kinesis";

    /// <summary>IAM action: DescribeStreamSummary.</summary>
    public const string DescribeStreamSummaryAction = "kinesis:DescribeStreamSummary";

    /// <summary>IAM action: StartStreamEncryption.</summary>
    public const string StartStreamEncryptionAction = "kinesis:StartStreamEncryption";

    /// <summary>IAM action: StopStreamEncryption (undo only).</summary>
    public const string StopStreamEncryptionAction = "kinesis:StopStreamEncryption";

    /// <summary>IAM action: ListTagsForStream.</summary>
    public const string ListTagsForStreamAction = "kinesis:ListTagsForStream";

    /// <summary>The error code of a stream that did not become ACTIVE within the wait.</summary>
    public const string StreamNotActiveErrorCode = "StreamNotActive";

    private static readonly Regex NamePattern = new("^[a-zA-Z0-9_.-]{1,128}$", RegexOptions.CultureInvariant);
    private static readonly Regex ArnPattern = new(@"^arn:aws(?:-cn|-us-gov)?:kinesis:[a-z0-9-]+:\d{12}:stream/(?<name>[a-zA-Z0-9_.-]{1,128})$", RegexOptions.CultureInvariant);

    private readonly TimeSpan pollInterval;
    private readonly TimeSpan waitTimeout;

    /// <summary>Creates the job with the waits jobs use: a read every 2 seconds for up to 10 minutes.</summary>
    public KinesisEncryptStreamJob()
        : this(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10))
    {
    }

    /// <summary>Creates the job with its own wait for the stream to be ACTIVE (tests).</summary>
    public KinesisEncryptStreamJob(TimeSpan pollInterval, TimeSpan waitTimeout)
    {
        if (pollInterval <= TimeSpan.Zero || waitTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(pollInterval), "The polling interval and the timeout must be positive.");
        }

        this.pollInterval = pollInterval;
        this.waitTimeout = waitTimeout;
        Info = new RemediationJobInfo
        {
            Id = JobId,
            RuleIds = new[] { "ce603728-d631-4bae-8657-c22da6e5944e" },
            Title = "Turn on server-side encryption of a Kinesis data stream",
            Service = "Kinesis",
            ResourceType = "Stream",
            Impact = "Records written from now on are encrypted with KMS (alias/aws/kinesis, or -KmsKeyId: producers and consumers then need kms:GenerateDataKey and kms:Decrypt on it); existing records are not re-encrypted. Reads and writes go on while the stream is UPDATING.",
            IamActions = new[] { DescribeStreamSummaryAction, ListTagsForStreamAction, StartStreamEncryptionAction },
            UndoIamActions = new[] { StopStreamEncryptionAction },
            Disruptive = false,
        };
    }

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        var stream = Stream.Of(context);
        if (SkipTag.IsSet(context.Finding.Tags) || SkipTag.IsSet(await ReadTagsAsync(context, stream, cancellationToken).ConfigureAwait(false)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var summary = await DescribeAsync(context, stream, cancellationToken).ConfigureAwait(false);
        if (summary.StreamStatus is StreamStatus.Updating or StreamStatus.Creating)
        {
            // An encryption change in progress may be someone else's: plan from the settled state.
            summary = await WaitActiveAsync(context, stream, cancellationToken).ConfigureAwait(false);
        }

        if (string.Equals(summary.EncryptionType, EncryptionType.Kms, StringComparison.Ordinal))
        {
            return JobPlan.Compliant(new[] { "The stream " + stream.Display + " is encrypted with the KMS key " + (summary.KeyId ?? "(unnamed)") + "; it is left as it is." });
        }

        var keyId = context.Options.KmsKeyId ?? DefaultKeyId;
        var action = new RemediationAction
        {
            Operation = StartStreamEncryptionAction,
            Target = summary.StreamARN.Length > 0 ? summary.StreamARN : stream.Display,
            Description = keyId == DefaultKeyId
                ? "Start server-side encryption with the AWS managed key alias/aws/kinesis; the stream is UPDATING for a few seconds, reads and writes go on."
                : "Start server-side encryption with the KMS key " + keyId + "; the stream is UPDATING for a few seconds, reads and writes go on.",
            Before = "EncryptionType " + (summary.EncryptionType ?? EncryptionType.None),
            After = "EncryptionType KMS, KeyId " + keyId,
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId,
            Region = context.Region,
            ResourceId = context.ResourceId,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new KinesisEncryptionUndoData { KeyId = keyId }),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new Change(stream, keyId, start: true), new[] { stream.Key });
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var kinesis = context.Clients.Kinesis(context.Region);
        if (change.Start)
        {
            await AwsCall.RunAsync(context.Reporter, StartStreamEncryptionAction, change.Stream.Display, () => kinesis.StartStreamEncryptionAsync(
                change.Stream.Name(new StartStreamEncryptionRequest { EncryptionType = EncryptionType.Kms, KeyId = change.KeyId }), cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            await AwsCall.RunAsync(context.Reporter, StopStreamEncryptionAction, change.Stream.Display, () => kinesis.StopStreamEncryptionAsync(
                change.Stream.Name(new StopStreamEncryptionRequest { EncryptionType = EncryptionType.Kms, KeyId = change.KeyId }), cancellationToken)).ConfigureAwait(false);
        }

        // The change is in place once the stream is ACTIVE again; verify reads it then.
        await WaitActiveAsync(context, change.Stream, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var summary = await DescribeAsync(context, change.Stream, cancellationToken).ConfigureAwait(false);
        var now = "EncryptionType " + (summary.EncryptionType ?? EncryptionType.None) + (summary.KeyId is null ? string.Empty : ", KeyId " + summary.KeyId) + ", status " + summary.StreamStatus;
        var done = change.Start
            ? summary.EncryptionType == EncryptionType.Kms && summary.StreamStatus == StreamStatus.Active
            : (summary.EncryptionType is null or EncryptionType.None) && summary.StreamStatus == StreamStatus.Active;
        return done ? JobVerification.Success() : JobVerification.Failure("The stream " + change.Stream.Display + " has " + now + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        KinesisEncryptionUndoData data;
        try
        {
            data = RemediationJson.Deserialize<KinesisEncryptionUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var stream = Stream.Of(context);
        var summary = await DescribeAsync(context, stream, cancellationToken).ConfigureAwait(false);
        if (summary.StreamStatus is StreamStatus.Updating or StreamStatus.Creating)
        {
            summary = await WaitActiveAsync(context, stream, cancellationToken).ConfigureAwait(false);
        }

        if (summary.EncryptionType is null or EncryptionType.None)
        {
            return JobPlan.Compliant(new[] { "The stream " + stream.Display + " is not encrypted already." });
        }

        if (!string.Equals(summary.KeyId, data.KeyId, StringComparison.Ordinal))
        {
            throw new JobFailureException(
                "UndoWouldOverwriteNewerChange",
                "The stream " + stream.Display + " is now encrypted with " + summary.KeyId + ", not the " + data.KeyId + " the remediation set: someone changed it since, so the undo leaves it alone.");
        }

        var action = new RemediationAction
        {
            Operation = StopStreamEncryptionAction,
            Target = summary.StreamARN.Length > 0 ? summary.StreamARN : stream.Display,
            Description = "Stop server-side encryption (the stream had none before the remediation); records already written stay encrypted.",
            Before = "EncryptionType KMS, KeyId " + summary.KeyId,
            After = "EncryptionType NONE",
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new Change(stream, data.KeyId, start: false), new[] { stream.Key });
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> ReadTagsAsync(JobContext context, Stream stream, CancellationToken cancellationToken)
    {
        var kinesis = context.Clients.Kinesis(context.Region);
        var tags = new List<KeyValuePair<string, string>>();
        string? start = null;
        while (true)
        {
            var page = await AwsCall.RunAsync(context.Reporter, ListTagsForStreamAction, stream.Display, () =>
                kinesis.ListTagsForStreamAsync(stream.Name(new ListTagsForStreamRequest { ExclusiveStartTagKey = start, Limit = 50 }), cancellationToken)).ConfigureAwait(false);
            tags.AddRange(page.Tags.Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty)));
            if (!page.HasMoreTags || page.Tags.Count == 0)
            {
                return tags;
            }

            start = page.Tags[page.Tags.Count - 1].Key;
        }
    }

    private static async Task<StreamDescriptionSummary> DescribeAsync(JobContext context, Stream stream, CancellationToken cancellationToken)
    {
        var kinesis = context.Clients.Kinesis(context.Region);
        var response = await AwsCall.RunAsync(context.Reporter, DescribeStreamSummaryAction, stream.Display, () =>
            kinesis.DescribeStreamSummaryAsync(stream.Name(new DescribeStreamSummaryRequest()), cancellationToken)).ConfigureAwait(false);
        return response.StreamDescriptionSummary;
    }

    // A stream passing through UPDATING is waited for, bounded, before anything is called failed (a transient state,
    // not a failure).
    private async Task<StreamDescriptionSummary> WaitActiveAsync(JobContext context, Stream stream, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + waitTimeout;
        while (true)
        {
            var summary = await DescribeAsync(context, stream, cancellationToken).ConfigureAwait(false);
            if (summary.StreamStatus == StreamStatus.Active)
            {
                return summary;
            }

            if (summary.StreamStatus == StreamStatus.Deleting || DateTimeOffset.UtcNow >= deadline)
            {
                throw new JobFailureException(StreamNotActiveErrorCode, string.Format(
                    CultureInfo.InvariantCulture,
                    "The stream {0} did not become ACTIVE within {1:0.###} seconds; it is {2}.",
                    stream.Display,
                    waitTimeout.TotalSeconds,
                    summary.StreamStatus ?? "(no status)"));
            }

            context.Reporter.Verbose("The stream " + stream.Display + " is " + summary.StreamStatus + "; waiting for ACTIVE.");
            await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(KinesisEncryptStreamJob) + ".", nameof(plan));

    /// <summary>The stream the finding names: by ARN (StreamARN) or by name (StreamName).</summary>
    private sealed class Stream
    {
        private Stream(string? name, string? arn)
        {
            StreamName = name;
            StreamArn = arn;
        }

        public string? StreamName { get; }

        public string? StreamArn { get; }

        public string Display => StreamArn ?? StreamName!;

        public string Key => "kinesis:stream:" + (StreamArn is null ? StreamName : StreamArn.Substring(StreamArn.LastIndexOf('/') + 1));

        public static Stream Of(JobContext context)
        {
            var id = (context.ResourceId ?? string.Empty).Trim();
            if (ArnPattern.IsMatch(id))
            {
                return new Stream(null, id);
            }

            return NamePattern.IsMatch(id)
                ? new Stream(id, null)
                : throw new FindingFormatException(
                    "The finding's ObjectId '" + id + "' is not a Kinesis stream name (1 to 128 letters, digits, underscores, periods or hyphens) or stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>), which " + JobId + " needs.",
                    "ObjectId");
        }

        public T Name<T>(T request)
            where T : KinesisStreamRequest
        {
            request.StreamName = StreamName;
            request.StreamARN = StreamArn;
            return request;
        }
    }

    private sealed class Change
    {
        public Change(Stream stream, string keyId, bool start)
        {
            Stream = stream;
            KeyId = keyId;
            Start = start;
        }

        public Stream Stream { get; }

        public string KeyId { get; }

        // True: StartStreamEncryption; false: StopStreamEncryption (the undo).
        public bool Start { get; }
    }
}

/// <summary>The undo data of <c>kinesis-encrypt-stream</c>: the key it started encryption with (the stream had none).</summary>
internal sealed class KinesisEncryptionUndoData
{
    /// <summary>The KMS key given to StartStreamEncryption.</summary>
    public string KeyId { get; set; } = string.Empty;
}
