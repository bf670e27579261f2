namespace RemediationTools.AwsSandbox.Ssm;

/// <summary>One Systems Manager Parameter Store parameter (the current version only).</summary>
internal sealed class SsmParameter
{
    /// <summary>The AWS managed key Parameter Store encrypts with when no key is named.</summary>
    public const string DefaultKeyId = "alias/aws/ssm";

    public required string Name { get; init; }

    /// <summary><c>String</c>, <c>StringList</c> or <c>SecureString</c>.</summary>
    public required string Type { get; init; }

    public required string Value { get; init; }

    /// <summary>The KMS key of a SecureString (<see cref="DefaultKeyId"/> or a key ID/ARN); null otherwise.</summary>
    public string? KeyId { get; init; }

    public long Version { get; init; } = 1;

    public DateTimeOffset LastModified { get; init; }

    public string? Description { get; init; }

    public List<KeyValuePair<string, string>> Tags { get; init; } = [];
}

/// <summary>The parameters of one account in one region, by name (names are case-sensitive).</summary>
internal sealed class SsmRegionState
{
    public Dictionary<string, SsmParameter> Parameters { get; } = new(StringComparer.Ordinal);
}
