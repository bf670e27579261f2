using System.Collections.Concurrent;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Jobs.Kms;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.CloudTrail;

/// <summary>
/// <c>aws-cloudtrail-logs-encrypted</c>: the finding's ObjectId is a trail (name, or ARN). A trail with a KMS key is
/// compliant. Otherwise the trail is pointed, in its home region (multi-region and organization trails too, whatever
/// region the finding names), at the account's key of that region with alias <see cref="KeyAlias"/>: reused when the
/// alias exists (from an earlier run, or made by hand), else created once with the key policy of
/// <see cref="CloudTrailKeyPolicy"/> and automatic rotation on. Findings that need the same key share one creation: in
/// a batch the plans touch the alias, so the engine runs them one after another and plans the later ones again once the
/// key exists; across batch groups and runs of one process a gate per account and region re-reads the alias right
/// before creating. Undo removes the key from the trail; the key stays (other trails may use it).
/// </summary>
internal sealed class CloudTrailLogsEncryptedJob : IRemediationJob
{
    /// <summary>The job's ID.</summary>
    public const string JobId = "aws-cloudtrail-logs-encrypted";

    /// <summary>The alias of the key the job creates or reuses.</summary>
    public const string KeyAlias = "alias/remediation-cloudtrail";

    /// <summary>IAM action: GetTrail.</summary>
    public const string GetTrailAction = "cloudtrail:GetTrail";

    /// <summary>IAM action: ListTags.</summary>
    public const string ListTagsAction = "cloudtrail:ListTags";

    /// <summary>IAM action: UpdateTrail.</summary>
    public const string UpdateTrailAction = "cloudtrail:UpdateTrail";

    /// <summary>IAM action: CreateKey.</summary>
    public const string CreateKeyAction = "kms:CreateKey";

    /// <summary>IAM action: CreateAlias.</summary>
    public const string CreateAliasAction = "kms:CreateAlias";

    /// <summary>The error code when the alias names a key CloudTrail cannot use.</summary>
    public const string KeyUnusableErrorCode = "CloudTrailKeyUnusable";

    private static readonly ConcurrentDictionary<string, SemaphoreSlim> CreationGates = new(StringComparer.Ordinal);

    /// <summary>Creates the job.</summary>
    public CloudTrailLogsEncryptedJob() => Info = new RemediationJobInfo
    {
        Id = JobId,
        RuleIds = new[] { "5c8c25e47a550e1fb6560bac" },
        Title = "Encrypt CloudTrail log files with the account's KMS key",
        Service = "CloudTrail",
        ResourceType = "Trail",
        Impact = "New log and digest files are encrypted with the customer managed key " + KeyAlias + " of the trail's home region (created once, rotating yearly; KMS requests are billed). Readers need kms:Decrypt, which the key policy grants to the account's principals through IAM.",
        IamActions = new[]
        {
            GetTrailAction, ListTagsAction, UpdateTrailAction,
            CreateAliasAction, CreateKeyAction, KmsKeys.DescribeKeyAction, KmsKeys.EnableKeyRotationAction, KmsKeys.GetKeyRotationStatusAction,
        }.OrderBy(a => a, StringComparer.Ordinal).ToArray(),
    };

    /// <inheritdoc />
    public RemediationJobInfo Info { get; }

    /// <summary>The resource key of a trail's settings.</summary>
    public static string TrailKey(string trailArn) => "cloudtrail:trail:" + trailArn;

    /// <summary>The resource key of the account's CloudTrail key alias in a region.</summary>
    public static string AliasKey(string region) => "kms:alias:" + region + ":" + KeyAlias;

    /// <inheritdoc />
    public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (SkipTag.IsSet(context.Finding.Tags))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        var trail = await FindTrailAsync(context, cancellationToken).ConfigureAwait(false);
        var home = trail.HomeRegion ?? context.Region;
        if (!string.Equals(home, context.Region, StringComparison.Ordinal))
        {
            context.ResourceRegion = home;
        }

