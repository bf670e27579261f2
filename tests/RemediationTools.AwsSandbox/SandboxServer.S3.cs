using System.Text.Json;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.S3;

namespace RemediationTools.AwsSandbox;

/// <summary>An ACL grant to seed: a canonical user (an account), a predefined group or an email address, and a permission.</summary>
/// <param name="GranteeType">CanonicalUser, Group or AmazonCustomerByEmail.</param>
/// <param name="Grantee">The canonical user ID, the group URI or the email address.</param>
/// <param name="Permission">FULL_CONTROL, WRITE, WRITE_ACP, READ or READ_ACP.</param>
public sealed record SandboxS3Grant(string GranteeType, string Grantee, string Permission)
{
    /// <summary>The AllUsers group URI.</summary>
    public const string AllUsersUri = S3Grant.AllUsers;

    /// <summary>The AuthenticatedUsers group URI.</summary>
    public const string AuthenticatedUsersUri = S3Grant.AuthenticatedUsers;

    /// <summary>The LogDelivery group URI (server access log delivery).</summary>
    public const string LogDeliveryUri = S3Grant.LogDelivery;

    /// <summary>A grant to an account's canonical user.</summary>
    public static SandboxS3Grant Account(string accountId, string permission) => new("CanonicalUser", S3State.CanonicalId(accountId), permission);

    /// <summary>A grant to everyone.</summary>
    public static SandboxS3Grant AllUsers(string permission) => new("Group", AllUsersUri, permission);

    /// <summary>A grant to every AWS account.</summary>
    public static SandboxS3Grant AuthenticatedUsers(string permission) => new("Group", AuthenticatedUsersUri, permission);

    /// <summary>A grant to the log delivery group.</summary>
    public static SandboxS3Grant LogDelivery(string permission) => new("Group", LogDeliveryUri, permission);
}

/// <summary>The four public access block settings.</summary>
public sealed record SandboxS3PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    /// <summary>All four on, as new buckets have them.</summary>
    public static SandboxS3PublicAccessBlock AllOn { get; } = new(true, true, true, true);
}

/// <summary>A default encryption rule: AES256 (SSE-S3), aws:kms (SSE-KMS) or aws:kms:dsse (DSSE-KMS).</summary>
public sealed record SandboxS3Encryption(string Algorithm, string? KmsMasterKeyId = null, bool BucketKeyEnabled = false)
{
    /// <summary>SSE-S3, as new buckets have it.</summary>
    public static SandboxS3Encryption SseS3 { get; } = new("AES256");
}

/// <summary>Server access logging to a target bucket under a prefix.</summary>
public sealed record SandboxS3Logging(string TargetBucket, string TargetPrefix);

/// <summary>
/// The state of a bucket to seed. The defaults are a bucket as S3 creates it today (BucketOwnerEnforced, all public access
/// blocked, SSE-S3); <see cref="Legacy"/> is one made before 2023 or by another emulator (ObjectWriter, no public access
/// block, no default encryption). Seeding takes any state, also ones the API would refuse (a public ACL on a bucket with
/// ACLs disabled), so that tests can reproduce what exists in the wild.
/// </summary>
public sealed record SandboxS3BucketSpec
{
    /// <summary>BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter, or null for no ownership controls.</summary>
    public string? ObjectOwnership { get; init; } = "BucketOwnerEnforced";

    /// <summary>A canned ACL (private, public-read, log-delivery-write, ...); ignored when <see cref="Grants"/> is set.</summary>
    public string? CannedAcl { get; init; }

    /// <summary>The whole ACL, exactly (include the owner's FULL_CONTROL if it should have it); null = the canned ACL, else private.</summary>
    public IReadOnlyList<SandboxS3Grant>? Grants { get; init; }

    /// <summary>Null = no public access block configuration.</summary>
    public SandboxS3PublicAccessBlock? PublicAccessBlock { get; init; } = SandboxS3PublicAccessBlock.AllOn;

    /// <summary>Null = no default encryption (GetBucketEncryption fails with ServerSideEncryptionConfigurationNotFoundError).</summary>
    public SandboxS3Encryption? Encryption { get; init; } = SandboxS3Encryption.SseS3;

    /// <summary>The bucket policy text, stored as given.</summary>
    public string? Policy { get; init; }

    /// <summary>Null = no tag set.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>Null = logging off.</summary>
    public SandboxS3Logging? Logging { get; init; }

    /// <summary>A bucket as made before 2023 or by other emulators: ObjectWriter, no public access block, no default encryption.</summary>
    public static SandboxS3BucketSpec Legacy { get; } = new() { ObjectOwnership = "ObjectWriter", PublicAccessBlock = null, Encryption = null };
}

public sealed partial class SandboxServer
{
    /// <summary>The canonical user ID S3 gives an account in ACLs.</summary>
    /// <param name="accountId">A 12-digit account.</param>
    /// <returns>64 lower-case hex digits.</returns>
    public static string S3CanonicalUserId(string accountId) => S3State.CanonicalId(accountId);

    /// <summary>Seeds a bucket in an account and region with any state (no counting, no faults, no S3 checks but the name's).</summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The bucket's region.</param>
    /// <param name="bucketName">A valid bucket name not yet taken by any account.</param>
    /// <param name="spec">The state; null = as S3 creates buckets today.</param>
    public void AddS3Bucket(string accountId, string region, string bucketName, SandboxS3BucketSpec? spec = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucketName);
        spec ??= new SandboxS3BucketSpec();
        if (!S3Service.Regions.Contains(region))
        {
            throw new ArgumentException($"'{region}' is not a region S3 knows.", nameof(region));
        }

