using System.Text.Json;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.Kms;

/// <summary>
/// <c>aws-kms-key-rotates</c>: the finding's ObjectId is a KMS key (key ID, key ARN, alias name or alias ARN; an ARN's
/// region wins over the finding's). Turns on automatic rotation of a customer managed symmetric encryption key; a key
/// that rotates already is compliant. AWS managed, asymmetric, HMAC, imported-material, custom-key-store, disabled and
/// pending-deletion keys are skipped with the reason (<see cref="KmsKeys.RotationSkipReason"/>), as are keys tagged
/// <c>remediation:skip</c> = <c>true</c> (ListResourceTags). Undo turns rotation off again.
/// </summary>
internal sealed class KmsKeyRotatesJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-kms-key-rotates";

    /// <summary>Creates the job.</summary>
    public KmsKeyRotatesJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "5c8c26217a550e1fb6560c12" },
        Title = "Turn on automatic rotation of a customer managed KMS key",
        Service = "KMS",
        ResourceType = "Key",
        Impact = "KMS creates new key material every year; data encrypted before stays decryptable (KMS keeps every version) and the key's ID, ARN, aliases and policy do not change.",
        IamActions = new[] { KmsKeys.DescribeKeyAction, KmsKeys.EnableKeyRotationAction, KmsKeys.GetKeyRotationStatusAction, KmsKeys.ListResourceTagsAction },
        UndoIamActions = new[] { KmsKeys.DisableKeyRotationAction },
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>The resource key of a KMS key's rotation setting.</summary>
    public static string RotationKey(string keyArn) => "kms:key-rotation:" + keyArn;

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        // The whole ARN when the ObjectId was one (the finding's ResourceId is then the part after "key/" or "alias/").
        var reference = context.Finding.ResourceArn ?? context.ResourceId;
        var region = KmsKeys.RegionOf(reference, context.Region, context.Finding.AccountId);
        if (!string.Equals(region, context.Region, StringComparison.Ordinal))
        {
            context.ResourceRegion = region;
        }

        var kms = context.Clients.Kms(region);
        var key = await KmsKeys.DescribeAsync(context, kms, reference, cancellationToken).ConfigureAwait(false);
        if (key.KeyManager != Amazon.KeyManagementService.KeyManagerType.AWS &&
            SkipTag.IsSet(await KmsKeys.TagsAsync(context, kms, key.Arn, cancellationToken).ConfigureAwait(false)))
        {
            // AWS managed keys cannot be tagged: only a customer managed key can carry the skip tag.
            return JobPlan.Skip(SkipTag.Reason);
        }

        if (KmsKeys.RotationSkipReason(key) is { } reason)
        {
            return JobPlan.Skip(reason);
        }

        var rotationKey = RotationKey(key.Arn);
        var enabled = await context.Cache.GetOrReadAsync(rotationKey, () => KmsKeys.RotationEnabledAsync(context, kms, key.Arn, cancellationToken)).ConfigureAwait(false);
        if (enabled)
        {
            return JobPlan.Compliant(new[] { "Automatic rotation of the KMS key " + key.Arn + " is on already." });
        }

        var action = new RemediationAction
        {
            Operation = KmsKeys.EnableKeyRotationAction,
            Target = key.Arn,
            Description = "Turn on automatic rotation of the customer managed KMS key " + key.Arn + " (new key material every 365 days, KMS's default period).",
            Before = "automatic rotation off",
            After = "automatic rotation on (every 365 days)",
        };
        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = context.Finding.AccountId!,
            Region = region,
            ResourceId = key.Arn,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new KmsKeyRotationUndoData { KeyArn = key.Arn, RotationEnabledBefore = false }),
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), undo, new RotationChange(key.Arn, region, true), new[] { rotationKey });
    }

    /// <inheritdoc />
    public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        return KmsKeys.SetRotationAsync(context, context.Clients.Kms(change.Region), change.KeyArn, change.Enabled, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var enabled = await KmsKeys.RotationEnabledAsync(context, context.Clients.Kms(change.Region), change.KeyArn, cancellationToken).ConfigureAwait(false);
        return enabled == change.Enabled
            ? JobVerification.Success()
            : JobVerification.Failure("Automatic rotation of the KMS key " + change.KeyArn + " is " + (enabled ? "on" : "off") + ", not " + (change.Enabled ? "on" : "off") + ".");
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        KmsKeyRotationUndoData data;
        try
        {
            data = RemediationJson.Deserialize<KmsKeyRotationUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        if (string.IsNullOrEmpty(data.KeyArn))
        {
            throw new FindingFormatException("The undo record's Data has no KeyArn; it was not made by " + Info.Id + ".", "Data");
        }

        var region = KmsKeys.RegionOf(data.KeyArn!, record.Region, null);
        var kms = context.Clients.Kms(region);
        var enabled = await KmsKeys.RotationEnabledAsync(context, kms, data.KeyArn!, cancellationToken).ConfigureAwait(false);
        if (enabled == data.RotationEnabledBefore)
        {
            return JobPlan.Compliant(new[] { "Automatic rotation of the KMS key " + data.KeyArn + " is " + (enabled ? "on" : "off") + " as before." });
        }

        var action = new RemediationAction
        {
            Operation = KmsKeys.DisableKeyRotationAction,
            Target = data.KeyArn!,
            Description = "Turn automatic rotation of the KMS key " + data.KeyArn + " off again, as it was (key material rotated meanwhile stays).",
            Before = "automatic rotation on",
            After = "automatic rotation off",
        };
        return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, new RotationChange(data.KeyArn!, region, false), new[] { RotationKey(data.KeyArn!) });
    }

    private static RotationChange ChangeOf(JobPlan plan)
        => plan.Changes as RotationChange ?? throw new ArgumentException("The plan was not made by " + nameof(KmsKeyRotatesJob) + ".", nameof(plan));

    private sealed class RotationChange
    {
        public RotationChange(string keyArn, string region, bool enabled)
        {
            KeyArn = keyArn;
            Region = region;
            Enabled = enabled;
        }

        public string KeyArn { get; }

        public string Region { get; }

        public bool Enabled { get; }
    }
}

/// <summary>The undo data of <c>aws-kms-key-rotates</c>.</summary>
internal sealed class KmsKeyRotationUndoData
{
    /// <summary>The key's ARN.</summary>
    public string? KeyArn { get; set; }

    /// <summary>Whether rotation was on before (always false: the job changes only keys whose rotation is off).</summary>
    public bool RotationEnabledBefore { get; set; }
}
