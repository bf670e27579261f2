using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public class AwsConnectionResolverTests
{
    private readonly FakeEnvironment environment = new FakeEnvironment().Set("AWS_REGION", "eu-west-1");
    private readonly FakeProfileStore profiles = new FakeProfileStore()
        .Add("ops", "AKIDPROFILE", "eu-central-1")
        .Add("stored", "AKIDSTOREDPROFILE", "ap-south-1");

    private AwsConnectionResolver Resolver(string? defaultChainKey = "AKIDDEFAULT") =>
        new(environment, profiles, new FakeDefaultChain(defaultChainKey));

    private static async Task<string> AccessKeyOf(AwsConnection connection) =>
        (await connection.Credentials.GetCredentialsAsync()).AccessKey;

    [Fact]
    public async Task ResolveAsync_KeysWithEverythingElse_KeysWin()
    {
        var options = new AwsConnectionOptions
        {
            AccessKey = "AKIDKEYS",
            SecretKey = "s",
            SessionToken = "t",
            Credential = new ForeignAwsCredentials("AKIDOBJECT"),
            ProfileName = "ops",
            StoredCredentials = "stored",
        };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        Assert.Equal("AKIDKEYS", await AccessKeyOf(connection));
        Assert.Equal("t", (await connection.Credentials.GetCredentialsAsync()).Token);
        Assert.Equal("-AccessKey/-SecretKey/-SessionToken parameters", connection.CredentialSource);
    }

    [Fact]
    public async Task ResolveAsync_ForeignCredentialObjectAndProfile_CredentialObjectWinsAndIsReadByReflection()
    {
        var foreign = new ForeignAwsCredentials("AKIDOBJECT");
        var options = new AwsConnectionOptions { Credential = foreign, ProfileName = "ops", StoredCredentials = "stored" };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        var keys = await connection.Credentials.GetCredentialsAsync();
        Assert.Equal("AKIDOBJECT", keys.AccessKey);
        Assert.Equal("foreign-secret", keys.SecretKey);
        Assert.Equal("foreign-token", keys.Token);
        Assert.Equal(1, foreign.Reads);
        Assert.Equal("-Credential parameter", connection.CredentialSource);
    }

    [Fact]
    public async Task ResolveAsync_CredentialObjectWithKeyProperties_IsAccepted()
    {
        var options = new AwsConnectionOptions { Credential = new ForeignImmutableCredentials("AKIDPLAIN", "s", "t") };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        Assert.Equal("AKIDPLAIN", await AccessKeyOf(connection));
    }

    [Fact]
    public async Task ResolveAsync_ProfileNameAndStoredCredentials_ProfileWins()
    {
        var options = new AwsConnectionOptions { ProfileName = "ops", StoredCredentials = "stored" };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        Assert.Equal("AKIDPROFILE", await AccessKeyOf(connection));
        Assert.Equal("profile 'ops' (-ProfileName)", connection.CredentialSource);
    }

    [Fact]
    public async Task ResolveAsync_StoredProfileNameAndDefaultChain_StoredProfileWins()
    {
        var chain = new FakeDefaultChain("AKIDDEFAULT");
        var resolver = new AwsConnectionResolver(environment, profiles, chain);

        var connection = await resolver.ResolveAsync(new AwsConnectionOptions { StoredCredentials = "stored" }, CancellationToken.None);

        Assert.Equal("AKIDSTOREDPROFILE", await AccessKeyOf(connection));
        Assert.Equal("profile 'stored' ($StoredAWSCredentials)", connection.CredentialSource);
        Assert.Equal(0, chain.Calls);
    }

    [Fact]
    public async Task ResolveAsync_StoredAwsToolsWrapper_ReadsItsNonPublicCredentials()
    {
        var stored = new StoredCredentialsWrapper(new ForeignAwsCredentials("AKIDSESSION"), "my-set");

        var connection = await Resolver().ResolveAsync(new AwsConnectionOptions { StoredCredentials = stored }, CancellationToken.None);

        Assert.Equal("AKIDSESSION", await AccessKeyOf(connection));
        Assert.Equal("$StoredAWSCredentials ('my-set')", connection.CredentialSource);
    }

    [Fact]
    public async Task ResolveAsync_NothingGiven_UsesDefaultChain()
    {
        var connection = await Resolver().ResolveAsync(new AwsConnectionOptions(), CancellationToken.None);

        Assert.Equal("AKIDDEFAULT", await AccessKeyOf(connection));
        Assert.Equal("SDK default chain (fake)", connection.CredentialSource);
    }

    [Fact]
    public async Task ResolveAsync_UnknownProfile_ThrowsNamingTheProfile()
    {
        var options = new AwsConnectionOptions { ProfileName = "no-such-profile" };

        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(() => Resolver().ResolveAsync(options, CancellationToken.None));

        Assert.Equal(AwsConfigurationError.ProfileNotFound, ex.Error);
        Assert.Contains("'no-such-profile'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-ProfileName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_UnknownProfileWithDefaultChainAvailable_DoesNotFallBack()
    {
        var chain = new FakeDefaultChain("AKIDDEFAULT");
        var resolver = new AwsConnectionResolver(environment, profiles, chain);

        await Assert.ThrowsAsync<AwsConfigurationException>(
            () => resolver.ResolveAsync(new AwsConnectionOptions { ProfileName = "typo" }, CancellationToken.None));

        Assert.Equal(0, chain.Calls);
    }

    [Fact]
    public async Task ResolveAsync_StoredProfileNameUnknown_ThrowsNamingTheProfile()
    {
        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => Resolver().ResolveAsync(new AwsConnectionOptions { StoredCredentials = "gone" }, CancellationToken.None));

        Assert.Equal(AwsConfigurationError.ProfileNotFound, ex.Error);
        Assert.Contains("'gone'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_AwsProfileVariableNamesMissingProfile_ThrowsNamingIt()
    {
        var chain = new FakeDefaultChain("AKIDDEFAULT");
        var resolver = new AwsConnectionResolver(new FakeEnvironment().Set("AWS_PROFILE", "ghost").Set("AWS_REGION", "eu-west-1"), profiles, chain);

        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(() => resolver.ResolveAsync(new AwsConnectionOptions(), CancellationToken.None));

        Assert.Equal(AwsConfigurationError.ProfileNotFound, ex.Error);
        Assert.Contains("'ghost'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_PROFILE", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, chain.Calls);
    }

    [Fact]
    public async Task ResolveAsync_Cancelled_Throws()
    {
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Resolver().ResolveAsync(new AwsConnectionOptions(), cancel.Token));
    }

    [Fact]
    public async Task ResolveAsync_NoCredentialsAnywhere_ThrowsSayingWhatToPass()
    {
        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => Resolver(defaultChainKey: null).ResolveAsync(new AwsConnectionOptions(), CancellationToken.None));

        Assert.Equal(AwsConfigurationError.CredentialsNotFound, ex.Error);
        Assert.Contains("-ProfileName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-AccessKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Set-AWSCredential", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_AccessKeyWithoutSecretKey_ThrowsInvalidParameters()
    {
        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => Resolver().ResolveAsync(new AwsConnectionOptions { AccessKey = "AKID" }, CancellationToken.None));

        Assert.Equal(AwsConfigurationError.InvalidParameters, ex.Error);
    }

    [Fact]
    public async Task ResolveAsync_SecretsNeverInMessages_WhenCredentialObjectIsUnusable()
    {
        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => Resolver().ResolveAsync(new AwsConnectionOptions { Credential = new Uri("https://example.com/") }, CancellationToken.None));

        Assert.Equal(AwsConfigurationError.InvalidParameters, ex.Error);
        Assert.Contains("System.Uri", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_RegionParameter_WinsOverStoredAndEnvironmentAndProfile()
    {
        environment.Set("AWS_DEFAULT_REGION", "us-west-1");
        var options = new AwsConnectionOptions { Region = "sa-east-1", StoredRegion = "ca-central-1", ProfileName = "ops" };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        Assert.Equal("sa-east-1", connection.Region);
        Assert.Equal("-Region", connection.RegionSource);
    }

    [Fact]
    public async Task ResolveAsync_StoredRegion_WinsOverEnvironmentAndProfile()
    {
        var options = new AwsConnectionOptions { StoredRegion = "ca-central-1", ProfileName = "ops" };

        var connection = await Resolver().ResolveAsync(options, CancellationToken.None);

        Assert.Equal("ca-central-1", connection.Region);
    }

    [Fact]
    public async Task ResolveAsync_AwsRegion_WinsOverAwsDefaultRegionAndProfile()
    {
        environment.Set("AWS_DEFAULT_REGION", "us-west-1");

        var connection = await Resolver().ResolveAsync(new AwsConnectionOptions { ProfileName = "ops" }, CancellationToken.None);

        Assert.Equal("eu-west-1", connection.Region);
        Assert.Equal("AWS_REGION", connection.RegionSource);
    }

    [Fact]
    public async Task ResolveAsync_AwsDefaultRegion_WinsOverProfile()
    {
        var env = new FakeEnvironment().Set("AWS_DEFAULT_REGION", "us-west-1");
        var resolver = new AwsConnectionResolver(env, profiles, new FakeDefaultChain("AKID"));

        var connection = await resolver.ResolveAsync(new AwsConnectionOptions { ProfileName = "ops" }, CancellationToken.None);

        Assert.Equal("us-west-1", connection.Region);
    }

    [Fact]
    public async Task ResolveAsync_OnlyProfileHasRegion_UsesProfileRegion()
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), profiles, new FakeDefaultChain("AKID"));

        var connection = await resolver.ResolveAsync(new AwsConnectionOptions { ProfileName = "ops" }, CancellationToken.None);

        Assert.Equal("eu-central-1", connection.Region);
        Assert.Equal("profile 'ops'", connection.RegionSource);
    }

    [Fact]
    public async Task ResolveAsync_DefaultChainWithAwsProfileVariable_UsesThatProfilesRegion()
    {
        var env = new FakeEnvironment().Set("AWS_PROFILE", "stored");
        var resolver = new AwsConnectionResolver(env, profiles, new FakeDefaultChain("AKID"));

        var connection = await resolver.ResolveAsync(new AwsConnectionOptions(), CancellationToken.None);

        Assert.Equal("ap-south-1", connection.Region);
    }

    [Fact]
    public async Task ResolveAsync_NoRegionAnywhere_ThrowsSayingToPassRegion()
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain("AKID"));

        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => resolver.ResolveAsync(new AwsConnectionOptions(), CancellationToken.None));

        Assert.Equal(AwsConfigurationError.RegionNotFound, ex.Error);
        Assert.Contains("-Region", ex.Message, StringComparison.Ordinal);
        Assert.Contains("AWS_REGION", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResolveAsync_InvalidEndpointUrl_ThrowsInvalidEndpoint()
    {
        var ex = await Assert.ThrowsAsync<AwsConfigurationException>(
            () => Resolver().ResolveAsync(new AwsConnectionOptions { EndpointUrl = "not a url" }, CancellationToken.None));

        Assert.Equal(AwsConfigurationError.InvalidEndpoint, ex.Error);
    }
}