        try
        {
            S3Service.ValidateBucketName(bucketName);
        }
        catch (S3Error)
        {
            throw new ArgumentException($"'{bucketName}' is not a valid bucket name.", nameof(bucketName));
        }

        if (spec.ObjectOwnership is { } ownership && !S3Ownership.All.Contains(ownership))
        {
            throw new ArgumentException($"'{ownership}' is not an object ownership setting ({string.Join(", ", S3Ownership.All)}).", nameof(spec));
        }

        var grants = spec.Grants?.Select(ToGrant).ToList()
            ?? (spec.CannedAcl is { } canned
                ? S3Acl.Canned(canned, accountId) ?? throw new ArgumentException($"'{canned}' is not a canned ACL ({string.Join(", ", S3Acl.CannedAcls)}).", nameof(spec))
                : S3Acl.OwnerOnly(accountId));
        if (spec.Encryption is { } encryption && encryption.Algorithm is not (S3EncryptionRule.SseS3 or S3EncryptionRule.SseKms or S3EncryptionRule.DsseKms))
        {
            throw new ArgumentException($"'{encryption.Algorithm}' is not a default encryption algorithm (AES256, aws:kms, aws:kms:dsse).", nameof(spec));
        }

        if (spec.Policy is { } policy)
        {
            try
            {
                S3BucketPolicy.Validate(policy, bucketName);
            }
            catch (S3Error error)
            {
                throw new ArgumentException($"The policy is not one S3 would store: {error.Message}.", nameof(spec));
            }
        }

        lock (_state.Gate)
        {
            _state.Account(accountId);
            if (_state.S3.Buckets.ContainsKey(bucketName))
            {
                throw new ArgumentException($"The bucket '{bucketName}' exists already.", nameof(bucketName));
            }

            var bucket = S3Service.NewBucket(bucketName, accountId, region, _state.Now);
            bucket.ObjectOwnership = spec.ObjectOwnership;
            bucket.Grants = grants;
            bucket.PublicAccessBlock = spec.PublicAccessBlock is { } block ? new S3PublicAccessBlock(block.BlockPublicAcls, block.IgnorePublicAcls, block.BlockPublicPolicy, block.RestrictPublicBuckets) : null;
            bucket.Encryption = spec.Encryption is { } rule ? new S3EncryptionRule(rule.Algorithm, rule.KmsMasterKeyId, rule.BucketKeyEnabled) : null;
            bucket.Policy = spec.Policy;
            bucket.Tags = spec.Tags?.Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToList();
            if (spec.Logging is { } logging)
            {
                var ns = S3Call.Ns;
                bucket.Logging = new S3Logging(logging.TargetBucket, logging.TargetPrefix, new XElement(ns + "LoggingEnabled", new XElement(ns + "TargetBucket", logging.TargetBucket), new XElement(ns + "TargetPrefix", logging.TargetPrefix)));
            }

            _state.S3.Buckets[bucketName] = bucket;
        }
    }

    /// <summary>Every bucket with its whole state, as JSON text (for tests that check what a job left behind).</summary>
    /// <returns>A JSON array of buckets.</returns>
    public string DumpS3Buckets()
    {
        lock (_state.Gate)
        {
            var buckets = _state.S3.Buckets.Values.OrderBy(b => b.Name, StringComparer.Ordinal).Select(b => new Dictionary<string, object?>
            {
                ["name"] = b.Name,
                ["accountId"] = b.OwnerAccountId,
                ["region"] = b.Region,
                ["objectOwnership"] = b.ObjectOwnership,
                ["grants"] = b.Grants.Select(g => new Dictionary<string, string> { ["granteeType"] = g.Type.ToString(), ["grantee"] = g.Grantee, ["permission"] = g.Permission }).ToList(),
                ["publicAccessBlock"] = b.PublicAccessBlock is { } p
                    ? new Dictionary<string, bool> { ["blockPublicAcls"] = p.BlockPublicAcls, ["ignorePublicAcls"] = p.IgnorePublicAcls, ["blockPublicPolicy"] = p.BlockPublicPolicy, ["restrictPublicBuckets"] = p.RestrictPublicBuckets }
                    : null,
                ["encryption"] = b.Encryption is { } e ? new Dictionary<string, object?> { ["algorithm"] = e.Algorithm, ["kmsMasterKeyId"] = e.KmsMasterKeyId, ["bucketKeyEnabled"] = e.BucketKeyEnabled } : null,
                ["policy"] = b.Policy,
                ["logging"] = b.Logging is { } l ? new Dictionary<string, string> { ["targetBucket"] = l.TargetBucket, ["targetPrefix"] = l.TargetPrefix } : null,
                ["tags"] = b.Tags?.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
            }).ToList();
            return JsonSerializer.Serialize(buckets);
        }
    }

    private static S3Grant ToGrant(SandboxS3Grant grant)
    {
        if (!Enum.TryParse<S3GranteeType>(grant.GranteeType, out var type) || !Enum.IsDefined(type))
        {
            throw new ArgumentException($"'{grant.GranteeType}' is not a grantee type (CanonicalUser, Group, AmazonCustomerByEmail).", nameof(grant));
        }

        if (!S3Grant.Permissions.Contains(grant.Permission))
        {
            throw new ArgumentException($"'{grant.Permission}' is not an ACL permission ({string.Join(", ", S3Grant.Permissions)}).", nameof(grant));
        }

        if (type == S3GranteeType.Group && grant.Grantee is not (S3Grant.AllUsers or S3Grant.AuthenticatedUsers or S3Grant.LogDelivery))
        {
            throw new ArgumentException($"'{grant.Grantee}' is not a group URI.", nameof(grant));
        }

        return new S3Grant(type, grant.Grantee, grant.Permission);
    }
}
