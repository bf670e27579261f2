using System.Text.RegularExpressions;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace RemediationTools.Core.Jobs.Kms;

/// <summary>
/// The KMS calls the KMS and CloudTrail jobs share, each through <see cref="AwsCall"/> (so an AccessDenied names its
/// action), and how a finding's ObjectId names a key: a key ID, a key ARN, an alias name or an alias ARN (an ARN
/// carries the key's region).
/// </summary>
internal static class KmsKeys
{
    /// <summary>IAM action: DescribeKey.</summary>
    public const string DescribeKeyAction = "kms:DescribeKey";

    /// <summary>IAM action: GetKeyRotationStatus.</summary>
    public const string GetKeyRotationStatusAction = "kms:GetKeyRotationStatus";

    /// <summary>IAM action: EnableKeyRotation.</summary>
    public const string EnableKeyRotationAction = "kms:EnableKeyRotation";

    /// <summary>IAM action: DisableKeyRotation.</summary>
    public const string DisableKeyRotationAction = "kms:DisableKeyRotation";

    /// <summary>IAM action: ListResourceTags.</summary>
    public const string ListResourceTagsAction = "kms:ListResourceTags";

    /// <summary>The error code of an ObjectId that names no key in any form KMS accepts.</summary>
    public const string InvalidKeyIdErrorCode = "InvalidKeyId";

    private static readonly Regex ArnPattern = new(
        @"^arn:(?<partition>aws[a-z-]*):kms:(?<region>[a-z0-9-]+):(?<account>\d{12}):(?<resource>key/[A-Za-z0-9-]+|alias/[A-Za-z0-9/_-]+)$",
        RegexOptions.CultureInvariant);

    private static readonly Regex KeyIdPattern = new(@"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$", RegexOptions.CultureInvariant);

    private static readonly Regex AliasPattern = new(@"^alias/[A-Za-z0-9/_-]+$", RegexOptions.CultureInvariant);

    /// <summary>
    /// The region a key reference is in (an ARN's, else <paramref name="findingRegion"/>); throws a
    /// <see cref="JobFailureException"/> naming <paramref name="reference"/> when it is no key ID, key ARN, alias name or
    /// alias ARN, and one naming the account when an ARN is of another account than the finding's.
    /// </summary>
    public static string RegionOf(string reference, string findingRegion, string? accountId)
    {
        if (reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            var match = ArnPattern.Match(reference);
            if (!match.Success)
            {
                throw Invalid(reference);
            }

            if (accountId is not null && match.Groups["account"].Value != accountId)
            {
                throw new JobFailureException(
                    "AccountMismatch",
                    "The KMS key " + reference + " belongs to account " + match.Groups["account"].Value + ", not to the finding's account " + accountId + "; nothing was changed.");
            }

            return match.Groups["region"].Value;
        }

        return KeyIdPattern.IsMatch(reference) || AliasPattern.IsMatch(reference) ? findingRegion : throw Invalid(reference);
    }

