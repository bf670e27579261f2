namespace RemediationTools.AwsSandbox.Kms;

/// <summary>One KMS key of an account in a region, with the properties DescribeKey returns.</summary>
internal sealed class SandboxKmsKey
{
    /// <summary>The key specs KMS knows (CreateKey's KeySpec).</summary>
    public static readonly IReadOnlyList<string> KeySpecs =
    [
        "SYMMETRIC_DEFAULT", "RSA_2048", "RSA_3072", "RSA_4096", "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
        "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512", "SM2",
    ];

    public required string KeyId { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public string Arn => $"arn:aws:kms:{Region}:{AccountId}:key/{KeyId}";

    /// <summary>SYMMETRIC_DEFAULT, RSA_*, ECC_*, HMAC_* or SM2.</summary>
    public string KeySpec { get; init; } = "SYMMETRIC_DEFAULT";

    /// <summary>ENCRYPT_DECRYPT, SIGN_VERIFY, GENERATE_VERIFY_MAC or KEY_AGREEMENT.</summary>
    public string KeyUsage { get; init; } = "ENCRYPT_DECRYPT";

    /// <summary>AWS_KMS, EXTERNAL (imported key material) or AWS_CLOUDHSM (a custom key store).</summary>
    public string Origin { get; init; } = "AWS_KMS";

    /// <summary>AWS (AWS managed keys, alias/aws/*) or CUSTOMER.</summary>
    public string KeyManager { get; init; } = "CUSTOMER";

    /// <summary>Enabled, Disabled, PendingDeletion, PendingImport, Unavailable, ...</summary>
    public string KeyState { get; set; } = "Enabled";

    public string Description { get; init; } = string.Empty;

    public DateTimeOffset CreationDate { get; init; }

    /// <summary>When a key pending deletion is deleted; null otherwise.</summary>
    public DateTimeOffset? DeletionDate { get; set; }

    public bool RotationEnabled { get; set; }

    public int RotationPeriodInDays { get; set; } = 365;

    public DateTimeOffset? NextRotationDate { get; set; }

    /// <summary>The key policy (the one named "default").</summary>
    public required string Policy { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; init; } = [];

    /// <summary>True for a symmetric encryption key (the only kind that rotates automatically).</summary>
    public bool IsSymmetricEncryption => KeySpec == "SYMMETRIC_DEFAULT";

    /// <summary>Why automatic rotation is not supported on this key (UnsupportedOperationException's message); null when it is.</summary>
    public string? RotationUnsupportedReason => !IsSymmetricEncryption
        ? $"{Arn} key spec {KeySpec} is not valid for this operation."
        : Origin != "AWS_KMS" ? $"{Arn} origin is {Origin} which is not valid for this operation." : null;

    /// <summary>The default key policy KMS gives a key created without one: the account may use IAM policies for everything.</summary>
    public static string DefaultPolicy(string accountId) =>
        "{\"Version\":\"2012-10-17\",\"Id\":\"key-default-1\",\"Statement\":[{\"Sid\":\"Enable IAM User Permissions\",\"Effect\":\"Allow\"," +
        "\"Principal\":{\"AWS\":\"arn:aws:iam::" + accountId + ":root\"},\"Action\":\"kms:*\",\"Resource\":\"*\"}]}";
}

/// <summary>An alias of a region's key: <c>alias/&lt;name&gt;</c> (AWS managed keys' are <c>alias/aws/&lt;service&gt;</c>).</summary>
internal sealed class SandboxKmsAlias
{
    public required string AliasName { get; init; }

    public required string TargetKeyId { get; set; }

    public DateTimeOffset CreationDate { get; init; }
}

/// <summary>The keys and aliases of one account in one region.</summary>
internal sealed class KmsRegionState
{
    public Dictionary<string, SandboxKmsKey> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Aliases by name (case-sensitive, as KMS's are).</summary>
    public SortedDictionary<string, SandboxKmsAlias> Aliases { get; } = new(StringComparer.Ordinal);
}
