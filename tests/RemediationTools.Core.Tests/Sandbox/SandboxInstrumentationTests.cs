using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxInstrumentationTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task CallCounts_AfterCalls_CountedPerServiceAndAction()
    {
        using var ec2 = _sandbox.Ec2();
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Root));
        _sandbox.Server.ResetCallCounts();

        await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        await _sandbox.Iam(_sandbox.Admin).CallAsync("GetRole", new() { ["RoleName"] = "missing" });
        var counts = _sandbox.Server.CallCounts;
        _sandbox.Server.ResetCallCounts();

        Assert.Equal(2, counts["ec2:DescribeSecurityGroups"]);
        Assert.Equal(1, counts["sts:GetCallerIdentity"]);
        Assert.Equal(1, counts["iam:GetRole"]);
        Assert.Empty(_sandbox.Server.CallCounts);
    }

    [Fact]
    public async Task Faults_ThrottleRateOne_Ec2RequestLimitExceededAndStsThrottling()
    {
        _sandbox.Server.Faults.ThrottleRate = 1;
        using var ec2 = _sandbox.Ec2();
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Root));

        var ec2Error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));
        var stsError = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        var iam = await _sandbox.Iam(_sandbox.Admin).CallAsync("GetRole", new() { ["RoleName"] = "x" });

        Assert.Equal("RequestLimitExceeded", ec2Error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ec2Error.StatusCode);
        Assert.Equal("Throttling", stsError.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, stsError.StatusCode);
        Assert.Equal("Throttling", iam.ErrorCode);
    }

    [Fact]
    public async Task Faults_ServerErrorRateOne_InternalError()
    {
        _sandbox.Server.Faults.ServerErrorRate = 1;
        using var ec2 = _sandbox.Ec2();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));

        Assert.Equal("InternalError", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
    }

    [Fact]
    public async Task Faults_SameSeed_SameCallsFail()
    {
        async Task<string> RunAsync()
        {
            _sandbox.Server.Faults.ThrottleRate = 0.5;
            _sandbox.Server.Faults.Seed = 42;
            using var ec2 = _sandbox.Ec2();
            var outcome = new System.Text.StringBuilder();
            for (var i = 0; i < 20; i++)
            {
                try
                {
                    await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
                    outcome.Append('.');
                }
                catch (AmazonEC2Exception)
                {
                    outcome.Append('T');
                }
            }

            return outcome.ToString();
        }

        var first = await RunAsync();
        var second = await RunAsync();

        Assert.Equal(first, second);
        Assert.Contains("T", first, StringComparison.Ordinal);
        Assert.Contains(".", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentAuthorize_ManyCallers_EveryRuleRecordedOnce()
    {
        using var ec2 = _sandbox.Ec2();
        var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "busy", Description = "busy" })).GroupId;

        await Task.WhenAll(Enumerable.Range(1, 40).Select(port => ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = port, ToPort = port, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/8" }] }],
        })));
        var rules = await ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest { Filters = [new Filter("group-id", [groupId])] });

        Assert.Equal(40, rules.SecurityGroupRules.Count(r => r.IsEgress == false));
        Assert.Equal(40, _sandbox.Server.CallCounts["ec2:AuthorizeSecurityGroupIngress"]);
    }

    [Fact]
    public void CreateAccount_GivenId_UsesIt()
    {
        var account = _sandbox.Server.CreateAccount("111122223333");

        Assert.Equal("111122223333", account.AccountId);
        Assert.StartsWith("AKIA", account.AccessKeyId, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _sandbox.Server.CreateAccount("12345"));
    }

    [Fact]
    public void SandboxFaults_RateOutOfRange_Throws()
    {
        var faults = new SandboxFaults();

        Assert.Throws<ArgumentOutOfRangeException>(() => faults.ThrottleRate = 1.5);
    }

    [Fact]
    public async Task ControlInvoke_CreateSecurityGroupAsRoot_NotCountedAndVisibleToSdk()
    {
        using var http = new HttpClient();
        _sandbox.Server.ResetCallCounts();
        var body = System.Text.Json.JsonSerializer.Serialize(new
        {
            accountId = _sandbox.AccountId,
            region = "us-east-1",
            service = "ec2",
            action = "CreateSecurityGroup",
            parameters = new Dictionary<string, string> { ["GroupName"] = "seeded", ["GroupDescription"] = "seeded" },
        });

        using var response = await http.PostAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/invoke"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var xml = System.Xml.Linq.XDocument.Parse(await response.Content.ReadAsStringAsync());
        using var duplicate = await http.PostAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/invoke"), new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var countsAfterInvoke = _sandbox.Server.CallCounts;
        using var ec2 = _sandbox.Ec2();
        var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["seeded"])] });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("CreateSecurityGroupResponse", xml.Root!.Name.LocalName);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("InvalidGroup.Duplicate", await duplicate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(countsAfterInvoke);
        Assert.Single(groups.SecurityGroups);
    }

    [Fact]
    public async Task DescribeVpcs_NewAccount_DefaultVpcWithIpv6Block()
    {
        using var ec2 = _sandbox.Ec2();

        var vpcs = await ec2.DescribeVpcsAsync(new DescribeVpcsRequest());

        var vpc = Assert.Single(vpcs.Vpcs);
        Assert.True(vpc.IsDefault);
        Assert.Equal("172.31.0.0/16", vpc.CidrBlock);
        Assert.EndsWith("::/56", Assert.Single(vpc.Ipv6CidrBlockAssociationSet).Ipv6CidrBlock, StringComparison.Ordinal);
    }
}
