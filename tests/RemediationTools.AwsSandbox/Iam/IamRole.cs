namespace RemediationTools.AwsSandbox.Iam;

/// <summary>An IAM role in one account.</summary>
internal sealed class IamRole
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required string RoleId { get; init; }

    public required string Arn { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    public required string TrustPolicy { get; set; }

    public string? Description { get; set; }

    public int MaxSessionDuration { get; set; } = 3600;

    /// <summary>Tags in the order they were added.</summary>
    public List<KeyValuePair<string, string>> Tags { get; } = [];

    /// <summary>Inline policies by name (IAM lists them sorted by name).</summary>
    public SortedDictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);

    /// <summary>ARNs of attached managed policies.</summary>
    public List<string> AttachedPolicyArns { get; } = [];
}

/// <summary>An IAM instance profile (holds at most one role).</summary>
internal sealed class IamInstanceProfile
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required string InstanceProfileId { get; init; }

    public required string Arn { get; init; }

    public required DateTimeOffset CreateDate { get; init; }

    public string? RoleName { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = [];
}

/// <summary>An IAM user created through the sandbox control API, with its inline policies.</summary>
internal sealed class IamUser
{
    public required string Name { get; init; }

    public required string UserId { get; init; }

    public required string Arn { get; init; }

    public SortedDictionary<string, string> InlinePolicies { get; } = new(StringComparer.Ordinal);
}

/// <summary>All IAM entities of one account. IAM names are unique case-insensitively.</summary>
internal sealed class IamAccountState
{
    public Dictionary<string, IamRole> Roles { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, IamInstanceProfile> InstanceProfiles { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Dictionary<string, IamUser> Users { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The account password policy; null when the account has none (AWS then applies its implicit one).</summary>
    public IamPasswordPolicy? PasswordPolicy { get; set; }

    /// <summary>Server certificates by name.</summary>
    public Dictionary<string, IamServerCertificate> ServerCertificates { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The root user's access keys (GetAccountSummary's AccountAccessKeysPresent; seeded, no API creates them).</summary>
    public int RootAccessKeys { get; set; }
}
