using Amazon.EC2.Model;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>Conversions of EC2 tag lists.</summary>
internal static class Ec2Tags
{
    /// <summary>The tags as key/value pairs (a null list is empty).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> ToPairs(IEnumerable<Tag>? tags)
        => (tags ?? Enumerable.Empty<Tag>())
            .Where(t => t.Key is not null)
            .Select(t => new KeyValuePair<string, string>(t.Key, t.Value ?? string.Empty))
            .ToList();

    /// <summary>The value of <paramref name="key"/>; null when the tag is absent.</summary>
    public static string? Value(IEnumerable<Tag>? tags, string key)
        => (tags ?? Enumerable.Empty<Tag>()).FirstOrDefault(t => string.Equals(t.Key, key, StringComparison.Ordinal))?.Value;
}
