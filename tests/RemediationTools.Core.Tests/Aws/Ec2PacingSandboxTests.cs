using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

/// <summary>EC2 pacing through real SDK clients against the sandbox.</summary>
public sealed class Ec2PacingSandboxTests : IDisposable
{
    private readonly SandboxServer server = SandboxServer.Start();

    public void Dispose() => server.Dispose();

    private async Task<AwsClientFactory> FactoryAsync(SandboxAccount account, AwsClientFactoryOptions options, int maxErrorRetry = 4)
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain(null));
        var connection = await resolver.ResolveAsync(
            new AwsConnectionOptions
            {
                AccessKey = account.AccessKeyId,
                SecretKey = account.SecretAccessKey,
                Region = "us-east-1",
                EndpointUrl = server.Endpoint.ToString(),
                MaxErrorRetry = maxErrorRetry,
            },
            CancellationToken.None);
        return new AwsClientFactory(connection, options);
    }

    [Fact]
    public async Task Ec2Client_PacingOn_EveryCallTakesATokenAndWaitsWhenTheBucketIsEmpty()
    {
        var account = server.CreateAccount();
        var clock = new FakePacingClock();
        var limits = new Ec2RequestLimits();
        // EC2's bucket of 4; the client's copy holds 3 (one in reserve).
        limits.Categories[Ec2ThrottlingCategory.UnfilteredNonMutating] = new Ec2BucketLimit(4, 1);
        var registry = new Ec2RequestRateLimiterRegistry(limits, clock);
        using var factory = await FactoryAsync(account, new AwsClientFactoryOptions { Ec2Pacing = Ec2PacingMode.On, Ec2RateLimiters = registry });
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);
        var ec2 = clients.Ec2("us-east-1");
        server.ResetCallCounts();

        for (var i = 0; i < 3; i++)
        {
            // Bounded: a call that waited for a token here would otherwise wait for the fake clock forever.
            await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()).WaitAsync(TimeSpan.FromSeconds(30));
        }

        var fourth = ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        var limiter = registry.For(account.AccountId, "us-east-1");
        var bucket = limiter.RequestBucket("DescribeSecurityGroups", false);
        Assert.Equal(1, bucket.Waiting);
        Assert.Equal(3, server.CallCounts["ec2:DescribeSecurityGroups"]);
        await ec2.DescribeVpcsAsync(new DescribeVpcsRequest()); // another action's bucket: not held up
        clock.Advance(TimeSpan.FromSeconds(1));
        await fourth.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(4, server.CallCounts["ec2:DescribeSecurityGroups"]);
        Assert.Equal(5, limiter.Acquired);
        Assert.Equal(server.CallCounts.Where(c => c.Key.StartsWith("ec2:", StringComparison.Ordinal)).Sum(c => c.Value), limiter.Acquired);
        Assert.Equal(1, registry.Count);
    }

    [Fact]
    public async Task Ec2Client_SandboxThrottles_EachAttemptPacedAndEachThrottleSlowsTheBucket()
    {
        var account = server.CreateAccount();
        var limits = new Ec2RequestLimits();
        limits.Categories[Ec2ThrottlingCategory.UnfilteredNonMutating] = new Ec2BucketLimit(1000, 1000);
        var registry = new Ec2RequestRateLimiterRegistry(limits);
        var log = new List<string>();
        using var factory = await FactoryAsync(
            account,
            new AwsClientFactoryOptions { Ec2Pacing = Ec2PacingMode.On, Ec2RateLimiters = registry, Log = line => { lock (log) { log.Add(line); } } },
            maxErrorRetry: 10);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);
        var ec2 = clients.Ec2("us-east-1");
        server.ResetCallCounts();
        server.Faults.Seed = 11;
        server.Faults.ThrottleRate = 0.3;

        for (var i = 0; i < 10; i++)
        {
            await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        }

        server.Faults.ThrottleRate = 0;
        var calls = server.CallCounts["ec2:DescribeSecurityGroups"];
        var limiter = registry.For(account.AccountId, "us-east-1");
        Assert.True(calls > 10, "some calls were throttled and retried");
        Assert.Equal(calls, limiter.Acquired);
        Assert.Equal(calls - 10, limiter.Throttles);
        Assert.Equal(calls - 10, log.Count(l => l.StartsWith("EC2 DescribeSecurityGroups throttled (RequestLimitExceeded) in " + account.AccountId + " us-east-1", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Ec2Client_RoleClients_PacedInTheRoleAccountsBuckets()
    {
        var account = server.CreateAccount();
        var registry = new Ec2RequestRateLimiterRegistry(clock: new FakePacingClock());
        using var factory = await FactoryAsync(account, new AwsClientFactoryOptions
        {
            Ec2Pacing = Ec2PacingMode.On,
            Ec2RateLimiters = registry,
            RoleCredentialsSource = new FakeRoleCredentialsSource(),
        });
        var role = new AccountRole("arn:aws:iam::" + account.AccountId + ":role/Remediation", "o-abc123def4");

        var clients = (AwsClients)await factory.ForAccountAsync(role, CancellationToken.None);
        var limiter = await clients.Ec2LimiterAsync("eu-west-1", CancellationToken.None);

        Assert.Equal(account.AccountId, limiter.AccountId);
        Assert.Equal("eu-west-1", limiter.Region);
        Assert.Same(limiter, registry.For(account.AccountId, "eu-west-1"));
    }

    [Theory]
    [InlineData("on", true)]
    [InlineData("ON", true)]
    [InlineData("off", false)]
    [InlineData("auto", false)]
    public async Task Ec2Pacing_AutoAndVariable_VariableDecides(string value, bool paced)
    {
        var environment = new FakeEnvironment().Set(Ec2PacingModes.Variable, value);
        using var factory = await FactoryAsync(server.CreateAccount(), new AwsClientFactoryOptions { Environment = environment });
        var clients = (AwsClients)await factory.ForAccountAsync(null, CancellationToken.None);

        Assert.Equal(paced, clients.PacesEc2);
    }

    [Fact]
    public async Task Ec2Pacing_VariableNotAMode_ErrorNamesTheValue()
    {
        var environment = new FakeEnvironment().Set(Ec2PacingModes.Variable, "fast");

        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(() => FactoryAsync(server.CreateAccount(), new AwsClientFactoryOptions { Environment = environment }));

        Assert.Contains("REMEDIATION_EC2_PACING is 'fast'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ec2Limits_Variable_ClientsPaceToThoseLimits()
    {
        var account = server.CreateAccount();
        var environment = new FakeEnvironment().Set(Ec2PacingModes.Variable, "on").Set(Ec2RequestLimits.Variable, "RevokeSecurityGroupIngress=77/7");
        using var factory = await FactoryAsync(account, new AwsClientFactoryOptions { Environment = environment });
        var clients = (AwsClients)await factory.ForAccountAsync(null, CancellationToken.None);

        var limiter = await clients.Ec2LimiterAsync("eu-west-1", CancellationToken.None);

        // The set 77 less the client's one-token reserve.
        Assert.Equal(new Ec2BucketLimit(76, 7), limiter.RequestBucket("RevokeSecurityGroupIngress", false).Limit);
        Assert.Same(limiter, Ec2RequestRateLimiterRegistry.ForLimits("RevokeSecurityGroupIngress=77/7").For(account.AccountId, "eu-west-1"));
    }

    [Fact]
    public async Task Ec2Limits_VariableMalformed_FactoryRefusedNamingTheEntry()
    {
        var environment = new FakeEnvironment().Set(Ec2RequestLimits.Variable, "Mutating=fast");

        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(() => FactoryAsync(server.CreateAccount(), new AwsClientFactoryOptions { Environment = environment }));

        Assert.Contains("REMEDIATION_EC2_LIMITS has the entry 'Mutating=fast'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ec2Pacing_AutoAgainstAConfiguredEndpoint_Off()
    {
        using var factory = await FactoryAsync(server.CreateAccount(), new AwsClientFactoryOptions { Environment = new FakeEnvironment() });
        var clients = (AwsClients)await factory.ForAccountAsync(null, CancellationToken.None);

        Assert.False(clients.PacesEc2);
        Assert.IsNotType<PacedAmazonEC2Client>(clients.Ec2("us-east-1"));
    }
}

/// <summary>Role credentials without STS (the role-account test asks for none of its calls).</summary>
internal sealed class FakeRoleCredentialsSource : IRoleCredentialsSource
{
    public Task<RoleCredentials> AssumeRoleAsync(AccountRole role, string sessionName, CancellationToken cancellationToken) =>
        Task.FromResult(new RoleCredentials("ASIAFAKEFAKEFAKE", "secret", "token", DateTimeOffset.UtcNow.AddHours(1)));
}
