using Amazon.Runtime;

namespace RemediationTools.Core.Aws;

/// <summary>
/// Turns <see cref="AwsConnectionOptions"/> into an <see cref="AwsConnection"/>. Credentials: explicit parameters
/// (keys, then -Credential, then -ProfileName) → <c>$StoredAWSCredentials</c> → the SDK default chain. Region:
/// -Region → <c>$StoredAWSRegion</c> → AWS_REGION → AWS_DEFAULT_REGION → the region of the profile in use.
/// </summary>
internal sealed class AwsConnectionResolver
{
    private readonly IAwsEnvironment environment;
    private readonly IAwsProfileStore profiles;
    private readonly IDefaultCredentialChain defaultChain;

    public AwsConnectionResolver(IAwsEnvironment environment, IAwsProfileStore profiles, IDefaultCredentialChain defaultChain)
    {
        this.environment = environment ?? throw new ArgumentNullException(nameof(environment));
        this.profiles = profiles ?? throw new ArgumentNullException(nameof(profiles));
        this.defaultChain = defaultChain ?? throw new ArgumentNullException(nameof(defaultChain));
    }

    /// <summary>A resolver over the real process environment, profile files and SDK chain.</summary>
    public static AwsConnectionResolver CreateDefault() =>
        // The SDK reads AWS_SHARED_CREDENTIALS_FILE once per process; a PowerShell user may set it later in the
        // session, so it is read here, on every resolution.
        new(ProcessAwsEnvironment.Instance, new SdkAwsProfileStore(ProcessAwsEnvironment.Instance.GetVariable("AWS_SHARED_CREDENTIALS_FILE")), new SdkDefaultCredentialChain());

    /// <summary>Resolves credentials, region and endpoints; throws <see cref="AwsConfigurationException"/> when it cannot.</summary>
    public async Task<AwsConnection> ResolveAsync(AwsConnectionOptions options, CancellationToken cancellationToken)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (options.MaxErrorRetry < 0)
        {
            throw new AwsConfigurationException(AwsConfigurationError.InvalidParameters, "MaxErrorRetry cannot be negative.");
        }

        // A profile named with -ProfileName must exist, whatever else is given: never fall back silently.
        var explicitProfileName = Blank(options.ProfileName);
        AwsProfile? explicitProfile = null;
        if (explicitProfileName is not null)
        {
            explicitProfile = profiles.FindProfile(explicitProfileName) ?? throw ProfileNotFound(explicitProfileName, "-ProfileName");
        }

        var (credentials, source, profileForRegion) =
            ResolveExplicit(options, explicitProfile)
            ?? ResolveStored(options)
            ?? await ResolveDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new AwsConfigurationException(
                AwsConfigurationError.CredentialsNotFound,
                "No AWS credentials were found. Pass -ProfileName, or -AccessKey and -SecretKey, or run Set-AWSCredential, " +
                "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE).");

        var (region, regionSource) = ResolveRegion(options, explicitProfile ?? profileForRegion);

        Uri? endpoint = null;
        var endpointText = Blank(options.EndpointUrl);
        if (endpointText is not null)
        {
            endpoint = AwsEndpointResolver.Parse(endpointText, "-EndpointUrl");
        }

