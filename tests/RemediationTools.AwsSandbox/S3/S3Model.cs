using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>Who a grant is for: a canonical user (an account), a predefined group, or an email address.</summary>
internal enum S3GranteeType
{
    CanonicalUser,
    Group,
    AmazonCustomerByEmail,
}

/// <summary>One ACL grant: grantee and permission (FULL_CONTROL, WRITE, WRITE_ACP, READ, READ_ACP).</summary>
internal sealed record S3Grant(S3GranteeType Type, string Grantee, string Permission)
{
    public const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
    public const string AuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    public const string LogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    public static readonly IReadOnlyList<string> Permissions = ["FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"];

    /// <summary>A grant to AllUsers or AuthenticatedUsers: what "public" means for an ACL.</summary>
    public bool IsPublic => Type == S3GranteeType.Group && Grantee is AllUsers or AuthenticatedUsers;
}

/// <summary>The four public access block settings of a bucket.</summary>
internal sealed record S3PublicAccessBlock(bool BlockPublicAcls, bool IgnorePublicAcls, bool BlockPublicPolicy, bool RestrictPublicBuckets)
{
    public static readonly S3PublicAccessBlock AllOn = new(true, true, true, true);
}

/// <summary>The default encryption rule: SSE-S3 (AES256), SSE-KMS (aws:kms) or DSSE-KMS (aws:kms:dsse).</summary>
internal sealed record S3EncryptionRule(string Algorithm, string? KmsMasterKeyId, bool BucketKeyEnabled)
{
    public const string SseS3 = "AES256";
    public const string SseKms = "aws:kms";
    public const string DsseKms = "aws:kms:dsse";

    public static readonly S3EncryptionRule Default = new(SseS3, null, false);
}

/// <summary>Server access logging: the target and the LoggingEnabled element as it was put (grants, key format kept).</summary>
internal sealed record S3Logging(string TargetBucket, string TargetPrefix, XElement LoggingEnabled);

/// <summary>One bucket: owner, region and every bucket-level setting the sandbox emulates.</summary>
internal sealed class S3Bucket
{
    public required string Name { get; init; }

    public required string OwnerAccountId { get; init; }

    public required string Region { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    /// <summary>BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter; null = no ownership controls (OwnershipControlsNotFoundError; ACLs work as with ObjectWriter).</summary>
    public string? ObjectOwnership { get; set; }

    /// <summary>The whole ACL, in order; the owner's FULL_CONTROL is a grant like any other, as in AWS.</summary>
    public List<S3Grant> Grants { get; set; } = [];

    public S3PublicAccessBlock? PublicAccessBlock { get; set; }

    /// <summary>Null = no default encryption (buckets made before 2023 or by other emulators); GetBucketEncryption then fails.</summary>
    public S3EncryptionRule? Encryption { get; set; }

    /// <summary>The policy text exactly as put.</summary>
    public string? Policy { get; set; }

    public S3Logging? Logging { get; set; }

    /// <summary>Null = no tag set (NoSuchTagSet).</summary>
    public List<KeyValuePair<string, string>>? Tags { get; set; }

    public bool AclsDisabled => ObjectOwnership == S3Ownership.BucketOwnerEnforced;
}

/// <summary>Object ownership settings.</summary>
internal static class S3Ownership
{
    public const string BucketOwnerEnforced = "BucketOwnerEnforced";
    public const string BucketOwnerPreferred = "BucketOwnerPreferred";
    public const string ObjectWriter = "ObjectWriter";

    public static readonly IReadOnlyList<string> All = [BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter];
}

/// <summary>Every bucket of the sandbox: one namespace for all accounts and regions of the partition, as in S3.</summary>
internal sealed class S3State
{
    public Dictionary<string, S3Bucket> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>The canonical user ID of an account: 64 hex digits, stable for the account.</summary>
    public static string CanonicalId(string accountId) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("sandbox-canonical-user:" + accountId)));

    /// <summary>The account whose canonical ID this is, among the known accounts; null when none.</summary>
    public static string? AccountOfCanonicalId(SandboxState state, string canonicalId) =>
        state.Accounts.Keys.FirstOrDefault(a => string.Equals(CanonicalId(a), canonicalId, StringComparison.OrdinalIgnoreCase));
}
