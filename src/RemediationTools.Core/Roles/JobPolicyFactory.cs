namespace RemediationTools.Core.Roles;

/// <summary>The least-privilege permission policy of a set of jobs.</summary>
internal static class JobPolicyFactory
{
    /// <summary>
    /// The union of the jobs' IAM actions, de-duplicated case-insensitively and sorted; with
    /// <paramref name="includeUndo"/> also the actions only undoing their changes calls (<see cref="RemediationJobInfo.UndoIamActions"/>).
    /// </summary>
    public static IReadOnlyList<string> Actions(IEnumerable<RemediationJobInfo> jobs, bool includeUndo = false) =>
        jobs.SelectMany(j => includeUndo ? j.IamActions.Concat(j.UndoIamActions) : j.IamActions)
            .Where(a => !string.IsNullOrWhiteSpace(a))
            .Select(a => a.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(a => a, StringComparer.Ordinal)
            .ToList();

    /// <summary>A builder holding one statement per service for the jobs' actions (resource <c>*</c>), with their undo actions when asked.</summary>
    public static IamPolicyBuilder Builder(IEnumerable<RemediationJobInfo> jobs, bool includeUndo = false)
    {
        var list = jobs.ToList();
        var actions = Actions(list, includeUndo);
        if (actions.Count == 0)
        {
            throw new ArgumentException("The chosen jobs need no IAM actions; choose at least one job.");
        }

        return new IamPolicyBuilder().AddServiceStatements(actions);
    }

    /// <summary>The policy as the public type Get-RemediationPolicy writes.</summary>
    public static RemediationPolicy Describe(IEnumerable<RemediationJobInfo> jobs, int maxCharacters = IamPolicyBuilder.MaxRoleInlinePolicyCharacters, bool includeUndo = false)
    {
        var list = jobs.ToList();
        var documents = Builder(list, includeUndo).Build(maxCharacters);
        return new RemediationPolicy
        {
            Jobs = list.Select(j => j.Id).ToList(),
            IncludeUndo = includeUndo,
            Actions = Actions(list, includeUndo),
            Statements = documents.SelectMany(d => d.Statements).Select(s => s.ToPublic()).ToList(),
            Documents = documents.Select(d => d.Json).ToList(),
            CharacterCount = documents.Sum(d => d.CountedLength),
        };
    }

    /// <summary>The inline policy names for <paramref name="count"/> documents: Base, Base-2, Base-3, ...</summary>
    public static IReadOnlyList<string> PolicyNames(string baseName, int count) =>
        Enumerable.Range(1, count).Select(i => i == 1 ? baseName : baseName + "-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

    /// <summary>Whether an inline policy name is one of ours (Base or Base-N).</summary>
    public static bool IsOwnPolicyName(string baseName, string name) =>
        string.Equals(name, baseName, StringComparison.Ordinal)
        || (name.StartsWith(baseName + "-", StringComparison.Ordinal) && name.Substring(baseName.Length + 1).All(char.IsDigit) && name.Length > baseName.Length + 1);
}
