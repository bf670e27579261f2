using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemediationTools.Core.Jobs.Policies;

/// <summary>
/// What a resource policy statement (a bucket policy, a queue policy) says, read the way the IAM policy grammar defines it: element names and values are
/// case-sensitive (<c>Effect</c> is <c>Allow</c> or <c>Deny</c>), condition keys are not, and <c>Action</c>,
/// <c>Resource</c> and principal lists may be a string or an array of strings.
/// </summary>
internal static class PolicyStatements
{
    /// <summary>The statement's Sid; null when it has none.</summary>
    public static string? Sid(JsonObject statement) => StringOf(statement["Sid"]);

    /// <summary>True for <c>"Effect": "Allow"</c>.</summary>
    public static bool IsAllow(JsonObject statement) => StringOf(statement["Effect"]) == "Allow";

    /// <summary>True for <c>"Effect": "Deny"</c>.</summary>
    public static bool IsDeny(JsonObject statement) => StringOf(statement["Effect"]) == "Deny";

    /// <summary>True when the statement has a non-empty <c>Condition</c> block.</summary>
    public static bool IsConditional(JsonObject statement) => statement["Condition"] is JsonObject condition && condition.Count > 0;

    /// <summary>
    /// True when the principal is everyone, in any of its three forms: <c>"*"</c>, <c>{"AWS": "*"}</c> and
    /// <c>{"AWS": ["*"]}</c> (an array holding <c>"*"</c> among others is everyone too).
    /// </summary>
    public static bool HasPublicPrincipal(JsonObject statement)
    {
        var principal = statement["Principal"];
        if (StringOf(principal) == "*")
        {
            return true;
        }

        return principal is JsonObject obj && obj.TryGetPropertyValue("AWS", out var aws) && Strings(aws).Contains("*", StringComparer.Ordinal);
    }

    /// <summary>True for an Allow with a public principal and no condition: everyone gets the actions.</summary>
    public static bool IsUnconditionalPublicAllow(JsonObject statement)
        => IsAllow(statement) && HasPublicPrincipal(statement) && !IsConditional(statement);

    /// <summary>True for an Allow with a public principal narrowed by a condition (kept, and reported).</summary>
    public static bool IsConditionalPublicAllow(JsonObject statement)
        => IsAllow(statement) && HasPublicPrincipal(statement) && IsConditional(statement);

    /// <summary>The string, or the strings of an array, of a policy element; empty for anything else.</summary>
    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(StringOf).Where(s => s is not null).Select(s => s!),
        _ when StringOf(node) is { } single => new[] { single },
        _ => Array.Empty<string>(),
    };

    /// <summary>The scalar values (strings, or JSON booleans as "true"/"false") of a condition value or array of them.</summary>
    public static List<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(ScalarOf).Where(s => s is not null).Select(s => s!).ToList(),
        _ when ScalarOf(node) is { } single => new List<string> { single },
        _ => new List<string>(),
    };

    /// <summary>The string of a JSON string value; null for anything else.</summary>
    public static string? StringOf(JsonNode? node)
        => node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    // Condition values may be written as JSON booleans too ("aws:SecureTransport": false).
    private static string? ScalarOf(JsonNode? node) => node is JsonValue value
        ? value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        }
        : null;
}
