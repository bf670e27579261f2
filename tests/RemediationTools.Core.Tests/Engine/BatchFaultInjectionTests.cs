using System.Collections.Concurrent;
using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Ec2;
using RemediationTools.Core.Tests.Aws;
using RemediationTools.Core.Tests.Jobs;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>
/// A batch across three accounts and two regions against the sandbox, through the real client factory (AssumeRole with
/// an external ID, SDK clients, SigV4), first clean and then with 20% throttling and 5% server errors injected.
/// </summary>
public sealed class BatchFaultInjectionTests : IDisposable
{
    private const string ExternalId = "o-faults0001";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    private static readonly string[] Regions = { "us-east-1", "eu-west-1" };
    private static readonly string[] ExpectedRules =
    {
        "tcp 22-22 10.0.0.0/8",
        "tcp 443-443 0.0.0.0/0",
        "tcp 5400-5431 ::/0",
        "tcp 5433-5500 ::/0",
    };

    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount worker;
    private readonly List<SandboxAccount> clouds = new();
    private readonly ConcurrentQueue<string> log = new();

    public BatchFaultInjectionTests()
    {
        var workerRoot = server.CreateAccount();
        worker = server.CreateUser(workerRoot.AccountId, "remediation-worker");
        for (var i = 0; i < 3; i++)
        {
            clouds.Add(SandboxEc2.JobAccount(server));
        }
    }

    public void Dispose() => server.Dispose();

