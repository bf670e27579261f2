using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Tests.Jobs;

public class SecurityGroupPortCloserTests
{
    private const string Group = "sg-0123456789abcdef0";
    private static readonly SecurityGroupPortCloser Closer5432 = new(new[] { 5432 }, new[] { "tcp" });

    private static SecurityGroupRule Tcp(int from, int to, string cidr = "0.0.0.0/0", string? description = null)
        => new() { Protocol = "tcp", FromPort = from, ToPort = to, Cidr = cidr, Description = description };

    private static SecurityGroupRule All(string cidr, string? description = null)
        => new() { Protocol = "-1", Cidr = cidr, Description = description };

    private static string[] Added(SecurityGroupChangeSet changes) => changes.Authorize.Select(c => c.Rule.ToString()).ToArray();

    private static string[] Removed(SecurityGroupChangeSet changes) => changes.Revoke.Select(c => c.Rule.ToString()).ToArray();

    [Theory]
    [InlineData("tcp", 5432, 5432, "0.0.0.0/0", true)]
    [InlineData("6", 5432, 5432, "0.0.0.0/0", true)]
    [InlineData("tcp", 5000, 6000, "::/0", true)]
    [InlineData("tcp", 5433, 6000, "0.0.0.0/0", false)]
    [InlineData("udp", 5432, 5432, "0.0.0.0/0", false)]
    [InlineData("tcp", 5432, 5432, "10.0.0.0/8", false)]
    [InlineData("tcp", 5432, 5432, "0.0.0.0/1", false)]
    [InlineData("tcp", 5432, 5432, "2001:db8::/32", false)]
    public void IsPublicForPort_Rule_MatchesOnlyInternetSourcesWithPort(string protocol, int from, int to, string cidr, bool expected)
    {
        var rule = new SecurityGroupRule { Protocol = protocol, FromPort = from, ToPort = to, Cidr = cidr };

        Assert.Equal(expected, Closer5432.IsPublicForPort(rule));
    }

    [Fact]
    public void IsPublicForPort_AllTrafficFromInternet_Matches()
    {
        Assert.True(Closer5432.IsPublicForPort(All("0.0.0.0/0")));
        Assert.True(Closer5432.IsPublicForPort(All("::/0")));
        Assert.False(Closer5432.IsPublicForPort(All("10.0.0.0/16")));
    }