    /// <summary>DescribeKey of a key ID, key ARN, alias name or alias ARN.</summary>
    public static async Task<KeyMetadata> DescribeAsync(JobContext context, IAmazonKeyManagementService kms, string reference, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(context.Reporter, DescribeKeyAction, reference, () => kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = reference }, cancellationToken)).ConfigureAwait(false);
        return response.KeyMetadata;
    }

    /// <summary>DescribeKey of an alias, or null when no key has it (NotFoundException).</summary>
    public static async Task<KeyMetadata?> FindByAliasAsync(JobContext context, IAmazonKeyManagementService kms, string alias, CancellationToken cancellationToken)
    {
        try
        {
            return await DescribeAsync(context, kms, alias, cancellationToken).ConfigureAwait(false);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "NotFoundException")
        {
            return null;
        }
    }

    /// <summary>Whether automatic rotation of the key is on (GetKeyRotationStatus).</summary>
    public static async Task<bool> RotationEnabledAsync(JobContext context, IAmazonKeyManagementService kms, string keyArn, CancellationToken cancellationToken)
    {
        var response = await AwsCall.RunAsync(context.Reporter, GetKeyRotationStatusAction, keyArn, () => kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyArn }, cancellationToken)).ConfigureAwait(false);
        return response.KeyRotationEnabled == true;
    }

    /// <summary>Turns automatic rotation on (KMS's default period, 365 days) or off.</summary>
    public static async Task SetRotationAsync(JobContext context, IAmazonKeyManagementService kms, string keyArn, bool enabled, CancellationToken cancellationToken)
    {
        if (enabled)
        {
            await AwsCall.RunAsync(context.Reporter, EnableKeyRotationAction, keyArn, () => kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyArn }, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            await AwsCall.RunAsync(context.Reporter, DisableKeyRotationAction, keyArn, () => kms.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyArn }, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>The key's tags, every page (ListResourceTags).</summary>
    public static async Task<IReadOnlyList<KeyValuePair<string, string>>> TagsAsync(JobContext context, IAmazonKeyManagementService kms, string keyArn, CancellationToken cancellationToken)
    {
        var tags = new List<KeyValuePair<string, string>>();
        string? marker = null;
        do
        {
            var request = new ListResourceTagsRequest { KeyId = keyArn, Marker = marker };
            var page = await AwsCall.RunAsync(context.Reporter, ListResourceTagsAction, keyArn, () => kms.ListResourceTagsAsync(request, cancellationToken)).ConfigureAwait(false);
            tags.AddRange((page.Tags ?? new List<Amazon.KeyManagementService.Model.Tag>()).Select(t => new KeyValuePair<string, string>(t.TagKey, t.TagValue)));
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return tags;
    }

    /// <summary>
    /// Why automatic rotation cannot be on for the key (AWS managed, pending deletion, asymmetric, HMAC, imported
    /// material, custom key store, not enabled), as a skip reason; null when it can be.
    /// </summary>
    public static string? RotationSkipReason(KeyMetadata key)
    {
        var name = "The KMS key " + key.Arn;
        var spec = key.KeySpec?.Value ?? "SYMMETRIC_DEFAULT";
        var origin = key.Origin?.Value ?? "AWS_KMS";
        var state = key.KeyState?.Value ?? "Enabled";
        if (key.KeyManager == KeyManagerType.AWS)
        {
            return name + " is an AWS managed key: AWS rotates its key material every year, and its rotation cannot be configured.";
        }

        if (state is "PendingDeletion" or "PendingReplicaDeletion")
        {
            return name + " is pending deletion" + (key.DeletionDate is { } at ? " (on " + at.ToUniversalTime().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + ")" : string.Empty) + ": rotating a key about to be deleted changes nothing; cancel the deletion first if the key is still needed.";
        }

        if (spec.StartsWith("HMAC_", StringComparison.Ordinal))
        {
            return name + " is an HMAC key (" + spec + "): KMS does not rotate HMAC keys automatically.";
        }

        if (spec != "SYMMETRIC_DEFAULT")
        {
            return name + " is an asymmetric key (" + spec + "): KMS does not rotate asymmetric keys automatically.";
        }

        if (origin == "EXTERNAL")
        {
            return name + " has imported key material (origin EXTERNAL): KMS cannot rotate it automatically; rotate it by importing new material (on demand).";
        }

        if (origin is "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE")
        {
            return name + " is in a custom key store (origin " + origin + "): KMS does not rotate keys of custom key stores automatically.";
        }

        if (state != "Enabled")
        {
            return name + " is " + state + ": KMS changes the rotation of enabled keys only; enable the key first if it is still needed.";
        }

        return null;
    }

    private static JobFailureException Invalid(string reference) => new(
        InvalidKeyIdErrorCode,
        "The finding's ObjectId '" + reference + "' is not a KMS key: give a key ID (1234abcd-12ab-34cd-56ef-1234567890ab), a key ARN, an alias name (alias/name) or an alias ARN; nothing was changed.");
}
