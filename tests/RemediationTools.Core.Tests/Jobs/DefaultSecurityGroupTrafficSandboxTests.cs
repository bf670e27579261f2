using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>aws-ec2-default-security-group-traffic end to end against the AWS sandbox.</summary>
public sealed class DefaultSecurityGroupTrafficSandboxTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string JobId = "aws-ec2-default-security-group-traffic";

    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AmazonEC2Client ec2;
    private readonly RemediationEngine engine;
    private readonly string defaultGroup;

    public DefaultSecurityGroupTrafficSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        ec2 = Client(account);
        engine = new RemediationEngine(new FakeClientFactory(ec2, account.AccountId));
        defaultGroup = server.GetDefaultSecurityGroupId(account.AccountId, Region);
    }

    public void Dispose()
    {
        ec2.Dispose();
        server.Dispose();
    }

    private AmazonEC2Client Client(SandboxAccount who) => SandboxEc2.Client(server, who, Region);

    private async Task<string[]> RulesAsync(string groupId)
    {
        server.Settle();
        var response = await ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
        {
            Filters = new List<Filter> { new() { Name = "group-id", Values = new List<string> { groupId } } },
        });
        return (response.SecurityGroupRules ?? new List<SecurityGroupRule>())
            .Select(r => string.Format(
                CultureInfo.InvariantCulture,
                "{0} {1} {2}-{3} {4}{5}",
                r.IsEgress == true ? "out" : "in",
                r.IpProtocol,
                r.FromPort,
                r.ToPort,
                r.CidrIpv4 ?? r.CidrIpv6 ?? r.PrefixListId ?? r.ReferencedGroupInfo?.GroupId,
                string.IsNullOrEmpty(r.Description) ? string.Empty : " \"" + r.Description + "\""))
            .OrderBy(t => t, StringComparer.Ordinal)
            .ToArray();
    }

    private Finding Finding(string groupId) => new() { JobId = JobId, AccountId = account.AccountId, Region = Region, ResourceId = groupId };

    private int MutatingCalls => server.CallCounts.Where(c => c.Key.Contains("Revoke", StringComparison.Ordinal) || c.Key.Contains("Authorize", StringComparison.Ordinal)).Sum(c => c.Value);

    private async Task AddRulesAsync(string groupId)
    {
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = new List<IpPermission>
            {
                new() { IpProtocol = "tcp", FromPort = 22, ToPort = 22, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.0/8", Description = "ssh" } } },
                new() { IpProtocol = "tcp", FromPort = 443, ToPort = 443, Ipv6Ranges = new List<Ipv6Range> { new() { CidrIpv6 = "::/0" } } },
                new() { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, PrefixListIds = new List<PrefixListId> { new() { Id = "pl-0123456789abcdef0", Description = "db" } } },
            },
        });
        await ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest
        {
            GroupId = groupId,
            IpPermissions = new List<IpPermission> { new() { IpProtocol = "udp", FromPort = 53, ToPort = 53, Ipv4Ranges = new List<IpRange> { new() { CidrIp = "10.0.0.2/32" } } } },
        });
    }

    [Fact]
    public async Task Run_DefaultGroup_EveryIngressAndEgressRuleRevoked()
    {
        await AddRulesAsync(defaultGroup);
        Assert.Equal(7, (await RulesAsync(defaultGroup)).Length);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Empty(await RulesAsync(defaultGroup));
        Assert.Equal(7, result.Actions.Count);
        Assert.Equal(1, server.CallCounts["ec2:RevokeSecurityGroupIngress"]);
        Assert.Equal(1, server.CallCounts["ec2:RevokeSecurityGroupEgress"]);
        // Describe group, describe interfaces, two revokes, verify; the sandbox's read lag costs one verify re-read each.
        Assert.Equal(5 + SandboxEc2.JobTestReadLag, server.CallCounts.Where(c => c.Key != "ec2:DescribeSecurityGroupRules").Sum(c => c.Value));
        Assert.Contains(result.Actions, a => a.Before == "all traffic from " + defaultGroup);
    }

    [Fact]
    public async Task Run_DefaultGroupUsedByInstances_PlanListsTheirInterfaces()
    {
        var first = server.AddInstance(account.AccountId, Region, new[] { (IReadOnlyList<string>)new[] { defaultGroup } });
        var second = server.AddInstance(account.AccountId, Region, new[] { (IReadOnlyList<string>)new[] { defaultGroup } });

        var result = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        var note = Assert.Single(result.Notes);
        Assert.StartsWith("2 network interface(s) use " + defaultGroup, note, StringComparison.Ordinal);
        Assert.Contains("(instance " + first + ")", note, StringComparison.Ordinal);
        Assert.Contains("(instance " + second + ")", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_GroupNotDefault_SkippedWithReasonNothingChanged()
    {
        var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "web", Description = "web", VpcId = server.GetFirstVpcId(account.AccountId, Region) })).GroupId;
        var before = await RulesAsync(groupId);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("('web') is not a VPC's default security group", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(before, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_DefaultGroupOfAnotherVpc_Emptied()
    {
        server.AddVpc(account.AccountId, Region, "10.1.0.0/16");
        var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest
        {
            Filters = new List<Filter> { new() { Name = "group-name", Values = new List<string> { "default" } } },
        });
        var other = groups.SecurityGroups.Single(g => g.GroupId != defaultGroup).GroupId;

        var result = await engine.RunAsync(Finding(other), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Empty(await RulesAsync(other));
        Assert.NotEmpty(await RulesAsync(defaultGroup));
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliant()
    {
        Assert.Equal(RemediationStatus.Remediated, (await engine.RunAsync(Finding(defaultGroup), new RemediationOptions())).Status);
        server.ResetCallCounts();

        var second = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Undo_AfterRemediation_RestoresTheExactOriginalRulesWithDescriptions()
    {
        await AddRulesAsync(defaultGroup);
        var before = await RulesAsync(defaultGroup);
        var result = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(before, await RulesAsync(defaultGroup));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Fact]
    public async Task Run_DryRun_PlannedAndNothingChanged()
    {
        var before = await RulesAsync(defaultGroup);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(3, result.Actions.Count);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(before, await RulesAsync(defaultGroup));
    }

    [Fact]
    public async Task Run_RevokeIngressDenied_FailedNamingTheActionNothingChanged()
    {
        var before = await RulesAsync(defaultGroup);
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
            "{\"Effect\":\"Deny\",\"Action\":\"ec2:RevokeSecurityGroupIngress\",\"Resource\":\"*\"}]}";
        using var limited = Client(server.CreateUser(account.AccountId, "no-revoke", policy));

        var result = await new RemediationEngine(new FakeClientFactory(limited, account.AccountId)).RunAsync(Finding(defaultGroup), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { "ec2:RevokeSecurityGroupIngress" }, result.MissingIamActions);
        Assert.Equal(before, await RulesAsync(defaultGroup));
    }

    [Fact]
    public async Task Run_TaggedSkip_Skipped()
    {
        await ec2.CreateTagsAsync(new CreateTagsRequest { Resources = new List<string> { defaultGroup }, Tags = new List<Tag> { new("remediation:skip", "true") } });
        server.Settle();
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(defaultGroup), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(SkipTagReason, result.Reason);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_ObjectIdNotAGroup_FailedInvalidFinding()
    {
        var result = await engine.RunAsync(Finding("acl-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(FailureTranslator.InvalidFinding, result.ErrorCode);
    }

    private static string SkipTagReason => RemediationTools.Core.Jobs.SkipTag.Reason;
}
