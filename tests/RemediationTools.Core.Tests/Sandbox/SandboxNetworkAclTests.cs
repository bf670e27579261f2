using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's network ACLs against the EC2 API reference, through the official client.</summary>
public sealed class SandboxNetworkAclTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;

    public SandboxNetworkAclTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private async Task<NetworkAcl> DefaultAclAsync(string? vpcId = null)
    {
        var filters = new List<Filter> { new() { Name = "default", Values = ["true"] } };
        if (vpcId is not null)
        {
            filters.Add(new Filter { Name = "vpc-id", Values = [vpcId] });
        }

        return Assert.Single((await _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = filters })).NetworkAcls);
    }

    private async Task<NetworkAcl> AclAsync(string aclId) =>
        Assert.Single((await _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { NetworkAclIds = [aclId] })).NetworkAcls);

    private static CreateNetworkAclEntryRequest Entry(string aclId, int number, string cidr = "10.0.0.0/8", bool egress = false) => new()
    {
        NetworkAclId = aclId,
        RuleNumber = number,
        Egress = egress,
        Protocol = "6",
        RuleAction = RuleAction.Allow,
        CidrBlock = cidr,
        PortRange = new PortRange { From = 22, To = 22 },
    };

    private static string Text(NetworkAclEntry e) =>
        $"{(e.Egress == true ? "out" : "in")} {e.RuleNumber} {e.RuleAction.Value} {e.Protocol} {e.CidrBlock ?? e.Ipv6CidrBlock}{(e.PortRange is null ? "" : $" {e.PortRange.From}-{e.PortRange.To}")}";

    [Fact]
    public async Task DescribeNetworkAcls_DefaultVpc_HasTheDefaultAclWithAllowAllAndStarDenyBothDirectionsAndFamilies()
    {
        var vpc = Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs);

        var acl = await DefaultAclAsync();

        Assert.Equal(vpc.VpcId, acl.VpcId);
        Assert.True(acl.IsDefault);
        Assert.StartsWith("acl-", acl.NetworkAclId, StringComparison.Ordinal);
        Assert.Equal(
            new[]
            {
                "in 100 allow -1 0.0.0.0/0", "in 101 allow -1 ::/0", "in 32767 deny -1 0.0.0.0/0", "in 32768 deny -1 ::/0",
                "out 100 allow -1 0.0.0.0/0", "out 101 allow -1 ::/0", "out 32767 deny -1 0.0.0.0/0", "out 32768 deny -1 ::/0",
            },
            acl.Entries.Select(Text).OrderBy(t => t, StringComparer.Ordinal));

        // The default VPC's default ACL is associated with its three default subnets (one per zone).
        Assert.Equal(3, acl.Associations.Count);
        Assert.All(acl.Associations, a => Assert.StartsWith("subnet-", a.SubnetId, StringComparison.Ordinal));
        Assert.All(acl.Associations, a => Assert.Equal(acl.NetworkAclId, a.NetworkAclId));
    }

    [Fact]
    public async Task DescribeVpcs_HasCidrAndIpv6CidrAssociationSets()
    {
        var vpc = Assert.Single((await _ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs);

        Assert.Equal("172.31.0.0/16", Assert.Single(vpc.CidrBlockAssociationSet).CidrBlock);
        Assert.Equal(VpcCidrBlockStateCode.Associated, vpc.CidrBlockAssociationSet[0].CidrBlockState.State);
        var ipv6 = Assert.Single(vpc.Ipv6CidrBlockAssociationSet);
        Assert.EndsWith("::/56", ipv6.Ipv6CidrBlock, StringComparison.Ordinal);
        Assert.Equal(VpcCidrBlockStateCode.Associated, ipv6.Ipv6CidrBlockState.State);
    }

    [Fact]
    public async Task DescribeNetworkAcls_Filters_ByVpcIdDefaultAndAclId()
    {
        var otherVpc = _sandbox.Server.AddVpc(_sandbox.AccountId, SandboxHarness.Region, "10.1.0.0/16");
        var created = (await _ec2.CreateNetworkAclAsync(new CreateNetworkAclRequest { VpcId = otherVpc })).NetworkAcl;

        var otherDefault = await DefaultAclAsync(otherVpc);
        var inVpc = await _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter { Name = "vpc-id", Values = [otherVpc] }] });
        var nonDefault = await _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter { Name = "default", Values = ["false"] }] });
        var byId = await _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { Filters = [new Filter { Name = "network-acl-id", Values = [created.NetworkAclId] }] });

        Assert.Equal(otherVpc, otherDefault.VpcId);
        Assert.Equal(2, inVpc.NetworkAcls.Count);
        Assert.Equal(created.NetworkAclId, Assert.Single(nonDefault.NetworkAcls).NetworkAclId);
        Assert.Equal(created.NetworkAclId, Assert.Single(byId.NetworkAcls).NetworkAclId);
        Assert.False(created.IsDefault);
        Assert.Equal(
            new[] { "in 32767 deny -1 0.0.0.0/0", "in 32768 deny -1 ::/0", "out 32767 deny -1 0.0.0.0/0", "out 32768 deny -1 ::/0" },
            created.Entries.Select(Text).OrderBy(t => t, StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateReplaceDeleteEntry_RoundTrip_CidrCanonicalized()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        await _ec2.CreateNetworkAclEntryAsync(Entry(aclId, 50, "10.1.2.3/8"));
        Assert.Contains("in 50 allow 6 10.0.0.0/8 22-22", (await AclAsync(aclId)).Entries.Select(Text));

        await _ec2.ReplaceNetworkAclEntryAsync(new ReplaceNetworkAclEntryRequest
        {
            NetworkAclId = aclId,
            RuleNumber = 50,
            Egress = false,
            Protocol = "-1",
            RuleAction = RuleAction.Deny,
            Ipv6CidrBlock = "2001:DB8::/32",
        });
        Assert.Contains("in 50 deny -1 2001:db8::/32", (await AclAsync(aclId)).Entries.Select(Text));

        await _ec2.DeleteNetworkAclEntryAsync(new DeleteNetworkAclEntryRequest { NetworkAclId = aclId, RuleNumber = 50, Egress = false });
        Assert.DoesNotContain((await AclAsync(aclId)).Entries, e => e.RuleNumber == 50);
    }

    [Fact]
    public async Task CreateEntry_SameNumberOtherDirection_Allowed()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        await _ec2.CreateNetworkAclEntryAsync(Entry(aclId, 60));
        await _ec2.CreateNetworkAclEntryAsync(Entry(aclId, 60, egress: true));

        Assert.Equal(2, (await AclAsync(aclId)).Entries.Count(e => e.RuleNumber == 60));
    }

    [Fact]
    public async Task CreateEntry_NumberTaken_NetworkAclEntryAlreadyExists()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.CreateNetworkAclEntryAsync(Entry(aclId, 100)));

        Assert.Equal("NetworkAclEntryAlreadyExists", error.ErrorCode);
        Assert.Contains("100", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32767)]
    [InlineData(-5)]
    public async Task CreateEntry_RuleNumberOutOfRange_InvalidParameterValue(int number)
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.CreateNetworkAclEntryAsync(Entry(aclId, number)));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
        Assert.Contains("between 1 and 32766", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateEntry_TcpWithoutPortRange_MissingParameter()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;
        var request = Entry(aclId, 70);
        request.PortRange = null;

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.CreateNetworkAclEntryAsync(request));

        Assert.Equal("MissingParameter", error.ErrorCode);
    }

    [Fact]
    public async Task CreateEntry_BadCidr_InvalidParameterValueNamingIt()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.CreateNetworkAclEntryAsync(Entry(aclId, 70, "10.0.0.300/8")));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
        Assert.Contains("10.0.0.300/8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteAndReplaceEntry_Missing_InvalidNetworkAclEntryNotFound()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;

        var delete = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DeleteNetworkAclEntryAsync(new DeleteNetworkAclEntryRequest { NetworkAclId = aclId, RuleNumber = 200, Egress = false }));
        var replaceRequest = Entry(aclId, 200);
        var replace = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.ReplaceNetworkAclEntryAsync(new ReplaceNetworkAclEntryRequest
        {
            NetworkAclId = aclId,
            RuleNumber = replaceRequest.RuleNumber,
            Egress = false,
            Protocol = "6",
            RuleAction = RuleAction.Allow,
            CidrBlock = replaceRequest.CidrBlock,
            PortRange = replaceRequest.PortRange,
        }));

        Assert.Equal("InvalidNetworkAclEntry.NotFound", delete.ErrorCode);
        Assert.Equal("InvalidNetworkAclEntry.NotFound", replace.ErrorCode);
    }

    [Fact]
    public async Task Operations_UnknownAcl_InvalidNetworkAclIdNotFound()
    {
        var describe = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { NetworkAclIds = ["acl-0123456789abcdef0"] }));
        var create = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.CreateNetworkAclEntryAsync(Entry("acl-0123456789abcdef0", 10)));

        Assert.Equal("InvalidNetworkAclID.NotFound", describe.ErrorCode);
        Assert.Equal("InvalidNetworkAclID.NotFound", create.ErrorCode);
    }

    [Fact]
    public async Task CreateEntry_DeniedByPolicy_UnauthorizedOperationAndDryRunChecksPermissionOnly()
    {
        var aclId = (await DefaultAclAsync()).NetworkAclId;
        var reader = _sandbox.Server.CreateUser(_sandbox.AccountId, "reader", SandboxHarness.AllowPolicy("ec2:DescribeNetworkAcls"));
        using var readerEc2 = _sandbox.Ec2(SandboxHarness.Credentials(reader));

        var denied = await Assert.ThrowsAsync<AmazonEC2Exception>(() => readerEc2.CreateNetworkAclEntryAsync(Entry(aclId, 10)));
        var dryRun = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
        {
            var request = Entry(aclId, 10);
            request.DryRun = true;
            return _ec2.CreateNetworkAclEntryAsync(request);
        });

        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
        Assert.Contains("ec2:CreateNetworkAclEntry", denied.Message, StringComparison.Ordinal);
        Assert.Equal("DryRunOperation", dryRun.ErrorCode);
        Assert.DoesNotContain((await AclAsync(aclId)).Entries, e => e.RuleNumber == 10);
    }
}
