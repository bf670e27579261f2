using System.Text.Json;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Policies;

/// <summary>Whether a statement allows or denies.</summary>
internal enum PolicyEffect
{
    Allow,
    Deny,
}

/// <summary>One condition entry, e.g. <c>StringEquals: { "sts:ExternalId": ["x"] }</c>.</summary>
internal sealed record PolicyCondition(string Operator, string Key, IReadOnlyList<string> Values);

/// <summary>One statement of an IAM policy.</summary>
internal sealed record PolicyStatement(
    PolicyEffect Effect,
    IReadOnlyList<string>? Actions,
    IReadOnlyList<string>? NotActions,
    IReadOnlyList<string>? Resources,
    IReadOnlyList<string>? NotResources,
    IReadOnlyList<string>? AwsPrincipals,
    bool AnyPrincipal,
    IReadOnlyList<PolicyCondition> Conditions);

/// <summary>A parsed and validated IAM policy document (identity policy or role trust policy).</summary>
internal sealed class PolicyDocument
{
    private PolicyDocument(IReadOnlyList<PolicyStatement> statements) => Statements = statements;

    public IReadOnlyList<PolicyStatement> Statements { get; }

    /// <summary>Parses a document, throwing MalformedPolicyDocument (400) as IAM does.</summary>
    public static PolicyDocument Parse(string json, bool isTrustPolicy)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw Malformed("Syntax errors in policy.");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("Syntax errors in policy.");
            }

            if (root.TryGetProperty("Version", out var version)
                && (version.ValueKind != JsonValueKind.String || version.GetString() is not ("2012-10-17" or "2008-10-17")))
            {
                throw Malformed("The policy failed legacy parsing");
            }

            if (!root.TryGetProperty("Statement", out var statementElement))
            {
                throw Malformed("Syntax errors in policy.");
            }

            var statements = new List<PolicyStatement>();
            if (statementElement.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in statementElement.EnumerateArray())
                {
                    statements.Add(ParseStatement(item, isTrustPolicy));
                }
            }
            else
            {
                statements.Add(ParseStatement(statementElement, isTrustPolicy));
            }

            return new PolicyDocument(statements);
        }
    }

    /// <summary>The length IAM counts against its size quotas: every character except whitespace.</summary>
    public static int CountedLength(string json) => json.Count(c => !char.IsWhiteSpace(c));

    private static PolicyStatement ParseStatement(JsonElement element, bool isTrustPolicy)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Syntax errors in policy.");
        }

        var effectText = element.TryGetProperty("Effect", out var effect) && effect.ValueKind == JsonValueKind.String ? effect.GetString() : null;
        var parsedEffect = effectText switch
        {
            "Allow" => PolicyEffect.Allow,
            "Deny" => PolicyEffect.Deny,
            null => throw Malformed("Missing required field Effect"),
            _ => throw Malformed("Invalid effect: " + effectText),
        };

        var actions = StringList(element, "Action");
        var notActions = StringList(element, "NotAction");
        if (actions is null && notActions is null)
        {
            throw Malformed(isTrustPolicy ? "Missing required field Action" : "Policy statement must contain actions.");
        }

        var resources = StringList(element, "Resource");
        var notResources = StringList(element, "NotResource");
        var hasPrincipal = element.TryGetProperty("Principal", out var principal) | element.TryGetProperty("NotPrincipal", out _);
        if (isTrustPolicy)
        {
            if (resources is not null || notResources is not null)
            {
                throw Malformed("Has prohibited field Resource");
            }

            if (!hasPrincipal)
            {
                throw Malformed("Missing required field Principal");
            }
        }
        else
        {
            if (hasPrincipal)
            {
                throw Malformed("Policy document should not specify a principal.");
            }

            if (resources is null && notResources is null)
            {
                throw Malformed("Policy statement must contain resources.");
            }
        }

        IReadOnlyList<string>? awsPrincipals = null;
        var anyPrincipal = false;
        if (isTrustPolicy && element.TryGetProperty("Principal", out principal))
        {
            if (principal.ValueKind == JsonValueKind.String)
            {
                anyPrincipal = principal.GetString() == "*" ? true : throw Malformed("Invalid principal in policy");
            }
            else if (principal.ValueKind == JsonValueKind.Object)
            {
                awsPrincipals = StringList(principal, "AWS");
                foreach (var property in principal.EnumerateObject())
                {
                    if (property.Name is not ("AWS" or "Service" or "Federated" or "CanonicalUser"))
                    {
                        throw Malformed("Invalid principal in policy");
                    }
                }
            }
            else
            {
                throw Malformed("Invalid principal in policy");
            }
        }

        return new PolicyStatement(parsedEffect, actions, notActions, resources, notResources, awsPrincipals, anyPrincipal, Conditions(element));
    }

    private static List<PolicyCondition> Conditions(JsonElement statement)
    {
        var result = new List<PolicyCondition>();
        if (!statement.TryGetProperty("Condition", out var condition))
        {
            return result;
        }

        if (condition.ValueKind != JsonValueKind.Object)
        {
            throw Malformed("Syntax errors in policy.");
        }

        foreach (var op in condition.EnumerateObject())
        {
            if (op.Value.ValueKind != JsonValueKind.Object)
            {
                throw Malformed("Syntax errors in policy.");
            }

            foreach (var key in op.Value.EnumerateObject())
            {
                result.Add(new PolicyCondition(op.Name, key.Name, Values(key.Value)));
            }
        }

        return result;
    }

    private static List<string>? StringList(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? Values(value) : null;

    private static List<string> Values(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString()!],
        JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number => [value.GetRawText()],
        JsonValueKind.Array => value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : v.GetRawText()).ToList(),
        _ => throw Malformed("Syntax errors in policy."),
    };

    private static AwsServiceError Malformed(string message) => new(400, "MalformedPolicyDocument", message);
}
