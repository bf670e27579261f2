using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>What the EC2 job tests against the sandbox share: an official EC2 client for an account, and rule literals.</summary>
internal static class SandboxEc2
{
    /// <summary>Describe calls of a changed security group or network ACL that still see the old state, in job tests.</summary>
    public const int JobTestReadLag = 1;

    /// <summary>Items per page of a paged describe call, in job tests.</summary>
    public const int JobTestPageSize = 5;

    /// <summary>
    /// A sandbox as EC2 job tests use it: EC2's read-after-write lag (<see cref="JobTestReadLag"/> reads) and small pages
    /// (<see cref="JobTestPageSize"/>) on, so that the jobs' paging and verify-backoff code runs. Create the account with
    /// <see cref="JobAccount"/> (no default VPC) and call <see cref="SandboxServer.Settle"/> after the setup and before
    /// reading the outcome back, so that only the job under test sees the lag.
    /// </summary>
    public static SandboxServer StartForJobs()
    {
        var server = SandboxServer.Start();
        server.ReadLag = JobTestReadLag;
        server.MaxPageSize = JobTestPageSize;
        return server;
    }

    /// <summary>An account without default VPCs: groups live in a non-default VPC, whose revoke rules are strict.</summary>
    public static SandboxAccount JobAccount(SandboxServer server) => server.CreateAccount(defaultVpc: false);

    /// <summary>The module's client factory signed as <paramref name="who"/> against <paramref name="server"/>, in <paramref name="region"/>.</summary>
    public static AwsClientFactory JobFactory(SandboxServer server, SandboxAccount who, string region) =>
        AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = who.AccessKeyId, SecretKey = who.SecretAccessKey, Region = region, EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None).GetAwaiter().GetResult();

        /// <summary>An EC2 client signed as <paramref name="who"/>; retries off unless <paramref name="maxErrorRetry"/> says otherwise.</summary>
    public static AmazonEC2Client Client(SandboxServer server, SandboxAccount who, string region, int? maxErrorRetry = 0)
    {
        var config = new AmazonEC2Config { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = region };
        if (maxErrorRetry is { } retries)
        {
            config.MaxErrorRetry = retries;
        }

        return new AmazonEC2Client(new BasicAWSCredentials(who.AccessKeyId, who.SecretAccessKey), config);
    }

    /// <summary>An ingress permission from one IPv4 or IPv6 CIDR.</summary>
    public static IpPermission Cidr(string protocol, int? from, int? to, string cidr, string? description = null)
    {
        var permission = new IpPermission { IpProtocol = protocol, FromPort = from, ToPort = to };
        if (cidr.Contains(':', StringComparison.Ordinal))
        {
            permission.Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = cidr, Description = description } };
        }
        else
        {
            permission.Ipv4Ranges = new List<IpRange> { new() { CidrIp = cidr, Description = description } };
        }

        return permission;
    }
}