    [Fact]
    public void PlanChanges_ExactPort_RevokesOnly()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5432, 5432) }, RangeMode.Split);

        Assert.Empty(changes.Authorize);
        Assert.Equal(new[] { "tcp 5432 from 0.0.0.0/0" }, Removed(changes));
    }

    [Fact]
    public void PlanChanges_RangeAroundPort_AuthorizesBothSidesWithSameDescriptionThenRevokes()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5000, 6000, "::/0", "db range") }, RangeMode.Split);

        Assert.Equal(new[] { "tcp 5000-5431 from ::/0 (\"db range\")", "tcp 5433-6000 from ::/0 (\"db range\")" }, Added(changes));
        Assert.Equal(new[] { "tcp 5000-6000 from ::/0 (\"db range\")" }, Removed(changes));
    }

    [Fact]
    public void PlanChanges_RangeStartingAtPort_AuthorizesUpperPart()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5432, 5440) }, RangeMode.Split);

        Assert.Equal(new[] { "tcp 5433-5440 from 0.0.0.0/0" }, Added(changes));
        Assert.Single(changes.Revoke);
    }

    [Fact]
    public void PlanChanges_RangeEndingAtPort_AuthorizesLowerPart()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5400, 5432) }, RangeMode.Split);

        Assert.Equal(new[] { "tcp 5400-5431 from 0.0.0.0/0" }, Added(changes));
        Assert.Single(changes.Revoke);
    }

    [Fact]
    public void PlanChanges_AllTrafficIpv4_ReplacedByTcpUdpIcmpAndSaysOtherProtocolsDropped()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { All("0.0.0.0/0", "open") }, RangeMode.Split);

        Assert.Equal(
            new[]
            {
                "tcp 0-5431 from 0.0.0.0/0 (\"open\")",
                "tcp 5433-65535 from 0.0.0.0/0 (\"open\")",
                "udp 0-65535 from 0.0.0.0/0 (\"open\")",
                "icmp all from 0.0.0.0/0 (\"open\")",
            },
            Added(changes));
        Assert.Equal(new[] { "all traffic from 0.0.0.0/0 (\"open\")" }, Removed(changes));
        Assert.Contains(changes.Notes, n => n.Contains("other IP protocols", StringComparison.Ordinal));
    }

    [Fact]
    public void PlanChanges_AllTrafficIpv6_UsesIcmpv6()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { All("::/0") }, RangeMode.Split);

        Assert.Contains("icmpv6 all from ::/0", Added(changes));
        Assert.DoesNotContain(Added(changes), a => a.StartsWith("icmp ", StringComparison.Ordinal));
        Assert.Equal(new[] { "all traffic from ::/0" }, Removed(changes));
    }

    [Fact]
    public void PlanChanges_UdpCloserOnAllTraffic_SplitsUdpAndKeepsTcpWhole()
    {
        var closer = new SecurityGroupPortCloser(new[] { 11211 }, new[] { "udp" });

        var changes = closer.PlanChanges(Group, new[] { All("0.0.0.0/0") }, RangeMode.Split);

        Assert.Contains("tcp 0-65535 from 0.0.0.0/0", Added(changes));
        Assert.Contains("udp 0-11210 from 0.0.0.0/0", Added(changes));
        Assert.Contains("udp 11212-65535 from 0.0.0.0/0", Added(changes));
    }

    [Fact]
    public void PlanChanges_NarrowerCidrsAndOtherPortsAndUdp_Untouched()
    {
        var rules = new[]
        {
            Tcp(5432, 5432, "10.0.0.0/8"),
            Tcp(5432, 5432, "2001:db8::/32"),
            Tcp(0, 65535, "192.168.0.0/16"),
            All("10.1.0.0/16"),
            Tcp(22, 22),
            Tcp(5433, 6000),
            new SecurityGroupRule { Protocol = "udp", FromPort = 5432, ToPort = 5432, Cidr = "0.0.0.0/0" },
        };

        var changes = Closer5432.PlanChanges(Group, rules, RangeMode.Split);

        Assert.True(changes.IsEmpty);
    }

    [Fact]
    public void PlanChanges_OnlyPublicRuleOfMany_IsTheOneChanged()
    {
        var rules = new[] { Tcp(22, 22), Tcp(5432, 5432, "10.0.0.0/8"), Tcp(5432, 5432), Tcp(443, 443, "::/0") };

        var changes = Closer5432.PlanChanges(Group, rules, RangeMode.Split);

        Assert.Equal(new[] { "tcp 5432 from 0.0.0.0/0" }, Removed(changes));
        Assert.Empty(changes.Authorize);
    }

    [Fact]
    public void PlanChanges_RemoveMode_RevokesWholeRuleWithoutReplacement()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5000, 6000), All("::/0") }, RangeMode.Remove);

        Assert.Empty(changes.Authorize);
        Assert.Equal(new[] { "tcp 5000-6000 from 0.0.0.0/0", "all traffic from ::/0" }, Removed(changes));
    }

    [Fact]
    public void PlanChanges_ReplacementAlreadyPresent_NotAuthorizedTwice()
    {
        // The group already allows udp from anywhere and the lower tcp part: only the missing parts are added.
        var rules = new[]
        {
            All("0.0.0.0/0"),
            new SecurityGroupRule { Protocol = "udp", FromPort = 0, ToPort = 65535, Cidr = "0.0.0.0/0" },
            Tcp(0, 5431),
        };

        var changes = Closer5432.PlanChanges(Group, rules, RangeMode.Split);

        Assert.Equal(new[] { "tcp 5433-65535 from 0.0.0.0/0", "icmp all from 0.0.0.0/0" }, Added(changes));
    }

    [Fact]
    public void PlanChanges_TwoRulesWithSameRemainder_AuthorizedOnce()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(0, 65535), All("0.0.0.0/0") }, RangeMode.Split);

        Assert.Single(Added(changes), a => a == "tcp 0-5431 from 0.0.0.0/0");
        Assert.Equal(2, changes.Revoke.Count);
    }

    [Fact]
    public void PlanChanges_TwoPortCloserRangeHoldingBoth_LeavesThreeParts()
    {
        var closer = new SecurityGroupPortCloser(new[] { 9200, 9300 }, new[] { "tcp" });

        var changes = closer.PlanChanges(Group, new[] { Tcp(9000, 9400) }, RangeMode.Split);

        Assert.Equal(new[] { "tcp 9000-9199 from 0.0.0.0/0", "tcp 9201-9299 from 0.0.0.0/0", "tcp 9301-9400 from 0.0.0.0/0" }, Added(changes));
    }

    [Fact]
    public void PlanUndo_AfterSplit_RestoresOriginalAndRemovesAddedRules()
    {
        var original = Tcp(5000, 6000, description: "db");
        var changes = Closer5432.PlanChanges(Group, new[] { original }, RangeMode.Split);
        var data = SecurityGroupPortCloser.ToUndoData(changes);
        var afterRemediation = changes.Authorize.Select(c => c.Rule).ToList();

        var undo = SecurityGroupPortCloser.PlanUndo(data, afterRemediation);

        Assert.Equal(new[] { "tcp 5000-6000 from 0.0.0.0/0 (\"db\")" }, Added(undo));
        Assert.Equal(new[] { "tcp 5000-5431 from 0.0.0.0/0 (\"db\")", "tcp 5433-6000 from 0.0.0.0/0 (\"db\")" }, Removed(undo));
    }

    [Fact]
    public void PlanUndo_AlreadyRestored_IsEmpty()
    {
        var original = Tcp(5432, 5432);
        var data = SecurityGroupPortCloser.ToUndoData(Closer5432.PlanChanges(Group, new[] { original }, RangeMode.Split));

        Assert.True(SecurityGroupPortCloser.PlanUndo(data, new[] { original }).IsEmpty);
    }

    [Fact]
    public void ToActions_Split_AuthorizeBeforeRevokeWithBeforeAndAfter()
    {
        var actions = SecurityGroupPortCloser.ToActions(Closer5432.PlanChanges(Group, new[] { Tcp(5432, 5433) }, RangeMode.Split));

        Assert.Equal(2, actions.Count);
        Assert.Equal("ec2:AuthorizeSecurityGroupIngress", actions[0].Operation);
        Assert.Null(actions[0].Before);
        Assert.Equal("tcp 5433 from 0.0.0.0/0", actions[0].After);
        Assert.Equal("ec2:RevokeSecurityGroupIngress", actions[1].Operation);
        Assert.Equal("tcp 5432-5433 from 0.0.0.0/0", actions[1].Before);
        Assert.Null(actions[1].After);
        Assert.All(actions, a => Assert.Equal(Group, a.Target));
    }

    [Fact]
    public void Check_PublicRuleLeft_ReportsProblem()
    {
        var changes = Closer5432.PlanChanges(Group, new[] { Tcp(5432, 5432) }, RangeMode.Split);

        Assert.False(Closer5432.Check(changes, new[] { Tcp(5432, 5432) }).Succeeded);
        Assert.True(Closer5432.Check(changes, Array.Empty<SecurityGroupRule>()).Succeeded);
    }

    [Fact]
    public void Constructor_IcmpProtocol_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SecurityGroupPortCloser(new[] { 1 }, new[] { "icmp" }));
    }
}
