using RemediationTools.AwsSandbox.Auth;

namespace RemediationTools.AwsSandbox.Policies;

/// <summary>The outcome of evaluating policies for one request.</summary>
internal enum PolicyDecision
{
    ImplicitDeny,
    Allow,
    ExplicitDeny,
}

/// <summary>
/// Evaluates identity policies and trust policies the way IAM does for a single account: an
/// explicit Deny wins, otherwise any matching Allow allows, otherwise the request is implicitly denied.
/// </summary>
internal static class PolicyEvaluator
{
    public static PolicyDecision Evaluate(IEnumerable<PolicyDocument> policies, string action, string resource, IReadOnlyDictionary<string, string> context)
    {
        var allowed = false;
        foreach (var statement in policies.SelectMany(p => p.Statements))
        {
            if (!ActionMatches(statement, action) || !ResourceMatches(statement, resource) || !ConditionsHold(statement.Conditions, context))
            {
                continue;
            }

            if (statement.Effect == PolicyEffect.Deny)
            {
                return PolicyDecision.ExplicitDeny;
            }

            allowed = true;
        }

        return allowed ? PolicyDecision.Allow : PolicyDecision.ImplicitDeny;
    }

    /// <summary>
    /// Evaluates a role trust policy for <paramref name="caller"/>. <paramref name="namesCallerExactly"/>
    /// is true when an allowing statement names the caller's own ARN rather than its account.
    /// </summary>
    public static PolicyDecision EvaluateTrust(PolicyDocument trust, CallerPrincipal caller, string action, IReadOnlyDictionary<string, string> context, out bool namesCallerExactly)
    {
        namesCallerExactly = false;
        var allowed = false;
        foreach (var statement in trust.Statements)
        {
            if (!ActionMatches(statement, action) || !ConditionsHold(statement.Conditions, context))
            {
                continue;
            }

            var match = PrincipalMatch(statement, caller);
            if (match == PrincipalMatchKind.None)
            {
                continue;
            }

            if (statement.Effect == PolicyEffect.Deny)
            {
                return PolicyDecision.ExplicitDeny;
            }

            allowed = true;
            namesCallerExactly |= match == PrincipalMatchKind.Exact;
        }

        return allowed ? PolicyDecision.Allow : PolicyDecision.ImplicitDeny;
    }

    private enum PrincipalMatchKind
    {
        None,
        Account,
        Exact,
    }

    private static PrincipalMatchKind PrincipalMatch(PolicyStatement statement, CallerPrincipal caller)
    {
        if (statement.AnyPrincipal)
        {
            return PrincipalMatchKind.Account;
        }

        var best = PrincipalMatchKind.None;
        foreach (var principal in statement.AwsPrincipals ?? [])
        {
            if (principal == "*" || principal == caller.AccountId || principal == $"arn:aws:iam::{caller.AccountId}:root")
            {
                best = best == PrincipalMatchKind.Exact ? best : PrincipalMatchKind.Account;
            }
            else if (caller.Kind != PrincipalKind.Root && (principal == caller.IamArn || principal == caller.Arn))
            {
                best = PrincipalMatchKind.Exact;
            }
        }

        return best;
    }

    private static bool ActionMatches(PolicyStatement statement, string action)
    {
        if (statement.Actions is { } actions)
        {
            return actions.Any(a => WildcardPattern.IsMatch(a, action, ignoreCase: true));
        }

        return statement.NotActions is { } notActions && !notActions.Any(a => WildcardPattern.IsMatch(a, action, ignoreCase: true));
    }

    private static bool ResourceMatches(PolicyStatement statement, string resource)
    {
        if (statement.Resources is { } resources)
        {
            return resources.Any(r => WildcardPattern.IsMatch(r, resource, ignoreCase: false));
        }

        if (statement.NotResources is { } notResources)
        {
            return !notResources.Any(r => WildcardPattern.IsMatch(r, resource, ignoreCase: false));
        }

        // Trust policies have no Resource: the role itself is the resource.
        return true;
    }

    /// <summary>The string condition operators; an operator the sandbox does not know never holds.</summary>
    private static bool ConditionsHold(IReadOnlyList<PolicyCondition> conditions, IReadOnlyDictionary<string, string> context)
    {
        foreach (var condition in conditions)
        {
            var op = condition.Operator;
            var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
            if (ifExists)
            {
                op = op[..^"IfExists".Length];
            }

            var key = context.Keys.FirstOrDefault(k => string.Equals(k, condition.Key, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                var holdsWhenMissing = ifExists || op is "StringNotEquals" or "StringNotLike" or "StringNotEqualsIgnoreCase";
                if (!holdsWhenMissing)
                {
                    return false;
                }

                continue;
            }

            var value = context[key];
            var holds = op switch
            {
                "StringEquals" => condition.Values.Any(v => string.Equals(v, value, StringComparison.Ordinal)),
                "StringNotEquals" => !condition.Values.Any(v => string.Equals(v, value, StringComparison.Ordinal)),
                "StringEqualsIgnoreCase" => condition.Values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
                "StringNotEqualsIgnoreCase" => !condition.Values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
                "StringLike" => condition.Values.Any(v => WildcardPattern.IsMatch(v, value, ignoreCase: false)),
                "StringNotLike" => !condition.Values.Any(v => WildcardPattern.IsMatch(v, value, ignoreCase: false)),
                "Bool" => condition.Values.Any(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)),
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }
}
