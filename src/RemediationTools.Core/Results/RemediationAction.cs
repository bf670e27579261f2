namespace RemediationTools;

/// <summary>One change a job makes (or would make), with the state before and after in readable form.</summary>
public sealed class RemediationAction
{
    /// <summary>The AWS API action, as an IAM action name, for example <c>ec2:RevokeSecurityGroupIngress</c>.</summary>
    public string Operation { get; set; } = string.Empty;

    /// <summary>The resource changed, for example a security group ID.</summary>
    public string Target { get; set; } = string.Empty;

    /// <summary>What the change does, in one sentence.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>The state before the change, for example <c>tcp 5432 from 0.0.0.0/0</c>; null when the change adds something new.</summary>
    public string? Before { get; set; }

    /// <summary>The state after the change; null when the change removes something.</summary>
    public string? After { get; set; }

    /// <summary>The change in one line, <c>Operation Target: Before -> After</c> (<c>(none)</c> for a missing side), as CSV and string expansion show it.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Operation} {Target}: {Side(Before)} -> {Side(After)}";

    private static string Side(string? state) => string.IsNullOrEmpty(state) ? "(none)" : state!;
}
