namespace RemediationTools.AwsSandbox.Iam;

/// <summary>
/// An account password policy as UpdateAccountPasswordPolicy leaves it: every parameter the call did not send is at
/// IAM's default (minimum length 6, no character type required, users may not change their password, passwords never
/// expire, reuse allowed, no hard expiry). Null <see cref="MaxPasswordAge"/> and <see cref="PasswordReusePrevention"/>
/// mean "not set" (the API cannot set their default 0 explicitly).
/// </summary>
internal sealed class IamPasswordPolicy
{
    public int MinimumPasswordLength { get; set; } = 6;

    public bool RequireSymbols { get; set; }

    public bool RequireNumbers { get; set; }

    public bool RequireUppercaseCharacters { get; set; }

    public bool RequireLowercaseCharacters { get; set; }

    public bool AllowUsersToChangePassword { get; set; }

    public int? MaxPasswordAge { get; set; }

    public int? PasswordReusePrevention { get; set; }

    public bool HardExpiry { get; set; }
}

/// <summary>An uploaded server certificate (its private key is never returned by any API).</summary>
internal sealed class IamServerCertificate
{
    public required string Name { get; init; }

    public required string Path { get; init; }

    public required string ServerCertificateId { get; init; }

    public required string Arn { get; init; }

    public required DateTimeOffset UploadDate { get; init; }

    public required DateTimeOffset Expiration { get; init; }

    public required string CertificateBody { get; init; }

    public List<KeyValuePair<string, string>> Tags { get; } = [];
}
