namespace RemediationTools.Core.Aws;

/// <summary>
/// Picks a custom endpoint for a service: <c>-EndpointUrl</c>, else <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>, else
/// <c>AWS_ENDPOINT_URL</c>; null means the real AWS endpoint.
/// </summary>
internal sealed class AwsEndpointResolver
{
    private readonly Uri? explicitEndpoint;
    private readonly IAwsEnvironment environment;

    public AwsEndpointResolver(Uri? explicitEndpoint, IAwsEnvironment environment)
    {
        this.explicitEndpoint = explicitEndpoint;
        this.environment = environment ?? throw new ArgumentNullException(nameof(environment));
    }

    /// <summary>The endpoint given with -EndpointUrl, if any.</summary>
    public Uri? ExplicitEndpoint => explicitEndpoint;

    /// <summary>The custom endpoint for a service ID such as "EC2", "STS", "IAM", "Secrets Manager"; null for AWS's own.</summary>
    public Uri? Resolve(string serviceId)
    {
        if (explicitEndpoint is not null)
        {
            return explicitEndpoint;
        }

        var specific = environment.GetVariable(EnvironmentVariableFor(serviceId));
        if (specific is not null)
        {
            return Parse(specific, EnvironmentVariableFor(serviceId));
        }

        var general = environment.GetVariable("AWS_ENDPOINT_URL");
        return general is null ? null : Parse(general, "AWS_ENDPOINT_URL");
    }

    /// <summary>The service-specific variable name: service ID upper-cased, spaces and dashes as underscores.</summary>
    public static string EnvironmentVariableFor(string serviceId)
    {
        if (string.IsNullOrWhiteSpace(serviceId))
        {
            throw new ArgumentException("A service ID is required.", nameof(serviceId));
        }

        return "AWS_ENDPOINT_URL_" + serviceId.Trim().Replace(' ', '_').Replace('-', '_').ToUpperInvariant();
    }

    /// <summary>An absolute http(s) URL, or an <see cref="AwsConfigurationException"/> naming where it came from.</summary>
    public static Uri Parse(string value, string origin)
    {
        if (Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            return uri;
        }

        throw new AwsConfigurationException(
            AwsConfigurationError.InvalidEndpoint,
            $"The endpoint '{value}' from {origin} is not an absolute http:// or https:// URL.");
    }
}
