using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Iam;

/// <summary>IAM's input constraints, reported as ValidationError (400) in IAM's wording.</summary>
internal static partial class IamValidation
{
    public static string Name(QueryArgs args, string parameter, string member, int maxLength)
    {
        var value = args.Get(parameter) ?? throw Error($"Value null at '{member}' failed to satisfy constraint: Member must not be null");
        if (value.Length < 1 || value.Length > maxLength)
        {
            throw Error($"Value '{value}' at '{member}' failed to satisfy constraint: Member must have length less than or equal to {maxLength}");
        }

        if (!NamePattern().IsMatch(value))
        {
            throw Error($"Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
        }

        return value;
    }

    public static string Path(QueryArgs args)
    {
        var value = args.Get("Path") ?? "/";
        if (value.Length > 512 || !PathPattern().IsMatch(value))
        {
            throw Error($"Value '{value}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)");
        }

        return value;
    }

    public static string Required(QueryArgs args, string parameter, string member) =>
        args.Get(parameter) ?? throw Error($"Value null at '{member}' failed to satisfy constraint: Member must not be null");

    public static List<KeyValuePair<string, string>> Tags(QueryArgs args)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in args.List("Tags.member"))
        {
            var key = tag.Get("Key") ?? throw Error("Value null at 'tags.member.key' failed to satisfy constraint: Member must not be null");
            var value = tag.Get("Value") ?? throw Error("Value null at 'tags.member.value' failed to satisfy constraint: Member must not be null");
            if (key.Length is < 1 or > 128 || value.Length > 256)
            {
                throw Error($"Value '{key}' at 'tags.member.key' failed to satisfy constraint: Member must have length less than or equal to 128");
            }

            if (tags.Exists(t => t.Key == key))
            {
                throw new AwsServiceError(400, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
            }

            tags.Add(new(key, value));
        }

        return tags;
    }

    /// <summary>Adds or overwrites tags (keys compare case-insensitively); nothing changes when the result exceeds 50 tags.</summary>
    public static void MergeTags(List<KeyValuePair<string, string>> existing, IEnumerable<KeyValuePair<string, string>> added)
    {
        var merged = new List<KeyValuePair<string, string>>(existing);
        foreach (var tag in added)
        {
            var index = merged.FindIndex(t => string.Equals(t.Key, tag.Key, StringComparison.OrdinalIgnoreCase));
            if (index >= 0)
            {
                merged[index] = tag;
            }
            else
            {
                merged.Add(tag);
            }
        }

        if (merged.Count > 50)
        {
            throw new AwsServiceError(409, "LimitExceeded", "The number of tags has reached the maximum limit.");
        }

        existing.Clear();
        existing.AddRange(merged);
    }

    public static AwsServiceError Error(string message) => new(400, "ValidationError", "1 validation error detected: " + message);

    [GeneratedRegex(@"^[\w+=,.@-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(/|/[\x21-\x7E]+/)$")]
    private static partial Regex PathPattern();
}
