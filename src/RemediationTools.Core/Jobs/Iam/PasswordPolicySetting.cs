using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>The one setting of the account password policy a password policy job raises.</summary>
internal sealed class PasswordPolicySetting
{
    private PasswordPolicySetting(string name, string parameter, Func<RemediationOptions, int> target, Func<PasswordPolicyState, int?> get, Action<PasswordPolicyState, int?> set)
    {
        Name = name;
        Parameter = parameter;
        Target = target;
        Get = get;
        Set = set;
    }

    /// <summary><c>MinimumPasswordLength</c>, raised to <c>-MinimumLength</c>.</summary>
    public static PasswordPolicySetting MinimumLength { get; } = new(
        "MinimumPasswordLength",
        "-MinimumLength",
        o => o.MinimumPasswordLength,
        p => p.MinimumPasswordLength,
        (p, v) => p.MinimumPasswordLength = v ?? PasswordPolicyState.ApiDefaultMinimumLength);

    /// <summary><c>PasswordReusePrevention</c>, raised to <c>-ReusePrevention</c>.</summary>
    public static PasswordPolicySetting ReusePrevention { get; } = new(
        "PasswordReusePrevention",
        "-ReusePrevention",
        o => o.PasswordReusePrevention,
        p => p.PasswordReusePrevention,
        (p, v) => p.PasswordReusePrevention = v);

    /// <summary>The setting's name in the IAM API.</summary>
    public string Name { get; }

    /// <summary>The Invoke-Remediation parameter that sets the target.</summary>
    public string Parameter { get; }

    /// <summary>The value the job raises the setting to.</summary>
    public Func<RemediationOptions, int> Target { get; }

    /// <summary>The setting's value in a policy (null: not set).</summary>
    public Func<PasswordPolicyState, int?> Get { get; }

    /// <summary>Sets the setting in a policy.</summary>
    public Action<PasswordPolicyState, int?> Set { get; }
}
