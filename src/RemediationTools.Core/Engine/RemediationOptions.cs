using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Engine;

/// <summary>How the engine runs a request.</summary>
internal sealed class RemediationOptions
{
    /// <summary>Plan only: every result that would change something is <see cref="RemediationStatus.Planned"/>.</summary>
    public bool DryRun { get; set; }

    /// <summary>How port closers treat a range that merely contains the port.</summary>
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>Allow jobs marked disruptive (they stop instances or replace volumes).</summary>
    public bool AllowDisruptive { get; set; }

    /// <summary>Run this job on every finding, whatever its rule ID (the <c>-Job</c> parameter).</summary>
    public string? JobId { get; set; }

    /// <summary>The role to assume in accounts without an entry in <see cref="AccountRoles"/>; null = the caller's own credentials.</summary>
    public AccountRole? DefaultRole { get; set; }

    /// <summary>The role to assume per account ID.</summary>
    public IDictionary<string, AccountRole> AccountRoles { get; } = new Dictionary<string, AccountRole>(StringComparer.Ordinal);

    /// <summary>The role for <paramref name="accountId"/>: its own entry, else <see cref="DefaultRole"/>.</summary>
    public AccountRole? RoleFor(string? accountId)
        => accountId is not null && AccountRoles.TryGetValue(accountId, out var role) ? role : DefaultRole;
}
