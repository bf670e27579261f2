using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Engine;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// A worker never reports a transient failure as done, completes permanent failures at once, stops a job whose lease
/// it lost, and keeps the undo record of changes made by a delivery that died before it recorded them.
/// </summary>
public sealed class WorkerHonestyTests
{
    private static WorkerOptions Options(WorkerSandbox sandbox, TimeSpan? lease = null) => new()
    {
        GroupName = WorkerSandbox.GroupName,
        ClientId = sandbox.Group.Group.ClientId,
        ClientSecret = sandbox.Secret,
        MaxConcurrency = 4,
        PollWait = TimeSpan.FromMilliseconds(200),
        LeaseDuration = lease ?? TimeSpan.FromSeconds(60),
        HeartbeatInterval = TimeSpan.FromSeconds(1),
        RetryDelay = TimeSpan.Zero,
        Connection = sandbox.Connection(),
    };

    private static async Task<RemediationRun> RunUntilFinalAsync(WorkerSandbox sandbox, IRemediationStore store, WorkerOptions options, QueuedRequest request, List<string>? log = null)
    {
        await sandbox.Store.EnqueueAsync(WorkerSandbox.GroupName, new[] { request }, CancellationToken.None);
        var worker = new RemediationWorker(options, store, (level, line) =>
        {
            if (log is not null)
            {
                lock (log)
                {
                    log.Add(level + " " + line);
                }
            }
        });
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        try
        {
            return Assert.Single(await new WorkerGroupDispatcher(sandbox.Store).WaitAsync(WorkerSandbox.GroupName, new[] { request.Id }, null, TimeSpan.FromSeconds(60)));
        }
        finally
        {
            stop.Cancel();
            await running;
        }
    }

    private static QueuedRequest Request(WorkerSandbox sandbox, string groupId)
        => new() { Id = QueuedRequest.NewId(), Finding = sandbox.Finding(groupId), Enqueued = DateTimeOffset.UtcNow };

    private static async Task<IReadOnlyList<RemediationRun>> AttemptsAsync(WorkerSandbox sandbox, string requestId)
        => (await sandbox.Store.GetRunsAsync(new RunQuery { WorkerGroup = WorkerSandbox.GroupName }, CancellationToken.None))
            .Where(r => r.RequestId == requestId && r.Status == RemediationRunStatus.AttemptFailed)
            .ToList();