        var trailArn = trail.TrailARN ?? throw new JobFailureException("TrailNotFoundException", "CloudTrail returned the trail " + context.ResourceId + " without its ARN.");
        if (SkipTag.IsSet(await ReadTagsAsync(context, trailArn, home, cancellationToken).ConfigureAwait(false)))
        {
            return JobPlan.Skip(SkipTag.Reason);
        }

        if (!string.IsNullOrEmpty(trail.KmsKeyId))
        {
            return JobPlan.Compliant(new[] { "The trail " + trail.Name + " encrypts its log files with the KMS key " + trail.KmsKeyId + " already." });
        }

        var kms = context.Clients.Kms(home);
        var aliasKey = AliasKey(home);
        var existing = await context.Cache.GetOrReadAsync(aliasKey, () => ReadKeyAsync(context, kms, cancellationToken)).ConfigureAwait(false);
        var accountId = context.Finding.AccountId!;
        var actions = new List<RemediationAction>();
        var notes = new List<string>();
        var touches = new List<string> { TrailKey(trailArn) };
        if (existing.Key is { } key)
        {
            CheckUsable(key);
            notes.Add("The KMS key " + KeyAlias + " (" + key.Arn + ") exists in " + home + " and is reused as it is.");
            if (!existing.RotationEnabled)
            {
                actions.Add(RotationAction(key.Arn));
                touches.Add(aliasKey);
            }
        }
        else
        {
            var policy = CloudTrailKeyPolicy.For(accountId, home).ToJsonString();
            actions.Add(new RemediationAction
            {
                Operation = CreateKeyAction,
                Target = KeyAlias + " (" + home + ")",
                Description = "Create a customer managed symmetric encryption key in " + home + " for the account's trails, with this key policy (CloudTrail may generate data keys and describe the key for this account's trails only; the account's principals may decrypt the logs).",
                Before = null,
                After = policy,
            });
            actions.Add(new RemediationAction
            {
                Operation = CreateAliasAction,
                Target = KeyAlias + " (" + home + ")",
                Description = "Name the new key " + KeyAlias + ", so that later runs and other trails of the account reuse it.",
                Before = null,
                After = KeyAlias,
            });
            actions.Add(RotationAction(KeyAlias));
            touches.Add(aliasKey);
        }

        var keyName = existing.Key?.Arn ?? KeyAlias + " (created)";
        actions.Add(new RemediationAction
        {
            Operation = UpdateTrailAction,
            Target = trailArn,
            Description = "Encrypt the log files of the trail " + trail.Name + " with " + keyName + ", in its home region " + home + "; every other setting of the trail stays.",
            Before = "no KMS key (SSE-S3)",
            After = "KMS key " + keyName,
        });
        if (trail.IsMultiRegionTrail == true || trail.IsOrganizationTrail == true)
        {
            notes.Add("The trail is a " + (trail.IsOrganizationTrail == true ? "organization" : "multi-region") + " trail: it is updated in its home region " + home + ", for every region it logs.");
        }

