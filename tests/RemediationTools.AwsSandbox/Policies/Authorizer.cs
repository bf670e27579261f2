using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Policies;

/// <summary>Decides whether the caller's identity policies allow an action on a resource.</summary>
internal static class Authorizer
{
    private const string AdministratorAccessArn = "arn:aws:iam::aws:policy/AdministratorAccess";
    private static readonly PolicyDocument AllowAll =
        PolicyDocument.Parse("""{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""", isTrustPolicy: false);

    /// <summary>Throws AccessDenied / UnauthorizedOperation unless <paramref name="action"/> is allowed.</summary>
    public static void Require(AwsRequestContext context, string action, string resource)
    {
        var decision = Decide(context.State, context.Caller, action, resource);
        if (decision != PolicyDecision.Allow)
        {
            throw Denied(context.Service, context.Caller, action, resource, decision);
        }
    }

    public static PolicyDecision Decide(SandboxState state, CallerPrincipal caller, string action, string resource, IReadOnlyDictionary<string, IReadOnlyList<string>>? multiValued = null)
    {
        if (caller.Kind == PrincipalKind.Root)
        {
            return PolicyDecision.Allow;
        }

        return PolicyEvaluator.Evaluate(IdentityPolicies(state, caller), action, resource, new Dictionary<string, string>(), multiValued);
    }

    public static AwsServiceError Denied(string service, CallerPrincipal caller, string action, string resource, PolicyDecision decision)
    {
        var reason = decision == PolicyDecision.ExplicitDeny
            ? "with an explicit deny in an identity-based policy"
            : $"because no identity-based policy allows the {action} action";
        var message = $"User: {caller.Arn} is not authorized to perform: {action} on resource: {resource} {reason}";
        return service == "ec2"
            ? new AwsServiceError(403, "UnauthorizedOperation", "You are not authorized to perform this operation. " + message)
            : new AwsServiceError(403, "AccessDenied", message);
    }

    private static IEnumerable<PolicyDocument> IdentityPolicies(SandboxState state, CallerPrincipal caller)
    {
        var iam = state.Account(caller.AccountId).Iam;
        IEnumerable<string> inline = [];
        IEnumerable<string> attached = [];
        if (caller.Kind == PrincipalKind.AssumedRole && caller.Name is { } roleName && iam.Roles.TryGetValue(roleName, out var role))
        {
            inline = role.InlinePolicies.Values;
            attached = role.AttachedPolicyArns;
        }
        else if (caller.Kind == PrincipalKind.User && caller.Name is { } userName && iam.Users.TryGetValue(userName, out var user))
        {
            inline = user.InlinePolicies.Values;
        }

        foreach (var document in inline)
        {
            yield return PolicyDocument.Parse(document, isTrustPolicy: false);
        }

        if (attached.Contains(AdministratorAccessArn, StringComparer.Ordinal))
        {
            yield return AllowAll;
        }
    }
}
