using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Results;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>aws-ec2-administration-ports-ingress-allowed end to end against the AWS sandbox's network ACLs.</summary>
public sealed class NetworkAclAdministrationPortsSandboxTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string JobId = "aws-ec2-administration-ports-ingress-allowed";
    private const string VpcIpv4 = "172.31.0.0/16";

    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AmazonEC2Client ec2;
    private readonly RemediationEngine engine;

    public NetworkAclAdministrationPortsSandboxTests()
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

    private AmazonEC2Client Client(SandboxAccount who) => SandboxEc2.Client(server, who, Region);

    private async Task<string> DefaultAclAsync()
    {
        var response = await ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest
        {
            Filters = new List<Filter> { new() { Name = "default", Values = new List<string> { "true" } } },
        });
        server.ResetCallCounts();
        return Assert.Single(response.NetworkAcls).NetworkAclId;
    }

    private async Task<string> VpcIpv6Async()
    {
        var vpc = Assert.Single((await ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs);
        return RemediationTools.Core.Jobs.Ec2.NetworkAclRule.CanonicalCidr(Assert.Single(vpc.Ipv6CidrBlockAssociationSet).Ipv6CidrBlock);
    }

    /// <summary>A new ACL in the default VPC with the given ingress entries: (number, action, protocol, ports or null, cidr).</summary>
    private async Task<string> AclAsync(IEnumerable<(int Number, string Action, string Protocol, int[]? Ports, string Cidr)> entries, IDictionary<string, string>? tags = null)
    {
        var vpcId = (await ec2.DescribeVpcsAsync(new DescribeVpcsRequest())).Vpcs[0].VpcId;
        var request = new CreateNetworkAclRequest { VpcId = vpcId };
        if (tags is not null)
        {
            request.TagSpecifications = new List<TagSpecification>
            {
                new() { ResourceType = ResourceType.NetworkAcl, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
            };
        }

        var aclId = (await ec2.CreateNetworkAclAsync(request)).NetworkAcl.NetworkAclId;
        foreach (var (number, action, protocol, ports, cidr) in entries)
        {
            var entry = new CreateNetworkAclEntryRequest
            {
                NetworkAclId = aclId,
                RuleNumber = number,
                Egress = false,
                Protocol = protocol,
                RuleAction = new RuleAction(action),
                PortRange = ports is null ? null : new PortRange { From = ports[0], To = ports[^1] },
            };
            if (cidr.Contains(':', StringComparison.Ordinal))
            {
                entry.Ipv6CidrBlock = cidr;
            }
            else
            {
                entry.CidrBlock = cidr;
            }

            await ec2.CreateNetworkAclEntryAsync(entry);
        }

        // An egress entry that the job must leave alone.
        await ec2.CreateNetworkAclEntryAsync(new CreateNetworkAclEntryRequest
        {
            NetworkAclId = aclId,
            RuleNumber = 100,
            Egress = true,
            Protocol = "6",
            RuleAction = RuleAction.Allow,
            CidrBlock = "0.0.0.0/0",
            PortRange = new PortRange { From = 22, To = 22 },
        });
        server.Settle();
        server.ResetCallCounts();
        return aclId;
    }

    private async Task<string[]> EntriesAsync(string aclId, bool egress = false)
    {
        server.Settle();
        var response = await ec2.DescribeNetworkAclsAsync(new DescribeNetworkAclsRequest { NetworkAclIds = new List<string> { aclId } });
        return Assert.Single(response.NetworkAcls).Entries
            .Where(e => e.Egress == egress)
            .OrderBy(e => e.RuleNumber)
            .Select(e => string.Format(
                CultureInfo.InvariantCulture,
                "{0} {1} {2}{3} {4}",
                e.RuleNumber,
                e.RuleAction.Value,
                e.Protocol,
                e.PortRange is null ? string.Empty : " " + e.PortRange.From + "-" + e.PortRange.To,
                e.CidrBlock ?? e.Ipv6CidrBlock))
            .ToArray();
    }

    private Finding Finding(string aclId) => new() { JobId = JobId, AccountId = account.AccountId, Region = Region, ResourceId = aclId };

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    private int MutatingCalls => Calls("ec2:CreateNetworkAclEntry") + Calls("ec2:DeleteNetworkAclEntry");

    [Fact]
    public async Task Run_DefaultAcl_DeniesBelowAllowAllForBothFamiliesWithTheVpcBlocksAllowedFirst()
    {
        var aclId = await DefaultAclAsync();
        var ipv6 = await VpcIpv6Async();
        var egressBefore = await EntriesAsync(aclId, egress: true);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());
        var calls = server.CallCounts.Values.Sum();

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[]
            {
                "92 allow 6 3389-3389 " + ipv6,
                "93 deny 6 3389-3389 ::/0",
                "94 allow 6 22-22 " + ipv6,
                "95 deny 6 22-22 ::/0",
                "96 allow 6 3389-3389 " + VpcIpv4,
                "97 deny 6 3389-3389 0.0.0.0/0",
                "98 allow 6 22-22 " + VpcIpv4,
                "99 deny 6 22-22 0.0.0.0/0",
                "100 allow -1 0.0.0.0/0",
                "101 allow -1 ::/0",
                "32767 deny -1 0.0.0.0/0",
                "32768 deny -1 ::/0",
            },
            await EntriesAsync(aclId));
        Assert.Equal(egressBefore, await EntriesAsync(aclId, egress: true));

        // One read of the ACL, one of the VPC, one create per entry (the API has no batch form), one verify read and
        // one re-read per read the sandbox lags.
        Assert.Equal(11 + SandboxEc2.JobTestReadLag, calls);
        Assert.Equal(8, Calls("ec2:CreateNetworkAclEntry"));
        Assert.Contains(result.Notes, n => n.Contains("'#100 allow all traffic from 0.0.0.0/0' stays", StringComparison.Ordinal));

        // Allows go in before any deny, so traffic from inside the VPC is never cut.
        var creates = result.Actions.Where(a => a.Operation == "ec2:CreateNetworkAclEntry").Select(a => a.After!).ToList();
        Assert.Equal(8, creates.Count);
        Assert.All(creates.Take(4), c => Assert.Contains(" allow ", c, StringComparison.Ordinal));
        Assert.All(creates.Skip(4), c => Assert.Contains(" deny ", c, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ExactPortEntries_DeletedWithoutReadingTheVpc()
    {
        var aclId = await AclAsync(new[]
        {
            (100, "allow", "6", (int[]?)new[] { 22 }, "0.0.0.0/0"),
            (110, "allow", "6", new[] { 3389 }, "::/0"),
            (120, "allow", "6", new[] { 443 }, "0.0.0.0/0"),
            (130, "allow", "6", new[] { 22 }, "10.0.0.0/8"),
        });

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "120 allow 6 443-443 0.0.0.0/0", "130 allow 6 22-22 10.0.0.0/8", "32767 deny -1 0.0.0.0/0", "32768 deny -1 ::/0" }, await EntriesAsync(aclId));
        Assert.Equal(2, Calls("ec2:DeleteNetworkAclEntry"));
        Assert.Equal(0, Calls("ec2:CreateNetworkAclEntry"));
        Assert.Equal(0, Calls("ec2:DescribeVpcs"));
        Assert.Equal(new[] { "100 allow 6 22-22 0.0.0.0/0", "32767 deny -1 0.0.0.0/0", "32768 deny -1 ::/0" }, await EntriesAsync(aclId, egress: true));
    }

    [Fact]
    public async Task Run_BroadRangeWithNarrowerAllows_KeepsTheNarrowerNetworksAheadOfTheDeny()
    {
        var aclId = await AclAsync(new[]
        {
            (50, "allow", "6", (int[]?)new[] { 22 }, "203.0.113.0/24"),
            (200, "allow", "6", new[] { 0, 1024 }, "0.0.0.0/0"),
            (300, "allow", "-1", null, "198.51.100.0/24"),
            (310, "deny", "6", new[] { 22 }, "192.0.2.0/24"),
        });

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[]
            {
                "50 allow 6 22-22 203.0.113.0/24",
                "196 allow 6 22-22 198.51.100.0/24",
                "197 allow 6 22-22 203.0.113.0/24",
                "198 allow 6 22-22 " + VpcIpv4,
                "199 deny 6 22-22 0.0.0.0/0",
                "200 allow 6 0-1024 0.0.0.0/0",
                "300 allow -1 198.51.100.0/24",
                "310 deny 6 22-22 192.0.2.0/24",
                "32767 deny -1 0.0.0.0/0",
                "32768 deny -1 ::/0",
            },
            await EntriesAsync(aclId));
    }

    [Fact]
    public async Task Run_NotEnoughFreeRuleNumbers_FailedWithReasonAndNothingChanged()
    {
        var aclId = await AclAsync(new[]
        {
            (50, "allow", "6", (int[]?)new[] { 3389 }, "0.0.0.0/0"),
            (99, "allow", "17", new[] { 53 }, "10.0.0.0/8"),
            (100, "allow", "-1", null, "0.0.0.0/0"),
        });
        var before = await EntriesAsync(aclId);

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("NetworkAclRuleNumbersExhaustedException", result.ErrorCode);
        Assert.Contains("0 free rule number(s) between #99 and '#100 allow all traffic from 0.0.0.0/0'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(before, await EntriesAsync(aclId));
    }

    [Fact]
    public async Task Run_EntryLimitReachedHalfway_FailedWithAwsCodeAndInsertedEntriesTakenOut()
    {
        // 17 entries + the broad allow + the "*" entry = 19 IPv4 entries; the quota is 20, the job needs 4 more.
        var entries = Enumerable.Range(1, 17).Select(i => (i, "allow", "17", (int[]?)new[] { 53 }, "10.0." + i + ".0/24")).ToList();
        entries.Add((100, "allow", "-1", null, "0.0.0.0/0"));
        var aclId = await AclAsync(entries);
        var before = await EntriesAsync(aclId);

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("NetworkAclEntryLimitExceeded", result.ErrorCode);
        Assert.Equal(before, await EntriesAsync(aclId));
        Assert.Equal(2, Calls("ec2:CreateNetworkAclEntry"));
        Assert.Equal(1, Calls("ec2:DeleteNetworkAclEntry"));
    }

    [Fact]
    public async Task Run_InternetDeniedBeforeTheAllowAll_AlreadyCompliantOneRead()
    {
        var aclId = await AclAsync(new[]
        {
            (10, "deny", "6", (int[]?)new[] { 22 }, "0.0.0.0/0"),
            (11, "deny", "6", new[] { 3000, 4000 }, "0.0.0.0/0"),
            (12, "deny", "-1", null, "::/0"),
            (100, "allow", "-1", null, "0.0.0.0/0"),
            (101, "allow", "-1", null, "::/0"),
            (200, "allow", "6", new[] { 22 }, "0.0.0.0/0"),
        });

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(1, server.CallCounts.Values.Sum());
    }

    [Fact]
    public async Task Run_Twice_SecondIsAlreadyCompliant()
    {
        var aclId = await DefaultAclAsync();
        Assert.Equal(RemediationStatus.Remediated, (await engine.RunAsync(Finding(aclId), new RemediationOptions())).Status);
        var after = await EntriesAsync(aclId);
        server.ResetCallCounts();

        var second = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(after, await EntriesAsync(aclId));
    }

    [Fact]
    public async Task Undo_AfterInsertsAndDeletes_RestoresTheExactOriginalEntries()
    {
        var aclId = await AclAsync(new[]
        {
            (50, "allow", "6", (int[]?)new[] { 22 }, "0.0.0.0/0"),
            (60, "allow", "6", new[] { 3389 }, "::/0"),
            (200, "allow", "6", new[] { 0, 65535 }, "0.0.0.0/0"),
            (210, "allow", "-1", null, "::/0"),
        });
        var before = await EntriesAsync(aclId);
        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.NotEqual(before, await EntriesAsync(aclId));
        var record = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result)).UndoRecord!;

        var undo = await engine.UndoAsync(record, new RemediationOptions());
        var again = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.Equal(before, await EntriesAsync(aclId));
        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
    }

    [Fact]
    public async Task Run_DryRun_PlannedAndNothingChanged()
    {
        var aclId = await DefaultAclAsync();
        var before = await EntriesAsync(aclId);
        server.ResetCallCounts();

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(8, result.Actions.Count);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(before, await EntriesAsync(aclId));
    }

    [Fact]
    public async Task Run_CreateDenied_FailedNamingTheActionAndNothingChanged()
    {
        var aclId = await DefaultAclAsync();
        var before = await EntriesAsync(aclId);
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
            "{\"Effect\":\"Deny\",\"Action\":\"ec2:CreateNetworkAclEntry\",\"Resource\":\"*\"}]}";
        using var limited = Client(server.CreateUser(account.AccountId, "no-create", policy));

        var result = await new RemediationEngine(new FakeClientFactory(limited, account.AccountId)).RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { "ec2:CreateNetworkAclEntry" }, result.MissingIamActions);
        Assert.Equal(before, await EntriesAsync(aclId));
    }

    [Fact]
    public async Task Run_AclTaggedSkip_SkippedAndUnchanged()
    {
        var aclId = await AclAsync(new[] { (100, "allow", "6", (int[]?)new[] { 22 }, "0.0.0.0/0") }, new Dictionary<string, string> { ["remediation:skip"] = "true" });

        var result = await engine.RunAsync(Finding(aclId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_ObjectIdNotAnAcl_FailedInvalidFindingNoCall()
    {
        var result = await engine.RunAsync(Finding("sg-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(FailureTranslator.InvalidFinding, result.ErrorCode);
        Assert.Contains("'sg-0123456789abcdef0'", result.Reason, StringComparison.Ordinal);
        Assert.Empty(server.CallCounts);
    }

    [Fact]
    public async Task Run_UnknownAcl_FailedWithAwsErrorCode()
    {
        var result = await engine.RunAsync(Finding("acl-0123456789abcdef0"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidNetworkAclID.NotFound", result.ErrorCode);
    }
}
