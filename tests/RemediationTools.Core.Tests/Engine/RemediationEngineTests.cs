using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.Ec2;
using SecurityGroupRule = RemediationTools.Core.Jobs.Ec2.SecurityGroupRule;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Engine;

public class RemediationEngineTests
{
    private const string Account = "123456789012";
    private const string GroupId = "sg-0123456789abcdef0";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";

    private static readonly string[] MutatingActions = { "ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress" };

    private readonly FakeEc2 ec2 = new();
    private readonly FakeClientFactory factory;
    private readonly RecordingReporter reporter = new();
    private readonly RemediationEngine engine;

    public RemediationEngineTests()
    {
        factory = new FakeClientFactory(ec2.Client);
        engine = new RemediationEngine(factory, reporter: reporter);
    }

    private static SecurityGroupRule Tcp(int from, int to, string cidr = "0.0.0.0/0", string? description = null)
        => new() { Protocol = "tcp", FromPort = from, ToPort = to, Cidr = cidr, Description = description };

    private static Finding Finding(string resourceId = GroupId, string? ruleId = PostgresRule, string? account = Account) => new()
    {
        FindingId = "f-1",
        RuleId = ruleId,
        AccountId = account,
        Region = "us-east-1",
        ResourceId = resourceId,
    };

    private int MutatingCalls => ec2.Calls.Count(MutatingActions.Contains);

