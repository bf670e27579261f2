namespace RemediationTools.Core.Jobs;

/// <summary>
/// A failure a job knows and explains (a wait that timed out, an ACL without free rule numbers, an undo that would
/// overwrite something newer): the result's ErrorCode is <see cref="ErrorCode"/> and its reason the message. Any other
/// exception from a job is unexpected and becomes <c>InternalError</c>.
/// </summary>
[Serializable]
internal class JobFailureException : Exception
{
    /// <summary>Creates the exception with an explicit error code.</summary>
    public JobFailureException(string errorCode, string message)
        : base(message)
        => ErrorCode = errorCode;

    /// <summary>Creates the exception; the error code is the exception's type name.</summary>
    protected JobFailureException(string message)
        : base(message)
        => ErrorCode = GetType().Name;

    /// <summary>The result's error code.</summary>
    public string ErrorCode { get; }
}
