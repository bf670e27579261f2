using System.Text.RegularExpressions;

namespace RemediationTools.Core.Roles;

/// <summary>Validation of IAM names, ARNs, external IDs and tags, with messages that name the bad value.</summary>
internal static class RoleNames
{
    /// <summary>The default name of the role in each cloud account.</summary>
    public const string DefaultAccountRoleName = "RemediationTools";

    /// <summary>The default name of the worker role and its instance profile in the hosting account.</summary>
    public const string DefaultWorkerRoleName = "RemediationToolsWorker";

    private static readonly char[] WildcardCharacters = { '*', '?' };
    private static readonly Regex RoleNamePattern = new(@"^[\w+=,.@-]{1,64}$", RegexOptions.CultureInvariant);
    private static readonly Regex ExternalIdPattern = new(@"^[\w+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant);
    private static readonly Regex AccountIdPattern = new(@"^\d{12}$", RegexOptions.CultureInvariant);
    private static readonly Regex RoleNameWildcardPattern = new(@"^(?:[\w+=,.@*?-]+/)*[\w+=,.@*?-]{1,64}$", RegexOptions.CultureInvariant);
    private static readonly Regex OrganizationIdPattern = new(@"^o-[a-z0-9]{10,32}$", RegexOptions.CultureInvariant);
    private static readonly Regex RoleArnPattern = new(
        @"^arn:(?<partition>aws[a-z-]*):iam::(?<account>\d{12}|\*):role/(?:[\x21-\x7E]*/)?(?<name>[\w+=,.@*?-]{1,64})$",
        RegexOptions.CultureInvariant);

    /// <summary>Throws when <paramref name="name"/> is not a valid IAM role or instance profile name.</summary>
    public static string RoleName(string? name, string what = "role name")
    {
        if (name is null || !RoleNamePattern.IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a valid {what}: use 1 to 64 letters, digits and + = , . @ _ -.");
        }

        return name;
    }

    /// <summary>Throws when <paramref name="pattern"/> is not an IAM role name with optional <c>*</c> and <c>?</c> wildcards (and path).</summary>
    public static string RoleNameWildcard(string? pattern)
    {
        if (pattern is null || !RoleNameWildcardPattern.IsMatch(pattern))
        {
            throw new ArgumentException($"'{pattern}' is not a role name pattern: use 1 to 64 letters, digits, + = , . @ _ - and the wildcards * and ?, optionally after a path (path/name).");
        }

        return pattern;
    }

    /// <summary>Throws when <paramref name="organizationId"/> is not an AWS Organizations organization ID.</summary>
    public static string OrganizationId(string? organizationId)
    {
        if (organizationId is null || !OrganizationIdPattern.IsMatch(organizationId))
        {
            throw new ArgumentException($"'{organizationId}' is not an organization ID: o- followed by 10 to 32 lower-case letters or digits, such as o-a1b2c3d4e5.");
        }

        return organizationId;
    }

    /// <summary>Throws when <paramref name="externalId"/> is not a valid STS external ID.</summary>
    public static string ExternalId(string? externalId)
    {
        if (externalId is null || !ExternalIdPattern.IsMatch(externalId))
        {
            throw new ArgumentException($"'{externalId}' is not a valid external ID: use 2 to 1224 letters, digits and + = , . @ : / _ -, such as the organization ID o-a1b2c3d4e5.");
        }

        return externalId;
    }

    /// <summary>Throws when <paramref name="accountId"/> is not 12 digits.</summary>
    public static string AccountId(string? accountId)
    {
        if (accountId is null || !AccountIdPattern.IsMatch(accountId))
        {
            throw new ArgumentException($"'{accountId}' is not an AWS account ID (12 digits).");
        }

        return accountId;
    }

    /// <summary>Parses an IAM role ARN; wildcards (<c>*</c>, <c>?</c>) only when <paramref name="allowWildcards"/>.</summary>
    public static (string Partition, string AccountId, string RoleName) RoleArn(string? arn, bool allowWildcards = false)
    {
        var match = arn is null ? null : RoleArnPattern.Match(arn);
        if (match is null || !match.Success)
        {
            throw new ArgumentException($"'{arn}' is not an IAM role ARN (arn:aws:iam::123456789012:role/Name).");
        }

        if (!allowWildcards && IsWildcard(arn!))
        {
            throw new ArgumentException($"'{arn}' contains a wildcard; a wildcard role ARN needs -AllowAnyAccountRole.");
        }

        return (match.Groups["partition"].Value, match.Groups["account"].Value, match.Groups["name"].Value);
    }

    /// <summary>Whether an ARN holds IAM wildcard characters.</summary>
    public static bool IsWildcard(string arn) => arn.IndexOfAny(WildcardCharacters) >= 0;

    /// <summary>Validates tags as IAM does (at most 50; key 1 to 128 characters, value up to 256, no aws: prefix).</summary>
    public static IReadOnlyDictionary<string, string> Tags(IDictionary<string, string>? tags)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (tags is null)
        {
            return result;
        }

        if (tags.Count > 50)
        {
            throw new ArgumentException($"{tags.Count} tags were given; IAM allows at most 50 per role.");
        }

        foreach (var pair in tags)
        {
            if (string.IsNullOrEmpty(pair.Key) || pair.Key.Length > 128 || pair.Key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"'{pair.Key}' is not a valid tag key: use 1 to 128 characters, not starting with aws:.");
            }

            if ((pair.Value ?? string.Empty).Length > 256)
            {
                throw new ArgumentException($"The value of tag '{pair.Key}' is longer than 256 characters.");
            }

            result[pair.Key] = pair.Value ?? string.Empty;
        }

        return result;
    }

    /// <summary>Throws when <paramref name="seconds"/> is outside IAM's 3600 to 43200 range.</summary>
    public static int MaxSessionDuration(int seconds)
    {
        if (seconds is < 3600 or > 43200)
        {
            throw new ArgumentException($"'{seconds}' is not a valid maximum session duration: use 3600 to 43200 seconds.");
        }

        return seconds;
    }
}
