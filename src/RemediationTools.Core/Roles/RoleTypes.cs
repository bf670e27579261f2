namespace RemediationTools;

/// <summary>What a New-Remediation*Role run did to the role.</summary>
// Based on long so that ConvertTo-Json writes it by name (see RemediationStatus).
public enum RemediationRoleStatus : long
{
    /// <summary>The role already matched the request; nothing was changed.</summary>
    Unchanged,

    /// <summary>The role did not exist and was created.</summary>
    Created,

    /// <summary>The role existed and was brought in line with the request.</summary>
    Updated,
}

/// <summary>The role a remediation worker assumes in a cloud account, as New-RemediationAccountRole left it.</summary>
public sealed class RemediationAccountRole
{
    /// <summary>The role's name.</summary>
    public string RoleName { get; set; } = string.Empty;

    /// <summary>The role's ARN; binds to <c>-RoleArn</c> of New-RemediationWorkerRole and the worker-group cmdlets.</summary>
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>The external ID (the organization ID) the trust policy requires.</summary>
    public string ExternalId { get; set; } = string.Empty;

    /// <summary>The cloud account that holds the role.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>The IDs of the jobs whose actions the role's permission policy grants.</summary>
    public IReadOnlyList<string> Jobs
    {
        get => jobs ?? RemediationList.Empty<string>();
        set => jobs = RemediationList.From(value);
    }

    private RemediationList<string>? jobs;

    /// <summary>True when the permission policy also grants the jobs' undo actions; binds to <c>-IncludeUndo</c> of Test-RemediationAccountRole.</summary>
    public bool IncludeUndo { get; set; }

    /// <summary>The principal the trust policy lets assume the role (the worker role, or the hosting account's root).</summary>
    public string TrustedPrincipal { get; set; } = string.Empty;

    /// <summary>
    /// The pattern the trust policy requires of the caller's ARN (<c>ArnLike aws:PrincipalArn</c>, from
    /// <c>-TrustedRoleName</c>), or null when any principal of <see cref="TrustedPrincipal"/>'s account may assume the role.
    /// </summary>
    public string? TrustedPrincipalArnPattern { get; set; }

    /// <summary>The organization the trust policy requires of the caller's account (<c>aws:PrincipalOrgID</c>), or null.</summary>
    public string? TrustedOrganizationId { get; set; }

    /// <summary>Created, Updated or Unchanged.</summary>
    public RemediationRoleStatus Status { get; set; }

    /// <summary>What was changed, one line per change; empty when Unchanged.</summary>
    public IReadOnlyList<string> Changes
    {
        get => changes ?? RemediationList.Empty<string>();
        set => changes = RemediationList.From(value);
    }

    private RemediationList<string>? changes;

    /// <inheritdoc />
    public override string ToString() => RoleArn;
}

/// <summary>The EC2 role and instance profile of remediation workers in the hosting account.</summary>
public sealed class RemediationWorkerRole
{
    /// <summary>The role's name.</summary>
    public string RoleName { get; set; } = string.Empty;

    /// <summary>The role's ARN; pass it to New-RemediationAccountRole -WorkerRoleArn.</summary>
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>The instance profile that holds the role.</summary>
    public string InstanceProfileName { get; set; } = string.Empty;

    /// <summary>The instance profile's ARN.</summary>
    public string InstanceProfileArn { get; set; } = string.Empty;

    /// <summary>The hosting account.</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>The account role ARNs the worker may assume (or the wildcard when any role is allowed).</summary>
    public IReadOnlyList<string> AccountRoleArns
    {
        get => accountRoleArns ?? RemediationList.Empty<string>();
        set => accountRoleArns = RemediationList.From(value);
    }

    private RemediationList<string>? accountRoleArns;

    /// <summary>Created, Updated or Unchanged.</summary>
    public RemediationRoleStatus Status { get; set; }

    /// <summary>What was changed, one line per change; empty when Unchanged.</summary>
    public IReadOnlyList<string> Changes
    {
        get => changes ?? RemediationList.Empty<string>();
        set => changes = RemediationList.From(value);
    }

    private RemediationList<string>? changes;

    /// <inheritdoc />
    public override string ToString() => RoleArn;
}
