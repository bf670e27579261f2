namespace RemediationTools;

/// <summary>One statement of a permission policy the module generates.</summary>
public sealed class RemediationPolicyStatement
{
    /// <summary>The statement ID (letters and digits), for example <c>Ec2</c> or <c>AssumeAccountRoles</c>.</summary>
    public string Sid { get; set; } = string.Empty;

    /// <summary>Always <c>Allow</c>: the module never writes deny statements.</summary>
    public string Effect { get; set; } = "Allow";

    /// <summary>The IAM actions, sorted and without duplicates.</summary>
    public IReadOnlyList<string> Action { get; set; } = Array.Empty<string>();

    /// <summary>The resources the actions apply to.</summary>
    public IReadOnlyList<string> Resource { get; set; } = Array.Empty<string>();

    /// <summary>The condition, as IAM writes it (operator, then key, then values); null when the statement has none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>? Condition { get; set; }
}

/// <summary>
/// The least-privilege permission policy of a set of remediation jobs: the union of their IAM actions, as
/// statements and as IAM policy documents that each fit IAM's size limit.
/// </summary>
public sealed class RemediationPolicy
{
    /// <summary>The IDs of the jobs the policy serves, in catalog order.</summary>
    public IReadOnlyList<string> Jobs { get; set; } = Array.Empty<string>();

    /// <summary>The worker groups on the AWS store whose queues and table partition the policy serves (<c>-WorkerGroup</c>).</summary>
    public IReadOnlyList<string> WorkerGroups { get; set; } = Array.Empty<string>();

    /// <summary>True when the policy also grants the actions only undoing the jobs' changes calls (<c>-IncludeUndo</c>).</summary>
    public bool IncludeUndo { get; set; }

    /// <summary>Every IAM action of the jobs (with <see cref="IncludeUndo"/>, and of their undo), de-duplicated (case-insensitively) and sorted.</summary>
    public IReadOnlyList<string> Actions { get; set; } = Array.Empty<string>();

    /// <summary>The statements, one per AWS service (split further only when one would not fit a document).</summary>
    public IReadOnlyList<RemediationPolicyStatement> Statements { get; set; } = Array.Empty<RemediationPolicyStatement>();

    /// <summary>The IAM policy documents (JSON); more than one only when one document would exceed the size limit.</summary>
    public IReadOnlyList<string> Documents { get; set; } = Array.Empty<string>();

    /// <summary>The characters IAM counts against its quota (whitespace excluded), summed over the documents.</summary>
    public int CharacterCount { get; set; }

    /// <inheritdoc />
    public override string ToString() => string.Join(Environment.NewLine, Documents);
}
