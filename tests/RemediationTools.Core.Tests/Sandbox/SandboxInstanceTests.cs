using Amazon.EC2;
using Amazon.EC2.Model;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxInstanceTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;

    public SandboxInstanceTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private async Task<string> GroupAsync(string name) =>
        (await _ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = name })).GroupId;

    [Fact]
    public async Task DescribeInstances_SeededInstance_ShowsInterfacesGroupsAndTags()
    {
        var web = await GroupAsync("web");
        var admin = await GroupAsync("admin");
        var instanceId = _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[web], [web, admin]], new Dictionary<string, string> { ["Name"] = "app-1" });

        var response = await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] });

        var instance = Assert.Single(Assert.Single(response.Reservations).Instances);
        Assert.Matches("^i-[0-9a-f]{17}$", instance.InstanceId);
        Assert.Equal(InstanceStateName.Running, instance.State.Name);
        Assert.Equal("app-1", Assert.Single(instance.Tags).Value);
        Assert.Equal(2, instance.NetworkInterfaces.Count);
        Assert.Equal([web], instance.NetworkInterfaces[0].Groups.Select(g => g.GroupId).ToArray());
        Assert.Equal([web, admin], instance.NetworkInterfaces[1].Groups.Select(g => g.GroupId).ToArray());
        Assert.Equal(1, instance.NetworkInterfaces[1].Attachment.DeviceIndex);
        Assert.Equal(2, instance.SecurityGroups.Count);
    }

    [Fact]
    public async Task DescribeInstances_UnknownOrMalformedId_NotFoundOrMalformed()
    {
        var notFound = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["i-0123456789abcdef0"] }));
        var malformed = await Assert.ThrowsAsync<AmazonEC2Exception>(() => _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = ["web-1"] }));

        Assert.Equal("InvalidInstanceID.NotFound", notFound.ErrorCode);
        Assert.Equal("InvalidInstanceID.Malformed", malformed.ErrorCode);
    }

    [Fact]
    public async Task DescribeInstances_FiltersAndPaging_ReturnEveryInstanceOnce()
    {
        var web = await GroupAsync("web");
        var ids = Enumerable.Range(0, 7).Select(_ => _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[web]])).ToList();

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest
            {
                Filters = [new Filter("instance-state-name", ["running"])],
                MaxResults = 5,
                NextToken = token,
            });
            seen.AddRange(page.Reservations.SelectMany(r => r.Instances).Select(i => i.InstanceId));
            token = page.NextToken;
        }
        while (token is not null);
        var byId = await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { Filters = [new Filter("instance-id", [ids[3]])] });

        Assert.Equal(ids.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        Assert.Equal(ids[3], Assert.Single(Assert.Single(byId.Reservations).Instances).InstanceId);
    }

    [Fact]
    public async Task DescribeNetworkInterfaces_ByGroupAndInstance_ReturnsAttachedInterfaces()
    {
        var web = await GroupAsync("web");
        var db = await GroupAsync("db");
        var first = _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[web], [db]]);
        _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[web]]);

        var byGroup = await _ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [new Filter("group-id", [web])] });
        var byInstance = await _ec2.DescribeNetworkInterfacesAsync(new DescribeNetworkInterfacesRequest { Filters = [new Filter("attachment.instance-id", [first])] });

        Assert.Equal(2, byGroup.NetworkInterfaces.Count);
        Assert.Equal(2, byInstance.NetworkInterfaces.Count);
        Assert.All(byInstance.NetworkInterfaces, n => Assert.Equal(first, n.Attachment.InstanceId));
        Assert.Contains(byInstance.NetworkInterfaces, n => n.Groups.Single().GroupId == db);
    }

    [Fact]
    public async Task CreateTagsDeleteTags_OnGroupAndInstance_Reflected()
    {
        var web = await GroupAsync("web");
        var instanceId = _sandbox.Server.AddInstance(_sandbox.AccountId, SandboxHarness.Region, [[web]]);

        await _ec2.CreateTagsAsync(new CreateTagsRequest { Resources = [web, instanceId], Tags = [new Amazon.EC2.Model.Tag("remediation:skip", "true"), new Amazon.EC2.Model.Tag("env", "prod")] });
        await _ec2.DeleteTagsAsync(new DeleteTagsRequest { Resources = [instanceId], Tags = [new Amazon.EC2.Model.Tag { Key = "env" }] });
        var group = (await _ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [web] })).SecurityGroups.Single();
        var instance = (await _ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [instanceId] })).Reservations.Single().Instances.Single();

        Assert.Equal(2, group.Tags.Count);
        Assert.Equal("remediation:skip", Assert.Single(instance.Tags).Key);
    }

    [Fact]
    public async Task DescribeSecurityGroups_OtherRegion_HasItsOwnDefaultVpc()
    {
        using var west = _sandbox.Ec2(SandboxHarness.Credentials(_sandbox.Root), "eu-west-1");
        await GroupAsync("web");

        var groups = await west.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());

        Assert.Equal("default", Assert.Single(groups.SecurityGroups).GroupName);
    }
}