        return new AwsConnection(
            credentials,
            source,
            region,
            regionSource,
            new AwsEndpointResolver(endpoint, environment),
            new AwsRetryPolicy(options.MaxErrorRetry),
            options.UseAdaptiveRetry);
    }

    private static (AWSCredentials, string, AwsProfile?)? ResolveExplicit(AwsConnectionOptions options, AwsProfile? explicitProfile)
    {
        var accessKey = Blank(options.AccessKey);
        var secretKey = Blank(options.SecretKey);
        if (accessKey is not null || secretKey is not null)
        {
            if (accessKey is null || secretKey is null)
            {
                throw new AwsConfigurationException(
                    AwsConfigurationError.InvalidParameters,
                    "-AccessKey and -SecretKey must be given together.");
            }

            var token = Blank(options.SessionToken);
            AWSCredentials keys = token is null
                ? new BasicAWSCredentials(accessKey, secretKey)
                : new SessionAWSCredentials(accessKey, secretKey, token);
            return (keys, token is null ? "-AccessKey/-SecretKey parameters" : "-AccessKey/-SecretKey/-SessionToken parameters", null);
        }

        if (Blank(options.SessionToken) is not null)
        {
            throw new AwsConfigurationException(
                AwsConfigurationError.InvalidParameters,
                "-SessionToken needs -AccessKey and -SecretKey.");
        }

        if (options.Credential is not null)
        {
            var fromObject = ForeignCredentials.FromCredentialObject(options.Credential) ?? throw new AwsConfigurationException(
                AwsConfigurationError.InvalidParameters,
                $"-Credential must be an AWSCredentials object or have AccessKey and SecretKey properties; got {options.Credential.GetType().FullName}.");
            return (fromObject, "-Credential parameter", null);
        }

        if (explicitProfile is not null)
        {
            if (explicitProfile.Credentials is null)
            {
                throw new AwsConfigurationException(
                    AwsConfigurationError.CredentialsNotFound,
                    $"The AWS profile '{explicitProfile.Name}' has no credentials. Add credentials to it (aws configure --profile {explicitProfile.Name}) or pass another -ProfileName.");
            }

            return (explicitProfile.Credentials, $"profile '{explicitProfile.Name}' (-ProfileName)", explicitProfile);
        }

        return null;
    }

    private (AWSCredentials, string, AwsProfile?)? ResolveStored(AwsConnectionOptions options)
    {
        var (profileName, credentials, name) = ForeignCredentials.FromStoredValue(options.StoredCredentials);
        if (credentials is not null)
        {
            var source = string.IsNullOrEmpty(name) ? "$StoredAWSCredentials" : $"$StoredAWSCredentials ('{name}')";
            return (credentials, source, null);
        }

        if (profileName is not null)
        {
            var profile = profiles.FindProfile(profileName) ?? throw ProfileNotFound(profileName, "$StoredAWSCredentials");
            if (profile.Credentials is null)
            {
                throw new AwsConfigurationException(
                    AwsConfigurationError.CredentialsNotFound,
                    $"The AWS profile '{profileName}' named by $StoredAWSCredentials has no credentials. Run Set-AWSCredential with another profile, or Clear-AWSCredential.");
            }

            return (profile.Credentials, $"profile '{profileName}' ($StoredAWSCredentials)", profile);
        }

        if (options.StoredCredentials is not null)
        {
            throw new AwsConfigurationException(
                AwsConfigurationError.InvalidParameters,
                $"$StoredAWSCredentials holds a {options.StoredCredentials.GetType().FullName} that carries no credentials. Run Set-AWSCredential again, or Clear-AWSCredential.");
        }

        return null;
    }

    private async Task<(AWSCredentials, string, AwsProfile?)?> ResolveDefaultAsync(CancellationToken cancellationToken)
    {
        // AWS_PROFILE names a profile too: a missing one is an error, not a reason to try instance metadata.
        var environmentProfile = environment.GetVariable("AWS_PROFILE");
        if (environmentProfile is not null && profiles.FindProfile(environmentProfile) is null)
        {
            throw ProfileNotFound(environmentProfile, "AWS_PROFILE");
        }

        var found = await defaultChain.ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (found is null)
        {
            return null;
        }

        return (found.Value.Credentials, found.Value.Source, null);
    }

    private (string Region, string Source) ResolveRegion(AwsConnectionOptions options, AwsProfile? profileInUse)
    {
        var region = Blank(options.Region);
        if (region is not null)
        {
            return (region, "-Region");
        }

        region = ForeignCredentials.RegionFromStoredValue(options.StoredRegion);
        if (region is not null)
        {
            return (region, "$StoredAWSRegion");
        }

        region = environment.GetVariable("AWS_REGION");
        if (region is not null)
        {
            return (region, "AWS_REGION");
        }

        region = environment.GetVariable("AWS_DEFAULT_REGION");
        if (region is not null)
        {
            return (region, "AWS_DEFAULT_REGION");
        }

        var profile = profileInUse;
        if (profile is null)
        {
            var name = environment.GetVariable("AWS_PROFILE") ?? "default";
            profile = profiles.FindProfile(name);
        }

        if (profile?.Region is not null)
        {
            return (profile.Region, $"profile '{profile.Name}'");
        }

        throw new AwsConfigurationException(
            AwsConfigurationError.RegionNotFound,
            "No AWS region was given. Pass -Region, run Set-DefaultAWSRegion, or set AWS_REGION (or a region in your AWS profile).");
    }

    private static AwsConfigurationException ProfileNotFound(string name, string origin) => new(
        AwsConfigurationError.ProfileNotFound,
        $"The AWS profile '{name}' (from {origin}) was not found in the shared credentials or config files or the SDK store. " +
        $"Create it (aws configure --profile {name}), pass an existing -ProfileName, or set AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE to the files that define it.");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
}
