namespace RemediationTools.AwsSandbox.Auth;

/// <summary>What kind of identity signed a request.</summary>
internal enum PrincipalKind
{
    Root,
    User,
    AssumedRole,
}

/// <summary>The identity behind an access key, as GetCallerIdentity reports it.</summary>
/// <param name="AccountId">12-digit account.</param>
/// <param name="Kind">Root, IAM user or assumed-role session.</param>
/// <param name="Arn">arn:aws:iam::A:root, arn:aws:iam::A:user/N or arn:aws:sts::A:assumed-role/R/S.</param>
/// <param name="UserId">Account id, AIDA… or AROA…:session.</param>
/// <param name="Name">User name or role name; null for root.</param>
/// <param name="IamArn">The IAM ARN of the user or role (arn:aws:iam::A:role/path/R); the account root ARN for root.</param>
/// <param name="SessionName">Role session name for assumed roles.</param>
internal sealed record CallerPrincipal(string AccountId, PrincipalKind Kind, string Arn, string UserId, string? Name, string IamArn, string? SessionName);

/// <summary>An access key the sandbox has issued.</summary>
internal sealed record IssuedCredential(string AccessKeyId, string SecretAccessKey, string? SessionToken, DateTimeOffset? Expiration, CallerPrincipal Principal);