        var undo = new RemediationUndoRecord
        {
            JobId = Info.Id,
            AccountId = accountId,
            Region = home,
            ResourceId = trailArn,
            RecordedAt = DateTimeOffset.UtcNow,
            Data = RemediationJson.Serialize(new CloudTrailEncryptionUndoData { TrailArn = trailArn, KeyArn = existing.Key?.Arn }),
        };
        var change = new EncryptionChange(trailArn, home, existing.Key?.Arn, create: existing.Key is null, enableRotation: existing.Key is null || !existing.RotationEnabled);
        return JobPlan.Change(actions, notes, undo, change, touches);
    }

    /// <inheritdoc />
    public async Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var kms = context.Clients.Kms(change.Region);
        var keyArn = change.KeyArn;
        if (change.Create)
        {
            keyArn = await CreateOnceAsync(context, kms, change.Region, cancellationToken).ConfigureAwait(false);
            change.KeyArn = keyArn;
            if (plan.UndoRecord is { } record)
            {
                record.Data = RemediationJson.Serialize(new CloudTrailEncryptionUndoData { TrailArn = change.TrailArn, KeyArn = keyArn });
            }
        }
        else if (change.EnableRotation)
        {
            await KmsKeys.SetRotationAsync(context, kms, keyArn!, true, cancellationToken).ConfigureAwait(false);
        }

        var cloudTrail = context.Clients.CloudTrail(change.Region);
        await AwsCall.RunAsync(context.Reporter, UpdateTrailAction, change.TrailArn, () => cloudTrail.UpdateTrailAsync(new UpdateTrailRequest { Name = change.TrailArn, KmsKeyId = change.RemoveKey ? string.Empty : keyArn }, cancellationToken)).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
    {
        var change = ChangeOf(plan);
        var trail = await GetTrailAsync(context, change.TrailArn, change.Region, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(trail.KmsKeyId ?? string.Empty, change.KeyArn ?? string.Empty, StringComparison.Ordinal))
        {
            return JobVerification.Failure("The trail " + trail.Name + " has the KMS key " + (trail.KmsKeyId ?? "(none)") + ", not " + (change.KeyArn ?? "(none)") + ".");
        }

        if (change.EnableRotation && !await KmsKeys.RotationEnabledAsync(context, context.Clients.Kms(change.Region), change.KeyArn!, cancellationToken).ConfigureAwait(false))
        {
            return JobVerification.Failure("Automatic rotation of the KMS key " + change.KeyArn + " is off.");
        }

        return JobVerification.Success();
    }

    /// <inheritdoc />
    public async Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
    {
        CloudTrailEncryptionUndoData data;
        try
        {
            data = RemediationJson.Deserialize<CloudTrailEncryptionUndoData>(record.Data);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The undo record's Data is not the undo data of " + Info.Id + ": " + ex.Message, ex);
        }

        if (string.IsNullOrEmpty(data.TrailArn))
        {
            throw new FindingFormatException("The undo record's Data has no TrailArn; it was not made by " + Info.Id + ".", "Data");
        }

        var trail = await GetTrailAsync(context, data.TrailArn!, record.Region, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrEmpty(trail.KmsKeyId))
        {
            return JobPlan.Compliant(new[] { "The trail " + trail.Name + " has no KMS key, as before." });
        }

        // The key this run set: recorded, or (a record written before the key existed) the alias's key now.
        var keyArn = data.KeyArn ?? (await KmsKeys.FindByAliasAsync(context, context.Clients.Kms(record.Region), KeyAlias, cancellationToken).ConfigureAwait(false))?.Arn;
        if (!string.Equals(trail.KmsKeyId, keyArn, StringComparison.Ordinal))
        {
            throw new JobFailureException(
                "UndoConflict",
                "The trail " + trail.Name + " now uses the KMS key " + trail.KmsKeyId + ", not " + (keyArn ?? KeyAlias) + " as this run set it; it was left as it is.");
        }

        var action = new RemediationAction
        {
            Operation = UpdateTrailAction,
            Target = data.TrailArn!,
            Description = "Remove the KMS key from the trail " + trail.Name + " (log files go back to SSE-S3); the key " + KeyAlias + " stays, as other trails may use it.",
            Before = "KMS key " + trail.KmsKeyId,
            After = "no KMS key (SSE-S3)",
        };
        var notes = new[] { "The KMS key " + trail.KmsKeyId + " is kept: delete it by hand (ScheduleKeyDeletion) once no trail and no log reader needs it." };
        return JobPlan.Change(new[] { action }, notes, null, new EncryptionChange(data.TrailArn!, record.Region, null, create: false, enableRotation: false) { RemoveKey = true }, new[] { TrailKey(data.TrailArn!) });
    }

    private static RemediationAction RotationAction(string key) => new()
    {
        Operation = KmsKeys.EnableKeyRotationAction,
        Target = key,
        Description = "Turn on automatic rotation of the key " + key + " (every 365 days).",
        Before = "automatic rotation off",
        After = "automatic rotation on (every 365 days)",
    };

    private static void CheckUsable(KeyMetadata key)
    {
        var state = key.KeyState?.Value ?? "Enabled";
        var spec = key.KeySpec?.Value ?? "SYMMETRIC_DEFAULT";
        if (state != "Enabled" || spec != "SYMMETRIC_DEFAULT" || key.KeyManager == KeyManagerType.AWS)
        {
            throw new JobFailureException(
                KeyUnusableErrorCode,
                "The alias " + KeyAlias + " names the key " + key.Arn + " (" + state + ", " + spec + ", " + key.KeyManager?.Value + " managed), which CloudTrail cannot use: it needs an enabled customer managed symmetric encryption key. " +
                "Point the alias at such a key, or delete the alias so that the job creates one; nothing was changed.");
        }
    }

    // Creates the key, its alias and rotation, unless the alias exists by now (a finding of another batch group or run
    // of this process, or another process): one creation per account and region.
    private static async Task<string> CreateOnceAsync(JobContext context, IAmazonKeyManagementService kms, string region, CancellationToken cancellationToken)
    {
        var accountId = context.Finding.AccountId!;
        var gate = CreationGates.GetOrAdd(accountId + "/" + region, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await KmsKeys.FindByAliasAsync(context, kms, KeyAlias, cancellationToken).ConfigureAwait(false) is { } meanwhile)
            {
                CheckUsable(meanwhile);
                context.Reporter.Verbose("The KMS key " + KeyAlias + " was created meanwhile (" + meanwhile.Arn + "); it is used.");
                await EnsureRotationAsync(context, kms, meanwhile.Arn, cancellationToken).ConfigureAwait(false);
                return meanwhile.Arn;
            }

            var policy = CloudTrailKeyPolicy.For(accountId, region).ToJsonString();
            var created = await AwsCall.RunAsync(context.Reporter, CreateKeyAction, KeyAlias + " (" + region + ")", () => kms.CreateKeyAsync(new CreateKeyRequest
            {
                Description = "Encrypts the CloudTrail log files of this account's trails (created by RemediationTools, aws-cloudtrail-logs-encrypted).",
                KeySpec = KeySpec.SYMMETRIC_DEFAULT,
                KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
                Policy = policy,
            }, cancellationToken)).ConfigureAwait(false);
            var keyArn = created.KeyMetadata.Arn;
            try
            {
                await AwsCall.RunAsync(context.Reporter, CreateAliasAction, KeyAlias, () => kms.CreateAliasAsync(new CreateAliasRequest { AliasName = KeyAlias, TargetKeyId = created.KeyMetadata.KeyId }, cancellationToken)).ConfigureAwait(false);
            }
            catch (AwsCallException ex) when (ex.ErrorCode == "AlreadyExistsException")
            {
                // Another process named its key first: use that one; the key made here stays unused (no alias).
                var winner = await KmsKeys.DescribeAsync(context, kms, KeyAlias, cancellationToken).ConfigureAwait(false);
                CheckUsable(winner);
                context.Reporter.Warning("The alias " + KeyAlias + " was created by another run at the same time; its key " + winner.Arn + " is used, and the key " + keyArn + " made here is unused: schedule its deletion.");
                await EnsureRotationAsync(context, kms, winner.Arn, cancellationToken).ConfigureAwait(false);
                return winner.Arn;
            }

            context.Reporter.Verbose("Created the KMS key " + KeyAlias + " (" + keyArn + ") in " + region + ".");
            await KmsKeys.SetRotationAsync(context, kms, keyArn, true, cancellationToken).ConfigureAwait(false);
            return keyArn;
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task EnsureRotationAsync(JobContext context, IAmazonKeyManagementService kms, string keyArn, CancellationToken cancellationToken)
    {
        if (!await KmsKeys.RotationEnabledAsync(context, kms, keyArn, cancellationToken).ConfigureAwait(false))
        {
            await KmsKeys.SetRotationAsync(context, kms, keyArn, true, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<ExistingKey> ReadKeyAsync(JobContext context, IAmazonKeyManagementService kms, CancellationToken cancellationToken)
    {
        var key = await KmsKeys.FindByAliasAsync(context, kms, KeyAlias, cancellationToken).ConfigureAwait(false);
        if (key is null || key.KeyManager == KeyManagerType.AWS || (key.KeyState?.Value ?? "Enabled") != "Enabled" || (key.KeySpec?.Value ?? "SYMMETRIC_DEFAULT") != "SYMMETRIC_DEFAULT")
        {
            return new ExistingKey(key, key is not null);
        }

        return new ExistingKey(key, await KmsKeys.RotationEnabledAsync(context, kms, key.Arn, cancellationToken).ConfigureAwait(false));
    }

    private async Task<Trail> FindTrailAsync(JobContext context, CancellationToken cancellationToken)
    {
        var reference = context.Finding.ResourceArn ?? context.ResourceId;
        if (string.IsNullOrWhiteSpace(reference))
        {
            throw new FindingFormatException("The finding of " + Info.Id + " names no trail (ObjectId): give the trail's name or ARN.", "ObjectId");
        }

        var cloudTrail = context.Clients.CloudTrail(context.Region);
        var readAt = context.Cache.CurrentSequence;
        var response = await AwsCall.RunAsync(context.Reporter, GetTrailAction, reference, () => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = reference }, cancellationToken)).ConfigureAwait(false);
        var trail = response.Trail;
        if (trail.TrailARN is { } arn)
        {
            // Cached under the trail's key, so that another finding's change to it makes this one plan again.
            context.Cache.Set(TrailKey(arn), trail, readAt);
        }

        return trail;
    }

    private static async Task<Trail> GetTrailAsync(JobContext context, string trailArn, string region, CancellationToken cancellationToken)
    {
        var cloudTrail = context.Clients.CloudTrail(region);
        var response = await AwsCall.RunAsync(context.Reporter, GetTrailAction, trailArn, () => cloudTrail.GetTrailAsync(new GetTrailRequest { Name = trailArn }, cancellationToken)).ConfigureAwait(false);
        return response.Trail;
    }

    private static async Task<IReadOnlyList<KeyValuePair<string, string>>> ReadTagsAsync(JobContext context, string trailArn, string region, CancellationToken cancellationToken)
    {
        var cloudTrail = context.Clients.CloudTrail(region);
        var response = await AwsCall.RunAsync(context.Reporter, ListTagsAction, trailArn, () => cloudTrail.ListTagsAsync(new ListTagsRequest { ResourceIdList = { trailArn } }, cancellationToken)).ConfigureAwait(false);
        return response.ResourceTagList.SelectMany(r => r.TagsList).Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty)).ToList();
    }

    private static EncryptionChange ChangeOf(JobPlan plan)
        => plan.Changes as EncryptionChange ?? throw new ArgumentException("The plan was not made by " + nameof(CloudTrailLogsEncryptedJob) + ".", nameof(plan));

    private sealed class ExistingKey
    {
        public ExistingKey(KeyMetadata? key, bool rotationEnabled)
        {
            Key = key;
            RotationEnabled = rotationEnabled;
        }

        public KeyMetadata? Key { get; }

        public bool RotationEnabled { get; }
    }

    private sealed class EncryptionChange
    {
        public EncryptionChange(string trailArn, string region, string? keyArn, bool create, bool enableRotation)
        {
            TrailArn = trailArn;
            Region = region;
            KeyArn = keyArn;
            Create = create;
            EnableRotation = enableRotation;
        }

        public string TrailArn { get; }

        public string Region { get; }

        /// <summary>The key the trail gets (set by ApplyAsync when it creates the key); null for an undo.</summary>
        public string? KeyArn { get; set; }

        public bool Create { get; }

        public bool EnableRotation { get; }

        public bool RemoveKey { get; set; }
    }
}

/// <summary>The undo data of <c>aws-cloudtrail-logs-encrypted</c>.</summary>
internal sealed class CloudTrailEncryptionUndoData
{
    /// <summary>The trail's ARN.</summary>
    public string? TrailArn { get; set; }

    /// <summary>The key the run set; null when the record was written before the key was created (the alias's key then).</summary>
    public string? KeyArn { get; set; }
}
