using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>
/// security-group-close-port-5432 end to end against the AWS sandbox, over the EC2 wire protocol with the official
/// client. Assertions read the rules back with DescribeSecurityGroupRules, which the job itself never calls.
/// </summary>
public sealed class SecurityGroupClosePortSandboxTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    private const string DenyRevokePolicy =
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
        "{\"Effect\":\"Deny\",\"Action\":\"ec2:RevokeSecurityGroupIngress\",\"Resource\":\"*\"}]}";

    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AmazonEC2Client ec2;
    private readonly RemediationEngine engine;

    public SecurityGroupClosePortSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        ec2 = Client(account);
        engine = new RemediationEngine(new FakeClientFactory(ec2, account.AccountId));
    }

    public void Dispose()
    {
        ec2.Dispose();
        server.Dispose();
    }

    private AmazonEC2Client Client(SandboxAccount who) => SandboxEc2.Client(server, who, Region, maxErrorRetry: null);

    private static IpPermission Cidr(string protocol, int? from, int? to, string cidr, string? description = null)
        => SandboxEc2.Cidr(protocol, from, to, cidr, description);

    private async Task<string> GroupAsync(IEnumerable<IpPermission> ingress, IDictionary<string, string>? tags = null)
    {
        var request = new CreateSecurityGroupRequest { GroupName = "g-" + Guid.NewGuid().ToString("N"), Description = "test", VpcId = server.GetFirstVpcId(account.AccountId, Region) };
        if (tags is not null)
        {
            request.TagSpecifications = new List<TagSpecification>
            {
                new() { ResourceType = ResourceType.SecurityGroup, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
            };
        }

        var groupId = (await ec2.CreateSecurityGroupAsync(request)).GroupId;
        var permissions = ingress.ToList();
        if (permissions.Count > 0)
        {
            await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = permissions });
        }

        server.Settle();
        server.ResetCallCounts();
        return groupId;
    }

    private async Task<string[]> RulesAsync(string groupId, bool egress = false)
    {
        server.Settle();
        var response = await ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
        {
            Filters = new List<Filter> { new() { Name = "group-id", Values = new List<string> { groupId } } },
        });
        return (response.SecurityGroupRules ?? new List<SecurityGroupRule>())
            .Where(r => r.IsEgress == egress)
            .Select(Text)
            .OrderBy(t => t, StringComparer.Ordinal)
            .ToArray();
    }

    private static string Text(SecurityGroupRule rule)
    {
        var ports = rule.IpProtocol == "-1" ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", rule.FromPort, rule.ToPort);
        var source = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId;
        return rule.IpProtocol + " " + ports + " " + source + (string.IsNullOrEmpty(rule.Description) ? string.Empty : " \"" + rule.Description + "\"");
    }

    private Finding Finding(string groupId) => new()
    {
        RuleId = PostgresRule,
        AccountId = account.AccountId,
        Region = Region,
        ResourceId = groupId,
    };

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    private int MutatingCalls => Calls("ec2:AuthorizeSecurityGroupIngress") + Calls("ec2:RevokeSecurityGroupIngress");

    [Fact]
    public async Task Run_ExactPort_RevokedOthersUntouched()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5432, 5432, "0.0.0.0/0"), Cidr("tcp", 22, 22, "0.0.0.0/0"), Cidr("tcp", 5432, 5432, "10.0.0.0/8") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 22-22 0.0.0.0/0", "tcp 5432-5432 10.0.0.0/8" }, await RulesAsync(groupId));
    }

    [Theory]
    [InlineData(5000, 6000, new[] { "tcp 5000-5431 0.0.0.0/0 \"db\"", "tcp 5433-6000 0.0.0.0/0 \"db\"" })]
    [InlineData(5432, 5500, new[] { "tcp 5433-5500 0.0.0.0/0 \"db\"" })]
    [InlineData(5400, 5432, new[] { "tcp 5400-5431 0.0.0.0/0 \"db\"" })]
    public async Task Run_RangeContainingPort_KeepsTheRemainder(int from, int to, string[] expected)
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", from, to, "0.0.0.0/0", "db") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(expected, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_AllTrafficIpv4AndIpv6_ReplacedByTcpUdpIcmp()
    {
        var groupId = await GroupAsync(new[] { Cidr("-1", null, null, "0.0.0.0/0", "all4"), Cidr("-1", null, null, "::/0", "all6") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[]
            {
                "icmp -1--1 0.0.0.0/0 \"all4\"",
                "icmpv6 -1--1 ::/0 \"all6\"",
                "tcp 0-5431 0.0.0.0/0 \"all4\"",
                "tcp 0-5431 ::/0 \"all6\"",
                "tcp 5433-65535 0.0.0.0/0 \"all4\"",
                "tcp 5433-65535 ::/0 \"all6\"",
                "udp 0-65535 0.0.0.0/0 \"all4\"",
                "udp 0-65535 ::/0 \"all6\"",
            },
            await RulesAsync(groupId));
        Assert.Contains(result.Notes, n => n.Contains("other IP protocols", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_PrefixListGroupSourceNarrowCidrAndEgress_Untouched()
    {
        var otherGroup = await GroupAsync(Array.Empty<IpPermission>());
        var groupId = await GroupAsync(new[]
        {
            Cidr("tcp", 5432, 5432, "::/0"),
            Cidr("tcp", 5432, 5432, "2001:db8::/32"),
            Cidr("tcp", 0, 65535, "192.168.0.0/16"),
            new IpPermission { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, PrefixListIds = new List<PrefixListId> { new() { Id = "pl-0123456789abcdef0" } } },
            new IpPermission { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = otherGroup } } },
        });
        var egressBefore = await RulesAsync(groupId, egress: true);

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[] { "tcp 0-65535 192.168.0.0/16", "tcp 5432-5432 2001:db8::/32", "tcp 5432-5432 pl-0123456789abcdef0", "tcp 5432-5432 " + otherGroup }.OrderBy(t => t, StringComparer.Ordinal),
            await RulesAsync(groupId));
        Assert.Equal(egressBefore, await RulesAsync(groupId, egress: true));
        Assert.NotEmpty(egressBefore);
    }

    [Fact]
    public async Task Run_TaggedSkip_SkippedAndUnchanged()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5432, 5432, "0.0.0.0/0") }, new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(new[] { "tcp 5432-5432 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_AlreadyCompliant_OneReadNoChange()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 443, 443, "0.0.0.0/0") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(1, server.CallCounts.Values.Sum());
    }

    [Fact]
    public async Task Run_Twice_SecondChangesNothing()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 0, 65535, "0.0.0.0/0") });
        await engine.RunAsync(Finding(groupId), new RemediationOptions());
        var after = await RulesAsync(groupId);
        server.ResetCallCounts();

        var second = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(after, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_DryRun_PlannedAndNothingChanged()
    {
        var groupId = await GroupAsync(new[] { Cidr("-1", null, null, "0.0.0.0/0") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(5, result.Actions.Count);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(new[] { "-1 all 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Undo_AfterRemediation_RestoresExactOriginalRules()
    {
        var groupId = await GroupAsync(new[]
        {
            Cidr("tcp", 5000, 6000, "0.0.0.0/0", "app range"),
            Cidr("-1", null, null, "::/0", "everything v6"),
            Cidr("tcp", 22, 22, "10.0.0.0/8", "ssh"),
        });
        var before = await RulesAsync(groupId);
        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.NotEqual(before, await RulesAsync(groupId));
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(before, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_RevokeDenied_FailedWithMissingActionAndNothingCut()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5432, 5432, "0.0.0.0/0") });
        var limited = server.CreateUser(account.AccountId, "no-revoke", DenyRevokePolicy);
        using var limitedEc2 = Client(limited);
        var limitedEngine = new RemediationEngine(new FakeClientFactory(limitedEc2, account.AccountId));

        var result = await limitedEngine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { "ec2:RevokeSecurityGroupIngress" }, result.MissingIamActions);
        Assert.Equal(new[] { "tcp 5432-5432 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_RangeModeRemove_RevokesWholeRule()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5000, 6000, "0.0.0.0/0"), Cidr("tcp", 80, 80, "0.0.0.0/0") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions { RangeMode = RangeMode.Remove });

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 80-80 0.0.0.0/0" }, await RulesAsync(groupId));
        Assert.Equal(0, Calls("ec2:AuthorizeSecurityGroupIngress"));
    }

    [Fact]
    public async Task Run_GroupUsedByInstance_PlanNamesItsInterface()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5432, 5432, "0.0.0.0/0") });
        var instanceId = server.AddInstance(account.AccountId, Region, new[] { (IReadOnlyList<string>)new[] { groupId } });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions { DryRun = true });

        Assert.Contains(result.Notes, n => n.Contains("(instance " + instanceId + ")", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_Split_CallsExactlyTheDeclaredActionsFiveCallsInAll()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 5000, 6000, "0.0.0.0/0") });

        var result = await engine.RunAsync(Finding(groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var declared = engine.Catalog.FindById(result.JobId)!.Info.IamActions;
        Assert.Equal(declared.OrderBy(a => a, StringComparer.Ordinal), server.CallCounts.Keys.OrderBy(a => a, StringComparer.Ordinal));
        // Describe group, describe interfaces, authorize, revoke, verify; the sandbox's read lag costs one verify re-read each.
        Assert.Equal(5 + SandboxEc2.JobTestReadLag, server.CallCounts.Values.Sum());
    }
}
