using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;
using RemediationTools.Core.Results;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>
/// The port closers (ec2-close-port-*, aws-ec2-close-port-11211, security-group-close-port-*) end to end
/// against the AWS sandbox. Assertions read the rules back with DescribeSecurityGroupRules, which no job calls.
/// </summary>
public sealed class InstanceClosePortSandboxTests : IDisposable
{
    private const string Region = "us-east-1";

    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AmazonEC2Client ec2;
    private readonly RemediationEngine engine;

    public InstanceClosePortSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        ec2 = Client(account);
        engine = new RemediationEngine(new FakeClientFactory(ec2, account.AccountId));
    }

    /// <summary>The port table of the catalog: job, ports, protocols, rule ID.</summary>
    public static TheoryData<string, int[], string[], string> PortTable() => new()
    {
        { "ec2-close-port-20", new[] { 20 }, new[] { "tcp" }, "5c8c263d7a550e1fb6560c39" },
        { "ec2-close-port-21", new[] { 21 }, new[] { "tcp" }, "5c8c263d7a550e1fb6560c3a" },
        { "ec2-close-port-22", new[] { 22 }, new[] { "tcp" }, "5c8c26417a550e1fb6560c3f" },
        { "ec2-close-port-23", new[] { 23 }, new[] { "tcp" }, "5c8c263e7a550e1fb6560c3b" },
        { "ec2-close-port-1433", new[] { 1433 }, new[] { "tcp" }, "5c8c26417a550e1fb6560c3d" },
        { "ec2-close-port-1521", new[] { 1521 }, new[] { "tcp" }, "5c8c26417a550e1fb6560c3e" },
        { "ec2-close-port-3306", new[] { 3306 }, new[] { "tcp" }, "5c8c26427a550e1fb6560c41" },
        { "ec2-close-port-3389", new[] { 3389 }, new[] { "tcp" }, "5c8c26437a550e1fb6560c42" },
        { "ec2-close-port-5439", new[] { 5439 }, new[] { "tcp" }, "5c8c26447a550e1fb6560c44" },
        { "ec2-close-port-5601", new[] { 5601 }, new[] { "tcp" }, "4823ede0-7bed-4af0-a182-81c2ada80203" },
        { "ec2-close-port-8080", new[] { 8080 }, new[] { "tcp" }, "5c8c26407a550e1fb6560c3c" },
        { "ec2-close-port-27017", new[] { 27017 }, new[] { "tcp" }, "5c8c26427a550e1fb6560c40" },
        { "ec2-close-port-9200-9300", new[] { 9200, 9300 }, new[] { "tcp" }, "04700175-adbe-49e1-bc7a-bc9605597ce2" },
        { "aws-ec2-close-port-11211", new[] { 11211 }, new[] { "tcp", "udp" }, "bd9d77b6-635d-4e06-9760-8957d8eaeb38" },
        { "security-group-close-port-22", new[] { 22 }, new[] { "tcp" }, "5c8c25ec7a550e1fb6560bbe" },
        { "security-group-close-port-3389", new[] { 3389 }, new[] { "tcp" }, "5c8c25ef7a550e1fb6560bc4" },
        { "security-group-close-port-5432", new[] { 5432 }, new[] { "tcp" }, "5c8c25f07a550e1fb6560bc6" },
    };

    public void Dispose()
    {
        ec2.Dispose();
        server.Dispose();
    }

    private AmazonEC2Client Client(SandboxAccount who) => SandboxEc2.Client(server, who, Region);

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

        return groupId;
    }

    private string Instance(params string[][] groupsPerInterface) => Instance(null, groupsPerInterface);

    private string Instance(IDictionary<string, string>? tags, params string[][] groupsPerInterface)
    {
        var id = server.AddInstance(account.AccountId, Region, groupsPerInterface.Select(g => (IReadOnlyList<string>)g).ToList(), tags);
        server.Settle();
        server.ResetCallCounts();
        return id;
    }

    private async Task<string[]> RulesAsync(string groupId, bool egress = false)
    {
        server.Settle();
        var response = await ec2.DescribeSecurityGroupRulesAsync(new DescribeSecurityGroupRulesRequest
        {
            Filters = new List<Filter> { new() { Name = "group-id", Values = new List<string> { groupId } } },
        });
        return (response.SecurityGroupRules ?? new List<Amazon.EC2.Model.SecurityGroupRule>())
            .Where(r => r.IsEgress == egress)
            .Select(Text)
            .OrderBy(t => t, StringComparer.Ordinal)
            .ToArray();
    }

    private static string Text(Amazon.EC2.Model.SecurityGroupRule rule)
    {
        var ports = rule.IpProtocol == "-1" ? "all" : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", rule.FromPort, rule.ToPort);
        var source = rule.CidrIpv4 ?? rule.CidrIpv6 ?? rule.PrefixListId ?? rule.ReferencedGroupInfo?.GroupId;
        return rule.IpProtocol + " " + ports + " " + source + (string.IsNullOrEmpty(rule.Description) ? string.Empty : " \"" + rule.Description + "\"");
    }

    private Finding Finding(string jobId, string resourceId) => new()
    {
        JobId = jobId,
        AccountId = account.AccountId,
        Region = Region,
        ResourceId = resourceId,
    };

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    private int MutatingCalls => Calls("ec2:AuthorizeSecurityGroupIngress") + Calls("ec2:RevokeSecurityGroupIngress");

    /// <summary>True when a rule text (as <see cref="Text"/> writes it) from the internet allows <paramref name="port"/> on <paramref name="protocol"/>.</summary>
    private static bool OpensToInternet(string rule, string protocol, int port)
    {
        var parts = rule.Split(' ');
        if (parts[2] is not ("0.0.0.0/0" or "::/0"))
        {
            return false;
        }

        if (parts[0] == "-1")
        {
            return true;
        }

        if (parts[0] != protocol)
        {
            return false;
        }

        var range = parts[1].Split('-');
        return int.Parse(range[0], CultureInfo.InvariantCulture) <= port && port <= int.Parse(range[1], CultureInfo.InvariantCulture);
    }

    [Theory]
    [MemberData(nameof(PortTable))]
    public void Catalog_PortJob_HasTheTablesRuleIdPortsAndProtocols(string jobId, int[] ports, string[] protocols, string ruleId)
    {
        var job = JobCatalog.Default.FindById(jobId);

        Assert.NotNull(job);
        Assert.Equal(new[] { ruleId }, job!.Info.RuleIds);
        Assert.Same(job, JobCatalog.Default.FindByRuleId(ruleId));
        var closer = job is InstanceClosePortJob instanceJob ? instanceJob.Closer : ((SecurityGroupClosePortJob)job).Closer;
        Assert.Equal(ports, closer.Ports);
        Assert.Equal(protocols.OrderBy(p => p, StringComparer.Ordinal), closer.Protocols.OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(jobId.StartsWith("security-group-", StringComparison.Ordinal) ? "SecurityGroup" : "Instance", job.Info.ResourceType);
    }

    [Theory]
    [MemberData(nameof(PortTable))]
    public async Task Run_EveryPortJob_ClosesItsPortsKeepsEverythingElseAndUndoRestores(string jobId, int[] ports, string[] protocols, string ruleId)
    {
        Assert.NotEmpty(ruleId);
        var groupId = await GroupAsync(new[]
        {
            Cidr("tcp", 0, 65535, "0.0.0.0/0", "tcp all"),
            Cidr("udp", 0, 65535, "::/0", "udp all"),
            Cidr("-1", null, null, "::/0", "everything v6"),
            Cidr("tcp", ports[0], ports[0], "10.0.0.0/8", "inside"),
        });
        var resourceId = jobId.StartsWith("security-group-", StringComparison.Ordinal) ? groupId : Instance(new[] { groupId });
        var before = await RulesAsync(groupId);

        var result = await engine.RunAsync(Finding(jobId, resourceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var after = await RulesAsync(groupId);
        foreach (var protocol in protocols)
        {
            foreach (var port in ports)
            {
                Assert.DoesNotContain(after, r => OpensToInternet(r, protocol, port));

                // One port less, nothing more: its neighbours stay open on every protocol.
                Assert.Contains(after, r => OpensToInternet(r, protocol, port + 1));
                Assert.Contains(after, r => OpensToInternet(r, protocol, port - 1));
            }
        }

        Assert.Contains(after, r => r.StartsWith("tcp " + ports[0] + "-" + ports[0] + " 10.0.0.0/8", StringComparison.Ordinal));
        if (!protocols.Contains("udp"))
        {
            // The job's protocol only: udp to the same port stays open.
            Assert.Contains(after, r => OpensToInternet(r, "udp", ports[0]));
        }

        var undo = await engine.UndoAsync(RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(before, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_ExactPortIpv4AndIpv6_RevokedOthersUntouched()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 22, 22, "0.0.0.0/0"), Cidr("tcp", 22, 22, "::/0"), Cidr("tcp", 443, 443, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-22", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 443-443 0.0.0.0/0" }, await RulesAsync(groupId));
        Assert.Equal(0, Calls("ec2:AuthorizeSecurityGroupIngress"));
    }

    [Fact]
    public async Task Run_RangeContainingBothPorts_SplitIntoThreeRanges()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 9000, 9500, "0.0.0.0/0", "search") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-9200-9300", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[] { "tcp 9000-9199 0.0.0.0/0 \"search\"", "tcp 9201-9299 0.0.0.0/0 \"search\"", "tcp 9301-9500 0.0.0.0/0 \"search\"" },
            await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_AllTraffic11211_TcpAndUdpBothLoseThePortIcmpStays()
    {
        var groupId = await GroupAsync(new[] { Cidr("-1", null, null, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("aws-ec2-close-port-11211", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[]
            {
                "icmp -1--1 0.0.0.0/0",
                "tcp 0-11210 0.0.0.0/0",
                "tcp 11212-65535 0.0.0.0/0",
                "udp 0-11210 0.0.0.0/0",
                "udp 11212-65535 0.0.0.0/0",
            },
            await RulesAsync(groupId));
        Assert.Contains(result.Notes, n => n.Contains("other IP protocols", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_NarrowCidrPrefixListGroupSourceAndEgress_Untouched()
    {
        var otherGroup = await GroupAsync(Array.Empty<IpPermission>());
        var groupId = await GroupAsync(new[]
        {
            Cidr("tcp", 3306, 3306, "0.0.0.0/0"),
            Cidr("tcp", 3306, 3306, "2001:db8::/32"),
            Cidr("tcp", 0, 65535, "192.168.0.0/16"),
            new IpPermission { IpProtocol = "tcp", FromPort = 3306, ToPort = 3306, PrefixListIds = new List<PrefixListId> { new() { Id = "pl-0123456789abcdef0" } } },
            new IpPermission { IpProtocol = "tcp", FromPort = 3306, ToPort = 3306, UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = otherGroup } } },
        });
        await ec2.AuthorizeSecurityGroupEgressAsync(new AuthorizeSecurityGroupEgressRequest { GroupId = groupId, IpPermissions = new List<IpPermission> { Cidr("tcp", 3306, 3306, "::/0") } });
        var egressBefore = await RulesAsync(groupId, egress: true);
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-3306", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[] { "tcp 0-65535 192.168.0.0/16", "tcp 3306-3306 2001:db8::/32", "tcp 3306-3306 pl-0123456789abcdef0", "tcp 3306-3306 " + otherGroup }.OrderBy(t => t, StringComparer.Ordinal),
            await RulesAsync(groupId));
        Assert.Equal(egressBefore, await RulesAsync(groupId, egress: true));
        Assert.Contains("tcp 3306-3306 ::/0", egressBefore);
    }

    [Fact]
    public async Task Run_InstanceWithTwoInterfaces_EveryGroupOnEveryInterfaceClosed()
    {
        var first = await GroupAsync(new[] { Cidr("tcp", 22, 22, "0.0.0.0/0") });
        var second = await GroupAsync(new[] { Cidr("tcp", 20, 30, "::/0") });
        var clean = await GroupAsync(new[] { Cidr("tcp", 443, 443, "0.0.0.0/0") });
        var instanceId = Instance(new[] { first, clean }, new[] { second });

        var result = await engine.RunAsync(Finding("ec2-close-port-22", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Empty(await RulesAsync(first));
        Assert.Equal(new[] { "tcp 20-21 ::/0", "tcp 23-30 ::/0" }, await RulesAsync(second));
        Assert.Equal(new[] { "tcp 443-443 0.0.0.0/0" }, await RulesAsync(clean));
        Assert.Equal(new[] { first, second }, result.Actions.Select(a => a.Target).Distinct());
    }

    [Fact]
    public async Task Run_GroupSharedWithAnotherInstance_PlanNamesTheOtherInterface()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 1433, 1433, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });
        var otherInstance = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-1433", instanceId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        var note = Assert.Single(result.Notes, n => n.Contains("is shared", StringComparison.Ordinal));
        Assert.Contains("(instance " + otherInstance + ")", note, StringComparison.Ordinal);
        Assert.DoesNotContain("(instance " + instanceId + ")", note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunBatch_InstancesSharingAGroupAtOnce_AllRemediatedEachRuleChangedOnce()
    {
        var shared = await GroupAsync(new[] { Cidr("tcp", 0, 65535, "0.0.0.0/0", "all tcp") });
        var instances = Enumerable.Range(0, 6).Select(_ => Instance(new[] { shared })).ToList();

        // Each rule changes exactly once, with the sandbox's read lag on: the finding that changed the group verifies
        // until its read is fresh, and the others plan again under the group's lock from that read.

        var results = await engine.RunBatchAsync(
            instances.Select(i => Finding("ec2-close-port-22", i)).ToList(),
            new RemediationOptions { ThrottleLimit = 6 },
            null,
            null);

        // Every finding was open when the batch planned it: one made the change, the others planned again under the
        // group's lock and found it done. None fails, and only the one that changed the group has an undo record.
        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Single(results, r => r.UndoRecord is not null);
        Assert.Single(results, r => r.Actions.Count > 0);
        Assert.Equal(new[] { "tcp 0-21 0.0.0.0/0 \"all tcp\"", "tcp 23-65535 0.0.0.0/0 \"all tcp\"" }, await RulesAsync(shared));
        Assert.Equal(1, Calls("ec2:AuthorizeSecurityGroupIngress"));
        Assert.Equal(1, Calls("ec2:RevokeSecurityGroupIngress"));
    }

    [Fact]
    public async Task RunBatch_GroupFindingAndInstanceFindingsOnTheSameGroup_AllRemediatedUndoExact()
    {
        // Two jobs touch one group: security-group-close-port-22 by group ID, ec2-close-port-22 by the instances behind it.
        var shared = await GroupAsync(new[] { Cidr("tcp", 20, 30, "0.0.0.0/0", "ops"), Cidr("tcp", 443, 443, "0.0.0.0/0") });
        var instances = Enumerable.Range(0, 3).Select(_ => Instance(new[] { shared })).ToList();
        var before = await RulesAsync(shared);
        var findings = new List<Finding> { Finding("security-group-close-port-22", shared) };
        findings.AddRange(instances.Select(i => Finding("ec2-close-port-22", i)));

        var results = await engine.RunBatchAsync(findings, new RemediationOptions { ThrottleLimit = 4 }, null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(new[] { "tcp 20-21 0.0.0.0/0 \"ops\"", "tcp 23-30 0.0.0.0/0 \"ops\"", "tcp 443-443 0.0.0.0/0" }, await RulesAsync(shared));
        Assert.Equal(1, Calls("ec2:AuthorizeSecurityGroupIngress"));
        Assert.Equal(1, Calls("ec2:RevokeSecurityGroupIngress"));
        var changed = Assert.Single(results, r => r.UndoRecord is not null);
        Assert.Equal(3, changed.Actions.Count);

        var undone = await engine.UndoAsync(changed.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undone.Status);
        Assert.Equal(before, await RulesAsync(shared));
    }

    [Fact]
    public async Task Run_SplitOnOneGroup_SixCallsOfTheDeclaredActions()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 0, 65535, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-22", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(JobCatalog.Default.FindById("ec2-close-port-22")!.Info.IamActions, server.CallCounts.Keys.OrderBy(k => k, StringComparer.Ordinal));
        // Plan read and verify read of the group, plus one verify re-read per lagged read.
        Assert.Equal(6 + SandboxEc2.JobTestReadLag, server.CallCounts.Values.Sum());
        Assert.Equal(2 + SandboxEc2.JobTestReadLag, Calls("ec2:DescribeSecurityGroups"));
    }

    [Fact]
    public async Task RunBatch_TenInstances_InstancesGroupsAndInterfacesReadInOneCallEach()
    {
        var instances = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            instances.Add(Instance(new[] { await GroupAsync(new[] { Cidr("tcp", 3389, 3389, "0.0.0.0/0") }) }));
        }

        server.ResetCallCounts();

        var results = await engine.RunBatchAsync(instances.Select(i => Finding("ec2-close-port-3389", i)).ToList(), new RemediationOptions(), null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(1, Calls("ec2:DescribeInstances"));
        // One paged DescribeNetworkInterfaces for the 10 interfaces (pages of JobTestPageSize); one batched group read,
        // then the verify reads and their re-reads while the sandbox lags, batched across the findings: never one per
        // finding (that would be 1 + 10 x 2).
        Assert.Equal((10 + SandboxEc2.JobTestPageSize - 1) / SandboxEc2.JobTestPageSize, Calls("ec2:DescribeNetworkInterfaces"));
        Assert.InRange(Calls("ec2:DescribeSecurityGroups"), 1 + 1 + SandboxEc2.JobTestReadLag, 1 + (10 * (1 + SandboxEc2.JobTestReadLag) / 2));
        Assert.Equal(10, Calls("ec2:RevokeSecurityGroupIngress"));
    }

    [Fact]
    public async Task RunBatch_OneInstanceGone_OthersStillRemediatedItFailsWithAwsCode()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 22, 22, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var results = await engine.RunBatchAsync(
            new[] { Finding("ec2-close-port-22", instanceId), Finding("ec2-close-port-22", "i-0123456789abcdef0") },
            new RemediationOptions(),
            null,
            null);

        Assert.Equal(RemediationStatus.Remediated, results[0].Status);
        Assert.Equal(RemediationStatus.Failed, results[1].Status);
        Assert.Equal("InvalidInstanceID.NotFound", results[1].ErrorCode);
    }

    [Fact]
    public async Task Run_GroupOnlyOnThisInstance_NoSharedNote()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 1433, 1433, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-1433", instanceId), new RemediationOptions { DryRun = true });

        Assert.DoesNotContain(result.Notes, n => n.Contains("is shared", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_AlreadyCompliant_ReadsOnlyNoChange()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 443, 443, "0.0.0.0/0"), Cidr("tcp", 27017, 27017, "10.0.0.0/8") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-27017", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(2, server.CallCounts.Values.Sum());
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliantAndChangesNothing()
    {
        var groupId = await GroupAsync(new[] { Cidr("-1", null, null, "0.0.0.0/0"), Cidr("tcp", 8000, 8100, "::/0") });
        var instanceId = Instance(new[] { groupId });
        Assert.Equal(RemediationStatus.Remediated, (await engine.RunAsync(Finding("ec2-close-port-8080", instanceId), new RemediationOptions())).Status);
        var after = await RulesAsync(groupId);
        server.ResetCallCounts();

        var second = await engine.RunAsync(Finding("ec2-close-port-8080", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(after, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_DryRun_PlannedAndNothingChanged()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 0, 65535, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-5439", instanceId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(3, result.Actions.Count);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(new[] { "tcp 0-65535 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Undo_TwoGroups_RestoresTheExactOriginalRulesOfEach()
    {
        var first = await GroupAsync(new[] { Cidr("tcp", 5000, 6000, "0.0.0.0/0", "app"), Cidr("tcp", 5601, 5601, "10.0.0.0/8", "kibana inside") });
        var second = await GroupAsync(new[] { Cidr("-1", null, null, "::/0", "all v6") });
        var instanceId = Instance(new[] { first }, new[] { second });
        var firstBefore = await RulesAsync(first);
        var secondBefore = await RulesAsync(second);
        var result = await engine.RunAsync(Finding("ec2-close-port-5601", instanceId), new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.NotEqual(firstBefore, await RulesAsync(first));
        Assert.NotEqual(secondBefore, await RulesAsync(second));
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(firstBefore, await RulesAsync(first));
        Assert.Equal(secondBefore, await RulesAsync(second));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Theory]
    [InlineData("ec2:DescribeInstances")]
    [InlineData("ec2:RevokeSecurityGroupIngress")]
    public async Task Run_ActionDenied_FailedNamingTheMissingActionAndNothingCut(string deniedAction)
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 21, 21, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
            "{\"Effect\":\"Deny\",\"Action\":\"" + deniedAction + "\",\"Resource\":\"*\"}]}";
        using var limited = Client(server.CreateUser(account.AccountId, "limited", policy));

        var result = await new RemediationEngine(new FakeClientFactory(limited, account.AccountId)).RunAsync(Finding("ec2-close-port-21", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { deniedAction }, result.MissingIamActions);
        Assert.Equal(new[] { "tcp 21-21 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_InstanceTaggedSkip_SkippedAndUnchanged()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 23, 23, "0.0.0.0/0") });
        var instanceId = Instance(new Dictionary<string, string> { ["remediation:skip"] = "TRUE" }, new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-23", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(new[] { "tcp 23-23 0.0.0.0/0" }, await RulesAsync(groupId));
    }

    [Fact]
    public async Task Run_OneGroupTaggedSkip_OtherGroupClosedSkippedGroupNamed()
    {
        var skipped = await GroupAsync(new[] { Cidr("tcp", 1521, 1521, "0.0.0.0/0") }, new Dictionary<string, string> { ["remediation:skip"] = "true" });
        var open = await GroupAsync(new[] { Cidr("tcp", 1521, 1521, "::/0") });
        var instanceId = Instance(new[] { skipped, open });

        var result = await engine.RunAsync(Finding("ec2-close-port-1521", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 1521-1521 0.0.0.0/0" }, await RulesAsync(skipped));
        Assert.Empty(await RulesAsync(open));
        Assert.Contains(result.Notes, n => n.StartsWith(skipped + " is tagged remediation:skip", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_OnlyGroupTaggedSkip_Skipped()
    {
        var skipped = await GroupAsync(new[] { Cidr("tcp", 1521, 1521, "0.0.0.0/0") }, new Dictionary<string, string> { ["remediation:skip"] = "true" });
        var instanceId = Instance(new[] { skipped });

        var result = await engine.RunAsync(Finding("ec2-close-port-1521", instanceId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains(skipped, result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_ObjectIdNotAnInstance_FailedInvalidFindingNoCall()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 22, 22, "0.0.0.0/0") });
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding("ec2-close-port-22", groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(FailureTranslator.InvalidFinding, result.ErrorCode);
        Assert.Contains("'" + groupId + "'", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.CallCounts);
    }

    [Fact]
    public async Task Run_UnknownInstance_FailedWithAwsErrorCode()
    {
        var result = await engine.RunAsync(Finding("ec2-close-port-22", "i-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidInstanceID.NotFound", result.ErrorCode);
    }

    [Fact]
    public async Task Run_RangeModeRemove_RevokesWholeRuleOnInstanceGroups()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 3000, 4000, "0.0.0.0/0"), Cidr("tcp", 80, 80, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(Finding("ec2-close-port-3389", instanceId), new RemediationOptions { RangeMode = RangeMode.Remove });

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 80-80 0.0.0.0/0" }, await RulesAsync(groupId));
        Assert.Equal(0, Calls("ec2:AuthorizeSecurityGroupIngress"));
    }

    [Fact]
    public async Task Run_ByRuleId_FindsTheInstanceJob()
    {
        var groupId = await GroupAsync(new[] { Cidr("tcp", 20, 20, "0.0.0.0/0") });
        var instanceId = Instance(new[] { groupId });

        var result = await engine.RunAsync(new Finding { RuleId = "5c8c263d7a550e1fb6560c39", AccountId = account.AccountId, Region = Region, ResourceId = instanceId }, new RemediationOptions());

        Assert.Equal("ec2-close-port-20", result.JobId);
        Assert.Equal(RemediationStatus.Remediated, result.Status);
    }
}
