using System.Globalization;
using Amazon;
using Amazon.EC2;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SecurityToken;
using Amazon.SimpleSystemsManagement;
using Amazon.SQS;
using Amazon.SecurityToken.Model;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Aws.Signed.CloudTrail;
using RemediationTools.Core.Aws.Signed.Kinesis;
using RemediationTools.Core.Aws.Signed.ElasticLoadBalancing;
using RemediationTools.Core.Aws.Signed.ElasticLoadBalancingV2;
using RemediationTools.Core.Aws.Signed.Rds;

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

    /// <summary>After a failed refresh of still-valid assumed-role credentials, how long they are used before the next try.</summary>
    public TimeSpan RefreshRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Clients and credentials of a role, and the SDK client of a service and region, not used for this long (by the
    /// <see cref="Clock"/>) are dropped and their SDK clients disposed, so a worker serving thousands of accounts does
    /// not grow without bound. A later use builds them again.
    /// </summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Role session name; default RemediationTools-&lt;8 hex digits&gt;.</summary>
    public string? SessionName { get; set; }

    /// <summary>Replaces STS AssumeRole (tests).</summary>
    public IRoleCredentialsSource? RoleCredentialsSource { get; set; }

    /// <summary>HTTP handler for every client, SDK and our own (tests); null for the default.</summary>
    public Func<HttpMessageHandler>? HttpHandlerFactory { get; set; }

    /// <summary>Receives one line per AWS call made by our own code, for -Verbose. Never receives secrets.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Whether EC2 calls take a token from their account's and region's buckets first (see <see cref="Ec2PacingHandler"/>).</summary>
    /// <remarks><see cref="Ec2PacingMode.Auto"/> follows <c>REMEDIATION_EC2_PACING</c> (on, off, auto) when it is set.</remarks>
    public Ec2PacingMode Ec2Pacing { get; set; } = Ec2PacingMode.Auto;

    /// <summary>Where <c>REMEDIATION_EC2_PACING</c> and <c>REMEDIATION_EC2_LIMITS</c> are read (tests); null for the process environment.</summary>
    public IAwsEnvironment? Environment { get; set; }

    /// <summary>
    /// Where the EC2 buckets of each account and region live; null for the process-wide registry of the limits
    /// <c>REMEDIATION_EC2_LIMITS</c> sets (<see cref="Ec2RequestRateLimiterRegistry.Shared"/> when it is not set), shared
    /// by every factory of the process.
    /// </summary>
    public Ec2RequestRateLimiterRegistry? Ec2RateLimiters { get; set; }
}

/// <summary>
/// <see cref="IAwsClientFactory"/> over a resolved <see cref="AwsConnection"/>: clients for the caller's own
/// credentials or an assumed role's, one per (credentials, service, region), reused until the factory is disposed or
/// until they have been idle for <see cref="AwsClientFactoryOptions.IdleTimeout"/>.
/// </summary>
internal sealed class AwsClientFactory : IAwsClientFactory, IDisposable
{
    private readonly AwsConnection connection;
    private readonly AwsClientFactoryOptions options;
    private readonly AssumedRoleCredentialCache roleCredentials;
    private readonly Dictionary<(string RoleArn, string ExternalId), AwsClients> roleClients = new();
    private readonly AwsClients ownClients;
    private readonly Ec2RequestRateLimiterRegistry rateLimiters;
    private DateTimeOffset nextSweep = DateTimeOffset.MinValue;
    private bool disposed;

    public AwsClientFactory(AwsConnection connection, AwsClientFactoryOptions? options = null)
    {
        this.connection = connection ?? throw new ArgumentNullException(nameof(connection));
        this.options = options ?? new AwsClientFactoryOptions();
        if (this.options.IdleTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.IdleTimeout, "IdleTimeout must be positive.");
        }

