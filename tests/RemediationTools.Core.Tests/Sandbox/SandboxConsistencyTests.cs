using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// The sandbox's AWS semantics that jobs must cope with: accounts without default VPCs, read-after-write lag counted in
/// reads, small pages of paged describe calls, and MaxResults refused with ID lists.
/// </summary>
public sealed class SandboxConsistencyTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new(defaultVpc: false);
    private readonly AmazonEC2Client _ec2;

    public SandboxConsistencyTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private string VpcId => _sandbox.Server.GetFirstVpcId(_sandbox.AccountId, SandboxHarness.Region);

    private static IpPermission Tcp(int port, string cidr) =>
        new() { IpProtocol = "tcp", FromPort = port, ToPort = port, Ipv4Ranges = [new IpRange { CidrIp = cidr }] };

    private async Task<string> GroupAsync(string name = "app") =>
        (await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name, VpcId = VpcId })).GroupId;

    private async Task<int[]> IngressPortsAsync(string groupId)
    {
        var group = Assert.Single((await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups);
        return (group.IpPermissions ?? []).Select(p => p.FromPort ?? -1).OrderBy(p => p).ToArray();
    }

    [Fact]
    public async Task AccountWithoutDefaultVpc_OneNonDefaultVpcWithItsDefaultGroup()
    {
        var vpc = Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs);
        var groups = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("vpc-id", [vpc.VpcId])] });

        Assert.False(vpc.IsDefault);
        Assert.Equal(VpcId, vpc.VpcId);
        Assert.Equal("default", Assert.Single(groups.SecurityGroups).GroupName);
        Assert.Equal(_sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region), groups.SecurityGroups[0].GroupId);
    }

    [Fact]
    public async Task CreateSecurityGroup_NoVpcIdWithoutDefaultVpc_VpcIdNotSpecified()
    {
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "app", Description = "app" }));

        Assert.Equal("VPCIdNotSpecified", error.ErrorCode);
    }

    [Fact]
    public async Task GroupName_WithoutDefaultVpc_InvalidGroupNotFoundInDefaultVpcNone()
    {
        await GroupAsync("named");

        var authorize = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupName = "named", IpPermissions = [Tcp(22, "10.0.0.0/8")] }));
        var describe = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupNames = ["named"] }));

        Assert.Equal("InvalidGroup.NotFound", authorize.ErrorCode);
        Assert.Contains("default VPC 'none'", authorize.Message, StringComparison.Ordinal);
        Assert.Equal("InvalidGroup.NotFound", describe.ErrorCode);
    }

    [Fact]
    public async Task RevokeIngress_MissingRuleInAccountWithoutDefaultVpc_InvalidPermissionNotFound()
    {
        var groupId = await GroupAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] }));

        Assert.Equal("InvalidPermission.NotFound", error.ErrorCode);
    }

    [Fact]
    public async Task ReadLag_AfterAuthorize_NextTwoDescribesSeeTheOldRulesThenTheNew()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 2;

        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });
        var first = await IngressPortsAsync(groupId);
        var second = await IngressPortsAsync(groupId);
        var third = await IngressPortsAsync(groupId);

        Assert.Empty(first);
        Assert.Empty(second);
        Assert.Equal(new[] { 22 }, third);
    }

    [Fact]
    public async Task ReadLag_MutatingCallsSeeTheRealState()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 3;
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });

        var duplicate = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] }));
        var revoked = await _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });

        Assert.Equal("InvalidPermission.Duplicate", duplicate.ErrorCode);
        Assert.True(revoked.Return);
    }

    [Fact]
    public async Task ReadLag_SecondChangeInTheWindow_KeepsTheOldestViewAndRestartsTheCount()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 2;
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });
        var afterFirst = await IngressPortsAsync(groupId);

        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(443, "0.0.0.0/0")] });
        var views = new[] { await IngressPortsAsync(groupId), await IngressPortsAsync(groupId), await IngressPortsAsync(groupId) };

        Assert.Empty(afterFirst);
        Assert.Empty(views[0]);
        Assert.Empty(views[1]);
        Assert.Equal(new[] { 22, 443 }, views[2]);
    }

    [Fact]
    public async Task ReadLag_DescribeSecurityGroupRulesAndTags_AlsoLag()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 1;
        await _ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [groupId], Tags = [new Amazon.EC2.Model.Tag("remediation:skip", "true")] });
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });
        var filter = new DescribeSecurityGroupRulesRequest { Filters = [new Filter("group-id", [groupId])] };

        var staleRules = await _ec2.DescribeSecurityGroupRulesAsync(filter);
        var freshRules = await _ec2.DescribeSecurityGroupRulesAsync(filter);
        var freshGroup = Assert.Single((await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups);

        Assert.DoesNotContain(staleRules.SecurityGroupRules, r => r.IsEgress != true);
        Assert.Contains(freshRules.SecurityGroupRules, r => r.IsEgress != true && r.FromPort == 22);
        Assert.Contains(freshGroup.Tags, t => t.Key == "remediation:skip");
    }

    [Fact]
    public async Task Settle_EndsEveryLagWindowAtOnce()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 5;
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, "0.0.0.0/0")] });

        _sandbox.Server.Settle();

        Assert.Equal(new[] { 22 }, await IngressPortsAsync(groupId));
    }

    [Fact]
    public async Task ReadLag_NetworkAclEntry_NextDescribeSeesTheOldEntries()
    {
        var aclId = (await _ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = VpcId })).NetworkAcl.NetworkAclId;
        _sandbox.Server.ReadLag = 1;
        await _ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = aclId, RuleNumber = 100, Egress = false, Protocol = "6", RuleAction = RuleAction.Deny, CidrBlock = "0.0.0.0/0", PortRange = new PortRange { From = 22, To = 22 },
        });
        var request = new DescribeNetworkAclsRequest { NetworkAclIds = [aclId] };

        var stale = Assert.Single((await _ec2.DescribeNetworkAclsAsync(request)).NetworkAcls);
        var fresh = Assert.Single((await _ec2.DescribeNetworkAclsAsync(request)).NetworkAcls);

        Assert.DoesNotContain(stale.Entries, e => e.RuleNumber == 100);
        Assert.Contains(fresh.Entries, e => e.RuleNumber == 100);
    }

    [Fact]
    public async Task ReadLag_ControlInvoke_NeitherLaggedNorOpensAWindow()
    {
        var groupId = await GroupAsync();
        _sandbox.Server.ReadLag = 3;
        using var http = new HttpClient();

        using var authorized = await InvokeAsync(http, "AuthorizeSecurityGroupIngress", new Dictionary<string, string>
        {
            ["GroupId"] = groupId, ["IpPermissions.1.IpProtocol"] = "tcp", ["IpPermissions.1.FromPort"] = "22", ["IpPermissions.1.ToPort"] = "22", ["IpPermissions.1.IpRanges.1.CidrIp"] = "0.0.0.0/0",
        });
        var sdkView = await IngressPortsAsync(groupId);
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(443, "0.0.0.0/0")] });
        using var controlView = await InvokeAsync(http, "DescribeSecurityGroups", new Dictionary<string, string> { ["GroupId.1"] = groupId });
        var controlXml = await controlView.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, authorized.StatusCode);
        Assert.Equal(new[] { 22 }, sdkView);
        Assert.Contains("<fromPort>443</fromPort>", controlXml, StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> InvokeAsync(HttpClient http, string action, Dictionary<string, string> parameters)
    {
        var body = JsonSerializer.Serialize(new { accountId = _sandbox.AccountId, region = SandboxHarness.Region, service = "ec2", action, parameters });
        return http.PostAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/invoke"), new StringContent(body, Encoding.UTF8, "application/json"));
    }

    [Fact]
    public async Task MaxPageSize_PagedDescribe_AtMostThatManyPerPageAndNextTokenForTheRest()
    {
        for (var i = 0; i < 11; i++)
        {
            await GroupAsync("g" + i.ToString(CultureInfo.InvariantCulture));
        }

        _sandbox.Server.MaxPageSize = 5;
        var pages = new List<int>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { MaxResults = 1000, NextToken = token, Filters = [new Filter("vpc-id", [VpcId])] });
            pages.Add(page.SecurityGroups.Count);
            ids.UnionWith(page.SecurityGroups.Select(g => g.GroupId));
            token = page.NextToken;
        }
        while (!string.IsNullOrEmpty(token));

        var unpaged = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("vpc-id", [VpcId])] });

        // 11 groups and the VPC's default group.
        Assert.Equal(new[] { 5, 5, 2 }, pages);
        Assert.Equal(12, ids.Count);
        Assert.Equal(12, unpaged.SecurityGroups.Count);
        Assert.True(string.IsNullOrEmpty(unpaged.NextToken));
    }

    [Fact]
    public async Task MaxResults_WithInstanceOrInterfaceIds_InvalidParameterCombination()
    {
        var groupId = await GroupAsync();
        var instanceId = _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[groupId]]);

        var instances = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId], MaxResults = 5 }));
        var interfaces = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { NetworkInterfaceIds = ["eni-0123456789abcdef0"], MaxResults = 5 }));

        Assert.Equal("InvalidParameterCombination", instances.ErrorCode);
        Assert.Equal("InvalidParameterCombination", interfaces.ErrorCode);
    }

    [Fact]
    public async Task ControlConsistency_SetsLagAndPageSize()
    {
        using var http = new HttpClient();
        using var content = new StringContent("{\"readLag\":3,\"maxPageSize\":7}", Encoding.UTF8, "application/json");

        using var response = await http.PutAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/consistency"), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _sandbox.Server.ReadLag);
        Assert.Equal(7, _sandbox.Server.MaxPageSize);
    }

    [Fact]
    public void ReadLagAndPageSize_OutOfRange_ThrowNamingTheValue()
    {
        var lag = Assert.Throws<ArgumentOutOfRangeException>(() => _sandbox.Server.ReadLag = -1);
        var page = Assert.Throws<ArgumentOutOfRangeException>(() => _sandbox.Server.MaxPageSize = 0);

        Assert.Equal(-1, lag.ActualValue);
        Assert.Equal(0, page.ActualValue);
    }
}
