
namespace RemediationTools;

/// <summary>Whether a cloud account is ready for remediation: Test-RemediationAccountRole's report.</summary>
public sealed class RemediationAccountRoleReport
{
    /// <summary>The account role checked.</summary>
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>The cloud account.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>The external ID the role was assumed with.</summary>
    public string ExternalId { get; set; } = string.Empty;

    /// <summary>The jobs whose actions the role must grant.</summary>
    public IReadOnlyList<string> Jobs
    {
        get => jobs ?? RemediationList.Empty<string>();
        set => jobs = RemediationList.From(value);
    }

    private RemediationList<string>? jobs;

    /// <summary>True when the role was checked for the jobs' undo actions too (<c>-IncludeUndo</c>).</summary>
    public bool IncludeUndo { get; set; }

    /// <summary>True when the role can be assumed with the external ID, is refused without it or with a wrong one, and grants every action of the jobs.</summary>
    public bool IsReady { get; set; }

    /// <summary>The source credentials assumed the role with the external ID.</summary>
    public bool CanAssume { get; set; }

    /// <summary>Assuming the role without the external ID and with a wrong one were both refused.</summary>
    public bool ExternalIdEnforced { get; set; }

    /// <summary>The role's policies could be read.</summary>
    public bool PoliciesRead { get; set; }

    /// <summary>Actions the jobs need that the role's policies do not grant.</summary>
    public IReadOnlyList<string> MissingActions
    {
        get => missingActions ?? RemediationList.Empty<string>();
        set => missingActions = RemediationList.From(value);
    }

    private RemediationList<string>? missingActions;

    /// <summary>Actions the role's policies grant beyond the jobs' (drift from least privilege).</summary>
    public IReadOnlyList<string> ExcessActions
    {
        get => excessActions ?? RemediationList.Empty<string>();
        set => excessActions = RemediationList.From(value);
    }

    private RemediationList<string>? excessActions;

    /// <summary>True when the role grants more than the jobs need (excess actions or managed policies attached).</summary>
    public bool HasDrift { get; set; }

    /// <summary>Every problem found, one sentence each; empty for a ready role without drift.</summary>
    public IReadOnlyList<string> Findings
    {
        get => findings ?? RemediationList.Empty<string>();
        set => findings = RemediationList.From(value);
    }

    private RemediationList<string>? findings;

    /// <inheritdoc />
    public override string ToString() => RoleArn + (IsReady ? " ready" : " not ready");
}
