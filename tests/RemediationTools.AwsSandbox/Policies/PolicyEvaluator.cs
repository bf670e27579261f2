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
    /// <param name="policies">The identity policies.</param>
    /// <param name="action">The IAM action.</param>
    /// <param name="resource">The resource ARN.</param>
    /// <param name="context">Single-valued condition keys.</param>
    /// <param name="multiValued">Multi-valued condition keys (e.g. dynamodb:LeadingKeys), for ForAllValues:/ForAnyValue: operators.</param>
    public static PolicyDecision Evaluate(IEnumerable<PolicyDocument> policies, string action, string resource, IReadOnlyDictionary<string, string> context, IReadOnlyDictionary<string, IReadOnlyList<string>>? multiValued = null)
    {
        var allowed = false;
        foreach (var statement in policies.SelectMany(p => p.Statements))
        {
            if (!ActionMatches(statement, action) || !ResourceMatches(statement, resource) || !ConditionsHold(statement.Conditions, context, multiValued))
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
    private static bool ConditionsHold(IReadOnlyList<PolicyCondition> conditions, IReadOnlyDictionary<string, string> context, IReadOnlyDictionary<string, IReadOnlyList<string>>? multiValued = null)
    {
        foreach (var condition in conditions)
        {
            if (SetOperatorHolds(condition, context, multiValued) is { } setHolds)
            {
                if (!setHolds)
                {
                    return false;
                }

                continue;
            }

            var op = condition.Operator;
            var ifExists = op.EndsWith("IfExists", StringComparison.Ordinal);
            if (ifExists)
            {
                op = op[..^"IfExists".Length];
            }

            var key = context.Keys.FirstOrDefault(k => string.Equals(k, condition.Key, StringComparison.OrdinalIgnoreCase));
            if (key is null)
            {
                var holdsWhenMissing = ifExists || op is "StringNotEquals" or "StringNotLike" or "StringNotEqualsIgnoreCase" or "ArnNotEquals" or "ArnNotLike";
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
                "ArnEquals" or "ArnLike" => condition.Values.Any(v => WildcardPattern.IsMatch(v, value, ignoreCase: false)),
                "ArnNotEquals" or "ArnNotLike" => !condition.Values.Any(v => WildcardPattern.IsMatch(v, value, ignoreCase: false)),
                _ => false,
            };
            if (!holds)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// ForAllValues:/ForAnyValue: operators over a multi-valued key: ForAllValues holds when every request value matches
    /// (so also when the request has none, as in IAM), ForAnyValue when at least one does. Null for other operators.
    /// </summary>
    private static bool? SetOperatorHolds(PolicyCondition condition, IReadOnlyDictionary<string, string> context, IReadOnlyDictionary<string, IReadOnlyList<string>>? multiValued)
    {
        var forAll = condition.Operator.StartsWith("ForAllValues:", StringComparison.OrdinalIgnoreCase);
        if (!forAll && !condition.Operator.StartsWith("ForAnyValue:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var inner = condition.Operator[(condition.Operator.IndexOf(':', StringComparison.Ordinal) + 1)..];
        IReadOnlyList<string> values = multiValued?.FirstOrDefault(p => string.Equals(p.Key, condition.Key, StringComparison.OrdinalIgnoreCase)).Value
            ?? (context.FirstOrDefault(p => string.Equals(p.Key, condition.Key, StringComparison.OrdinalIgnoreCase)) is { Key: not null } single ? [single.Value] : []);
        var one = new PolicyCondition(inner, condition.Key, condition.Values);
        bool Matches(string value) => ConditionsHold([one], new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [condition.Key] = value });
        return forAll ? values.All(Matches) : values.Any(Matches);
    }
}
