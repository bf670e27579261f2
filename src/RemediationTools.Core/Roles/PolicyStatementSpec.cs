namespace RemediationTools.Core.Roles;

/// <summary>An Allow statement to be written into a generated policy.</summary>
internal sealed class PolicyStatementSpec
{
    /// <summary>Creates the statement; actions and resources are de-duplicated and sorted (ordinal).</summary>
    public PolicyStatementSpec(string sid, IEnumerable<string> actions, IEnumerable<string> resources)
    {
        if (string.IsNullOrEmpty(sid) || !sid.All(char.IsLetterOrDigit))
        {
            throw new ArgumentException($"The statement ID '{sid}' must be letters and digits only.", nameof(sid));
        }

        Sid = sid;
        Actions = Distinct(actions ?? throw new ArgumentNullException(nameof(actions)));
        Resources = Distinct(resources ?? throw new ArgumentNullException(nameof(resources)));
        if (Actions.Count == 0 || Resources.Count == 0)
        {
            throw new ArgumentException($"The statement '{sid}' needs at least one action and one resource.", nameof(actions));
        }
    }

    /// <summary>The statement ID.</summary>
    public string Sid { get; }

    /// <summary>The actions, sorted.</summary>
    public IReadOnlyList<string> Actions { get; }

    /// <summary>The resources, sorted.</summary>
    public IReadOnlyList<string> Resources { get; }

    /// <summary>The public form of the statement.</summary>
    public RemediationPolicyStatement ToPublic() => new() { Sid = Sid, Action = Actions, Resource = Resources };

    private static List<string> Distinct(IEnumerable<string> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => v.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(v => v, StringComparer.Ordinal)
            .ToList();
}
