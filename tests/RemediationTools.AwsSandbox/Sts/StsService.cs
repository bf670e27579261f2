using System.Text.RegularExpressions;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sts;

/// <summary>AWS STS (API version 2011-06-15): GetCallerIdentity and AssumeRole.</summary>
internal sealed partial class StsService : IAwsService
{
    private static readonly XNamespace Ns = AwsXml.Sts;

    public string? Handle(AwsRequestContext context) => context.Action switch
    {
        "GetCallerIdentity" => GetCallerIdentity(context),
        "AssumeRole" => AssumeRole(context),
        _ => null,
    };

    private static string GetCallerIdentity(AwsRequestContext context)
    {
        // GetCallerIdentity needs no permission: AWS answers it even when a policy denies it.
        var caller = context.Caller;
        return AwsXml.QueryResponse(Ns, context.Action, context.RequestId, [
            new XElement(Ns + "Arn", caller.Arn),
            new XElement(Ns + "UserId", caller.UserId),
            new XElement(Ns + "Account", caller.AccountId),
        ]);
    }

    private static string AssumeRole(AwsRequestContext context)
    {
        var args = context.Args;
        var caller = context.Caller;
        var roleArn = args.Get("RoleArn") ?? throw Validation("Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
        var sessionName = args.Get("RoleSessionName") ?? throw Validation("Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
        if (!SessionNamePattern().IsMatch(sessionName))
        {
            throw Validation($"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        }

        if (roleArn.Length < 20)
        {
            throw Validation($"Value '{roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
        }

        var externalId = args.Get("ExternalId");
        if (externalId is not null && (externalId.Length < 2 || externalId.Length > 1224))
        {
            throw Validation($"Value '{externalId}' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2");
        }

        var duration = args.GetInt("DurationSeconds") ?? 3600;
        if (duration < 900)
        {
            throw Validation($"Value '{duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900");
        }

        if (caller.Kind == PrincipalKind.Root)
        {
            // AWS refuses AssumeRole signed with an account's root user keys.
            throw new AwsServiceError(403, "AccessDenied", "Roles may not be assumed by root accounts.");
        }

        var denied = new AwsServiceError(403, "AccessDenied", $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        var match = RoleArnPattern().Match(roleArn);
        if (!match.Success)
        {
            throw Validation($"{roleArn} is invalid");
        }

        var roleAccountId = match.Groups["account"].Value;
        var roleName = match.Groups["name"].Value;
        if (!context.State.Accounts.TryGetValue(roleAccountId, out var roleAccount)
            || !roleAccount.Iam.Roles.TryGetValue(roleName, out var role)
            || role.Arn != roleArn)
        {
            throw denied;
        }

        var conditionContext = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["aws:PrincipalAccount"] = caller.AccountId,
            ["aws:PrincipalArn"] = caller.IamArn,
            ["sts:RoleSessionName"] = sessionName,
        };
        if (externalId is not null)
        {
            conditionContext["sts:ExternalId"] = externalId;
        }

        // IAM puts aws:PrincipalOrgID in the request context only when the caller's account is in an organization.
        if (context.State.Accounts.TryGetValue(caller.AccountId, out var callerAccount) && callerAccount.OrganizationId is { } organizationId)
        {
            conditionContext["aws:PrincipalOrgID"] = organizationId;
        }

        var trust = PolicyEvaluator.EvaluateTrust(PolicyDocument.Parse(role.TrustPolicy, isTrustPolicy: true), caller, "sts:AssumeRole", conditionContext, out var namesCallerExactly);
        if (trust != PolicyDecision.Allow)
        {
            throw denied;
        }

        // Same account and the trust policy names the caller itself: the trust policy alone grants access.
        // Otherwise the caller's own identity policies must allow sts:AssumeRole on the role.
        var sameAccountExplicit = roleAccountId == caller.AccountId && namesCallerExactly;
        var identity = Authorizer.Decide(context.State, caller, "sts:AssumeRole", roleArn);
        if (identity == PolicyDecision.ExplicitDeny || (!sameAccountExplicit && identity != PolicyDecision.Allow))
        {
            throw denied;
        }

        if (duration > role.MaxSessionDuration)
        {
            throw Validation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        }

        if (caller.Kind == PrincipalKind.AssumedRole && duration > 3600)
        {
            throw Validation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
        }

        var expiration = context.Now.AddSeconds(duration);
        var assumedRoleId = role.RoleId + ":" + sessionName;
        var principal = new CallerPrincipal(
            roleAccountId,
            PrincipalKind.AssumedRole,
            $"arn:aws:sts::{roleAccountId}:assumed-role/{role.Name}/{sessionName}",
            assumedRoleId,
            role.Name,
            role.Arn,
            sessionName);
        var credential = new IssuedCredential(IdGenerator.IamId("ASIA", 16), IdGenerator.Secret(), IdGenerator.SessionToken(), expiration, principal);
        context.State.Credentials[credential.AccessKeyId] = credential;

        return AwsXml.QueryResponse(Ns, context.Action, context.RequestId, [
            new XElement(
                Ns + "Credentials",
                new XElement(Ns + "AccessKeyId", credential.AccessKeyId),
                new XElement(Ns + "SecretAccessKey", credential.SecretAccessKey),
                new XElement(Ns + "SessionToken", credential.SessionToken),
                new XElement(Ns + "Expiration", AwsXml.Timestamp(expiration))),
            new XElement(
                Ns + "AssumedRoleUser",
                new XElement(Ns + "AssumedRoleId", assumedRoleId),
                new XElement(Ns + "Arn", principal.Arn)),
        ]);
    }

    private static AwsServiceError Validation(string message) => new(400, "ValidationError", message.StartsWith("Value", StringComparison.Ordinal) ? "1 validation error detected: " + message : message);

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    [GeneratedRegex(@"^arn:aws:iam::(?<account>\d{12}):role/(?:[\x21-\x7E]*/)?(?<name>[\w+=,.@-]{1,64})$")]
    private static partial Regex RoleArnPattern();
}
