using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// <c>s3-enable-default-encryption</c>: a bucket with any default encryption (SSE-S3, SSE-KMS, DSSE-KMS) is compliant
/// and never downgraded or re-keyed; a bucket without one gets SSE-S3, or SSE-KMS with an S3 bucket key when
/// <see cref="Engine.RemediationOptions.KmsKeyId"/> is given. Undo deletes the configuration the job wrote (S3, which
/// encrypts every bucket since January 2023, then reports its base level SSE-S3 again).
/// </summary>
internal sealed class S3EnableDefaultEncryptionJob : IRemediationJob
{
    /// <summary>SSE-S3.</summary>
    public const string SseS3 = "AES256";

    /// <summary>SSE-KMS.</summary>
    public const string SseKms = "aws:kms";

    /// <summary>DSSE-KMS.</summary>
    public const string DsseKms = "aws:kms:dsse";

    private const string NotFoundCode = "ServerSideEncryptionConfigurationNotFoundError";

    // What S3 reports after DeleteBucketEncryption since January 2023: its base level, SSE-S3.
    private static readonly string BaseLevel = Describe(new[] { Target(null) });

    private static readonly string[] KnownAlgorithms = { SseS3, SseKms, DsseKms };

    /// <summary>Creates the job.</summary>
    public S3EnableDefaultEncryptionJob() => Info = new RemediationJobInfo
    {
        Id = "s3-enable-default-encryption",
        RuleIds = new[] { "1d187035-9fff-48b2-a7c3-ffc56a4da5e6" },
        Title = "Turn on default encryption of an S3 bucket",
        Service = "S3",
        ResourceType = "Bucket",
        Impact = "New objects are encrypted at rest (SSE-S3, or SSE-KMS with -KmsKeyId: writers and readers then need the key); existing objects are not re-encrypted.",
        IamActions = new[] { S3Actions.GetBucketTagging, S3Actions.GetEncryptionConfiguration, S3Actions.PutEncryptionConfiguration },
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

        var key = ResourceKeys.BucketEncryption(bucket.Name);
        var rules = await context.Cache.GetOrReadAsync(key, () => ReadAsync(bucket, cancellationToken)).ConfigureAwait(false);
        if (rules.Count > 0)
        {
            var unknown = rules.Select(Algorithm).Where(a => !KnownAlgorithms.Contains(a, StringComparer.Ordinal)).ToList();
            if (unknown.Count == 0)
            {
                return JobPlan.Compliant(new[] { "Bucket " + bucket.Name + " has default encryption " + Describe(rules) + "; it is left as it is." });
            }

            // Nothing AWS documents today: leave it alone rather than replace an encryption this job does not know.
            throw new JobFailureException(
                "UnknownDefaultEncryption",
                "Bucket " + bucket.Name + " has a default encryption this job does not know (" + string.Join(", ", unknown) + "); nothing was changed.");
        }

        var target = Target(context.Options.KmsKeyId);
        var action = new RemediationAction
        {
            Operation = S3Actions.PutEncryptionConfiguration,
            Target = bucket.Name,
            Description = context.Options.KmsKeyId is null
                ? "Turn on default encryption with S3 managed keys (SSE-S3)."
                : "Turn on default encryption with the KMS key " + context.Options.KmsKeyId + " and an S3 bucket key (SSE-KMS).",
            Before = "no default encryption",
            After = Describe(new[] { target }),
        };
        var undo = bucket.UndoRecord(Info.Id, new EncryptionUndoData { Written = Describe(new[] { target }) });
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new Change(bucket, target), new[] { key });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var bucket = change.Bucket;
        return change.Target is null
            ? bucket.RunAsync(S3Actions.PutEncryptionConfiguration, s3 => s3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = bucket.Name }, cancellationToken))
            : bucket.RunAsync(S3Actions.PutEncryptionConfiguration, s3 => s3.PutBucketEncryptionAsync(
                new PutBucketEncryptionRequest
                {
                    BucketName = bucket.Name,
                    ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration { ServerSideEncryptionRules = new List<ServerSideEncryptionRule> { change.Target } },
                },
                cancellationToken));
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var rules = await ReadAsync(change.Bucket, cancellationToken).ConfigureAwait(false);
        var now = rules.Count == 0 ? "no default encryption" : Describe(rules);
        if (change.Target is null)
        {
            // DeleteBucketEncryption leaves S3's base level (SSE-S3) on buckets since January 2023, none on older ones.
            return rules.Count == 0 || now == BaseLevel
                ? JobVerification.Success()
                : JobVerification.Failure("Bucket " + change.Bucket.Name + " still has " + now + " after its configuration was deleted.");
        }

        var expected = Describe(new[] { change.Target });
        return now == expected
            ? JobVerification.Success()
            : JobVerification.Failure("Bucket " + change.Bucket.Name + " has " + now + ", not " + expected + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        EncryptionUndoData data;
        try
        {
            data = RemediationJson.Deserialize<EncryptionUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        var bucket = await S3Bucket.OpenAsync(context, cancellationToken).ConfigureAwait(false);
        var rules = await ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
        if (rules.Count == 0)
        {
            return JobPlan.Compliant(new[] { "Bucket " + bucket.Name + " has no default encryption configuration already." });
        }

        var now = Describe(rules);
        if (!string.Equals(now, data.Written, StringComparison.Ordinal))
        {
            throw new JobFailureException(
                "UndoWouldOverwriteNewerChange",
                "Bucket " + bucket.Name + "'s default encryption is now " + now + ", not the " + data.Written + " the remediation wrote: someone changed it since, so the undo leaves it alone.");
        }

        var action = new RemediationAction
        {
            Operation = S3Actions.PutEncryptionConfiguration,
            Target = bucket.Name,
            Description = "Delete the bucket's default encryption configuration (it had none before the remediation); S3 then applies its base level, SSE-S3, where it does for every bucket.",
            Before = now,
            After = "no default encryption configuration (S3's base level SSE-S3 where S3 applies it)",
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new Change(bucket, null), new[] { ResourceKeys.BucketEncryption(bucket.Name) });
    }

    /// <summary>The rule the job writes: SSE-S3, or SSE-KMS with <paramref name="kmsKeyId"/> and a bucket key.</summary>
    internal static ServerSideEncryptionRule Target(string? kmsKeyId) => kmsKeyId is null
        ? new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }
        : new ServerSideEncryptionRule
        {
            ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault
            {
                ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS,
                ServerSideEncryptionKeyManagementServiceKeyId = kmsKeyId,
            },
            BucketKeyEnabled = true,
        };

    /// <summary>The rules for people: <c>SSE-S3 (AES256)</c>, <c>SSE-KMS (aws:kms, key K, bucket key on)</c>.</summary>
    internal static string Describe(IEnumerable<ServerSideEncryptionRule> rules) => string.Join("; ", rules.Select(rule =>
    {
        var algorithm = Algorithm(rule);
        var name = algorithm switch
        {
            SseS3 => "SSE-S3",
            SseKms => "SSE-KMS",
            DsseKms => "DSSE-KMS",
            _ => "unknown",
        };
        var keyId = rule.ServerSideEncryptionByDefault?.ServerSideEncryptionKeyManagementServiceKeyId;
        var details = new List<string> { algorithm };
        if (!string.IsNullOrEmpty(keyId))
        {
            details.Add("key " + keyId);
        }

        if (algorithm != SseS3)
        {
            details.Add("bucket key " + (rule.BucketKeyEnabled == true ? "on" : "off"));
        }

        return name + " (" + string.Join(", ", details) + ")";
    }));

    private static string Algorithm(ServerSideEncryptionRule rule) => rule.ServerSideEncryptionByDefault?.ServerSideEncryptionAlgorithm?.Value ?? string.Empty;

    private static async Task<IReadOnlyList<ServerSideEncryptionRule>> ReadAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await bucket.RunAsync(S3Actions.GetEncryptionConfiguration, s3 =>
                s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
            return (IReadOnlyList<ServerSideEncryptionRule>?)response.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules?.Where(r => r.ServerSideEncryptionByDefault is not null).ToList()
                ?? Array.Empty<ServerSideEncryptionRule>();
        }
        catch (AwsCallException ex) when (ex.ErrorCode == NotFoundCode)
        {
            return Array.Empty<ServerSideEncryptionRule>();
        }
    }

    private static Change ChangeOf(JobPlan plan)
        => plan.Changes as Change ?? throw new ArgumentException("The plan was not made by " + nameof(S3EnableDefaultEncryptionJob) + ".", nameof(plan));

    private sealed class Change
    {
        public Change(S3Bucket bucket, ServerSideEncryptionRule? target)
        {
            Bucket = bucket;
            Target = target;
        }

        public S3Bucket Bucket { get; }

        // Null: delete the configuration (the undo).
        public ServerSideEncryptionRule? Target { get; }
    }
}

/// <summary>The undo data of <c>s3-enable-default-encryption</c>: what it wrote (the bucket had no configuration before).</summary>
internal sealed class EncryptionUndoData
{
    /// <summary>The configuration written, described as <see cref="S3EnableDefaultEncryptionJob"/> describes rules.</summary>
    public string Written { get; set; } = string.Empty;
}
