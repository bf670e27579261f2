using System.Text.Json.Nodes;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// What only S3 reads in a bucket policy: CloudTrail's own delivery statements (which stay on a trail's bucket) and the
/// deny of plain HTTP. The IAM policy grammar shared with other resource policies is in <see cref="PolicyStatements"/>.
/// </summary>
internal static class BucketPolicyStatements
{
    /// <summary>The CloudTrail service principal, whose statements on a trail's bucket always stay.</summary>
    public const string CloudTrailPrincipal = "cloudtrail.amazonaws.com";

    /// <summary>The condition key that is false for a request over plain HTTP.</summary>
    public const string SecureTransportKey = "aws:SecureTransport";

    /// <summary>True when the statement names the CloudTrail service principal (CloudTrail's own delivery statements).</summary>
    public static bool IsCloudTrailStatement(JsonObject statement)
        => statement["Principal"] is JsonObject obj && obj.TryGetPropertyValue("Service", out var service)
            && PolicyStatements.Strings(service).Any(s => string.Equals(s, CloudTrailPrincipal, StringComparison.OrdinalIgnoreCase));

    /// <summary>An unconditional public Allow that is not one of CloudTrail's own statements (those stay on a trail's bucket).</summary>
    public static bool IsUnconditionalPublicAllow(JsonObject statement)
        => PolicyStatements.IsUnconditionalPublicAllow(statement) && !IsCloudTrailStatement(statement);

    /// <summary>A conditional public Allow that is not one of CloudTrail's own statements.</summary>
    public static bool IsConditionalPublicAllow(JsonObject statement)
        => PolicyStatements.IsConditionalPublicAllow(statement) && !IsCloudTrailStatement(statement);

    /// <summary>
    /// True when the statement denies every S3 action (<c>s3:*</c> or <c>*</c>) to every principal when
    /// <c>aws:SecureTransport</c> is false (<c>Bool</c> or <c>BoolIfExists</c>), on the bucket and on its objects:
    /// the deny <c>aws-s3-bucket-policy-allow-https</c> would add, or one that is equivalent.
    /// </summary>
    public static bool IsHttpsDeny(JsonObject statement, string bucketArn)
    {
        if (!PolicyStatements.IsDeny(statement) || !PolicyStatements.HasPublicPrincipal(statement) || statement.ContainsKey("NotAction") || statement.ContainsKey("NotResource") || statement.ContainsKey("NotPrincipal"))
        {
            return false;
        }

        if (!PolicyStatements.Strings(statement["Action"]).Any(a => a == "*" || string.Equals(a, "s3:*", StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        var resources = PolicyStatements.Strings(statement["Resource"]).ToList();
        if (!resources.Any(r => ArnPattern.Matches(r, bucketArn)) || !resources.Any(r => ArnPattern.Matches(r, bucketArn + "/*")))
        {
            return false;
        }

        return statement["Condition"] is JsonObject condition && condition.Count == 1 && condition.Single() is var only
            && (string.Equals(only.Key, "Bool", StringComparison.Ordinal) || string.Equals(only.Key, "BoolIfExists", StringComparison.Ordinal))
            && only.Value is JsonObject keys && keys.Count == 1
            && string.Equals(keys.Single().Key, SecureTransportKey, StringComparison.OrdinalIgnoreCase)
            && PolicyStatements.Values(keys.Single().Value) is { Count: 1 } values && string.Equals(values[0], "false", StringComparison.OrdinalIgnoreCase);
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
}
