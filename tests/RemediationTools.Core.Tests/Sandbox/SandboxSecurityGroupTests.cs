using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxSecurityGroupTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;

    public SandboxSecurityGroupTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private async Task<string> CreateGroupAsync(string name = "web")
    {
        var response = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = name,
            Description = "web servers",
            TagSpecifications = [new TagSpecification { ResourceType = ResourceType.SecurityGroup, Tags = [new Amazon.EC2.Model.Tag("team", "blue")] }],
        });
        return response.GroupId;
    }

    private async Task<SecurityGroup> DescribeAsync(string groupId) =>
        Assert.Single((await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [groupId] })).SecurityGroups);

    private static IpPermission Tcp(int from, int to, string cidr) =>
        new() { IpProtocol = "tcp", FromPort = from, ToPort = to, Ipv4Ranges = [new IpRange { CidrIp = cidr }] };

    [Fact]
    public async Task CreateSecurityGroup_New_HasIdTagsAndDefaultEgressOnly()
    {
        var groupId = await CreateGroupAsync();

        var group = await DescribeAsync(groupId);

        Assert.Matches("^sg-[0-9a-f]{17}$", groupId);
        Assert.Empty(group.IpPermissions ?? []);
        var egress = Assert.Single(group.IpPermissionsEgress);
        Assert.Equal("-1", egress.IpProtocol);
        Assert.Equal("0.0.0.0/0", Assert.Single(egress.Ipv4Ranges).CidrIp);
        Assert.Equal("blue", Assert.Single(group.Tags).Value);
    }

    [Fact]
    public async Task DefaultSecurityGroup_AllowsIngressFromItselfAndAllEgress()
    {
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);

        var group = await DescribeAsync(groupId);

        var ingress = Assert.Single(group.IpPermissions);
        Assert.Equal("-1", ingress.IpProtocol);
        Assert.Equal(groupId, Assert.Single(ingress.UserIdGroupPairs).GroupId);
        var egress = Assert.Single(group.IpPermissionsEgress);
        Assert.Equal("0.0.0.0/0", Assert.Single(egress.Ipv4Ranges).CidrIp);
        Assert.Equal("::/0", Assert.Single(egress.Ipv6Ranges).CidrIpv6);
    }

    [Fact]
    public async Task AuthorizeIngress_AllSourceKinds_DescribedAsPermissionsAndRules()
    {
        var groupId = await CreateGroupAsync();
        var sourceGroupId = await CreateGroupAsync("bastion");

        var authorized = await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions =
            [
                new IpPermission
                {
                    IpProtocol = "tcp",
                    FromPort = 22,
                    ToPort = 22,
                    Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0", Description = "ssh" }],
                    Ipv6Ranges = [new Ipv6Range { CidrIpv6 = "::/0" }],
                    PrefixListIds = [new PrefixListId { Id = "pl-0123456789abcdef0" }],
                    UserIdGroupPairs = [new UserIdGroupPair { GroupId = sourceGroupId }],
                },
            ],
        });
        var group = await DescribeAsync(groupId);
        var rules = await _ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
        {
            Filters = [new Filter("group-id", [groupId])],
        });

        Assert.True(authorized.Return);
        Assert.Equal(4, authorized.SecurityGroupRules.Count);
        Assert.All(authorized.SecurityGroupRules, r => Assert.Matches("^sgr-[0-9a-f]{17}$", r.SecurityGroupRuleId));
        var permission = Assert.Single(group.IpPermissions);
        Assert.Equal(22, permission.FromPort);
        Assert.Equal("ssh", Assert.Single(permission.Ipv4Ranges).Description);
        Assert.Equal("::/0", Assert.Single(permission.Ipv6Ranges).CidrIpv6);
        Assert.Equal("pl-0123456789abcdef0", Assert.Single(permission.PrefixListIds).Id);
        Assert.Equal(sourceGroupId, Assert.Single(permission.UserIdGroupPairs).GroupId);
        Assert.Equal(5, rules.SecurityGroupRules.Count);
        Assert.Equal(4, rules.SecurityGroupRules.Count(r => r.IsEgress == false));
        Assert.Contains(rules.SecurityGroupRules, r => r.ReferencedGroupInfo?.GroupId == sourceGroupId);
    }

    [Fact]
    public async Task AuthorizeIngress_SameRuleTwice_InvalidPermissionDuplicate()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, 22, "0.0.0.0/0")] });

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, 22, "0.0.0.0/0"), Tcp(80, 80, "0.0.0.0/0")] }));
        var group = await DescribeAsync(groupId);

        Assert.Equal("InvalidPermission.Duplicate", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Single(group.IpPermissions);
    }

    [Fact]
    public async Task RevokeIngress_ByPermission_RemovesOnlyThatRule()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [Tcp(20, 30, "0.0.0.0/0"), new IpPermission { IpProtocol = "tcp", FromPort = 20, ToPort = 30, Ipv6Ranges = [new Ipv6Range { CidrIpv6 = "::/0" }] }],
        });

        var revoked = await _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(20, 30, "0.0.0.0/0")] });
        var group = await DescribeAsync(groupId);

        Assert.True(revoked.Return);
        Assert.Empty(revoked.UnknownIpPermissions ?? []);
        Assert.Equal("0.0.0.0/0", Assert.Single(revoked.RevokedSecurityGroupRules).CidrIpv4);
        var remaining = Assert.Single(group.IpPermissions);
        Assert.Empty(remaining.Ipv4Ranges ?? []);
        Assert.Equal("::/0", Assert.Single(remaining.Ipv6Ranges).CidrIpv6);
    }

    [Fact]
    public async Task RevokeIngress_ByRuleId_RemovesRule()
    {
        var groupId = await CreateGroupAsync();
        var authorized = await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(3389, 3389, "0.0.0.0/0")] });

        var revoked = await _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            SecurityGroupRuleIds = [authorized.SecurityGroupRules[0].SecurityGroupRuleId],
        });
        var group = await DescribeAsync(groupId);

        Assert.True(revoked.Return);
        Assert.Empty(group.IpPermissions ?? []);
    }

    [Fact]
    public async Task RevokeIngress_UnknownRuleId_InvalidSecurityGroupRuleIdNotFound()
    {
        var groupId = await CreateGroupAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            SecurityGroupRuleIds = ["sgr-0123456789abcdef0"],
        }));

        Assert.Equal("InvalidSecurityGroupRuleId.NotFound", error.ErrorCode);
    }

    [Fact]
    public async Task RevokeIngress_OneOfTwoRulesMissingInDefaultVpc_RevokesTheOtherReturnsTrueWithUnknownPermissions()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(443, 443, "0.0.0.0/0")] });

        var revoked = await _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [Tcp(22, 22, "0.0.0.0/0"), Tcp(443, 443, "0.0.0.0/0")],
        });

        // "Returns true if the request succeeds": in a default VPC a partial match is a success.
        Assert.True(revoked.Return);
        var unknown = Assert.Single(revoked.UnknownIpPermissions);
        Assert.Equal(22, unknown.FromPort);
        Assert.Equal("0.0.0.0/0", Assert.Single(unknown.Ipv4Ranges).CidrIp);
        Assert.Equal(443, Assert.Single(revoked.RevokedSecurityGroupRules).FromPort);
        Assert.Empty((await DescribeAsync(groupId)).IpPermissions ?? []);
    }

    [Fact]
    public async Task RevokeIngress_OneOfTwoRulesMissingInNonDefaultVpc_InvalidPermissionNotFoundNothingRevoked()
    {
        var vpcId = _sandbox.Server.AddVpc(_sandbox.AccountId, SandboxHarness.Region);
        var created = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "app", Description = "app", VpcId = vpcId });
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = created.GroupId, IpPermissions = [Tcp(443, 443, "0.0.0.0/0")] });

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest
        {
            GroupId = created.GroupId,
            IpPermissions = [Tcp(22, 22, "0.0.0.0/0"), Tcp(443, 443, "0.0.0.0/0")],
        }));

        Assert.Equal("InvalidPermission.NotFound", error.ErrorCode);
        Assert.Equal(443, Assert.Single((await DescribeAsync(created.GroupId)).IpPermissions).FromPort);
    }

    [Fact]
    public async Task RevokeEgress_MissingRuleInNonDefaultVpc_InvalidPermissionNotFound()
    {
        var vpcId = _sandbox.Server.AddVpc(_sandbox.AccountId, SandboxHarness.Region);
        var created = await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "app", Description = "app", VpcId = vpcId });

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest { GroupId = created.GroupId, IpPermissions = [Tcp(53, 53, "10.0.0.2/32")] }));

        Assert.Equal("InvalidPermission.NotFound", error.ErrorCode);
    }

    [Fact]
    public async Task AuthorizeIngress_MoreThanSixtyRules_RulesPerSecurityGroupLimitExceeded()
    {
        var groupId = await CreateGroupAsync();
        var permissions = Enumerable.Range(1, 60).Select(i => Tcp(i, i, "10.0.0.0/8")).ToList();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = permissions });

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(1000, 1000, "10.0.0.0/8")] }));

        Assert.Equal("RulesPerSecurityGroupLimitExceeded", error.ErrorCode);
    }

    [Fact]
    public async Task DescribeSecurityGroups_UnknownOrMalformedId_NotFoundOrMalformed()
    {
        var notFound = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = ["sg-0123456789abcdef0"] }));
        var malformed = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = ["nonsense"] }));

        Assert.Equal("InvalidGroup.NotFound", notFound.ErrorCode);
        Assert.Equal("InvalidGroupId.Malformed", malformed.ErrorCode);
    }

    [Fact]
    public async Task DescribeSecurityGroups_Filters_SelectByNameAndTag()
    {
        await CreateGroupAsync("web");
        await CreateGroupAsync("db");

        var byName = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("group-name", ["we*"])] });
        var byTag = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = [new Filter("tag:team", ["blue"])] });

        Assert.Equal("web", Assert.Single(byName.SecurityGroups).GroupName);
        Assert.Equal(2, byTag.SecurityGroups.Count);
    }

    [Fact]
    public async Task DescribeSecurityGroupRules_MaxResults_PagesThroughAll()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = Enumerable.Range(1, 12).Select(i => Tcp(i, i, "10.0.0.0/8")).ToList(),
        });

        var ids = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await _ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
            {
                Filters = [new Filter("group-id", [groupId])],
                MaxResults = 5,
                NextToken = token,
            });
            ids.AddRange(page.SecurityGroupRules.Select(r => r.SecurityGroupRuleId));
            token = page.NextToken;
            pages++;
        }
        while (token is not null);

        Assert.Equal(3, pages);
        Assert.Equal(13, ids.Distinct().Count());
    }

    [Fact]
    public async Task DeleteSecurityGroup_DefaultReferencedOrInUse_RefusedOtherwiseDeleted()
    {
        var defaultGroupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);
        var referenced = await CreateGroupAsync("referenced");
        var referencing = await CreateGroupAsync("referencing");
        var inUse = await CreateGroupAsync("in-use");
        var free = await CreateGroupAsync("free");
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = referencing,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 443, ToPort = 443, UserIdGroupPairs = [new UserIdGroupPair { GroupId = referenced }] }],
        });
        _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[inUse]]);

        var defaultError = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = defaultGroupId }));
        var referencedError = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = referenced }));
        var inUseError = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = inUse }));
        var deleted = await _ec2.DeleteSecurityGroupAsync(new DeleteSecurityGroupRequest { GroupId = free });

        Assert.Equal("CannotDelete", defaultError.ErrorCode);
        Assert.Equal("DependencyViolation", referencedError.ErrorCode);
        Assert.Equal("DependencyViolation", inUseError.ErrorCode);
        Assert.True(deleted.Return);
        Assert.Equal(free, deleted.GroupId);
    }

    [Fact]
    public async Task AuthorizeEgress_IcmpAndNumericProtocol_NormalizedInRules()
    {
        var groupId = await CreateGroupAsync();

        var authorized = await _ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = groupId,
            IpPermissions =
            [
                new IpPermission { IpProtocol = "icmp", FromPort = 8, ToPort = -1, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/8" }] },
                new IpPermission { IpProtocol = "6", FromPort = 443, ToPort = 443, Ipv4Ranges = [new IpRange { CidrIp = "10.0.0.0/8" }] },
            ],
        });

        Assert.All(authorized.SecurityGroupRules, r => Assert.True(r.IsEgress));
        Assert.Equal(["icmp", "tcp"], authorized.SecurityGroupRules.Select(r => r.IpProtocol).ToArray());
        Assert.Equal(8, authorized.SecurityGroupRules[0].FromPort);
    }

    [Fact]
    public async Task AuthorizeIngress_MalformedCidr_InvalidParameterValue()
    {
        var groupId = await CreateGroupAsync();

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, 22, "10.0.0/8")] }));

        Assert.Equal("InvalidParameterValue", error.ErrorCode);
    }

    [Fact]
    public async Task AuthorizeIngress_SixtyIpv4AndSixtyIpv6_QuotaCountedPerFamily()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = Enumerable.Range(1, 60).Select(i => Tcp(i, i, "10.0.0.0/8")).ToList(),
        });

        var ipv6 = await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = Enumerable.Range(1, 60).Select(i => new IpPermission { IpProtocol = "tcp", FromPort = i, ToPort = i, Ipv6Ranges = [new Ipv6Range { CidrIpv6 = "2001:db8::/32" }] }).ToList(),
        });
        var groupSource = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = "tcp", FromPort = 9000, ToPort = 9000, UserIdGroupPairs = [new UserIdGroupPair { GroupId = groupId }] }],
        }));

        Assert.Equal(60, ipv6.SecurityGroupRules.Count);
        Assert.Equal("RulesPerSecurityGroupLimitExceeded", groupSource.ErrorCode);
    }

    [Fact]
    public async Task RevokeIngress_DryRun_DryRunOperationAndNothingRevoked()
    {
        var groupId = await CreateGroupAsync();
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, 22, "0.0.0.0/0")] });

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() =>
            _ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [Tcp(22, 22, "0.0.0.0/0")], DryRun = true }));
        var group = await DescribeAsync(groupId);

        Assert.Equal("DryRunOperation", error.ErrorCode);
        Assert.Single(group.IpPermissions);
    }

    [Fact]
    public async Task DescribeSecurityGroups_IpPermissionFilters_FindWorldOpenGroups()
    {
        var open = await CreateGroupAsync("open");
        var closed = await CreateGroupAsync("closed");
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = open, IpPermissions = [Tcp(22, 22, "0.0.0.0/0")] });
        await _ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = closed, IpPermissions = [Tcp(22, 22, "10.0.0.0/8")] });

        var found = await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = [new Filter("ip-permission.cidr", ["0.0.0.0/0"]), new Filter("ip-permission.from-port", ["22"])],
        });

        Assert.Equal(open, Assert.Single(found.SecurityGroups).GroupId);
    }
}
