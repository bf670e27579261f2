using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Internal;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using static RemediationTools.Core.Tests.Sandbox.SandboxLaunchHelpers;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>Runs alone: it points the process's AWS SDK at one instance's metadata service through the environment.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessEnvironmentTests
{
    public const string Name = "Process environment";
}

[Collection(ProcessEnvironmentTests.Name)]
public sealed class SandboxImdsSdkTests
{
    /// <summary>Every variable that could give the SDK's default chain credentials before it reaches the instance profile.</summary>
    private static readonly string[] ChainVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_EC2_METADATA_DISABLED", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    ];

    [Fact]
    public async Task DefaultCredentialChain_OnLaunchedInstance_ResolvesTheInstanceProfileRoleSession()
    {
        using var sandbox = new SandboxHarness();
        using var ec2 = sandbox.Ec2();
        await CreateInstanceProfileAsync(sandbox, "WorkerRole", "WorkerProfile");
        var instanceId = Assert.Single((await ec2.RunInstancesAsync(new RunInstancesRequest
        {
            ImageId = await Al2023ImageIdAsync(ec2),
            InstanceType = "t3.micro",
            MinCount = 1,
            MaxCount = 1,
            IamInstanceProfile = new IamInstanceProfileSpecification { Name = "WorkerProfile" },
        })).Reservation.Instances).InstanceId;
        var endpoint = sandbox.Server.GetInstanceMetadataEndpoint(instanceId)!;
        var saved = ChainVariables.ToDictionary(v => v, Environment.GetEnvironmentVariable, StringComparer.Ordinal);
        var empty = Path.Combine(Path.GetTempPath(), "no-aws-config-" + Guid.NewGuid().ToString("N"));
        try
        {
            foreach (var name in ChainVariables)
            {
                Environment.SetEnvironmentVariable(name, null);
            }

            Environment.SetEnvironmentVariable("AWS_SHARED_CREDENTIALS_FILE", empty);
            Environment.SetEnvironmentVariable("AWS_CONFIG_FILE", empty);
            Environment.SetEnvironmentVariable("AWS_EC2_METADATA_SERVICE_ENDPOINT", endpoint.ToString().TrimEnd('/'));

            // The SDK reads the IMDS endpoint once per process, with its other fallback settings, at its first use; a
            // process started on the instance gets it from its environment. This process already used the SDK.
            FallbackInternalConfigurationFactory.Reset();

            using var profileCredentials = new InstanceProfileAWSCredentials();
            var immutable = await profileCredentials.GetCredentialsAsync();
            var chain = new DefaultAWSCredentialsIdentityResolver().ResolveIdentity(null);
            using var sts = new AmazonSecurityTokenServiceClient(chain, new AmazonSecurityTokenServiceConfig
            {
                ServiceURL = sandbox.Server.Endpoint.ToString(),
                AuthenticationRegion = SandboxHarness.Region,
                MaxErrorRetry = 0,
            });
            var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

            Assert.StartsWith("ASIA", immutable.AccessKey, StringComparison.Ordinal);
            Assert.True(immutable.UseToken);
            Assert.Equal($"arn:aws:sts::{sandbox.AccountId}:assumed-role/WorkerRole/{instanceId}", identity.Arn);
            Assert.Equal(sandbox.AccountId, identity.Account);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            FallbackInternalConfigurationFactory.Reset();
        }
    }
}