        // A malformed REMEDIATION_EC2_LIMITS fails here, before any call, naming the entry.
        rateLimiters = this.options.Ec2RateLimiters
            ?? Ec2RequestRateLimiterRegistry.ForLimits((this.options.Environment ?? ProcessAwsEnvironment.Instance).GetVariable(Ec2RequestLimits.Variable));
        ownClients = new AwsClients(connection, connection.Credentials, this.options, rateLimiters);
        var source = this.options.RoleCredentialsSource
            ?? new StsRoleCredentialsSource(() => ownClients.Sts(connection.Region), this.options.RoleDurationSeconds, this.options.Log);
        roleCredentials = new AssumedRoleCredentialCache(
            source, this.options.Clock, this.options.RefreshAhead, this.options.SessionName, this.options.RefreshRetryDelay, this.options.Log);
    }

    /// <summary>How many roles have clients in the factory (tests and diagnostics).</summary>
    internal int RoleClientCount
    {
        get
        {
            lock (roleClients)
            {
                return roleClients.Count;
            }
        }
    }

    /// <summary>How many roles have cached credentials (tests and diagnostics).</summary>
    internal int RoleCredentialCount => roleCredentials.Count;

    /// <summary>The clients of the caller's own credentials (tests and diagnostics).</summary>
    internal AwsClients OwnClients => ownClients;

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
        EvictIdle();
        if (role is null)
        {
            ownClients.Touch();
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
                clients = new AwsClients(connection, roleCredentials.CredentialsFor(role), options, rateLimiters, AccountOfRole(role.RoleArn));
                roleClients.Add(key, clients);
            }

            clients.Touch();
            return clients;
        }
    }

    /// <summary>
    /// Drops what has not been used for <see cref="AwsClientFactoryOptions.IdleTimeout"/>: the clients of idle roles (their
    /// SDK clients disposed), idle SDK clients of the roles still in use and of the caller's own credentials, and idle
    /// cached credentials. Runs at most about once a minute, from <see cref="ForAccountAsync"/>.
    /// </summary>
    private void EvictIdle()
    {
        var now = options.Clock();
        var idleSince = now - options.IdleTimeout;
        List<AwsClients> idle;
        lock (roleClients)
        {
            if (disposed || now < nextSweep)
            {
                return;
            }

            nextSweep = now + (options.IdleTimeout < TimeSpan.FromMinutes(1) ? options.IdleTimeout : TimeSpan.FromMinutes(1));
            var idleKeys = roleClients.Where(e => e.Value.LastUsed < idleSince).Select(e => e.Key).ToList();
            idle = idleKeys.Select(key => roleClients[key]).ToList();
            foreach (var key in idleKeys)
            {
                roleClients.Remove(key);
            }

            foreach (var clients in roleClients.Values)
            {
                clients.EvictIdle(idleSince);
            }
        }

        // A job that still holds evicted clients can go on: they build their SDK clients again on its next call.
        foreach (var clients in idle)
        {
            clients.EvictIdle(DateTimeOffset.MaxValue);
        }

        ownClients.EvictIdle(idleSince);
        var credentials = roleCredentials.EvictIdle(idleSince);
        if (idle.Count > 0 || credentials > 0)
        {
            options.Log?.Invoke(string.Format(
                CultureInfo.InvariantCulture,
                "Released the clients of {0} and the credentials of {1} role(s) idle for {2:0} minutes.",
                idle.Count,
                credentials,
                options.IdleTimeout.TotalMinutes));
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

    /// <summary>The account of a role ARN (arn:partition:iam::account:role/name), or null when it is not one.</summary>
    internal static string? AccountOfRole(string roleArn)
    {
        var parts = roleArn.Split(':');
        return parts.Length >= 6 && parts[0] == "arn" && parts[4].Length == 12 && parts[4].All(char.IsDigit) ? parts[4] : null;
    }
}

/// <summary>
/// Clients bound to one set of credentials; created on first use per service and region, dropped (and disposed) when
/// idle. Each SDK client signs through a <see cref="UsageTrackingCredentials"/>, so a client in use is never idle.
/// </summary>
internal sealed class AwsClients : IAwsClients, IDisposable
{
    private readonly AwsConnection connection;
    private readonly AWSCredentials credentials;
    private readonly AwsClientFactoryOptions options;
    private readonly string? accountHint;
    private readonly Ec2RequestRateLimiterRegistry rateLimiters;
    private readonly bool pacesEc2;
    private readonly Dictionary<(string Service, string Region), ClientEntry> clients = new();
    private readonly object identityGate = new();
    private string? verifiedAccessKey;
    private Task<string>? verifiedAccount;
    private long lastUsedTicks;
    private bool disposed;

    public AwsClients(AwsConnection connection, AWSCredentials credentials, AwsClientFactoryOptions options, Ec2RequestRateLimiterRegistry rateLimiters, string? accountHint = null)
    {
        this.rateLimiters = rateLimiters;
        this.connection = connection;
        this.credentials = credentials;
        this.options = options;
        this.accountHint = accountHint;
        var pacing = options.Ec2Pacing == Ec2PacingMode.Auto
            ? Ec2PacingModes.Parse((options.Environment ?? ProcessAwsEnvironment.Instance).GetVariable(Ec2PacingModes.Variable))
            : options.Ec2Pacing;
        pacesEc2 = pacing == Ec2PacingMode.On
            || (pacing == Ec2PacingMode.Auto && options.HttpHandlerFactory is null && connection.Endpoints.Resolve("EC2") is null);
        lastUsedTicks = options.Clock().UtcTicks;
    }

    /// <summary>When the clients were last handed out or signed a request (by the factory's clock).</summary>
    public DateTimeOffset LastUsed => new(Interlocked.Read(ref lastUsedTicks), TimeSpan.Zero);

    /// <summary>How many SDK (and signed) clients are held (tests and diagnostics).</summary>
    internal int ClientCount
    {
        get
        {
            lock (clients)
            {
                return clients.Count;
            }
        }
    }

    /// <summary>Whether the EC2 clients pace their calls to the account's and region's buckets.</summary>
    internal bool PacesEc2 => pacesEc2;

    public IAmazonEC2 Ec2(string region) =>
        GetOrCreate("EC2", region, (r, c) =>
        {
            var config = AwsClientFactory.Configure(new AmazonEC2Config(), "EC2", r, connection, options.HttpHandlerFactory);
            return pacesEc2
                ? new PacedAmazonEC2Client(c, config, cancellationToken => Ec2LimiterAsync(r, cancellationToken), options.Log)
                : new AmazonEC2Client(c, config);
        });

    public IAmazonS3 S3(string region) =>
        GetOrCreate("S3", region, (r, c) =>
        {
            var config = AwsClientFactory.Configure(new AmazonS3Config(), "S3", r, connection, options.HttpHandlerFactory);

            // An endpoint override (an emulator on one host and port) cannot take bucket names as host names.
            config.ForcePathStyle = connection.Endpoints.Resolve("S3") is not null;
            return new AmazonS3Client(c, config);
        });

    public IAmazonKeyManagementService Kms(string region) =>
        GetOrCreate("KMS", region, (r, c) => new AmazonKeyManagementServiceClient(
            c,
            AwsClientFactory.Configure(new AmazonKeyManagementServiceConfig(), "KMS", r, connection, options.HttpHandlerFactory)));

    public IAmazonSQS Sqs(string region) =>
        GetOrCreate("SQS", region, (r, c) => new AmazonSQSClient(
            c,
            AwsClientFactory.Configure(new AmazonSQSConfig(), "SQS", r, connection, options.HttpHandlerFactory)));

    public IAmazonSecurityTokenService Sts(string region) =>
        GetOrCreate("STS", region, (r, c) => new AmazonSecurityTokenServiceClient(
            c,
            AwsClientFactory.Configure(new AmazonSecurityTokenServiceConfig(), "STS", r, connection, options.HttpHandlerFactory)));

    public IAmazonSimpleSystemsManagement Ssm(string region) =>
        GetOrCreate("SSM", region, (r, c) => new AmazonSimpleSystemsManagementClient(
            c,
            AwsClientFactory.Configure(new AmazonSimpleSystemsManagementConfig(), "SSM", r, connection, options.HttpHandlerFactory)));

    public IIamClient Iam() => GetOrCreate("IAM", connection.Region, CreateIam);

    public IElasticLoadBalancingClient ElasticLoadBalancing(string region) =>
        GetOrCreate("ELB", region, (r, c) => new ElasticLoadBalancingClient(
            QueryClient(ElasticLoadBalancingClient.SigningName, ElasticLoadBalancingClient.ServiceId, ElasticLoadBalancingClient.ApiVersion, r, c)));

    public IElasticLoadBalancingV2Client ElasticLoadBalancingV2(string region) =>
        GetOrCreate("ELBV2", region, (r, c) => new ElasticLoadBalancingV2Client(
            QueryClient(ElasticLoadBalancingClient.SigningName, ElasticLoadBalancingV2Client.ServiceId, ElasticLoadBalancingV2Client.ApiVersion, r, c)));

    public IRdsClient Rds(string region) =>
        GetOrCreate("RDS", region, (r, c) => new RdsClient(QueryClient(RdsClient.SigningName, RdsClient.ServiceId, RdsClient.ApiVersion, r, c)));

    public ICloudTrailClient CloudTrail(string region) =>
        GetOrCreate("CLOUDTRAIL", region, (r, c) =>
        {
            var endpoint = connection.Endpoints.Resolve(CloudTrailClient.ServiceId) ?? AwsPartition.RegionalEndpoint(CloudTrailClient.SigningName, r);
            var config = new AwsJsonClientConfig(CloudTrailClient.SigningName, CloudTrailClient.TargetPrefix, endpoint, r, connection.RetryPolicy)
            {
                Clock = options.Clock,
                Log = options.Log,
            };
            return new CloudTrailClient(new AwsJsonClient(config, c, options.HttpHandlerFactory?.Invoke()));
        });

    public IKinesisClient Kinesis(string region) =>
        GetOrCreate("KINESIS", region, (r, c) =>
        {
            var endpoint = connection.Endpoints.Resolve(KinesisClient.ServiceId) ?? AwsPartition.RegionalEndpoint(KinesisClient.SigningName, r);
            var config = new AwsJsonClientConfig(KinesisClient.SigningName, KinesisClient.TargetPrefix, endpoint, r, connection.RetryPolicy)
            {
                Clock = options.Clock,
                Log = options.Log,
            };
            return new KinesisClient(new AwsJsonClient(config, c, options.HttpHandlerFactory?.Invoke()));
        });

    public async Task<string> AccountIdAsync(CancellationToken cancellationToken)
    {
        // Keyed by the access key in use now: credentials that were replaced (a refreshed role session, a rotated key)
        // are asked about again; the same credentials never twice.
        var current = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        TaskCompletionSource<string>? started = null;
        Task<string> check;
        lock (identityGate)
        {
            if (verifiedAccount is null || verifiedAccount.IsFaulted || verifiedAccount.IsCanceled
                || !string.Equals(verifiedAccessKey, current.AccessKey, StringComparison.Ordinal))
            {
                started = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                verifiedAccessKey = current.AccessKey;
                verifiedAccount = started.Task;
            }

            check = verifiedAccount;
        }

        if (started is not null)
        {
            // Role credentials: the AssumeRole response that issued them named their account (STS's own answer, as
            // GetCallerIdentity's would be), so the check costs no call. Other credentials ask STS.
            var named = credentials is IAccountNamingCredentials naming ? await naming.AccountOfAsync(current.AccessKey).ConfigureAwait(false) : null;
            if (named is not null)
            {
                started.TrySetResult(named);
            }
            else
            {
                _ = CallerAccountAsync(started);
            }
        }

        return await AssumedRoleCredentialCache.WaitAsync(check, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks the clients used now.</summary>
    internal void Touch() => Touch(options.Clock());

    /// <summary>The EC2 buckets of these credentials' account in <paramref name="region"/>.</summary>
    internal async Task<Ec2RequestRateLimiter> Ec2LimiterAsync(string region, CancellationToken cancellationToken)
    {
        var registry = rateLimiters;
        if (accountHint is not null)
        {
            return registry.For(accountHint, region);
        }

        string account;
        try
        {
            // Cached with the credentials, and asked by the engine before its first call anyway.
            account = await AccountIdAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Account unknown (STS unreachable): the access key stands for it, so the calls of these credentials still share buckets.
            var current = await credentials.GetCredentialsAsync().ConfigureAwait(false);
            account = "access key " + current.AccessKey;
        }

        return registry.For(account, region);
    }

    /// <summary>Disposes and drops the SDK clients not used since <paramref name="idleSince"/>; the clients stay usable.</summary>
    internal void EvictIdle(DateTimeOffset idleSince)
    {
        List<IDisposable> evicted;
        lock (clients)
        {
            var idle = clients.Where(e => e.Value.LastUsed < idleSince).Select(e => e.Key).ToList();
            evicted = idle.Select(key => clients[key].Client).ToList();
            foreach (var key in idle)
            {
                clients.Remove(key);
            }
        }

        foreach (var client in evicted)
        {
            client.Dispose();
        }
    }

    public void Dispose()
    {
        lock (clients)
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            foreach (var entry in clients.Values)
            {
                entry.Client.Dispose();
            }

            clients.Clear();
        }
    }

    private void Touch(DateTimeOffset now)
    {
        var ticks = now.UtcTicks;
        long seen;
        while ((seen = Interlocked.Read(ref lastUsedTicks)) < ticks && Interlocked.CompareExchange(ref lastUsedTicks, ticks, seen) != seen)
        {
        }
    }

    private async Task CallerAccountAsync(TaskCompletionSource<string> completion)
    {
        try
        {
            options.Log?.Invoke("STS GetCallerIdentity (the account the credentials belong to)");
            // Shared by every finding of the account, so it runs to completion whoever asked first.
            var identity = await Sts(connection.Region).GetCallerIdentityAsync(new GetCallerIdentityRequest(), CancellationToken.None).ConfigureAwait(false);
            completion.TrySetResult(string.IsNullOrEmpty(identity.Account)
                ? throw new AmazonClientException("STS GetCallerIdentity returned no account.")
                : identity.Account);
        }
        catch (Exception ex)
        {
            completion.TrySetException(ex);
        }
    }

    /// <summary>A Query-protocol client of a regional service: its endpoint override (by service ID) or AWS's regional endpoint.</summary>
    private AwsQueryClient QueryClient(string signingName, string serviceId, string apiVersion, string region, AWSCredentials signing)
    {
        var endpoint = connection.Endpoints.Resolve(serviceId) ?? AwsPartition.RegionalEndpoint(signingName, region);
        var config = new AwsQueryClientConfig(signingName, apiVersion, endpoint, region, connection.RetryPolicy)
        {
            Clock = options.Clock,
            Log = options.Log,
        };
        return new AwsQueryClient(config, signing, options.HttpHandlerFactory?.Invoke());
    }

    private IamClient CreateIam(string region, AWSCredentials signing)
    {
        var signingRegion = AwsPartition.IamSigningRegion(region);
        var endpoint = connection.Endpoints.Resolve("IAM") ?? AwsPartition.IamEndpoint(region);
        var config = new AwsQueryClientConfig("iam", IamClient.ApiVersion, endpoint, signingRegion, connection.RetryPolicy)
        {
            Clock = options.Clock,
            Log = options.Log,
        };
        return new IamClient(new AwsQueryClient(config, signing, options.HttpHandlerFactory?.Invoke()));
    }

    private T GetOrCreate<T>(string service, string region, Func<string, AWSCredentials, T> create)
        where T : class, IDisposable
    {
        if (string.IsNullOrWhiteSpace(region))
        {
            throw new ArgumentException("A region is required.", nameof(region));
        }

        var now = options.Clock();
        Touch(now);
        lock (clients)
        {
            if (disposed)
            {
                throw new ObjectDisposedException(nameof(AwsClients));
            }

            if (!clients.TryGetValue((service, region), out var entry))
            {
                entry = new ClientEntry(this);
                entry.Client = create(region, new UsageTrackingCredentials(credentials, entry));
                clients.Add((service, region), entry);
            }

            entry.Touch(now);
            return (T)entry.Client;
        }
    }

    /// <summary>One SDK client and when it was last used.</summary>
    private sealed class ClientEntry
    {
        private readonly AwsClients owner;
        private long lastUsedTicks;

        public ClientEntry(AwsClients owner) => this.owner = owner;

        public IDisposable Client { get; set; } = null!;

        public DateTimeOffset LastUsed => new(Interlocked.Read(ref lastUsedTicks), TimeSpan.Zero);

        public void Touch() => Touch(owner.options.Clock());

        public void Touch(DateTimeOffset now)
        {
            Interlocked.Exchange(ref lastUsedTicks, now.UtcTicks);
            owner.Touch(now);
        }
    }

    /// <summary>The clients' credentials, marking the SDK client used each time it signs a request.</summary>
    private sealed class UsageTrackingCredentials : AWSCredentials
    {
        private readonly AWSCredentials inner;
        private readonly ClientEntry entry;

        public UsageTrackingCredentials(AWSCredentials inner, ClientEntry entry)
        {
            this.inner = inner;
            this.entry = entry;
        }

        public override ImmutableCredentials GetCredentials()
        {
            entry.Touch();
            return inner.GetCredentials();
        }

        public override Task<ImmutableCredentials> GetCredentialsAsync()
        {
            entry.Touch();
            return inner.GetCredentialsAsync();
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
