using System.Text.Json;
using System.Text.Json.Nodes;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Kms;

/// <summary>
/// KMS key policies: validation (MalformedPolicyDocumentException), the lockout safety check, and evaluation for a
/// caller (a statement naming the account root delegates to the caller's IAM policies, as the default key policy does)
/// or for a service principal with a request context (CloudTrail's check of a trail's key).
/// </summary>
internal static class KmsKeyPolicy
{
    /// <summary>Parses <paramref name="policy"/> the way PutKeyPolicy and CreateKey do.</summary>
    public static void Validate(string policy)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(policy);
        }
        catch (JsonException)
        {
            throw Malformed("The new key policy will not allow you to update the key policy in the future.");
        }

        if (root is not JsonObject document || document["Statement"] is not (JsonArray or JsonObject))
        {
            throw Malformed("Policy contains a statement with no principal or no action.");
        }

        foreach (var statement in Statements(document))
        {
            if (statement["Principal"] is null && statement["NotPrincipal"] is null || statement["Action"] is null && statement["NotAction"] is null)
            {
                throw Malformed("Policy contains a statement with no principal or no action.");
            }
        }
    }

    /// <summary>
    /// The lockout safety check: the policy must let the caller (or its account, through IAM) call PutKeyPolicy again,
    /// unless BypassPolicyLockoutSafetyCheck is set.
    /// </summary>
    public static void CheckLockout(string policy, CallerPrincipal caller, string keyArn)
    {
        var document = (JsonObject)JsonNode.Parse(policy)!;
        var direct = Evaluate(document, s => NamesCaller(s, caller), "kms:PutKeyPolicy", keyArn, Context(caller));
        var delegated = Evaluate(document, s => NamesRoot(s, caller.AccountId), "kms:PutKeyPolicy", keyArn, Context(caller));
        if (direct != PolicyDecision.Allow && delegated != PolicyDecision.Allow)
        {
            throw Malformed("The new key policy will not allow you to update the key policy in the future.");
        }
    }

    /// <summary>Whether the caller may call <paramref name="action"/> on the key (key policy, then IAM where it delegates).</summary>
    public static void Require(AwsRequestContext context, SandboxKmsKey key, string action)
    {
        if (context.IsControl)
        {
            return;
        }

        var caller = context.Caller;
        var document = (JsonObject)JsonNode.Parse(key.Policy)!;
        var direct = Evaluate(document, s => NamesCaller(s, caller), action, key.Arn, Context(caller));
        var delegated = Evaluate(document, s => NamesRoot(s, caller.AccountId), action, key.Arn, Context(caller));
        var identity = caller.AccountId == key.AccountId ? Authorizer.Decide(context.State, caller, action, key.Arn) : PolicyDecision.ImplicitDeny;
        if (direct == PolicyDecision.ExplicitDeny || delegated == PolicyDecision.ExplicitDeny || identity == PolicyDecision.ExplicitDeny)
        {
            throw Denied(caller, action, key.Arn, "with an explicit deny");
        }

        var allowed = direct == PolicyDecision.Allow || (delegated == PolicyDecision.Allow && (caller.Kind == PrincipalKind.Root || identity == PolicyDecision.Allow));
        if (!allowed)
        {
            throw Denied(caller, action, key.Arn, "because no resource-based policy allows the " + action + " action");
        }
    }

    /// <summary>Whether the key policy lets the AWS service <paramref name="servicePrincipal"/> call <paramref name="action"/> with <paramref name="context"/>.</summary>
    public static bool AllowsService(SandboxKmsKey key, string servicePrincipal, string action, IReadOnlyDictionary<string, string> context)
    {
        var document = (JsonObject)JsonNode.Parse(key.Policy)!;
        return Evaluate(document, s => NamesService(s, servicePrincipal), action, key.Arn, context) == PolicyDecision.Allow;
    }

    private static Dictionary<string, string> Context(CallerPrincipal caller) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["kms:CallerAccount"] = caller.AccountId,
        ["aws:PrincipalAccount"] = caller.AccountId,
        ["aws:PrincipalArn"] = caller.IamArn,
    };

    private static PolicyDecision Evaluate(JsonObject document, Func<JsonObject, bool> principalMatches, string action, string resource, IReadOnlyDictionary<string, string> context)
    {
        var matching = Statements(document).Where(principalMatches).Select(ToIdentityStatement).OfType<PolicyDocument>().ToList();
        return matching.Count == 0 ? PolicyDecision.ImplicitDeny : PolicyEvaluator.Evaluate(matching, action, resource, context);
    }

    private static IEnumerable<JsonObject> Statements(JsonObject document) => document["Statement"] switch
    {
        JsonArray array => array.OfType<JsonObject>(),
        JsonObject single => [single],
        _ => [],
    };

    private static List<string> Names(JsonObject statement, string kind) => statement["Principal"] switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text == "*" ? ["*"] : [],
        JsonObject principal => principal[kind] switch
        {
            JsonArray list => list.Select(n => n?.GetValue<string>() ?? string.Empty).ToList(),
            JsonValue one when one.TryGetValue<string>(out var name) => [name],
            _ => [],
        },
        _ => [],
    };

    private static bool NamesCaller(JsonObject statement, CallerPrincipal caller) =>
        Names(statement, "AWS").Any(n => n == "*" || n == caller.IamArn || n == caller.Arn);

    private static bool NamesRoot(JsonObject statement, string accountId) =>
        Names(statement, "AWS").Any(n => n == accountId || n == "arn:aws:iam::" + accountId + ":root");

    private static bool NamesService(JsonObject statement, string service) =>
        Names(statement, "Service").Contains(service, StringComparer.Ordinal) || Names(statement, "AWS").Contains("*", StringComparer.Ordinal);

    private static PolicyDocument? ToIdentityStatement(JsonObject statement)
    {
        var node = (JsonObject)statement.DeepClone();
        node.Remove("Principal");
        node.Remove("NotPrincipal");
        node.Remove("Sid");
        try
        {
            return PolicyDocument.Parse(new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = new JsonArray(node) }.ToJsonString(), isTrustPolicy: false);
        }
        catch (AwsServiceError)
        {
            return null;
        }
    }

    private static AwsServiceError Malformed(string message) => new(400, "MalformedPolicyDocumentException", message);

    private static AwsServiceError Denied(CallerPrincipal caller, string action, string resource, string reason) =>
        new(400, "AccessDeniedException", $"User: {caller.Arn} is not authorized to perform: {action} on resource: {resource} {reason}");
}
