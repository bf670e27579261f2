using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// What a bucket policy statement says, read the way the IAM policy grammar defines it: element names and values are
/// case-sensitive (<c>Effect</c> is <c>Allow</c> or <c>Deny</c>), condition keys are not, and <c>Action</c>,
/// <c>Resource</c> and principal lists may be a string or an array of strings.
/// </summary>
internal static class PolicyStatements
{
    /// <summary>The CloudTrail service principal, whose statements on a trail's bucket always stay.</summary>
    public const string CloudTrailPrincipal = "cloudtrail.amazonaws.com";

    /// <summary>The condition key that is false for a request over plain HTTP.</summary>
    public const string SecureTransportKey = "aws:SecureTransport";

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

    /// <summary>True when the statement names the CloudTrail service principal (CloudTrail's own delivery statements).</summary>
    public static bool IsCloudTrailStatement(JsonObject statement)
        => statement["Principal"] is JsonObject obj && obj.TryGetPropertyValue("Service", out var service)
            && Strings(service).Any(s => string.Equals(s, CloudTrailPrincipal, StringComparison.OrdinalIgnoreCase));

    /// <summary>True for an Allow with a public principal and no condition: everyone gets the actions.</summary>
    public static bool IsUnconditionalPublicAllow(JsonObject statement)
        => IsAllow(statement) && HasPublicPrincipal(statement) && !IsConditional(statement) && !IsCloudTrailStatement(statement);

    /// <summary>True for an Allow with a public principal narrowed by a condition (kept, and reported).</summary>
    public static bool IsConditionalPublicAllow(JsonObject statement)
        => IsAllow(statement) && HasPublicPrincipal(statement) && IsConditional(statement) && !IsCloudTrailStatement(statement);

    /// <summary>
    /// True when the statement denies every S3 action (<c>s3:*</c> or <c>*</c>) to every principal when
    /// <c>aws:SecureTransport</c> is false (<c>Bool</c> or <c>BoolIfExists</c>), on the bucket and on its objects:
    /// the deny <c>aws-s3-bucket-policy-allow-https</c> would add, or one that is equivalent.
    /// </summary>
    public static bool IsHttpsDeny(JsonObject statement, string bucketArn)
    {
        if (!IsDeny(statement) || !HasPublicPrincipal(statement) || statement.ContainsKey("NotAction") || statement.ContainsKey("NotResource") || statement.ContainsKey("NotPrincipal"))
        {
            return false;
        }

        if (!Strings(statement["Action"]).Any(a => a == "*" || string.Equals(a, "s3:*", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var resources = Strings(statement["Resource"]).ToList();
        if (!resources.Any(r => ArnPattern.Matches(r, bucketArn)) || !resources.Any(r => ArnPattern.Matches(r, bucketArn + "/*")))
        {
            return false;
        }

        return statement["Condition"] is JsonObject condition && condition.Count == 1 && condition.Single() is var only
            && (string.Equals(only.Key, "Bool", StringComparison.Ordinal) || string.Equals(only.Key, "BoolIfExists", StringComparison.Ordinal))
            && only.Value is JsonObject keys && keys.Count == 1
            && string.Equals(keys.Single().Key, SecureTransportKey, StringComparison.OrdinalIgnoreCase)
            && Values(keys.Single().Value) is { Count: 1 } values && string.Equals(values[0], "false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The deny statement for requests over plain HTTP, on the bucket and its objects.</summary>
    public static JsonObject HttpsDeny(string sid, string bucketArn) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = "Deny",
        ["Principal"] = "*",
        ["Action"] = "s3:*",
        ["Resource"] = new JsonArray(bucketArn, bucketArn + "/*"),
        ["Condition"] = new JsonObject { ["Bool"] = new JsonObject { [SecureTransportKey] = "false" } },
    };

    /// <summary>The string, or the strings of an array, of a policy element; empty for anything else.</summary>
    public static IEnumerable<string> Strings(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(StringOf).Where(s => s is not null).Select(s => s!),
        _ when StringOf(node) is { } single => new[] { single },
        _ => Array.Empty<string>(),
    };

    private static List<string> Values(JsonNode? node) => node switch
    {
        JsonArray array => array.Select(ScalarOf).Where(s => s is not null).Select(s => s!).ToList(),
        _ when ScalarOf(node) is { } single => new List<string> { single },
        _ => new List<string>(),
    };

    private static string? StringOf(JsonNode? node)
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
