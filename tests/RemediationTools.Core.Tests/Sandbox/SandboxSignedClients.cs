using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Tests.Aws;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The module's own clients (the signed ELB, ELBv2 and CloudTrail clients among them) pointed at a sandbox.</summary>
internal static class SandboxSignedClients
{
    /// <summary>A factory signed as <paramref name="who"/>, every service at the sandbox; retries off unless asked.</summary>
    public static AwsClientFactory Factory(SandboxServer server, SandboxAccount who, string region = "us-east-1", int maxErrorRetry = 0) => new(
        new AwsConnection(
            new BasicAWSCredentials(who.AccessKeyId, who.SecretAccessKey),
            "test",
            region,
            "test",
            new AwsEndpointResolver(server.Endpoint, new FakeEnvironment()),
            new AwsRetryPolicy(maxErrorRetry, delay: (_, _) => Task.CompletedTask),
            false));

    public static async Task<IAwsClients> ClientsAsync(this AwsClientFactory factory) => await factory.ForAccountAsync(null, CancellationToken.None);
}
