using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Policies;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// Authorization of an S3 call as in IAM's evaluation logic: the caller's identity policies (the Authorizer every sandbox
/// service uses) and the bucket policy, evaluated with the request context (<c>aws:SecureTransport</c> true: the
/// sandbox stands in for the HTTPS endpoint; <c>aws:PrincipalAccount</c>, <c>aws:PrincipalArn</c>). An explicit Deny
/// in either wins (a bucket policy's Deny binds the account root too); within the bucket's account an Allow in either
/// allows; from another account both must allow, and not through a public policy while RestrictPublicBuckets is on.
/// ACL grants do not authorize bucket-level calls in the sandbox (the calls it emulates need the owner or a policy).
/// Refusals are 403 AccessDenied with S3's message.
/// </summary>
internal static class S3Access
{
    public static void Require(SandboxState state, CallerPrincipal caller, string action, string resource, S3Bucket? bucket)
    {
        var identity = Authorizer.Decide(state, caller, action, resource);
        var resourceDecision = bucket?.Policy is { } policy ? EvaluateBucketPolicy(policy, caller, action, resource) : PolicyDecision.ImplicitDeny;
        var sameAccount = bucket is null || bucket.OwnerAccountId == caller.AccountId;

        // RestrictPublicBuckets: a public policy lets in only the bucket owner's account (and AWS services).
        if (!sameAccount && resourceDecision == PolicyDecision.Allow && bucket!.PublicAccessBlock?.RestrictPublicBuckets == true && S3BucketPolicy.IsPublic(bucket.Policy!))
        {
            resourceDecision = PolicyDecision.ImplicitDeny;
        }

        if (identity == PolicyDecision.ExplicitDeny || resourceDecision == PolicyDecision.ExplicitDeny)
        {
            throw Denied(caller, action, resource, resourceDecision == PolicyDecision.ExplicitDeny
                ? "with an explicit deny in a resource-based policy"
                : "with an explicit deny in an identity-based policy");
        }

        var allowed = sameAccount
            ? identity == PolicyDecision.Allow || resourceDecision == PolicyDecision.Allow
            : identity == PolicyDecision.Allow && resourceDecision == PolicyDecision.Allow;
        if (!allowed)
        {
            throw Denied(caller, action, resource, sameAccount
                ? "because no identity-based policy allows the " + action + " action"
                : "because no resource-based policy allows the " + action + " action");
        }
    }

    private static PolicyDecision EvaluateBucketPolicy(string json, CallerPrincipal caller, string action, string resource)
    {
        using var document = JsonDocument.Parse(json);
        var context = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:SecureTransport"] = "true",
            ["aws:PrincipalAccount"] = caller.AccountId,
            ["aws:PrincipalArn"] = caller.IamArn,
        };
        var statement = document.RootElement.GetProperty("Statement");
        var statements = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
        var matching = statements.Where(s => PrincipalMatches(s, caller)).Select(ToIdentityStatement).OfType<PolicyDocument>();
        return PolicyEvaluator.Evaluate(matching, action, resource, context);
    }

    /// <summary>The statement without its principal, as a one-statement identity policy; null for one the evaluator cannot read (it then matches nothing).</summary>
    private static PolicyDocument? ToIdentityStatement(JsonElement statement)
    {
        var node = JsonNode.Parse(statement.GetRawText())!.AsObject();
        node.Remove("Principal");
        node.Remove("NotPrincipal");
        node.Remove("Sid");
        var document = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(node) };
        try
        {
            return PolicyDocument.Parse(document.ToJsonString(), isTrustPolicy: false);
        }
        catch (Protocol.AwsServiceError)
        {
            return null;
        }
    }

    private static bool PrincipalMatches(JsonElement statement, CallerPrincipal caller)
    {
        if (!statement.TryGetProperty("Principal", out var principal))
        {
            return false;
        }

        if (principal.ValueKind == JsonValueKind.String)
        {
            return principal.GetString() == "*";
        }

        if (principal.ValueKind != JsonValueKind.Object || !principal.TryGetProperty("AWS", out var aws))
        {
            return false;
        }

        var names = aws.ValueKind == JsonValueKind.Array ? aws.EnumerateArray().Select(a => a.GetString()).ToList() : [aws.GetString()];
        return names.Any(n => n == "*" || n == caller.AccountId || n == "arn:aws:iam::" + caller.AccountId + ":root"
            || (caller.Kind != PrincipalKind.Root && (n == caller.IamArn || n == caller.Arn)));
    }

    private static S3Error Denied(CallerPrincipal caller, string action, string resource, string reason) =>
        new(403, "AccessDenied", $"User: {caller.Arn} is not authorized to perform: {action} on resource: \"{resource}\" {reason}");
}
