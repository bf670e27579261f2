using System.Text.Json;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox;

/// <summary>Temporary credentials of a role session, as EC2's instance metadata service hands them to an instance.</summary>
/// <param name="AccessKeyId">ASIA… key.</param>
/// <param name="SecretAccessKey">The secret key.</param>
/// <param name="SessionToken">The session token.</param>
/// <param name="Expiration">When the credentials expire.</param>
/// <param name="Arn">The assumed-role session ARN.</param>
public sealed record SandboxSessionCredentials(string AccessKeyId, string SecretAccessKey, string SessionToken, DateTimeOffset Expiration, string Arn);

public sealed partial class SandboxServer
{
    /// <summary>
    /// The credentials an EC2 instance launched with the instance profile would get from its metadata service:
    /// a session of the profile's role, only if the role's trust policy allows the service principal
    /// ec2.amazonaws.com to call sts:AssumeRole (as EC2 requires).
    /// </summary>
    /// <param name="accountId">The account holding the instance profile.</param>
    /// <param name="instanceProfileName">The instance profile's name.</param>
    /// <returns>The role session's credentials, valid for an hour.</returns>
    public SandboxSessionCredentials IssueInstanceProfileCredentials(string accountId, string instanceProfileName) =>
        IssueInstanceProfileCredentials(accountId, instanceProfileName, "i-" + IdGenerator.Hex(17));

    /// <summary>As <see cref="IssueInstanceProfileCredentials(string, string)"/>, with the session named after the instance, as EC2 names it.</summary>
    internal SandboxSessionCredentials IssueInstanceProfileCredentials(string accountId, string instanceProfileName, string sessionName)
    {
        lock (_state.Gate)
        {
            var iam = _state.Account(accountId).Iam;
            if (!iam.InstanceProfiles.TryGetValue(instanceProfileName, out var profile))
            {
                throw new ArgumentException($"Instance profile {instanceProfileName} does not exist in account {accountId}.");
            }

            if (profile.RoleName is null || !iam.Roles.TryGetValue(profile.RoleName, out var role))
            {
                throw new InvalidOperationException($"Instance profile {instanceProfileName} holds no role.");
            }

            if (!TrustsEc2(role.TrustPolicy))
            {
                throw new InvalidOperationException($"Role {role.Name} does not trust ec2.amazonaws.com, so EC2 cannot hand its credentials to an instance.");
            }

            var principal = new CallerPrincipal(
                accountId,
                PrincipalKind.AssumedRole,
                $"arn:aws:sts::{accountId}:assumed-role/{role.Name}/{sessionName}",
                role.RoleId + ":" + sessionName,
                role.Name,
                role.Arn,
                sessionName);
            var expiration = _state.Clock().AddHours(1);
            var credential = new IssuedCredential(IdGenerator.IamId("ASIA", 16), IdGenerator.Secret(), IdGenerator.SessionToken(), expiration, principal);
            _state.Credentials[credential.AccessKeyId] = credential;
            return new SandboxSessionCredentials(credential.AccessKeyId, credential.SecretAccessKey, credential.SessionToken!, expiration, principal.Arn);
        }
    }

    private static bool TrustsEc2(string trustPolicy)
    {
        using var document = JsonDocument.Parse(trustPolicy);
        if (!document.RootElement.TryGetProperty("Statement", out var statements))
        {
            return false;
        }

        var list = statements.ValueKind == JsonValueKind.Array ? statements.EnumerateArray().ToList() : [statements];
        return list.Any(s =>
            s.TryGetProperty("Effect", out var effect) && effect.GetString() == "Allow"
            && s.TryGetProperty("Principal", out var principal) && principal.ValueKind == JsonValueKind.Object
            && principal.TryGetProperty("Service", out var service) && Strings(service).Contains("ec2.amazonaws.com", StringComparer.Ordinal)
            && s.TryGetProperty("Action", out var action) && Strings(action).Any(a => a is "sts:AssumeRole" or "sts:*" or "*"));
    }

    private static List<string> Strings(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => [value.GetString() ?? string.Empty],
        JsonValueKind.Array => value.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList(),
        _ => [],
    };
}
