using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Aws;

/// <summary>Tuning and test seams of <see cref="AwsClientFactory"/>.</summary>
internal sealed class AwsClientFactoryOptions
{
    /// <summary>Clock for credential expiry and request signatures.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>How long before expiry assumed-role credentials are replaced.</summary>
    public TimeSpan RefreshAhead { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Lifetime requested for assumed-role credentials.</summary>
    public int RoleDurationSeconds { get; set; } = 3600;

    /// <summary>Role session name; default RemediationTools-&lt;8 hex digits&gt;.</summary>
    public string? SessionName { get; set; }

    /// <summary>Replaces STS AssumeRole (tests).</summary>
    public IRoleCredentialsSource? RoleCredentialsSource { get; set; }

    /// <summary>HTTP handler for every client, SDK and our own (tests); null for the default.</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; set; }

    /// <summary>Receives one line per AWS call made by our own code, for -Verbose. Never receives secrets.</summary>
    public Action<string>? Log { get; set; }
}

/// <summary>
/// <see cref="IAwsClientFactory"/> over a resolved <see cref="AwsConnection"/>: clients for the caller's own
/// credentials or an assumed role's, one per (credentials, service, region), reused until the factory is disposed.
/// </summary>
internal sealed class AwsClientFactory : IAwsClientFactory, IDisposable
{
    private readonly AwsConnection connection;
    private readonly AwsClientFactoryOptions options;
    private readonly AssumedRoleCredentialCache roleCredentials;
    private readonly Dictionary<(string RoleArn, string ExternalId), AwsClients> roleClients = new();
    private readonly AwsClients ownClients;
    private bool disposed;

    public AwsClientFactory(AwsConnection connection, AwsClientFactoryOptions? options = null)
    {
        this.connection = connection ?? throw new ArgumentNullException(nameof(connection));
        this.options = options ?? new AwsClientFactoryOptions();
        ownClients = new AwsClients(connection, connection.Credentials, this.options);
        var source = this.options.RoleCredentialsSource
            ?? new StsRoleCredentialsSource(() => ownClients.Sts(connection.Region), this.options.RoleDurationSeconds, this.options.Log);
        roleCredentials = new AssumedRoleCredentialCache(source, this.options.Clock, this.options.RefreshAhead, this.options.SessionName);
    }

    /// <summary>The connection the factory was built from (region, credential source for -Verbose).</summary>
    public AwsConnection Connection => connection;

    /// <summary>The role session name used in AssumeRole calls.</summary>
    public string SessionName => roleCredentials.SessionName;

    /// <summary>
    /// Resolves the options (explicit parameters, session values, SDK chain) and builds a factory.
    /// Throws <see cref="AwsConfigurationException"/> when credentials or region cannot be found.
    /// </summary>
    public static async Task<AwsClientFactory> CreateAsync(
        AwsConnectionOptions connectionOptions,
        AwsClientFactoryOptions? factoryOptions,
        CancellationToken cancellationToken)
    {
        var resolved = await AwsConnectionResolver.CreateDefault().ResolveAsync(connectionOptions, cancellationToken).ConfigureAwait(false);
        return new AwsClientFactory(resolved, factoryOptions);
    }

    public async Task<IAwsClients> ForAccountAsync(AccountRole? role, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        if (role is null)
        {
            return ownClients;
        }

        // Assume (or reuse) now, so a refused role fails here with AssumeRoleDeniedException, not at the first call.
        await roleCredentials.GetAsync(role, cancellationToken).ConfigureAwait(false);
        lock (roleClients)
        {
            ThrowIfDisposed();
            var key = (role.RoleArn, role.ExternalId);
            if (!roleClients.TryGetValue(key, out var clients))
            {
                clients = new AwsClients(connection, roleCredentials.CredentialsFor(role), options);
                roleClients.Add(key, clients);
            }

            return clients;
        }
    }

    public void Dispose()
    {
        lock (roleClients)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var clients in roleClients.Values)
            {
                clients.Dispose();
            }

            roleClients.Clear();
        }

