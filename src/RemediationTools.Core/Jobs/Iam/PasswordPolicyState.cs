using System.Globalization;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>
/// The whole account password policy, as read and as written back: UpdateAccountPasswordPolicy replaces the policy
/// and resets every parameter it is not sent to IAM's default, so a job sends every setting. Null
/// <see cref="MaxPasswordAge"/> and <see cref="PasswordReusePrevention"/> mean "not set" (IAM cannot be sent their
/// default, 0: they are left out). <see cref="Exists"/> false: the account has no policy.
/// </summary>
internal sealed class PasswordPolicyState
{
    /// <summary>IAM's range of MinimumPasswordLength.</summary>
    public const int MinLength = 6, MaxLength = 128;

    /// <summary>IAM's range of PasswordReusePrevention.</summary>
    public const int MinReuse = 1, MaxReuse = 24;

    /// <summary>The minimum length of the implicit policy AWS applies when an account has none.</summary>
    public const int ImplicitMinimumLength = 8;

    /// <summary>The API's MinimumPasswordLength when the parameter is not sent.</summary>
    public const int ApiDefaultMinimumLength = 6;

    /// <summary>False when the account has no password policy.</summary>
    public bool Exists { get; set; }

    public int MinimumPasswordLength { get; set; } = ApiDefaultMinimumLength;

    public bool RequireSymbols { get; set; }

    public bool RequireNumbers { get; set; }

    public bool RequireUppercaseCharacters { get; set; }

    public bool RequireLowercaseCharacters { get; set; }

    public bool AllowUsersToChangePassword { get; set; }

    public int? MaxPasswordAge { get; set; }

    public int? PasswordReusePrevention { get; set; }

    public bool HardExpiry { get; set; }

    /// <summary>No policy.</summary>
    public static PasswordPolicyState None => new() { Exists = false };

    /// <summary>The state of a policy read from IAM.</summary>
    public static PasswordPolicyState From(PasswordPolicy policy) => new()
    {
        Exists = true,
        MinimumPasswordLength = policy.MinimumPasswordLength ?? ApiDefaultMinimumLength,
        RequireSymbols = policy.RequireSymbols,
        RequireNumbers = policy.RequireNumbers,
        RequireUppercaseCharacters = policy.RequireUppercaseCharacters,
        RequireLowercaseCharacters = policy.RequireLowercaseCharacters,
        AllowUsersToChangePassword = policy.AllowUsersToChangePassword,
        MaxPasswordAge = policy.MaxPasswordAge is > 0 ? policy.MaxPasswordAge : null,
        PasswordReusePrevention = policy.PasswordReusePrevention is > 0 ? policy.PasswordReusePrevention : null,
        HardExpiry = policy.HardExpiry ?? false,
    };

    /// <summary>
    /// The first policy a job creates: never weaker than AWS's implicit one (8 characters, three of four character
    /// types): all four character types required (the API cannot say "three of four"), at least 8 characters, the rest
    /// at the API's defaults.
    /// </summary>
    public static PasswordPolicyState FirstPolicy() => new()
    {
        Exists = true,
        MinimumPasswordLength = ImplicitMinimumLength,
        RequireSymbols = true,
        RequireNumbers = true,
        RequireUppercaseCharacters = true,
        RequireLowercaseCharacters = true,
    };

    /// <summary>A copy.</summary>
    public PasswordPolicyState Copy() => (PasswordPolicyState)MemberwiseClone();

    /// <summary>The request that writes this policy whole.</summary>
    public UpdateAccountPasswordPolicyRequest ToRequest() => new()
    {
        MinimumPasswordLength = MinimumPasswordLength,
        RequireSymbols = RequireSymbols,
        RequireNumbers = RequireNumbers,
        RequireUppercaseCharacters = RequireUppercaseCharacters,
        RequireLowercaseCharacters = RequireLowercaseCharacters,
        AllowUsersToChangePassword = AllowUsersToChangePassword,
        MaxPasswordAge = MaxPasswordAge,
        PasswordReusePrevention = PasswordReusePrevention,
        HardExpiry = HardExpiry,
    };

    /// <summary>True when both are the same policy (or both none).</summary>
    public bool SameAs(PasswordPolicyState other) =>
        other is not null && Exists == other.Exists && (!Exists || Describe() == other.Describe());

    /// <summary>Every setting, for a result's before and after.</summary>
    public string Describe() => !Exists
        ? "no password policy (AWS applies its implicit one: at least 8 characters, three of the four character types)"
        : string.Join(
            ", ",
            "MinimumPasswordLength=" + MinimumPasswordLength.ToString(CultureInfo.InvariantCulture),
            "RequireUppercaseCharacters=" + Flag(RequireUppercaseCharacters),
            "RequireLowercaseCharacters=" + Flag(RequireLowercaseCharacters),
            "RequireNumbers=" + Flag(RequireNumbers),
            "RequireSymbols=" + Flag(RequireSymbols),
            "AllowUsersToChangePassword=" + Flag(AllowUsersToChangePassword),
            "MaxPasswordAge=" + (MaxPasswordAge?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            "PasswordReusePrevention=" + (PasswordReusePrevention?.ToString(CultureInfo.InvariantCulture) ?? "none"),
            "HardExpiry=" + Flag(HardExpiry));

    /// <inheritdoc />
    public override string ToString() => Describe();

    private static string Flag(bool value) => value ? "true" : "false";
}
