namespace RemediationTools.Core.Jobs;

/// <summary>The <c>remediation:skip</c> = <c>true</c> tag with which owners exempt a resource from every job.</summary>
internal static class SkipTag
{
    /// <summary>The tag key.</summary>
    public const string Key = "remediation:skip";

    /// <summary>The reason a skipped result gives.</summary>
    public const string Reason = "The resource is tagged remediation:skip = true.";

    /// <summary>True when <paramref name="tags"/> hold the skip tag with the value <c>true</c> (any casing).</summary>
    public static bool IsSet(IEnumerable<KeyValuePair<string, string>>? tags)
        => tags is not null && tags.Any(tag =>
            string.Equals(tag.Key, Key, StringComparison.Ordinal) &&
            string.Equals(tag.Value?.Trim(), "true", StringComparison.OrdinalIgnoreCase));
}