        ownClients.Dispose();
        roleCredentials.Dispose();
    }

    /// <summary>An SDK client config pointed at the region, or at the custom endpoint, with our retry settings.</summary>
    internal static T Configure<T>(T config, string serviceId, string region, AwsConnection connection, Func<HttpMessageHandler>? handlerFactory = null)
        where T : ClientConfig
    {
        if (handlerFactory is not null)
        {
            config.HttpClientFactory = new HandlerHttpClientFactory(handlerFactory);
        }

        // We resolved AWS_ENDPOINT_URL* ourselves; the SDK must not apply its own reading of them (or of the
        // endpoint_url profile setting) on top, or -EndpointUrl and the environment could disagree.
        config.IgnoreConfiguredEndpointUrls = true;
        var endpoint = connection.Endpoints.Resolve(serviceId);
        if (endpoint is null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }

        config.RetryMode = connection.UseAdaptiveRetry ? RequestRetryMode.Adaptive : RequestRetryMode.Standard;
        config.MaxErrorRetry = connection.RetryPolicy.MaxErrorRetry;
        return config;
    }

    private void ThrowIfDisposed()
    {
        if (disposed)
        {
            throw new ObjectDisposedException(nameof(AwsClientFactory));
        }
    }
}

/// <summary>Clients bound to one set of credentials; created on first use per service and region.</summary>
internal sealed class AwsClients : IAwsClients, IDisposable
{
    private readonly AwsConnection connection;
    private readonly AWSCredentials credentials;
    private readonly AwsClientFactoryOptions options;
    private readonly Dictionary<(string Service, string Region), IDisposable> clients = new();
    private bool disposed;

    public AwsClients(AwsConnection connection, AWSCredentials credentials, AwsClientFactoryOptions options)
    {
        this.connection = connection;
        this.credentials = credentials;
        this.options = options;
    }

    public IAmazonEC2 Ec2(string region) =>
        GetOrCreate("EC2", region, r => new AmazonEC2Client(
            credentials,
            AwsClientFactory.Configure(new AmazonEC2Config(), "EC2", r, connection, options.HttpHandlerFactory)));

    public IAmazonSecurityTokenService Sts(string region) =>
        GetOrCreate("STS", region, r => new AmazonSecurityTokenServiceClient(
            credentials,
            AwsClientFactory.Configure(new AmazonSecurityTokenServiceConfig(), "STS", r, connection, options.HttpHandlerFactory)));

    public IIamClient Iam() => GetOrCreate("IAM", connection.Region, CreateIam);

    public void Dispose()
    {
        lock (clients)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }

            clients.Clear();
        }
    }

    private IamClient CreateIam(string region)
    {
        var signingRegion = AwsPartition.IamSigningRegion(region);
        var endpoint = connection.Endpoints.Resolve("IAM") ?? AwsPartition.IamEndpoint(region);
        var config = new AwsQueryClientConfig("iam", IamClient.ApiVersion, endpoint, signingRegion, connection.RetryPolicy)
        {
            Clock = options.Clock,
            Log = options.Log,
        };
        return new IamClient(new AwsQueryClient(config, credentials, options.HttpHandlerFactory?.Invoke()));
    }

    private T GetOrCreate<T>(string service, string region, Func<string, T> create)
        where T : class, IDisposable
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("A region is required.", nameof(region));
        }

        lock (clients)
        {
            if (disposed)
            {
                throw new ObjectDisposedException(nameof(AwsClients));
            }

            if (!clients.TryGetValue((service, region), out var client))
            {
                client = create(region);
                clients.Add((service, region), client);
            }

            return (T)client;
        }
    }
}

/// <summary>Gives SDK clients an HttpClient over a handler of ours (tests), uncached so each client gets its own.</summary>
internal sealed class HandlerHttpClientFactory : HttpClientFactory
{
    private readonly Func<HttpMessageHandler> handlerFactory;

    public HandlerHttpClientFactory(Func<HttpMessageHandler> handlerFactory) => this.handlerFactory = handlerFactory;

    public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handlerFactory(), disposeHandler: true);

    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => false;
}
