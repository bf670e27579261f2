using System.Collections.Concurrent;
using System.Net;
using Amazon.EC2;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>RemediationEngine.RunBatchAsync: grouping, concurrency bound, order, shared reads, MaxChanges, AllowDisruptive, transient retries.</summary>
public sealed class RemediationBatchTests
{
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    private const string AccountA = "111111111111";
    private const string AccountB = "222222222222";

    private readonly FakeEc2 ec2 = new();
    private readonly FakeClientFactory factory;
    private readonly ConcurrentReporter reporter = new();

    public RemediationBatchTests() => factory = new FakeClientFactory(ec2.Client, AccountA);

    private static SecurityGroupRule Tcp(int from, int to, string cidr = "0.0.0.0/0")
        => new() { Protocol = "tcp", FromPort = from, ToPort = to, Cidr = cidr };

    private static Finding Finding(string resourceId, string? account = AccountA, string region = "us-east-1", string? ruleId = PostgresRule, string? jobId = null) => new()
    {
        RuleId = ruleId,
        JobId = jobId,
        AccountId = account,
        Region = region,
        ResourceId = resourceId,
    };

    private List<string> PublicGroups(int count)
    {
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = "sg-" + i.ToString("x17", System.Globalization.CultureInfo.InvariantCulture);
            ec2.AddGroup(id, Tcp(5432, 5432), Tcp(443, 443));
            ids.Add(id);
        }

