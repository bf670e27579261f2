namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// The rule changes planned for one security group: rules to authorize first, then rules to revoke, so that no
/// traffic other than the closed port is cut even for a moment. Also used for undo, with the lists swapped.
/// </summary>
internal sealed class SecurityGroupChangeSet
{
    /// <summary>Creates an empty change set for <paramref name="groupId"/>.</summary>
    public SecurityGroupChangeSet(string groupId, bool isUndo)
    {
        GroupId = groupId;
        IsUndo = isUndo;
    }

    /// <summary>The security group.</summary>
    public string GroupId { get; }

    /// <summary>True when the change set restores an earlier state.</summary>
    public bool IsUndo { get; }

    /// <summary>Rules to add, each with why.</summary>
    public List<PlannedRuleChange> Authorize { get; } = new();

    /// <summary>Rules to remove, each with why.</summary>
    public List<PlannedRuleChange> Revoke { get; } = new();

    /// <summary>What the operator should know.</summary>
    public List<string> Notes { get; } = new();

    /// <summary>True when nothing changes.</summary>
    public bool IsEmpty => Authorize.Count == 0 && Revoke.Count == 0;
}

/// <summary>One rule to add or remove, with the reason.</summary>
internal sealed class PlannedRuleChange
{
    /// <summary>Creates the change.</summary>
    public PlannedRuleChange(SecurityGroupRule rule, string reason)
    {
        Rule = rule;
        Reason = reason;
    }

    /// <summary>The rule.</summary>
    public SecurityGroupRule Rule { get; }

    /// <summary>Why it changes.</summary>
    public string Reason { get; }
}

/// <summary>The undo data of a port closer, as stored (JSON) in <see cref="RemediationUndoRecord.Data"/>.</summary>
internal sealed class SecurityGroupUndoData
{
    /// <summary>The security group.</summary>
    public string GroupId { get; set; } = string.Empty;

    /// <summary>The rules the remediation added (undo revokes them).</summary>
    public List<SecurityGroupRule> Authorized { get; set; } = new();

    /// <summary>The exact rules the remediation revoked (undo authorizes them again, with their descriptions).</summary>
    public List<SecurityGroupRule> Revoked { get; set; } = new();
}
