namespace RemediationTools.Core.Aws;

/// <summary>What is wrong with an AWS configuration.</summary>
public enum AwsConfigurationError
{
    /// <summary>The parameters contradict each other or are incomplete (e.g. an access key without a secret key).</summary>
    InvalidParameters,

    /// <summary>A named profile does not exist.</summary>
    ProfileNotFound,

    /// <summary>No credentials were found anywhere.</summary>
    CredentialsNotFound,

    /// <summary>No region was given or configured.</summary>
    RegionNotFound,

    /// <summary>An endpoint URL is not an absolute http(s) URL.</summary>
    InvalidEndpoint,
}

/// <summary>
/// The AWS connection cannot be set up (unknown profile, no credentials, no region, invalid parameters).
/// The message says what to pass or set; it never contains a secret.
/// </summary>
public sealed class AwsConfigurationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AwsConfigurationException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public AwsConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public AwsConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a kind of error.</summary>
    public AwsConfigurationException(AwsConfigurationError error, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Error = error;
    }

    /// <summary>What is wrong.</summary>
    public AwsConfigurationError Error { get; }
}
