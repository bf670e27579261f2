using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Tests.Jobs.Ec2;

/// <summary>security-group-not-attached-delete against the sandbox, including the undo that recreates the group.</summary>
public sealed class SecurityGroupNotAttachedDeleteJobTests : IDisposable
{
    private const string JobId = "security-group-not-attached-delete";
    private const string Delete = "ec2:DeleteSecurityGroup";
    private readonly Ec2JobSandbox sandbox = new();

    public void Dispose() => sandbox.Dispose();

    private async Task<string> GroupAsync(string name, IDictionary<string, string>? tags = null)
    {
        var request = new CreateSecurityGroupRequest { GroupName = name, Description = "desc " + name, VpcId = sandbox.VpcId };
        if (tags is not null)
        {
            request.TagSpecifications = new List<TagSpecification> { new() { ResourceType = ResourceType.SecurityGroup, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() } };
        }

        return (await sandbox.Ec2.CreateSecurityGroupAsync(request)).GroupId;
    }

    private async Task<SecurityGroup?> FindAsync(string name)
    {
        sandbox.Server.Settle();
        var response = await sandbox.Ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = new List<Filter> { new() { Name = "group-name", Values = new List<string> { name } } },
        });
        return response.SecurityGroups?.FirstOrDefault();
    }

    private static string[] Rules(IEnumerable<IpPermission>? permissions, string selfId) => (permissions ?? new List<IpPermission>())
        .SelectMany(p => (p.Ipv4Ranges ?? new List<IpRange>()).Select(r => p.IpProtocol + " " + p.FromPort + " " + r.CidrIp + " " + r.Description)
            .Concat((p.UserIdGroupPairs ?? new List<UserIdGroupPair>()).Select(g => p.IpProtocol + " " + p.FromPort + " " + (g.GroupId == selfId ? "self" : g.GroupId))))
        .OrderBy(x => x, StringComparer.Ordinal)
        .ToArray();

    [Fact]
    public async Task Run_UnusedGroup_DeletedAndUndoRecreatesRulesAndTags()
    {
        var groupId = await GroupAsync("unused-app", new Dictionary<string, string> { ["team"] = "blue", ["env"] = "dev" });
        await sandbox.Ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = new List<IpPermission>
            {
                new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.0/8", Description = "https" } } },
                new() { IpProtocol = "tcp", FromPort = 8080, ToPort = 8080, UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = groupId } } },
            },
        });
        await sandbox.Ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = groupId,
            IpPermissions = new List<IpPermission> { new() { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.1.0.0/16" } } } },
        });
        await sandbox.Ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest
        {
            GroupId = groupId,
            IpPermissions = new List<IpPermission> { new() { IpProtocol = "-1", Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } } },
        });
        var before = (await FindAsync("unused-app"))!;
        var engine = sandbox.Engine();

        var result = await engine.RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Null(await FindAsync("unused-app"));

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        var after = (await FindAsync("unused-app"))!;
        Assert.NotEqual(groupId, after.GroupId);
        Assert.Contains(after.GroupId, Assert.Single(undo.Actions).After, StringComparison.Ordinal);
        Assert.Equal(before.Description, after.Description);
        Assert.Equal(before.VpcId, after.VpcId);
        Assert.Equal(Rules(before.IpPermissions, groupId), Rules(after.IpPermissions, after.GroupId));
        Assert.Equal(Rules(before.IpPermissionsEgress, groupId), Rules(after.IpPermissionsEgress, after.GroupId));
        Assert.Equal(new[] { "env=dev", "team=blue" }, after.Tags.Select(t => t.Key + "=" + t.Value).OrderBy(x => x, StringComparer.Ordinal));

        var again = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Fact]
    public async Task Undo_WithDeclaredAndUndoActionsOnly_Succeeds()
    {
        var groupId = await GroupAsync("undo-perms", new Dictionary<string, string> { ["k"] = "v" });
        var info = JobCatalog.Default.FindById(JobId)!.Info;
        var engine = sandbox.EngineAllowing(info.IamActions.Concat(info.UndoIamActions));
        sandbox.Server.ResetCallCounts();
        var result = await engine.RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.All(sandbox.Server.CallCounts.Keys, k => Assert.Contains(k, info.IamActions.Concat(info.UndoIamActions)));
    }

    [Fact]
    public async Task Run_DefaultGroup_Skipped()
    {
        var groupId = sandbox.Server.GetDefaultSecurityGroupId(sandbox.Account.AccountId, Ec2JobSandbox.Region);

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("default", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, sandbox.Calls(Delete));
    }

    [Fact]
    public async Task Run_GroupOnANetworkInterface_SkippedNamingTheInterface()
    {
        var groupId = await GroupAsync("in-use");
        var instanceId = sandbox.Server.AddInstance(sandbox.Account.AccountId, Ec2JobSandbox.Region, new[] { new[] { groupId } });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains(instanceId, result.Reason, StringComparison.Ordinal);
        Assert.NotNull(await FindAsync("in-use"));
    }

    [Fact]
    public async Task Run_GroupReferencedByAnotherGroup_SkippedNamingIt()
    {
        var groupId = await GroupAsync("referenced");
        var other = await GroupAsync("referrer");
        await sandbox.Ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = other,
            IpPermissions = new List<IpPermission> { new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = groupId } } } },
        });
        sandbox.Server.Settle();

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains(other, result.Reason, StringComparison.Ordinal);
        Assert.NotNull(await FindAsync("referenced"));
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliant()
    {
        var groupId = await GroupAsync("twice");
        var engine = sandbox.Engine();

        var first = await engine.RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());
        var second = await engine.RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, first.Status);
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(1, sandbox.Calls(Delete));
    }

    [Fact]
    public async Task Run_DryRun_PlansAndChangesNothing()
    {
        var groupId = await GroupAsync("dry");

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(0, sandbox.Calls(Delete));
        Assert.NotNull(await FindAsync("dry"));
    }

    [Fact]
    public async Task Run_SkipTag_Skipped()
    {
        var groupId = await GroupAsync("skipme", new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await sandbox.Engine().RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.NotNull(await FindAsync("skipme"));
    }

    [Fact]
    public async Task Run_DeleteDenied_FailedNamingTheAction()
    {
        var groupId = await GroupAsync("denied");

        var result = await sandbox.EngineDenying(Delete).RunAsync(sandbox.Finding(JobId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { Delete }, result.MissingIamActions);
        Assert.NotNull(await FindAsync("denied"));
    }
}
