namespace RemediationTools.Core.Aws;

/// <summary>
/// The AWS connection parameters of a cmdlet or a worker, named after AWS Tools for PowerShell's common
/// parameters, plus the session values AWS Tools stores with <c>Set-AWSCredential</c> and
/// <c>Set-DefaultAWSRegion</c>. Every member is optional; what is missing is resolved from the session
/// values, then from the AWS SDK's default chain.
/// </summary>
public sealed class AwsConnectionOptions
{
    /// <summary>Name of a profile in the shared credentials/config files or the SDK store (<c>-ProfileName</c>).</summary>
    public string? ProfileName { get; set; }

    /// <summary>Region system name such as <c>us-east-1</c> (<c>-Region</c>).</summary>
    public string? Region { get; set; }

    /// <summary>Access key ID (<c>-AccessKey</c>); needs <see cref="SecretKey"/>.</summary>
    public string? AccessKey { get; set; }

    /// <summary>Secret access key (<c>-SecretKey</c>).</summary>
    public string? SecretKey { get; set; }

    /// <summary>Session token of temporary credentials (<c>-SessionToken</c>).</summary>
    public string? SessionToken { get; set; }

    /// <summary>
    /// A credentials object (<c>-Credential</c>): an <c>Amazon.Runtime.AWSCredentials</c>, possibly from another
    /// copy of AWSSDK.Core (it is read by reflection through its <c>GetCredentials()</c> method), or any object
    /// with <c>AccessKey</c>, <c>SecretKey</c> and optionally <c>Token</c> or <c>SessionToken</c> properties.
    /// </summary>
    public object? Credential { get; set; }

    /// <summary>Endpoint for every service call (<c>-EndpointUrl</c>), e.g. an emulator; wins over <c>AWS_ENDPOINT_URL*</c>.</summary>
    public string? EndpointUrl { get; set; }

    /// <summary>
    /// The value of the session variable <c>$StoredAWSCredentials</c>: a profile name, or the object AWS Tools
    /// stores there (it wraps an <c>AWSCredentials</c> in a non-public <c>Credentials</c> property).
    /// </summary>
    public object? StoredCredentials { get; set; }

    /// <summary>The value of the session variable <c>$StoredAWSRegion</c> (a region system name).</summary>
    public object? StoredRegion { get; set; }

    /// <summary>How many times a throttled or failed (5xx) call is retried; 0 disables retries.</summary>
    public int MaxErrorRetry { get; set; } = 4;

    /// <summary>Whether SDK clients use the adaptive retry mode (client-side rate limiting) instead of the standard one.</summary>
    public bool UseAdaptiveRetry { get; set; }
}