    private async Task<AwsClientFactory> FactoryAsync(SandboxAccount account)
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain(null));
        var connection = await resolver.ResolveAsync(
            new AwsConnectionOptions
            {
                AccessKey = account.AccessKeyId,
                SecretKey = account.SecretAccessKey,
                Region = "us-east-1",
                EndpointUrl = server.Endpoint.ToString(),
            },
            CancellationToken.None);
        return new AwsClientFactory(connection, new AwsClientFactoryOptions { Log = log.Enqueue });
    }

    private AmazonEC2Client Ec2(SandboxAccount account, string region) => new(
        new BasicAWSCredentials(account.AccessKeyId, account.SecretAccessKey),
        new AmazonEC2Config { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = region, MaxErrorRetry = 0 });

    /// <summary>In each cloud account, the role the worker assumes, allowed exactly the port closer's actions.</summary>
    private async Task<RemediationOptions> RolesAsync()
    {
        var options = new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(20) };
        foreach (var cloud in clouds)
        {
            using var admin = await FactoryAsync(cloud);
            var iam = (await admin.ForAccountAsync(null, CancellationToken.None)).Iam();
            var trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + worker.AccountId +
                        ":root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"" + ExternalId + "\"}}}]}";
            var role = await iam.CreateRoleAsync(new CreateRoleRequest { RoleName = "RemediationRole", AssumeRolePolicyDocument = trust });
            var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" +
                         string.Join(",", SecurityGroupPortCloser.IamActions.Select(a => "\"" + a + "\"")) + "],\"Resource\":\"*\"}]}";
            await iam.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = "RemediationRole", PolicyName = "jobs", PolicyDocument = policy });
            options.AccountRoles[cloud.AccountId] = new AccountRole(role.Role.Arn, ExternalId);
        }

        return options;
    }

    /// <summary><paramref name="count"/> groups public on 5432 (exact and in a range), spread over the accounts and regions.</summary>
    private async Task<List<Finding>> FindingsAsync(int count)
    {
        var findings = new List<Finding>();
        for (var i = 0; i < count; i++)
        {
            var cloud = clouds[i % clouds.Count];
            var region = Regions[i / clouds.Count % Regions.Length];
            using var ec2 = Ec2(cloud, region);
            var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "g" + i.ToString(CultureInfo.InvariantCulture), Description = "faults", VpcId = server.GetFirstVpcId(cloud.AccountId, region) })).GroupId;
            await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
            {
                GroupId = groupId,
                IpPermissions = new List<IpPermission>
                {
                    new() { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                    new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } },
                    new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.0/8" } } },
                    new() { IpProtocol = "tcp", FromPort = 5400, ToPort = 5500, Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = "::/0" } } },
                },
            });
            findings.Add(new Finding { RuleId = PostgresRule, AccountId = cloud.AccountId, Region = region, ResourceId = groupId, FindingId = "f-" + i.ToString(CultureInfo.InvariantCulture) });
        }

        server.Settle();
        return findings;
    }

    private async Task<string[]> RulesAsync(Finding finding)
    {
        server.Settle();
        using var ec2 = Ec2(clouds.Single(c => c.AccountId == finding.AccountId), finding.Region);
        var response = await ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
        {
            Filters = new List<Filter> { new() { Name = "group-id", Values = new List<string> { finding.ResourceId } } },
        });
        return response.SecurityGroupRules.Where(r => r.IsEgress != true)
            .Select(r => string.Format(CultureInfo.InvariantCulture, "{0} {1}-{2} {3}", r.IpProtocol, r.FromPort, r.ToPort, r.CidrIpv4 ?? r.CidrIpv6))
            .OrderBy(t => t, StringComparer.Ordinal)
            .ToArray();
    }

    private int AssumeRoleCalls => log.Count(line => line.StartsWith("STS AssumeRole ", StringComparison.Ordinal) && !IsFailure(line));

    private int FailedAssumeRoleCalls => log.Count(line => line.StartsWith("STS AssumeRole ", StringComparison.Ordinal) && IsFailure(line));

    private static bool IsFailure(string line) => line.EndsWith(" after the SDK's retries", StringComparison.Ordinal);

    [Fact]
    public async Task RunBatch_ThreeAccountsTwoRegions_OneAssumeRolePerAccountAndReadsAmortised()
    {
        var options = await RolesAsync();
        var findings = await FindingsAsync(30);
        using var factory = await FactoryAsync(worker);
        var engine = new RemediationEngine(factory);
        server.ResetCallCounts();

        var results = await engine.RunBatchAsync(findings, options, null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(3, AssumeRoleCalls);
        Assert.Equal(3, server.CallCounts["sts:AssumeRole"]);
        // Six account+region groups: one batched describe each for planning, then the verify reads (and their re-reads
        // while the sandbox lags) batched across the findings of each group: at least one per group and read, and
        // never one per finding (that would be 6 + 30 x 2).
        Assert.InRange(server.CallCounts["ec2:DescribeSecurityGroups"], 6 + (6 * (1 + SandboxEc2.JobTestReadLag)), 6 + (findings.Count * (1 + SandboxEc2.JobTestReadLag) / 2));
        Assert.Equal(6, server.CallCounts["ec2:DescribeNetworkInterfaces"]);
    }

    [Fact]
    public async Task RunBatch_TwentyPercentThrottlingAndServerErrors_EveryFindingRemediatedExactlyOnce()
    {
        var options = await RolesAsync();
        var findings = await FindingsAsync(50);
        using var factory = await FactoryAsync(worker);
        var engine = new RemediationEngine(factory);
        server.Faults.Seed = 20;
        server.Faults.ThrottleRate = 0.20;
        server.Faults.ServerErrorRate = 0.05;

        IReadOnlyList<RemediationResult> results;
        try
        {
            results = await engine.RunBatchAsync(findings, options, null, null);
        }
        finally
        {
            server.Faults.ThrottleRate = 0;
            server.Faults.ServerErrorRate = 0;
        }

        Assert.All(results, r => Assert.True(r.Status == RemediationStatus.Remediated, r.ResourceId + ": " + r.Status + " " + r.ErrorCode + " " + r.Reason));
        Assert.Equal(findings.Select(f => f.FindingId), results.Select(r => r.FindingId));
        foreach (var finding in findings)
        {
            Assert.Equal(ExpectedRules, await RulesAsync(finding));
        }

        // One AssumeRole that succeeded per account despite the faults (the SDK's retries of a throttled call are not new
        // AssumeRoles; a call that still failed after them is not cached, and the next finding of the account asks again).
        Assert.Equal(3, AssumeRoleCalls - FailedAssumeRoleCalls);

        // Running the batch again changes nothing: every finding was fixed, none is fixed twice.
        server.ResetCallCounts();
        var again = await engine.RunBatchAsync(findings, options, null, null);
        Assert.All(again, r => Assert.Equal(RemediationStatus.AlreadyCompliant, r.Status));
        Assert.False(server.CallCounts.ContainsKey("ec2:RevokeSecurityGroupIngress"));
        Assert.False(server.CallCounts.ContainsKey("ec2:AuthorizeSecurityGroupIngress"));
    }
}
