namespace RemediationTools.Core.Aws;

/// <summary>
/// STS refused to let the caller assume a role (AccessDenied): the role's trust policy does not name the
/// caller, or the external ID does not match.
/// </summary>
public sealed class AssumeRoleDeniedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AssumeRoleDeniedException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AssumeRoleDeniedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public AssumeRoleDeniedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a role and external ID.</summary>
    public AssumeRoleDeniedException(string roleArn, string externalId, Exception? innerException)
        : base(
            $"Assuming role {roleArn} was refused: the role's trust policy does not allow this caller, or the external ID '{externalId}' does not match.",
            innerException)
    {
        RoleArn = roleArn;
        ExternalId = externalId;
    }

    /// <summary>ARN of the role that could not be assumed.</summary>
    public string? RoleArn { get; }

    /// <summary>External ID that was sent.</summary>
    public string? ExternalId { get; }
}
