namespace RemediationTools;

/// <summary>
/// The error IDs the cmdlets write. Each is the first part of an ErrorRecord's FullyQualifiedErrorId
/// (<c>&lt;ErrorId&gt;,RemediationTools.Commands.&lt;Cmdlet&gt;Command</c>), so scripts and tests can match them.
/// </summary>
internal static class ErrorIds
{
    /// <summary>No credentials, no region, an unknown profile or another unusable AWS setting.</summary>
    public const string AwsConfigurationInvalid = "AwsConfigurationInvalid";

    /// <summary>AssumeRole into a cloud account was refused (trust policy or external ID).</summary>
    public const string AssumeRoleDenied = "AssumeRoleDenied";

    /// <summary>A finding could not be read: a missing or bad field.</summary>
    public const string FindingInvalid = "FindingInvalid";

    /// <summary>No job serves the finding's rule ID, or the named job does not exist.</summary>
    public const string JobNotFound = "JobNotFound";

    /// <summary>A path given to -Path or -LiteralPath matched no file.</summary>
    public const string PathNotFound = "PathNotFound";

    /// <summary>A file could not be read.</summary>
    public const string FileReadFailed = "FileReadFailed";

    /// <summary>A remediation failed; the result object carries the details.</summary>
    public const string RemediationFailed = "RemediationFailed";

    /// <summary>An unexpected failure talking to AWS.</summary>
    public const string AwsCallFailed = "AwsCallFailed";

    /// <summary>The -RoleArn parameter is not an IAM role ARN.</summary>
    public const string RoleArnInvalid = "RoleArnInvalid";
}
