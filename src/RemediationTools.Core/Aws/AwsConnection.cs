using Amazon.Runtime;

namespace RemediationTools.Core.Aws;

/// <summary>Resolved AWS connection: the caller's credentials, the region and the endpoint rules.</summary>
internal sealed class AwsConnection
{
    public AwsConnection(
        AWSCredentials credentials,
        string credentialSource,
        string region,
        string regionSource,
        AwsEndpointResolver endpoints,
        AwsRetryPolicy retryPolicy,
        bool useAdaptiveRetry = false)
    {
        Credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        CredentialSource = credentialSource ?? throw new ArgumentNullException(nameof(credentialSource));
        Region = region ?? throw new ArgumentNullException(nameof(region));
        RegionSource = regionSource ?? throw new ArgumentNullException(nameof(regionSource));
        Endpoints = endpoints ?? throw new ArgumentNullException(nameof(endpoints));
        RetryPolicy = retryPolicy ?? throw new ArgumentNullException(nameof(retryPolicy));
        UseAdaptiveRetry = useAdaptiveRetry;
    }

    /// <summary>The caller's credentials.</summary>
    public AWSCredentials Credentials { get; }

    /// <summary>Where the credentials came from, for -Verbose (never the keys).</summary>
    public string CredentialSource { get; }

    /// <summary>The default region.</summary>
    public string Region { get; }

    /// <summary>Where the region came from, for -Verbose.</summary>
    public string RegionSource { get; }

    /// <summary>Custom endpoint rules.</summary>
    public AwsEndpointResolver Endpoints { get; }

    /// <summary>Retry policy shared by SDK clients (their settings) and our own client.</summary>
    public AwsRetryPolicy RetryPolicy { get; }

    /// <summary>Whether SDK clients use the adaptive retry mode.</summary>
    public bool UseAdaptiveRetry { get; }
}