    [Fact]
    public async Task Run_ThrottledEveryTime_EachDeliveryAFailedAttemptThenDeadLettered()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);
        sandbox.Server.Faults.ThrottleRate = 1.0;

        var run = await RunUntilFinalAsync(sandbox, sandbox.Store, Options(sandbox), Request(sandbox, groups[0]));

        Assert.Equal(RemediationRunStatus.DeadLettered, run.Status);
        Assert.Equal(sandbox.Store.MaxAttempts, run.Attempts);
        var attempts = await AttemptsAsync(sandbox, run.RequestId);
        Assert.Equal(sandbox.Store.MaxAttempts, attempts.Count);
        Assert.All(attempts, a => Assert.True(RemediationEngine.IsTransient(a.Result!.ErrorCode), a.Result.ErrorCode));
        sandbox.Server.Faults.ThrottleRate = 0;
        Assert.Equal((1, 0), await sandbox.CheckGroupsAsync(groups));
    }

    [Fact]
    public async Task Run_ThrottledOnTheFirstDeliveryOnly_SecondDeliveryRemediates()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);
        sandbox.Server.Faults.ThrottleRate = 1.0;
        var store = new DelegatingStore(sandbox.Store);
        var request = Request(sandbox, groups[0]);
        var failures = 0;

        // Once the first delivery's failed attempt is recorded, AWS stops throttling.
        store.AfterFail = _ =>
        {
            Interlocked.Increment(ref failures);
            sandbox.Server.Faults.ThrottleRate = 0;
        };
        var run = await RunUntilFinalAsync(sandbox, store, Options(sandbox), request);

        Assert.Equal(1, Volatile.Read(ref failures));
        Assert.Equal(RemediationRunStatus.Completed, run.Status);
        Assert.Equal(2, run.Attempts);
        Assert.Equal(RemediationStatus.Remediated, run.Result!.Status);
        Assert.Single(await AttemptsAsync(sandbox, request.Id));
        Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));
    }

    [Fact]
    public async Task Run_GroupDoesNotExist_CompletedFailedAtOnce()
    {
        using var sandbox = await WorkerSandbox.StartAsync();

        var run = await RunUntilFinalAsync(sandbox, sandbox.Store, Options(sandbox), Request(sandbox, "sg-0123456789abcdef0"));

        Assert.Equal(RemediationRunStatus.Completed, run.Status);
        Assert.Equal(1, run.Attempts);
        Assert.Equal(RemediationStatus.Failed, run.Result!.Status);
        Assert.Equal("InvalidGroup.NotFound", run.Result.ErrorCode);
        Assert.Empty(await AttemptsAsync(sandbox, run.RequestId));
    }

    [Fact]
    public async Task Run_KilledBetweenChangeAndRecord_RedeliveryKeepsTheUndoRecord()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);
        var before = await SandboxEc2Rules(sandbox, groups[0]);
        var store = new DelegatingStore(sandbox.Store);
        var completions = 0;

        // The first delivery makes the change and then "dies": its record never reaches the store and its lease runs out.
        store.OnComplete = (lease, run) => Interlocked.Increment(ref completions) == 1
            ? Task.FromException<bool>(new IOException("the worker was killed"))
            : sandbox.Store.CompleteAsync(lease, run, CancellationToken.None);

        var final = await RunUntilFinalAsync(sandbox, store, Options(sandbox, TimeSpan.FromSeconds(3)), Request(sandbox, groups[0]));

        Assert.Equal(RemediationRunStatus.Completed, final.Status);
        Assert.Equal(2, final.Attempts);
        Assert.Equal(RemediationStatus.Remediated, final.Result!.Status);
        Assert.Contains("earlier delivery", final.Result.Reason, StringComparison.Ordinal);
        var undo = final.Result.UndoRecord;
        Assert.NotNull(undo);
        Assert.Equal(1, sandbox.Calls("ec2:RevokeSecurityGroupIngress"));
        Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));

        using var factory = await AwsClientFactory.CreateAsync(sandbox.Connection(), null, CancellationToken.None);
        var options = new RemediationOptions();
        options.AccountRoles[sandbox.Cloud.AccountId] = new AccountRole(sandbox.Group.Group.CloudAccounts[0].RoleArn, WorkerSandbox.Organization);
        var restored = await new RemediationEngine(factory).UndoAsync(undo!, options);

        Assert.Equal(RemediationStatus.Remediated, restored.Status);
        Assert.Equal(before, await SandboxEc2Rules(sandbox, groups[0]));
    }

    [Fact]
    public async Task Run_LeaseLostWhileTheJobRuns_JobCancelledNothingChangedNeverCompletedByThisWorker()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);
        var store = new DelegatingStore(sandbox.Store);
        var completions = 0;
        store.OnExtend = _ => Task.FromResult(false);
        store.OnComplete = (lease, run) =>
        {
            Interlocked.Increment(ref completions);
            return sandbox.Store.CompleteAsync(lease, run, CancellationToken.None);
        };

        // Every AWS call takes far longer than the first lease extension (a third of the lease) comes.
        sandbox.Server.Faults.Latency = TimeSpan.FromSeconds(3);
        var log = new List<string>();

        var final = await RunUntilFinalAsync(sandbox, store, Options(sandbox, TimeSpan.FromSeconds(1.5)), Request(sandbox, groups[0]), log);

        sandbox.Server.Faults.Latency = TimeSpan.Zero;
        Assert.Equal(RemediationRunStatus.DeadLettered, final.Status);
        Assert.Equal(0, Volatile.Read(ref completions));
        Assert.Equal(0, sandbox.Calls("ec2:RevokeSecurityGroupIngress"));
        Assert.Contains(log, l => l.Contains("the lease was lost", StringComparison.Ordinal) && l.Contains("cancelled", StringComparison.Ordinal));
        Assert.Equal((1, 0), await sandbox.CheckGroupsAsync(groups));
    }

    [Fact]
    public async Task Run_LeaseAboutToRunOutWhenTheChangeIsDue_NothingChangedRequestLeftToOthers()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);
        var request = Request(sandbox, groups[0]);
        await sandbox.Store.EnqueueAsync(WorkerSandbox.GroupName, new[] { request }, CancellationToken.None);
        var log = new List<string>();

        // The worker's clock runs a minute ahead of the store's: every lease looks about to run out (a stalled process).
        var worker = new RemediationWorker(Options(sandbox, TimeSpan.FromSeconds(1.5)), sandbox.Store, (level, line) => { lock (log) { log.Add(line); } }, clock: () => DateTimeOffset.UtcNow.AddMinutes(1));
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        var final = Assert.Single(await new WorkerGroupDispatcher(sandbox.Store).WaitAsync(WorkerSandbox.GroupName, new[] { request.Id }, null, TimeSpan.FromSeconds(60)));
        stop.Cancel();
        await running;

        Assert.Equal(RemediationRunStatus.DeadLettered, final.Status);
        Assert.Equal(0, sandbox.Calls("ec2:RevokeSecurityGroupIngress"));
        lock (log)
        {
            Assert.Contains(log, l => l.Contains("runs out before the change could be made", StringComparison.Ordinal));
        }

        Assert.Equal((1, 0), await sandbox.CheckGroupsAsync(groups));
    }

    private static async Task<string[]> SandboxEc2Rules(WorkerSandbox sandbox, string groupId)
    {
        var group = (await sandbox.Ec2.DescribeSecurityGroupsAsync(new Amazon.EC2.Model.DescribeSecurityGroupsRequest { GroupIds = new List<string> { groupId } })).SecurityGroups[0];
        return (group.IpPermissions ?? new List<Amazon.EC2.Model.IpPermission>())
            .SelectMany(p => (p.Ipv4Ranges ?? new List<Amazon.EC2.Model.IpRange>()).Select(r => p.IpProtocol + " " + p.FromPort + "-" + p.ToPort + " " + r.CidrIp))
            .OrderBy(t => t, StringComparer.Ordinal)
            .ToArray();
    }
}
