namespace RemediationTools.Core.Roles;

/// <summary>The least-privilege permission policy of a set of jobs.</summary>
internal static class JobPolicyFactory
{
    /// <summary>The union of the jobs' IAM actions, de-duplicated case-insensitively and sorted.</summary>
    public static IReadOnlyList<string> Actions(IEnumerable<RemediationJobInfo> jobs) =>
        jobs.SelectMany(j => j.IamActions)
            .Where(a => !string.IsNullOrWhiteSpace(a))
            .Select(a => a.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(a => a, StringComparer.Ordinal)
            .ToList();

    /// <summary>A builder holding one statement per service for the jobs' actions (resource <c>*</c>).</summary>
    public static IamPolicyBuilder Builder(IEnumerable<RemediationJobInfo> jobs)
    {
        var list = jobs.ToList();
        var actions = Actions(list);
        if (actions.Count == 0)
        {
            throw new ArgumentException("The chosen jobs need no IAM actions; choose at least one job.");
        }

        return new IamPolicyBuilder().AddServiceStatements(actions);
    }

    /// <summary>The policy as the public type Get-RemediationPolicy writes.</summary>
    public static RemediationPolicy Describe(IEnumerable<RemediationJobInfo> jobs, int maxCharacters = IamPolicyBuilder.MaxRoleInlinePolicyCharacters)
    {
        var list = jobs.ToList();
        var documents = Builder(list).Build(maxCharacters);
        return new RemediationPolicy
        {
            Jobs = list.Select(j => j.Id).ToList(),
            Actions = Actions(list),
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
