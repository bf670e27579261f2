namespace RemediationTools;

/// <summary>Describes one remediation job of the catalog.</summary>
public sealed class RemediationJobInfo
{
    /// <summary>The job's ID, kebab-case (for example <c>security-group-close-port-5432</c>); the same name with underscores is an alias.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The other names the job is found by: its ID with underscores instead of hyphens.</summary>
    public IReadOnlyList<string> Aliases => Id.IndexOf('-') >= 0 ? RemediationList.From(new[] { Id.Replace('-', '_') }) : RemediationList.Empty<string>();

    /// <summary>The rule IDs of findings this job serves.</summary>
    public IReadOnlyList<string> RuleIds
    {
        get => ruleIds ?? RemediationList.Empty<string>();
        set => ruleIds = RemediationList.From(value);
    }

    private RemediationList<string>? ruleIds;

    /// <summary>
    /// The AWS Security Hub controls (for example <c>EC2.13</c>) whose findings (ASFF) this job fixes; empty when no control's
    /// check is exactly what the job fixes.
    /// </summary>
    public IReadOnlyList<string> SecurityHubControls
    {
        get => securityHubControls ?? RemediationList.Empty<string>();
        set => securityHubControls = RemediationList.From(value);
    }

    private RemediationList<string>? securityHubControls;

    /// <summary>The parameters of Invoke-Remediation that change what this job does, with their defaults.</summary>
    public IReadOnlyList<RemediationJobParameter> Parameters
    {
        get => parameters ?? RemediationList.Empty<RemediationJobParameter>();
        set => parameters = RemediationList.From(value);
    }

    private RemediationList<RemediationJobParameter>? parameters;

    /// <summary>A one-line title.</summary>
    public string Title { get; set; } = string.Empty;

    /// <summary>The AWS service, for example <c>EC2</c>.</summary>
    public string Service { get; set; } = string.Empty;

    /// <summary>The resource type named by the finding's ObjectId, for example <c>SecurityGroup</c>.</summary>
    public string ResourceType { get; set; } = string.Empty;

    /// <summary>What the change does to running workloads.</summary>
    public string Impact { get; set; } = string.Empty;

    /// <summary>The exact IAM actions the job calls.</summary>
    public IReadOnlyList<string> IamActions
    {
        get => iamActions ?? RemediationList.Empty<string>();
        set => iamActions = RemediationList.From(value);
    }

    private RemediationList<string>? iamActions;

    /// <summary>
    /// IAM actions that only undoing the job's change calls, beyond <see cref="IamActions"/> (for example recreating a
    /// deleted security group); empty when the undo needs nothing more.
    /// </summary>
    public IReadOnlyList<string> UndoIamActions
    {
        get => undoIamActions ?? RemediationList.Empty<string>();
        set => undoIamActions = RemediationList.From(value);
    }

    private RemediationList<string>? undoIamActions;

    /// <summary>True when the job stops instances or replaces volumes; it then runs only when disruptive jobs are allowed.</summary>
    public bool Disruptive { get; set; }

    /// <summary>
    /// True when the job deletes something or its change cannot be undone exactly (for example the undo recreates a
    /// deleted resource under a new ID). Invoke-Remediation then asks for confirmation as a High-impact change:
    /// with the default <c>$ConfirmPreference</c> the user is asked; automation passes <c>-Force</c> or <c>-Confirm:$false</c>.
    /// </summary>
    public bool Irreversible { get; set; }

    /// <summary>
    /// True when undoing the job's change deletes something or cannot restore the state exactly; Undo-Remediation then
    /// asks for confirmation as a High-impact change.
    /// </summary>
    public bool UndoIrreversible { get; set; }

    /// <summary><c>High</c> when <see cref="Irreversible"/> (Invoke-Remediation asks before the change), else <c>Medium</c>.</summary>
    public string ConfirmImpact => Irreversible ? "High" : "Medium";

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>A parameter of Invoke-Remediation that changes what a job does.</summary>
public sealed class RemediationJobParameter
{
    /// <summary>The parameter's name, without the dash (for example <c>KmsKeyId</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>What the parameter changes in the job.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>What the job does without the parameter.</summary>
    public string DefaultValue { get; set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => "-" + Name;
}
