using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>
/// Authorization of an SQS call: the caller's identity policies (sqs:&lt;Action&gt; on the queue ARN, as every sandbox
/// service) and the queue's <c>Policy</c> attribute, a resource policy evaluated with the request context
/// (<c>aws:SecureTransport</c>, <c>aws:PrincipalAccount</c>, <c>aws:PrincipalArn</c>). As in IAM: an explicit Deny in
/// either wins (a queue policy's Deny binds the account root too); within the queue's account an Allow in either allows;
/// from another account both must allow.
/// </summary>
internal static class SqsAccess
{
    /// <summary>
    /// Throws AccessDenied unless <paramref name="caller"/> may call <paramref name="action"/> on <paramref name="resource"/>;
    /// <paramref name="queue"/> is the queue when it exists (its policy is then evaluated too).
    /// </summary>
    public static void Require(SandboxState state, CallerPrincipal caller, bool secureTransport, string action, string resource, SqsQueue? queue)
    {
        var identity = Authorizer.Decide(state, caller, action, resource);
        var resourceDecision = queue is not null && queue.Attributes.TryGetValue("Policy", out var policy)
            ? EvaluateQueuePolicy(policy, caller, action, resource, secureTransport)
            : PolicyDecision.ImplicitDeny;
        var sameAccount = queue is null || queue.AccountId == caller.AccountId;
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
            throw Denied(caller, action, resource, "because no identity-based policy allows the " + action + " action");
        }
    }

    /// <summary>Throws InvalidAttributeValue unless <paramref name="json"/> is a policy document SQS would store.</summary>
    public static void ValidatePolicy(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("Statement", out _))
            {
                throw SqsErrors.InvalidAttributeValue("Policy");
            }

            foreach (var statement in Statements(document.RootElement))
            {
                _ = ToIdentityStatementDocument(statement);
            }
        }
        catch (JsonException)
        {
            throw SqsErrors.InvalidAttributeValue("Policy");
        }
        catch (AwsServiceError error) when (error.Code == "MalformedPolicyDocument")
        {
            throw SqsErrors.InvalidAttributeValue("Policy");
        }
    }

    private static PolicyDecision EvaluateQueuePolicy(string json, CallerPrincipal caller, string action, string resource, bool secureTransport)
    {
        using var document = JsonDocument.Parse(json);
        var context = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:SecureTransport"] = secureTransport ? "true" : "false",
            ["aws:PrincipalAccount"] = caller.AccountId,
            ["aws:PrincipalArn"] = caller.IamArn,
        };
        var matching = Statements(document.RootElement).Where(s => PrincipalMatches(s, caller)).Select(ToIdentityStatementDocument);
        return PolicyEvaluator.Evaluate(matching, action, resource, context);
    }

    private static List<JsonElement> Statements(JsonElement root)
    {
        var statement = root.GetProperty("Statement");
        return statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : [statement];
    }

    /// <summary>The statement without its principal, as a one-statement identity policy (the evaluator then matches action, resource and conditions).</summary>
    private static PolicyDocument ToIdentityStatementDocument(JsonElement statement)
    {
        var node = JsonNode.Parse(statement.GetRawText())?.AsObject() ?? throw new AwsServiceError(400, "MalformedPolicyDocument", "Syntax errors in policy.");
        node.Remove("Principal");
        node.Remove("NotPrincipal");
        node.Remove("Sid");
        if (!node.ContainsKey("Resource") && !node.ContainsKey("NotResource"))
        {
            node["Resource"] = "*";
        }

        var document = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(node) };
        return PolicyDocument.Parse(document.ToJsonString(), isTrustPolicy: false);
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

    private static AwsServiceError Denied(CallerPrincipal caller, string action, string resource, string reason) =>
        new(403, "AccessDenied", string.Format(CultureInfo.InvariantCulture,
            "User: {0} is not authorized to perform: {1} on resource: {2} {3}", caller.Arn, action.ToLowerInvariant(), resource, reason));
}
