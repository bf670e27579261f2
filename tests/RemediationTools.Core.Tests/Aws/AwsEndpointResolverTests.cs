using Amazon.EC2;
using Amazon.Runtime;
using Amazon.SecurityToken;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public class AwsEndpointResolverTests
{
    private readonly FakeEnvironment environment = new FakeEnvironment()
        .Set("AWS_ENDPOINT_URL", "http://general.test:4566")
        .Set("AWS_ENDPOINT_URL_EC2", "http://ec2.test:5000");

    [Fact]
    public void Resolve_ExplicitEndpoint_WinsOverEnvironment()
    {
        var resolver = new AwsEndpointResolver(new Uri("http://explicit.test:9000"), environment);

        Assert.Equal(new Uri("http://explicit.test:9000"), resolver.Resolve("EC2"));
        Assert.Equal(new Uri("http://explicit.test:9000"), resolver.Resolve("IAM"));
    }

    [Fact]
    public void Resolve_ServiceVariable_WinsOverGeneralVariable()
    {
        var resolver = new AwsEndpointResolver(null, environment);

        Assert.Equal(new Uri("http://ec2.test:5000"), resolver.Resolve("EC2"));
        Assert.Equal(new Uri("http://general.test:4566"), resolver.Resolve("STS"));
    }

    [Fact]
    public void Resolve_NothingSet_ReturnsNull()
    {
        Assert.Null(new AwsEndpointResolver(null, new FakeEnvironment()).Resolve("IAM"));
    }

    [Theory]
    [InlineData("EC2", "AWS_ENDPOINT_URL_EC2")]
    [InlineData("iam", "AWS_ENDPOINT_URL_IAM")]
    [InlineData("Secrets Manager", "AWS_ENDPOINT_URL_SECRETS_MANAGER")]
    [InlineData("Elastic Load Balancing v2", "AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2")]
    public void EnvironmentVariableFor_ServiceId_UpperCasesAndUnderscores(string serviceId, string expected)
    {
        Assert.Equal(expected, AwsEndpointResolver.EnvironmentVariableFor(serviceId));
    }

    [Fact]
    public void Resolve_InvalidVariable_ThrowsNamingTheVariable()
    {
        var resolver = new AwsEndpointResolver(null, new FakeEnvironment().Set("AWS_ENDPOINT_URL_IAM", "ftp://x"));

        var ex = Assert.Throws<AwsConfigurationException>(() => resolver.Resolve("IAM"));

        Assert.Contains("AWS_ENDPOINT_URL_IAM", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_CustomEndpoint_SetsServiceUrlAuthenticationRegionAndIgnoresSdkEndpointSettings()
    {
        var connection = Connection(new AwsEndpointResolver(null, environment), maxErrorRetry: 7);

        var config = AwsClientFactory.Configure(new AmazonEC2Config(), "EC2", "eu-west-3", connection);

        Assert.Equal("http://ec2.test:5000/", config.ServiceURL);
        Assert.Equal("eu-west-3", config.AuthenticationRegion);
        Assert.True(config.IgnoreConfiguredEndpointUrls);
        Assert.Equal(RequestRetryMode.Standard, config.RetryMode);
        Assert.Equal(7, config.MaxErrorRetry);
    }

    [Fact]
    public void Configure_NoCustomEndpoint_UsesRegionEndpoint()
    {
        var connection = Connection(new AwsEndpointResolver(null, new FakeEnvironment()), maxErrorRetry: 2, adaptive: true);

        var config = AwsClientFactory.Configure(new AmazonSecurityTokenServiceConfig(), "STS", "eu-west-3", connection);

        Assert.Null(config.ServiceURL);
        Assert.Equal("eu-west-3", config.RegionEndpoint.SystemName);
        Assert.Equal(RequestRetryMode.Adaptive, config.RetryMode);
    }

    [Theory]
    [InlineData("us-east-1", "us-east-1")]
    [InlineData("eu-west-1", "us-east-1")]
    [InlineData("cn-northwest-1", "cn-north-1")]
    [InlineData("us-gov-east-1", "us-gov-west-1")]
    public void IamSigningRegion_Region_IsPartitionsGlobalRegion(string region, string expected)
    {
        Assert.Equal(expected, AwsPartition.IamSigningRegion(region));
    }

    internal static AwsConnection Connection(AwsEndpointResolver endpoints, int maxErrorRetry = 3, bool adaptive = false, string region = "eu-west-1") =>
        new(new BasicAWSCredentials("AKIDTEST", "secret"), "test", region, "test", endpoints, new AwsRetryPolicy(maxErrorRetry), adaptive);
}
