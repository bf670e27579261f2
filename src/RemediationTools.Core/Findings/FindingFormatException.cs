namespace RemediationTools;

/// <summary>A finding payload that cannot be used: the message names the missing or bad field.</summary>
[Serializable]
public sealed class FindingFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FindingFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FindingFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message naming <paramref name="field"/>.</summary>
    public FindingFormatException(string message, string? field)
        : base(message)
    {
        Field = field;
    }

    /// <summary>Creates the exception with a message and the cause.</summary>
    public FindingFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The path of the missing or bad field, for example <c>notificationInfo.RuleID</c>.</summary>
    public string? Field { get; }

    /// <summary>
    /// The error code a result carries for this finding (for example <c>AccountMismatch</c>); null for the general
    /// <c>InvalidFinding</c>.
    /// </summary>
    public string? ErrorCode { get; set; }
}