    [Fact]
    public async Task Run_ExactPublicPort_RevokesAndVerifies()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5432, 5432), Tcp(22, 22));

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 22 from 0.0.0.0/0" }, group.RuleTexts);
        Assert.Equal(new[] { "ec2:DescribeSecurityGroups", "ec2:DescribeNetworkInterfaces", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroups" }, ec2.Calls);
        Assert.Equal("security-group-close-port-5432", result.JobId);
        Assert.Equal(Account, result.AccountId);
        Assert.Equal("f-1", result.FindingId);
        Assert.Single(result.Actions);
        Assert.NotNull(result.UndoRecord);
        Assert.True(result.Elapsed >= TimeSpan.Zero);
        Assert.NotEqual(default, result.StartedAt);
    }

    [Fact]
    public async Task Run_RangeAroundPort_KeepsRestOfRangeWithDescription()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5000, 6000, "::/0", "app"));

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 5000-5431 from ::/0 (\"app\")", "tcp 5433-6000 from ::/0 (\"app\")" }, group.RuleTexts);
        // Authorize strictly before revoke: nothing else is cut even for a moment.
        Assert.True(ec2.Calls.IndexOf("ec2:AuthorizeSecurityGroupIngress") < ec2.Calls.IndexOf("ec2:RevokeSecurityGroupIngress"));
    }

    [Fact]
    public async Task Run_AllTrafficIpv4AndIpv6_ReplacedByTcpUdpIcmp()
    {
        var group = ec2.AddGroup(
            GroupId,
            new SecurityGroupRule { Protocol = "-1", Cidr = "0.0.0.0/0" },
            new SecurityGroupRule { Protocol = "-1", Cidr = "::/0" });

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(
            new[]
            {
                "icmp all from 0.0.0.0/0", "icmpv6 all from ::/0",
                "tcp 0-5431 from 0.0.0.0/0", "tcp 0-5431 from ::/0", "tcp 5433-65535 from 0.0.0.0/0", "tcp 5433-65535 from ::/0",
                "udp 0-65535 from 0.0.0.0/0", "udp 0-65535 from ::/0",
            },
            group.RuleTexts);
        Assert.Contains(result.Notes, n => n.Contains("other IP protocols", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_NarrowCidrsPrefixListsGroupSourcesAndEgress_Untouched()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5432, 5432), Tcp(5432, 5432, "10.0.0.0/8"), Tcp(5432, 5432, "2001:db8::/32"));
        group.OtherPermissions.Add(new IpPermission { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, PrefixListIds = new List<PrefixListId> { new() { Id = "pl-1" } } });
        group.OtherPermissions.Add(new IpPermission { IpProtocol = "tcp", FromPort = 5432, ToPort = 5432, UserIdGroupPairs = new List<UserIdGroupPair> { new() { GroupId = "sg-other" } } });
        group.Egress.Add(new IpPermission { IpProtocol = "-1", Ipv4Ranges = new List<IpRange> { new() { CidrIp = "0.0.0.0/0" } } });

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 5432 from 10.0.0.0/8", "tcp 5432 from 2001:db8::/32" }, group.RuleTexts);
        Assert.Equal(2, group.OtherPermissions.Count);
        Assert.Single(group.Egress);
        Assert.Equal(new[] { "tcp 5432 from 0.0.0.0/0" }, result.Actions.Select(a => a.Before));
    }

    [Fact]
    public async Task Run_OnlyOtherPorts_AlreadyCompliantWithOneRead()
    {
        var group = ec2.AddGroup(GroupId, Tcp(22, 22), Tcp(443, 443, "::/0"));

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(new[] { "ec2:DescribeSecurityGroups" }, ec2.Calls);
        Assert.Empty(result.Actions);
        Assert.Null(result.UndoRecord);
        Assert.Equal(2, group.Rules.Count);
    }

    [Fact]
    public async Task Run_Twice_SecondRunChangesNothing()
    {
        ec2.AddGroup(GroupId, new SecurityGroupRule { Protocol = "-1", Cidr = "0.0.0.0/0" });
        await engine.RunAsync(Finding(), new RemediationOptions());
        ec2.Calls.Clear();

        var second = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_ResourceTaggedSkip_SkippedWithoutChanges()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5432, 5432));
        group.Tags["remediation:skip"] = "True";

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Contains("remediation:skip", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, MutatingCalls);
        Assert.Single(group.Rules);
    }

    [Fact]
    public async Task Run_FindingTaggedSkip_SkippedWithoutAnyCall()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        var finding = Finding();
        finding.Tags = new Dictionary<string, string> { ["remediation:skip"] = "true" };

        var result = await engine.RunAsync(finding, new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Empty(ec2.Calls);
    }

    [Fact]
    public async Task Run_DryRun_PlannedWithActionsAndNothingChanged()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5400, 5500));

        var result = await engine.RunAsync(Finding(), new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.True(result.DryRun);
        Assert.Equal(3, result.Actions.Count);
        Assert.Equal(0, MutatingCalls);
        Assert.Equal(new[] { "tcp 5400-5500 from 0.0.0.0/0" }, group.RuleTexts);
    }

    [Fact]
    public async Task Run_ConfirmDeclined_PlannedAndConfirmSawThePlan()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        ec2.Interfaces.Add(("eni-1", "i-1", GroupId));
        RemediationPlan? seen = null;

        var result = await engine.RunAsync(Finding(), new RemediationOptions(), plan =>
        {
            seen = plan;
            return false;
        });

        Assert.Equal(RemediationStatus.Planned, result.Status);
        Assert.Equal(0, MutatingCalls);
        Assert.NotNull(seen);
        Assert.Contains(GroupId, seen!.Target, StringComparison.Ordinal);
        Assert.Contains("ec2:RevokeSecurityGroupIngress tcp 5432 from 0.0.0.0/0", seen.Operation, StringComparison.Ordinal);
        Assert.Contains(seen.Notes, n => n.Contains("eni-1 (instance i-1)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PlanThenApply_SeparateSteps_Remediated()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));

        var plan = await engine.PlanAsync(Finding(), new RemediationOptions());
        Assert.True(plan.HasChanges);
        Assert.Equal(0, MutatingCalls);
        var result = await engine.ApplyAsync(plan);

        Assert.Equal(RemediationStatus.Remediated, result.Status);
    }

    [Fact]
    public async Task Run_OtherInterfacesUseGroup_PlanNamesThem()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        ec2.Interfaces.Add(("eni-a", "i-a", GroupId));
        ec2.Interfaces.Add(("eni-b", null, GroupId));
        ec2.Interfaces.Add(("eni-c", "i-c", "sg-other"));

        var result = await engine.RunAsync(Finding(), new RemediationOptions { DryRun = true });

        var note = Assert.Single(result.Notes, n => n.Contains("network interface", StringComparison.Ordinal));
        Assert.Contains("eni-a (instance i-a)", note, StringComparison.Ordinal);
        Assert.Contains("eni-b", note, StringComparison.Ordinal);
        Assert.DoesNotContain("eni-c", note, StringComparison.Ordinal);
        Assert.Contains(reporter.Warnings, w => w.Contains("eni-a", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_RangeModeRemove_RevokesWholeRule()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5000, 6000), Tcp(80, 80));

        var result = await engine.RunAsync(Finding(), new RemediationOptions { RangeMode = RangeMode.Remove });

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(new[] { "tcp 80 from 0.0.0.0/0" }, group.RuleTexts);
        Assert.DoesNotContain("ec2:AuthorizeSecurityGroupIngress", ec2.Calls);
    }

    [Fact]
    public async Task Undo_AfterSplitAndJsonRoundTrip_RestoresExactOriginalRules()
    {
        var group = ec2.AddGroup(
            GroupId,
            Tcp(5000, 6000, "0.0.0.0/0", "range"),
            new SecurityGroupRule { Protocol = "-1", Cidr = "::/0", Description = "everything" },
            Tcp(22, 22, "10.0.0.0/8"));
        var before = group.RuleTexts;
        var result = await engine.RunAsync(Finding(), new RemediationOptions());
        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.NotEqual(before, group.RuleTexts);

        var stored = RemediationJson.Deserialize<RemediationResult>(RemediationJson.Serialize(result));
        var undo = await engine.UndoAsync(stored.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, undo.Status);
        Assert.True(undo.IsUndo);
        Assert.Equal(before, group.RuleTexts);
        Assert.Equal(new[] { "everything", "range" }, group.Rules.Where(r => r.Description is not null).Select(r => r.Description).OrderBy(d => d, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Undo_Twice_SecondIsAlreadyCompliant()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        var result = await engine.RunAsync(Finding(), new RemediationOptions());
        await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());
        ec2.Calls.Clear();

        var again = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, again.Status);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Undo_DryRun_PlansRestoreWithoutChanges()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5432, 5432));
        var result = await engine.RunAsync(Finding(), new RemediationOptions());
        ec2.Calls.Clear();

        var undo = await engine.UndoAsync(result.UndoRecord!, new RemediationOptions { DryRun = true });

        Assert.Equal(RemediationStatus.Planned, undo.Status);
        Assert.Equal("tcp 5432 from 0.0.0.0/0", Assert.Single(undo.Actions).After);
        Assert.Empty(group.Rules);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_RevokeDenied_FailedWithErrorCodeAndMissingAction()
    {
        var group = ec2.AddGroup(GroupId, Tcp(5432, 5432));
        ec2.DeniedActions.Add("ec2:RevokeSecurityGroupIngress");

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnauthorizedOperation", result.ErrorCode);
        Assert.Equal(new[] { "ec2:RevokeSecurityGroupIngress" }, result.MissingIamActions);
        Assert.Single(group.Rules);
    }

    [Fact]
    public async Task Run_DescribeDenied_FailedBeforeAnyChange()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        ec2.DeniedActions.Add("ec2:DescribeSecurityGroups");

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(new[] { "ec2:DescribeSecurityGroups" }, result.MissingIamActions);
        Assert.Equal(0, MutatingCalls);
    }

    [Fact]
    public async Task Run_AssumeRoleDenied_FailedNamingActionFromMessage()
    {
        factory.Failure = new AmazonServiceException(
            "User: arn:aws:iam::111122223333:user/ops is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/r",
            null,
            ErrorType.Sender,
            "AccessDenied",
            "req",
            HttpStatusCode.Forbidden);
        var options = new RemediationOptions();
        options.AccountRoles[Account] = new AccountRole("arn:aws:iam::123456789012:role/r", "o-1");

        var result = await engine.RunAsync(Finding(), options);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccessDenied", result.ErrorCode);
        Assert.Equal(new[] { "sts:AssumeRole" }, result.MissingIamActions);
        Assert.Equal("arn:aws:iam::123456789012:role/r", Assert.Single(factory.RolesRequested)!.RoleArn);
    }

    [Fact]
    public async Task Run_GroupMissing_FailedWithAwsErrorCode()
    {
        var result = await engine.RunAsync(Finding("sg-missing"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidGroup.NotFound", result.ErrorCode);
        Assert.Empty(result.MissingIamActions);
    }

    [Fact]
    public async Task Run_UnknownRule_FailedNamingRuleWithoutTouchingAws()
    {
        var result = await engine.RunAsync(Finding(ruleId: "no-such-rule"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("UnknownRule", result.ErrorCode);
        Assert.Contains("no-such-rule", result.Reason, StringComparison.Ordinal);
        Assert.Empty(factory.RolesRequested);
        Assert.Empty(ec2.Calls);
    }

    [Fact]
    public async Task Run_UnknownExplicitJob_FailedNamingJob()
    {
        var result = await engine.RunAsync(Finding(), new RemediationOptions { JobId = "no-such-job" });

        Assert.Equal("UnknownJob", result.ErrorCode);
        Assert.Contains("no-such-job", result.Reason, StringComparison.Ordinal);
        Assert.Empty(ec2.Calls);
    }

    [Fact]
    public async Task Run_ObjectIdNotASecurityGroup_FailedAsInvalidFinding()
    {
        var result = await engine.RunAsync(Finding("i-0123"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("InvalidFinding", result.ErrorCode);
        Assert.Contains("i-0123", result.Reason, StringComparison.Ordinal);
        Assert.Empty(ec2.Calls);
    }

    [Fact]
    public async Task Run_AccountRoles_RoleOfTheFindingsAccountIsUsed()
    {
        ec2.AddGroup(GroupId, Tcp(22, 22));
        var options = new RemediationOptions { DefaultRole = new AccountRole("arn:aws:iam::999999999999:role/default", "x") };
        options.AccountRoles[Account] = new AccountRole("arn:aws:iam::123456789012:role/fix", "o-1");

        await engine.RunAsync(Finding(), options);
        await engine.RunAsync(Finding(account: "555555555555"), options);

        Assert.Equal(new[] { "arn:aws:iam::123456789012:role/fix", "arn:aws:iam::999999999999:role/default" }, factory.RolesRequested.Select(r => r!.RoleArn));
    }

    [Fact]
    public async Task RunBatch_MixedFindings_OneResultEachInOrderAndProgressCompleted()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));
        var findings = new[] { Finding(), Finding(ruleId: "unknown"), Finding() };

        var results = await engine.RunAsync(findings, new RemediationOptions());

        // The third finding was open when the batch was planned; the first one's change fixed it.
        Assert.Equal(new[] { RemediationStatus.Remediated, RemediationStatus.Failed, RemediationStatus.Remediated }, results.Select(r => r.Status));
        Assert.Empty(results[2].Actions);
        Assert.True(reporter.Progress.Last().Completed);
        // 0 of 3, one record per finding as it completes, and the closing Completed record.
        Assert.Equal(findings.Length + 2, reporter.Progress.Count);
        Assert.Equal(0, reporter.Progress[0].PercentComplete);
    }

    [Fact]
    public async Task Run_PortCloserCalls_ExactlyTheDeclaredIamActions()
    {
        ec2.AddGroup(GroupId, Tcp(5000, 6000));

        var result = await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        var declared = engine.Catalog.FindById(result.JobId)!.Info.IamActions;
        Assert.Equal(declared.OrderBy(a => a, StringComparer.Ordinal), ec2.Calls.Distinct().OrderBy(a => a, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_Verbose_NamesEachAwsCall()
    {
        ec2.AddGroup(GroupId, Tcp(5432, 5432));

        await engine.RunAsync(Finding(), new RemediationOptions());

        Assert.Contains(reporter.Verbose, v => v.StartsWith("ec2:RevokeSecurityGroupIngress " + GroupId, StringComparison.Ordinal));
    }

    private sealed class RecordingReporter : IRemediationReporter
    {
        public List<RemediationProgress> Progress { get; } = new();

        public List<string> Verbose { get; } = new();

        public List<string> Warnings { get; } = new();

        void IRemediationReporter.Progress(RemediationProgress progress) => Progress.Add(progress);

        void IRemediationReporter.Verbose(string message) => Verbose.Add(message);

        void IRemediationReporter.Warning(string message) => Warnings.Add(message);
    }
}
