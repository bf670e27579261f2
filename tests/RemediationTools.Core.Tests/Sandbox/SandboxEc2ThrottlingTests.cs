using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.AwsSandbox.Ec2;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// EC2's request-rate throttling in the sandbox, after the EC2 API reference's "Request throttling for the Amazon EC2
/// API": token buckets per account, region and action, sized by category, refilled from the sandbox clock (moved by
/// the tests, never waited for), RequestLimitExceeded (503) when empty.
/// </summary>
public sealed class SandboxEc2ThrottlingTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public SandboxEc2ThrottlingTests() => _sandbox.Server.Clock = () => _now;

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task Ec2RateLimits_Default_OffAndNothingThrottled()
    {
        using var ec2 = _sandbox.Ec2();

        for (var i = 0; i < 120; i++)
        {
            await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
        }

        Assert.Null(_sandbox.Server.Ec2RateLimits);
        Assert.Equal(120, _sandbox.Server.CallCounts["ec2:DescribeVpcs"]);
        Assert.Empty(_sandbox.Server.Ec2ThrottledCalls);
    }

    [Fact]
    public async Task AwsDefaults_NonMutatingBurstOf100_ThenRequestLimitExceededAsTheSdkSeesIt()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults;
        using var ec2 = _sandbox.Ec2();

        for (var i = 0; i < 100; i++)
        {
            await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
        }

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest()));

        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal("Request limit exceeded.", error.Message);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(101, _sandbox.Server.CallCounts["ec2:DescribeVpcs"]);
        Assert.Equal(new Dictionary<string, int> { ["ec2:DescribeVpcs"] = 1 }, _sandbox.Server.Ec2ThrottledCalls);
    }

    [Fact]
    public async Task RequestLimitExceeded_SdkWithRetries_RetriesItAsThrottling()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with { NonMutating = new(1, 1) };
        using var ec2 = new AmazonEC2Client(SandboxHarness.Credentials(_sandbox.Root), new AmazonEC2Config
        {
            ServiceURL = _sandbox.Server.Endpoint.ToString(),
            AuthenticationRegion = SandboxHarness.Region,
            RetryMode = Amazon.Runtime.RequestRetryMode.Standard,
            MaxErrorRetry = 2,
        });
        await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());

        // The sandbox clock stands still, so every retry finds the bucket still empty.
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeVpcsAsync(new DescribeVpcsRequest()));

        Assert.Equal("RequestLimitExceeded", error.ErrorCode);
        Assert.Equal(4, _sandbox.Server.CallCounts["ec2:DescribeVpcs"]);
        Assert.Equal(3, _sandbox.Server.Ec2ThrottledCalls["ec2:DescribeVpcs"]);
    }

    [Fact]
    public async Task AwsDefaults_MutatingBurstOf50_ResourceIntensiveSeparately()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults;
        using var ec2 = _sandbox.Ec2();
        var vpcId = _sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region);

        for (var i = 0; i < 50; i++)
        {
            await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "g" + i, Description = "d", VpcId = vpcId });
        }

        var refused = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "g50", Description = "d", VpcId = vpcId }));
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Ssh("10.1.0.0/16")] });

        Assert.Equal("RequestLimitExceeded", refused.ErrorCode);
        Assert.Equal(1, _sandbox.Server.Ec2ThrottledCalls["ec2:CreateSecurityGroup"]);
    }

    [Fact]
    public async Task Refill_OverClockTime_AtTheRefillRateUpToTheCapacity()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with { NonMutating = new(2, 0.5) };
        using var ec2 = _sandbox.Ec2();

        var burst = await OutcomesAsync(ec2, 3);
        _now += TimeSpan.FromSeconds(1);
        var afterOneSecond = await OutcomesAsync(ec2, 1);
        _now += TimeSpan.FromSeconds(1);
        var afterTwoSeconds = await OutcomesAsync(ec2, 2);
        _now += TimeSpan.FromHours(1);
        var afterAnHour = await OutcomesAsync(ec2, 3);

        Assert.Equal("..x", burst);
        Assert.Equal("x", afterOneSecond);
        Assert.Equal(".x", afterTwoSeconds);
        Assert.Equal("..x", afterAnHour);
    }

    [Fact]
    public async Task RefusedCall_TakesNoToken()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with { NonMutating = new(1, 1) };
        using var ec2 = _sandbox.Ec2();

        var burst = await OutcomesAsync(ec2, 5);
        _now += TimeSpan.FromSeconds(1);
        var afterOneSecond = await OutcomesAsync(ec2, 2);

        Assert.Equal(".xxxx", burst);
        Assert.Equal(".x", afterOneSecond);
        Assert.Equal(5, _sandbox.Server.Ec2ThrottledCalls["ec2:DescribeVpcs"]);
    }

    [Fact]
    public async Task RefusedCall_ChangesNothing()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with { ResourceIntensive = new(1, 1) };
        using var ec2 = _sandbox.Ec2();
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);

        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Ssh("10.1.0.0/16")] });
        var refused = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Ssh("10.2.0.0/16")] }));
        var group = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups.Single();

        Assert.Equal("RequestLimitExceeded", refused.ErrorCode);
        Assert.Equal(["10.1.0.0/16"], group.IpPermissions.SelectMany(p => p.Ipv4Ranges ?? []).Select(r => r.CidrIp));
    }

    [Fact]
    public async Task Buckets_PerAction_CategoriesAndTheUnfilteredBucketIndependent()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with
        {
            NonMutating = new(1, 1),
            UnfilteredUnpaginatedNonMutating = new(1, 1),
            Mutating = new(1, 1),
        };
        using var ec2 = _sandbox.Ec2();
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);
        var vpcId = _sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region);
        var filtered = new DescribeSecurityGroupsRequest { Filters = [new Filter("group-id", [groupId])] };
        var paged = new DescribeSecurityGroupsRequest { MaxResults = 5 };

        // DescribeVpcs' bucket empty: other actions and categories still have theirs.
        await OutcomesAsync(ec2, 1);
        var vpcsAgain = await OutcomesAsync(ec2, 1);
        await ec2.DescribeSubnetsAsync(new DescribeSubnetsRequest());
        await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "a", Description = "d", VpcId = vpcId });
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Ssh("10.1.0.0/16")] });
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [groupId], Tags = [new Tag("k", "v")] });

        // DescribeSecurityGroups: a list of IDs is unfiltered and unpaginated, a filter or MaxResults the larger bucket.
        await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] });
        var unfilteredAgain = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));
        await ec2.DescribeSecurityGroupsAsync(filtered);
        var filteredAgain = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(paged));
        var mutatingAgain = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "b", Description = "d", VpcId = vpcId }));

        Assert.Equal("x", vpcsAgain);
        Assert.Equal("RequestLimitExceeded", unfilteredAgain.ErrorCode);
        Assert.Equal("RequestLimitExceeded", filteredAgain.ErrorCode);
        Assert.Equal("RequestLimitExceeded", mutatingAgain.ErrorCode);
        Assert.Equal(
            new Dictionary<string, int> { ["ec2:DescribeVpcs"] = 1, ["ec2:DescribeSecurityGroups"] = 2, ["ec2:CreateSecurityGroup"] = 1 },
            _sandbox.Server.Ec2ThrottledCalls);
    }

    [Fact]
    public async Task Buckets_PerAccountAndRegion_IndependentButSharedByThePrincipalsOfAnAccount()
    {
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with { NonMutating = new(1, 1) };
        var other = _sandbox.Server.CreateAccount();
        using var root = _sandbox.Ec2();
        using var admin = _sandbox.Ec2(SandboxHarness.Credentials(_sandbox.Admin));
        using var otherRegion = _sandbox.Ec2(SandboxHarness.Credentials(_sandbox.Root), "eu-west-1");
        using var otherAccount = _sandbox.Ec2(SandboxHarness.Credentials(other));

        var first = await OutcomesAsync(root, 1);
        var sameAccountOtherUser = await OutcomesAsync(admin, 1);
        var sameAccountOtherRegion = await OutcomesAsync(otherRegion, 2);
        var otherAccountSameRegion = await OutcomesAsync(otherAccount, 2);

        Assert.Equal(".", first);
        Assert.Equal("x", sameAccountOtherUser);
        Assert.Equal(".x", sameAccountOtherRegion);
        Assert.Equal(".x", otherAccountSameRegion);
    }

    [Fact]
    public async Task ResourceBucket_DrawnPerInstance_RefusedStopLeavesTheInstanceRunning()
    {
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);
        var instances = Enumerable.Range(0, 3).Select(_ => _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[groupId]])).ToList();
        _sandbox.Server.Ec2RateLimits = Ec2RateLimits.AwsDefaults with
        {
            ResourceBuckets = new Dictionary<string, Ec2TokenBucketLimit>(Ec2RateLimits.AwsDefaults.ResourceBuckets) { ["StopInstances"] = new(2, 1) },
        };
        using var ec2 = _sandbox.Ec2();

        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [instances[0], instances[1]] });
        var refused = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [instances[2]] }));
        var described = await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instances[2]] });
        _now += TimeSpan.FromSeconds(1);
        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [instances[2]] });

        Assert.Equal("RequestLimitExceeded", refused.ErrorCode);
        Assert.Equal(InstanceStateName.Running, described.Reservations.Single().Instances.Single().State.Name);
    }

    [Fact]
    public void ThrottlingCategories_EveryEmulatedAction_AsTheReferenceLists()
    {
        Assert.Equal(
            SandboxServer.EmulatedEc2Actions.Order(StringComparer.Ordinal),
            Ec2ThrottlingCategories.Actions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(Ec2ThrottlingCategory.ResourceIntensive, Ec2ThrottlingCategories.Of("RevokeSecurityGroupIngress", filteredOrPaginated: false));
        Assert.Equal(Ec2ThrottlingCategory.Mutating, Ec2ThrottlingCategories.Of("RevokeSecurityGroupEgress", filteredOrPaginated: false));
        Assert.Equal(Ec2ThrottlingCategory.UnfilteredUnpaginatedNonMutating, Ec2ThrottlingCategories.Of("DescribeSecurityGroups", filteredOrPaginated: false));
        Assert.Equal(Ec2ThrottlingCategory.NonMutating, Ec2ThrottlingCategories.Of("DescribeSecurityGroups", filteredOrPaginated: true));
        Assert.Equal(Ec2ThrottlingCategory.NonMutating, Ec2ThrottlingCategories.Of("DescribeSecurityGroupRules", filteredOrPaginated: false));
        Assert.Equal(Ec2ThrottlingCategory.NonMutating, Ec2ThrottlingCategories.Of("DescribeHosts", filteredOrPaginated: false));
        Assert.Equal(Ec2ThrottlingCategory.Mutating, Ec2ThrottlingCategories.Of("AllocateHosts", filteredOrPaginated: false));
        Assert.All(
            Ec2ThrottlingCategories.Actions.Where(p => p.Value == Ec2ThrottlingCategory.Uncategorized),
            p => Assert.True(Ec2RateLimits.AwsDefaults.Actions.ContainsKey(p.Key), p.Key));
        Assert.Equal(new Ec2TokenBucketLimit(100, 10), Ec2RateLimits.AwsDefaults.RequestLimit("CreateTags", Ec2ThrottlingCategory.Uncategorized));
        Assert.Equal(new Ec2TokenBucketLimit(5, 2), Ec2RateLimits.AwsDefaults.RequestLimit("RunInstances", Ec2ThrottlingCategory.Uncategorized));
    }

    [Fact]
    public void TokenBucketLimit_BadValues_RefusedNamingTheValue()
    {
        var capacity = Assert.Throws<ArgumentOutOfRangeException>(() => new Ec2TokenBucketLimit(0.5, 1));
        var refill = Assert.Throws<ArgumentOutOfRangeException>(() => new Ec2TokenBucketLimit(10, 0));

        Assert.Contains("not 0.5", capacity.Message, StringComparison.Ordinal);
        Assert.Contains("not 0", refill.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ControlApi_PutGetAndDisable_AndBadInputNamesTheValue()
    {
        using var http = new HttpClient();
        var uri = new Uri(_sandbox.Server.Endpoint, "_sandbox/ec2-rate-limits");
        using var ec2 = _sandbox.Ec2();

        using var set = await http.PutAsync(uri, Json("""{"nonMutating": {"capacity": 1, "refillPerSecond": 0.5}, "actions": {"DescribeSubnets": {"capacity": 3, "refillPerSecond": 1}}}"""));
        var outcomes = await OutcomesAsync(ec2, 2);
        using var state = JsonDocument.Parse(await http.GetStringAsync(uri));
        using var badValue = await http.PutAsync(uri, Json("""{"mutating": {"capacity": 0, "refillPerSecond": 1}}"""));
        using var badAction = await http.PutAsync(uri, Json("""{"actions": {"DescribeHosts": {"capacity": 1, "refillPerSecond": 1}}}"""));
        using var badKey = await http.PutAsync(uri, Json("""{"mutatnig": {"capacity": 1, "refillPerSecond": 1}}"""));
        var limitsAfterBadInput = _sandbox.Server.Ec2RateLimits;
        using var disable = await http.PutAsync(uri, Json("""{"enabled": false}"""));

        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(".x", outcomes);
        var root = state.RootElement;
        Assert.True(root.GetProperty("enabled").GetBoolean());
        Assert.Equal(0.5, root.GetProperty("nonMutating").GetProperty("refillPerSecond").GetDouble());
        Assert.Equal(50, root.GetProperty("mutating").GetProperty("capacity").GetDouble());
        Assert.Equal(3, root.GetProperty("actions").GetProperty("DescribeSubnets").GetProperty("capacity").GetDouble());
        Assert.Equal(10, root.GetProperty("actions").GetProperty("CreateTags").GetProperty("refillPerSecond").GetDouble());
        Assert.Equal(1, root.GetProperty("throttledCalls").GetProperty("ec2:DescribeVpcs").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, badValue.StatusCode);
        Assert.Contains("not 0", await badValue.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badAction.StatusCode);
        Assert.Contains("DescribeHosts", await badAction.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badKey.StatusCode);
        Assert.Contains("mutatnig", await badKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(new Ec2TokenBucketLimit(1, 0.5), limitsAfterBadInput?.NonMutating);
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        Assert.Null(_sandbox.Server.Ec2RateLimits);
    }

    private static IpPermission Ssh(string cidr) => new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = [new IpRange { CidrIp = cidr }] };

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>Makes <paramref name="count"/> DescribeVpcs calls: "." for each that succeeds, "x" for each refused with RequestLimitExceeded.</summary>
    private static async Task<string> OutcomesAsync(AmazonEC2Client ec2, int count)
    {
        var outcomes = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            try
            {
                await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());
                outcomes.Append('.');
            }
            catch (AmazonEC2Exception error) when (error.ErrorCode == "RequestLimitExceeded")
            {
                outcomes.Append('x');
            }
        }

        return outcomes.ToString();
    }
}
