namespace RemediationTools;

/// <summary>How a port closer treats a public rule whose port range contains the closed port.</summary>
public enum RangeMode
{
    /// <summary>Replace the rule by the range(s) around the port, so that only the port loses access (default).</summary>
    Split,

    /// <summary>Revoke the whole matching rule.</summary>
    Remove,
}