        return ids;
    }

    private int Calls(string action)
    {
        lock (ec2.Calls)
        {
            return ec2.Calls.Count(c => c == action);
        }
    }

    [Fact]
    public async Task RunBatch_ManyGroupsOneAccountRegion_OneBatchedReadInsteadOfOnePerFinding()
    {
        var groups = PublicGroups(10);
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(groups.Select(g => Finding(g)).ToList(), new RemediationOptions(), null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.All(ec2.Groups.Values, g => Assert.Equal(new[] { "tcp 443 from 0.0.0.0/0" }, g.RuleTexts));
        // One batched DescribeSecurityGroups for planning plus one fresh read per finding to verify; one
        // DescribeNetworkInterfaces for all ten groups.
        Assert.Equal(1 + groups.Count, Calls("ec2:DescribeSecurityGroups"));
        Assert.Equal(1, Calls("ec2:DescribeNetworkInterfaces"));
        Assert.Equal(groups.Count, Calls("ec2:RevokeSecurityGroupIngress"));
    }

    [Fact]
    public async Task RunBatch_AccountsAndRegions_ResultsInInputOrderAndEachAccountsRoleUsed()
    {
        var groups = PublicGroups(4);
        var findings = new[]
        {
            Finding(groups[0], AccountA, "us-east-1"),
            Finding(groups[1], AccountB, "eu-west-1"),
            Finding(groups[2], AccountA, "eu-west-1"),
            Finding(groups[3], AccountB, "us-east-1"),
        };
        var options = new RemediationOptions();
        options.AccountRoles[AccountA] = new AccountRole("arn:aws:iam::111111111111:role/R", "o-1");
        options.AccountRoles[AccountB] = new AccountRole("arn:aws:iam::222222222222:role/R", "o-1");
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(findings, options, null, null);

        Assert.Equal(groups, results.Select(r => r.ResourceId));
        Assert.Equal(new[] { AccountA, AccountB, AccountA, AccountB }, results.Select(r => r.AccountId));
        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(
            new[] { "arn:aws:iam::111111111111:role/R", "arn:aws:iam::222222222222:role/R" },
            factory.RolesRequested.Select(r => r!.RoleArn).Distinct().OrderBy(a => a, StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunBatch_ThrottleLimit_NeverMoreFindingsAtOnceInOneAccountRegion()
    {
        var job = new SlowJob("fake-slow", TimeSpan.FromMilliseconds(30));
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);
        var findings = Enumerable.Range(0, 24)
            .Select(i => Finding("r-" + i, i % 2 == 0 ? AccountA : AccountB, i % 3 == 0 ? "us-east-1" : "eu-west-1", ruleId: null, jobId: "fake-slow"))
            .ToList();

        var options = new RemediationOptions { ThrottleLimit = 3 };
        options.AccountRoles[AccountB] = new AccountRole("arn:aws:iam::222222222222:role/R", "o-1");

        var results = await engine.RunBatchAsync(findings, options, null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(4, job.MaxConcurrentByGroup.Count);
        Assert.All(job.MaxConcurrentByGroup.Values, max => Assert.InRange(max, 1, 3));
        // The groups ran side by side: more than three findings were in flight at some moment.
        Assert.True(job.MaxConcurrentOverall > 3, "groups run in parallel, max in flight was " + job.MaxConcurrentOverall);
    }

    [Fact]
    public async Task RunBatch_ThrottleLimitOne_ResultsCompleteInInputOrder()
    {
        var job = new SlowJob("fake-slow", TimeSpan.FromMilliseconds(5));
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);
        var findings = Enumerable.Range(0, 8).Select(i => Finding("r-" + i, ruleId: null, jobId: "fake-slow")).ToList();
        var completionOrder = new ConcurrentQueue<int>();

        await engine.RunBatchAsync(findings, new RemediationOptions { ThrottleLimit = 1 }, null, (index, _) => completionOrder.Enqueue(index));

        Assert.Equal(Enumerable.Range(0, 8), completionOrder);
        Assert.Equal(1, job.MaxConcurrentOverall);
    }

    [Fact]
    public async Task RunBatch_SameResourceTwice_SecondSaysTheFirstFixedItAndHasNoUndo()
    {
        var group = PublicGroups(1)[0];
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(new[] { Finding(group), Finding(group) }, new RemediationOptions { ThrottleLimit = 8 }, null, null);

        // Both findings were open when the batch planned them; the first fixed the group, the second found nothing left.
        Assert.Equal(new[] { RemediationStatus.Remediated, RemediationStatus.Remediated }, results.Select(r => r.Status));
        Assert.NotEmpty(results[0].Actions);
        Assert.NotNull(results[0].UndoRecord);
        Assert.Empty(results[1].Actions);
        Assert.Null(results[1].UndoRecord);
        Assert.StartsWith("Fixed in this run by another finding's change to " + group, results[1].Reason, StringComparison.Ordinal);
        Assert.Equal(1, Calls("ec2:RevokeSecurityGroupIngress"));
    }

    [Fact]
    public async Task RunBatch_MaxChanges_StopsAfterNAndSkipsTheRestWithReason()
    {
        var groups = PublicGroups(6);
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(groups.Select(g => Finding(g)).ToList(), new RemediationOptions { MaxChanges = 2 }, null, null);

        Assert.Equal(2, results.Count(r => r.Status == RemediationStatus.Remediated));
        var skipped = results.Where(r => r.Status == RemediationStatus.Skipped).ToList();
        Assert.Equal(4, skipped.Count);
        Assert.All(skipped, r => Assert.StartsWith("-MaxChanges 2 reached", r.Reason, StringComparison.Ordinal));
        Assert.All(skipped, r => Assert.Empty(r.Actions));
        Assert.Equal(2, Calls("ec2:RevokeSecurityGroupIngress"));
        Assert.Equal(2, ec2.Groups.Values.Count(g => g.RuleTexts.Length == 1));
    }

    [Fact]
    public async Task RunBatch_MaxChangesZero_NothingChanged()
    {
        var groups = PublicGroups(3);
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(groups.Select(g => Finding(g)).ToList(), new RemediationOptions { MaxChanges = 0 }, null, null);

        Assert.All(results, r => Assert.Equal(RemediationStatus.Skipped, r.Status));
        Assert.Equal(0, Calls("ec2:RevokeSecurityGroupIngress") + Calls("ec2:AuthorizeSecurityGroupIngress"));
    }

    [Fact]
    public async Task RunBatch_MaxChangesWithCompliantFindings_CompliantOnesDoNotCount()
    {
        var groups = PublicGroups(3);
        ec2.AddGroup("sg-00000000000000c01", Tcp(443, 443));
        ec2.AddGroup("sg-00000000000000c02", Tcp(443, 443));
        var findings = new[] { Finding("sg-00000000000000c01"), Finding("sg-00000000000000c02") }.Concat(groups.Select(g => Finding(g))).ToList();
        var engine = new RemediationEngine(factory, reporter: reporter);

        var results = await engine.RunBatchAsync(findings, new RemediationOptions { MaxChanges = 2, ThrottleLimit = 1 }, null, null);

        Assert.Equal(
            new[] { RemediationStatus.AlreadyCompliant, RemediationStatus.AlreadyCompliant, RemediationStatus.Remediated, RemediationStatus.Remediated, RemediationStatus.Skipped },
            results.Select(r => r.Status));
    }

    [Fact]
    public async Task RunBatch_ConfirmDeclined_DoesNotCountTowardMaxChanges()
    {
        var groups = PublicGroups(3);
        var engine = new RemediationEngine(factory, reporter: reporter);
        var asked = 0;

        var results = await engine.RunBatchAsync(
            groups.Select(g => Finding(g)).ToList(),
            new RemediationOptions { MaxChanges = 1, ThrottleLimit = 1 },
            plan => Task.FromResult(Interlocked.Increment(ref asked) > 1),
            null);

        Assert.Equal(new[] { RemediationStatus.Planned, RemediationStatus.Remediated, RemediationStatus.Skipped }, results.Select(r => r.Status));
        Assert.Equal(2, asked);
    }

    [Fact]
    public async Task RunBatch_DisruptiveJobWithoutAllowDisruptive_SkippedAndNeverPlanned()
    {
        var job = new SlowJob("fake-disruptive", TimeSpan.Zero, disruptive: true);
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);
        var findings = new[] { Finding("vol-1", ruleId: null, jobId: "fake-disruptive") };

        var refused = await engine.RunBatchAsync(findings, new RemediationOptions(), null, null);

        Assert.Equal(RemediationStatus.Skipped, refused[0].Status);
        Assert.Contains("-AllowDisruptive", refused[0].Reason, StringComparison.Ordinal);
        Assert.Equal(0, job.Plans);
        Assert.Empty(factory.RolesRequested);

        var allowed = await engine.RunBatchAsync(findings, new RemediationOptions { AllowDisruptive = true }, null, null);

        Assert.Equal(RemediationStatus.Remediated, allowed[0].Status);
        Assert.Equal(1, job.Applies);
    }

    [Fact]
    public async Task RunBatch_ThrottledBeyondClientRetries_PlansAgainAndAppliesOnce()
    {
        var job = new SlowJob("fake-slow", TimeSpan.Zero) { ThrottleFirstApplies = 1 };
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);

        var results = await engine.RunBatchAsync(
            new[] { Finding("r-1", ruleId: null, jobId: "fake-slow") },
            new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(1) },
            null,
            null);

        Assert.Equal(RemediationStatus.Remediated, results[0].Status);
        Assert.Equal(2, job.Plans);
        Assert.Equal(1, job.Applies);
    }

    [Fact]
    public async Task RunBatch_ThrottledOnEveryAttempt_FailsWithTheAwsCodeAfterMaxAttempts()
    {
        var job = new SlowJob("fake-slow", TimeSpan.Zero) { ThrottleFirstApplies = 10 };
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);

        var results = await engine.RunBatchAsync(
            new[] { Finding("r-1", ruleId: null, jobId: "fake-slow") },
            new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(1), MaxFindingAttempts = 3 },
            null,
            null);

        Assert.Equal(RemediationStatus.Failed, results[0].Status);
        Assert.Equal("RequestLimitExceeded", results[0].ErrorCode);
        Assert.Equal(3, job.Plans);
        Assert.Equal(0, job.Applies);
    }

    [Fact]
    public async Task RunBatch_SharedResourceChangedUnderThePlan_PlansAgainFromAFreshRead()
    {
        var job = new SlowJob("fake-slow", TimeSpan.Zero) { ThrottleFirstApplies = 1, FailureCode = "InvalidPermission.NotFound" };
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);

        var results = await engine.RunBatchAsync(
            new[] { Finding("i-1", ruleId: null, jobId: "fake-slow") },
            new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(1) },
            null,
            null);

        Assert.Equal(RemediationStatus.Remediated, results[0].Status);
        Assert.Equal(2, job.Plans);
        Assert.Equal(1, job.Applies);
    }

    [Fact]
    public async Task RunBatch_AccessDenied_NotRetried()
    {
        var job = new SlowJob("fake-slow", TimeSpan.Zero) { ThrottleFirstApplies = 1, FailureCode = "UnauthorizedOperation" };
        var engine = new RemediationEngine(factory, new JobCatalog(new IRemediationJob[] { job }), reporter);

        var results = await engine.RunBatchAsync(
            new[] { Finding("i-1", ruleId: null, jobId: "fake-slow") },
            new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(1) },
            null,
            null);

        Assert.Equal(RemediationStatus.Failed, results[0].Status);
        Assert.Equal("UnauthorizedOperation", results[0].ErrorCode);
        Assert.Equal(1, job.Plans);
    }

    [Fact]
    public async Task RunBatch_Progress_StartsAtZeroOneRecordPerFindingEndsCompleted()
    {
        var groups = PublicGroups(3);
        var engine = new RemediationEngine(factory, reporter: reporter);

        await engine.RunBatchAsync(groups.Select(g => Finding(g)).ToList(), new RemediationOptions(), null, null);

        var progress = reporter.Progress.ToList();
        Assert.Equal(0, progress[0].PercentComplete);
        Assert.Equal(5, progress.Count);
        Assert.Contains(progress, p => p.Status.StartsWith("3 of 3 done", StringComparison.Ordinal));
        Assert.True(progress[^1].Completed);
    }

    [Fact]
    public async Task RunBatch_InvalidThrottleLimit_Throws()
    {
        var engine = new RemediationEngine(factory, reporter: reporter);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => engine.RunBatchAsync(new[] { Finding("sg-1") }, new RemediationOptions { ThrottleLimit = 0 }, null, null));
    }

    [Theory]
    [InlineData("RequestLimitExceeded", true)]
    [InlineData("Throttling", true)]
    [InlineData("InternalError", true)]
    [InlineData("ServiceUnavailable", true)]
    [InlineData("UnauthorizedOperation", false)]
    [InlineData("InvalidPermission.NotFound", false)]
    [InlineData(null, false)]
    public void IsTransient_ErrorCodes_OnlyThrottlingAndServerErrors(string? code, bool expected)
        => Assert.Equal(expected, RemediationEngine.IsTransient(code));

    /// <summary>A job that sleeps in PlanAsync and records how many plans overlap, per account and region and overall.</summary>
    private sealed class SlowJob : IRemediationJob
    {
        private readonly TimeSpan delay;
        private readonly ConcurrentDictionary<string, int> current = new(StringComparer.Ordinal);
        private readonly HashSet<string> fixedResources = new(StringComparer.Ordinal);
        private int overall;
        private int plans;
        private int applies;
        private int throttled;

        public SlowJob(string id, TimeSpan delay, bool disruptive = false)
        {
            this.delay = delay;
            Info = new RemediationJobInfo { Id = id, Title = "test job", Service = "Test", ResourceType = "Thing", Impact = "none", Disruptive = disruptive };
        }

        public RemediationJobInfo Info { get; }

        public int ThrottleFirstApplies { get; set; }

        public string FailureCode { get; set; } = "RequestLimitExceeded";

        public ConcurrentDictionary<string, int> MaxConcurrentByGroup { get; } = new(StringComparer.Ordinal);

        public int MaxConcurrentOverall { get; private set; }

        public int Plans => Volatile.Read(ref plans);

        public int Applies => Volatile.Read(ref applies);

        public async Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref plans);
            var key = context.Finding.AccountId + "/" + context.Region;
            var now = current.AddOrUpdate(key, 1, (_, n) => n + 1);
            MaxConcurrentByGroup.AddOrUpdate(key, now, (_, max) => Math.Max(max, now));
            var all = Interlocked.Increment(ref overall);
            lock (current)
            {
                MaxConcurrentOverall = Math.Max(MaxConcurrentOverall, all);
            }

            try
            {
                if (delay > TimeSpan.Zero)
                {
                    await Task.Delay(delay, cancellationToken);
                }

                lock (fixedResources)
                {
                    if (fixedResources.Contains(context.ResourceId))
                    {
                        return JobPlan.Compliant();
                    }
                }

                var action = new RemediationAction { Operation = "test:Fix", Target = context.ResourceId, Before = "bad", After = "good" };
                return JobPlan.Change(new[] { action }, Array.Empty<string>(), null, context.ResourceId, new[] { "test:" + context.ResourceId });
            }
            finally
            {
                current.AddOrUpdate(key, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref overall);
            }
        }

        public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref throttled) <= ThrottleFirstApplies)
            {
                var inner = new AmazonEC2Exception("Injected " + FailureCode + ".", ErrorType.Sender, FailureCode, "req-1", HttpStatusCode.ServiceUnavailable);
                throw new AwsCallException("test:Fix", context.ResourceId, inner);
            }

            Interlocked.Increment(ref applies);
            lock (fixedResources)
            {
                fixedResources.Add(context.ResourceId);
            }

            return Task.CompletedTask;
        }

        public Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
            => Task.FromResult(JobVerification.Success());

        public Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
            => Task.FromResult(JobPlan.Compliant());
    }

    private sealed class ConcurrentReporter : IRemediationReporter
    {
        public ConcurrentQueue<RemediationProgress> Progress { get; } = new();

        void IRemediationReporter.Progress(RemediationProgress progress) => Progress.Enqueue(progress);

        void IRemediationReporter.Verbose(string message)
        {
        }

        void IRemediationReporter.Warning(string message)
        {
        }
    }
}
