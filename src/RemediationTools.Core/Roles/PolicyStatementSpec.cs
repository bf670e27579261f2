namespace RemediationTools.Core.Roles;

/// <summary>An Allow statement to be written into a generated policy.</summary>
internal sealed class PolicyStatementSpec
{
    /// <summary>Creates the statement; actions and resources are de-duplicated and sorted (ordinal).</summary>
    public PolicyStatementSpec(string sid, IEnumerable<string> actions, IEnumerable<string> resources)
        : this(sid, actions, resources, null)
    {
    }

    /// <summary>Creates the statement with a condition (one operator, one key, its values).</summary>
    public PolicyStatementSpec(string sid, IEnumerable<string> actions, IEnumerable<string> resources, PolicyCondition? condition)
    {
        Condition = condition;
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

    /// <summary>The statement's condition; null for none.</summary>
    public PolicyCondition? Condition { get; }

    /// <summary>The public form of the statement.</summary>
    public RemediationPolicyStatement ToPublic() => new()
    {
        Sid = Sid,
        Action = Actions,
        Resource = Resources,
        Condition = Condition is null
            ? null
            : new Dictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>>(StringComparer.Ordinal)
            {
                [Condition.Operator] = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [Condition.Key] = Condition.Values },
            },
    };

    private static List<string> Distinct(IEnumerable<string> values) =>
        values.Where(v => !string.IsNullOrWhiteSpace(v))
            .Select(v => v.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .OrderBy(v => v, StringComparer.Ordinal)
            .ToList();
}

/// <summary>One condition of a policy statement, for example <c>ForAllValues:StringEquals</c> on <c>dynamodb:LeadingKeys</c>.</summary>
internal sealed class PolicyCondition
{
    /// <summary>Creates the condition.</summary>
    public PolicyCondition(string @operator, string key, IEnumerable<string> values)
    {
        Operator = string.IsNullOrWhiteSpace(@operator) ? throw new ArgumentException("A condition needs an operator.", nameof(@operator)) : @operator;
        Key = string.IsNullOrWhiteSpace(key) ? throw new ArgumentException("A condition needs a key.", nameof(key)) : key;
        Values = (values ?? throw new ArgumentNullException(nameof(values))).Distinct(StringComparer.Ordinal).OrderBy(v => v, StringComparer.Ordinal).ToList();
        if (Values.Count == 0)
        {
            throw new ArgumentException("The condition on " + key + " needs at least one value.", nameof(values));
        }
    }

    /// <summary>The condition operator.</summary>
    public string Operator { get; }

    /// <summary>The condition key.</summary>
    public string Key { get; }

    /// <summary>The values, sorted.</summary>
    public IReadOnlyList<string> Values { get; }
}
