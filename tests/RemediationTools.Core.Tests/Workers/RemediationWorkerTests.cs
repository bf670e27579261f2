using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>The worker loop in process, against the AWS sandbox and a local store.</summary>
public sealed class RemediationWorkerTests
{
    private static WorkerOptions Options(WorkerSandbox sandbox, string? secret = null) => sandbox.WorkerOptions(secret);

    [Fact]
    public async Task Run_FindingsQueued_RemediatedWithTheGroupRoleAssumedOnceAndRunsRecorded()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(20);
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Select(g => sandbox.Finding(g)).ToList());
        var log = new List<string>();
        var worker = new RemediationWorker(Options(sandbox), sandbox.Store, (level, line) => { lock (log) { log.Add(level + " " + line); } });
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);

        var reported = new List<RemediationRun>();
        var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids, new SynchronousProgress(reported.Add), TimeSpan.FromSeconds(30));
        var healthyWorkers = await sandbox.Store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow, CancellationToken.None);
        stop.Cancel();
        var exit = await running;
        var stoppedWorkers = await sandbox.Store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow, CancellationToken.None);

        Assert.Equal(WorkerExitReason.Stopped, exit);
        Assert.Equal(20, runs.Count);
        Assert.Equal(20, reported.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(RemediationRunStatus.Completed, r.Status);
            Assert.Equal(RemediationStatus.Remediated, r.Result!.Status);
            Assert.Equal(worker.WorkerId, r.WorkerId);
            Assert.Equal(1, r.Attempts);
            Assert.Contains(r.LogLines, l => l.Contains("Using role arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole", StringComparison.Ordinal));
        });
        Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));
        Assert.Equal(1, sandbox.Calls("sts:AssumeRole"));
        Assert.Equal(RemediationWorkerState.Healthy, Assert.Single(healthyWorkers).State);
        Assert.Equal(20, Assert.Single(stoppedWorkers).JobsDone);
        Assert.Equal(RemediationWorkerState.Stopped, stoppedWorkers[0].State);
        Assert.DoesNotContain(log, l => l.Contains(sandbox.Secret, StringComparison.Ordinal));
        Assert.Empty(sandbox.Folder.FilesContaining(sandbox.Secret));
    }

    [Fact]
    public async Task Run_WrongSecret_RefusedBeforeAnything()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var worker = new RemediationWorker(Options(sandbox, (sandbox.Secret[0] == 'A' ? "B" : "A") + sandbox.Secret[1..]), sandbox.Store);

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => worker.RunAsync(CancellationToken.None));

        Assert.Equal(StoreError.CredentialsRefused, error.Error);
        Assert.Empty(await sandbox.Store.ListWorkersAsync(null, DateTimeOffset.UtcNow, CancellationToken.None));
        Assert.Equal(0, sandbox.Calls("sts:AssumeRole"));
    }

    [Fact]
    public async Task Run_SecretResetWhileRunning_StopsWithCredentialsRevoked()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var worker = new RemediationWorker(Options(sandbox), sandbox.Store, (_, line) =>
        {
            if (line.StartsWith("started worker ", StringComparison.Ordinal))
            {
                started.TrySetResult();
            }
        });
        var running = worker.RunAsync(CancellationToken.None);

        // Reset only once the worker has verified the secret and registered: then it must notice the reset itself.
        await started.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(running.IsCompleted);
        await sandbox.Groups.ResetSecretAsync(WorkerSandbox.GroupName, CancellationToken.None);
        var exit = await running.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(WorkerExitReason.CredentialsRevoked, exit);
    }

    [Fact]
    public async Task Run_AccountRemovedFromGroupAfterDispatch_RetriedThenDeadLettered()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(1);

        // Dispatch checks the account; this request names one that is not in the group (as after Remove-RemediationCloudAccount).
        var request = new QueuedRequest { Id = QueuedRequest.NewId(), Finding = sandbox.Finding(groups[0], "999999999999"), Enqueued = DateTimeOffset.UtcNow };
        await sandbox.Store.EnqueueAsync(WorkerSandbox.GroupName, new[] { request }, CancellationToken.None);
        var worker = new RemediationWorker(Options(sandbox), sandbox.Store);
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);

        var run = Assert.Single(await new WorkerGroupDispatcher(sandbox.Store).WaitAsync(WorkerSandbox.GroupName, new[] { request.Id }, null, TimeSpan.FromSeconds(20)));
        stop.Cancel();
        await running;

        Assert.Equal(RemediationRunStatus.DeadLettered, run.Status);
        Assert.Equal(3, run.Attempts);
        Assert.Contains("'999999999999'", run.Error, StringComparison.Ordinal);
        Assert.Equal(3, worker.JobsFailed);
        Assert.Equal(request.Id, Assert.Single(await sandbox.Store.ListDeadLettersAsync(WorkerSandbox.GroupName, CancellationToken.None)).Id);
        Assert.Equal((1, 0), await sandbox.CheckGroupsAsync(groups));
    }

    [Fact]
    public async Task Run_GroupRolesCredentialsBelongToAnotherAccount_RecordedFailedAccountMismatchWithoutAnyEc2Call()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var groups = await sandbox.OpenGroupsAsync(2);
        // The group entry names the finding's account, but the credentials it yields are of a role in another account
        // (as a misconfigured federation or a wrong role mapping would give): the AssumeRole response names that account.
        var other = sandbox.Server.CreateAccount();
        var otherAdmin = sandbox.Server.CreateUser(other.AccountId, "admin");
        var iam = new IamQueryClient(sandbox.Server.Endpoint, otherAdmin.AccessKeyId, otherAdmin.SecretAccessKey, null);
        Assert.Equal(200, (await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = "RemediationRole",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy("arn:aws:iam::" + sandbox.Hosting.AccountId + ":root", WorkerSandbox.Organization),
        })).Status);
        Assert.Equal(200, (await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "all",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy("ec2:*"),
        })).Status);
        using var real = await AwsClientFactory.CreateAsync(sandbox.Connection(), null, CancellationToken.None);
        var factory = new RedirectingClientFactory(real, role => new AccountRole("arn:aws:iam::" + other.AccountId + ":role/RemediationRole", role.ExternalId));
        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(50) };
        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Select(g => sandbox.Finding(g)).ToList());
        var worker = new RemediationWorker(Options(sandbox), sandbox.Store, null, factory);
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);

        var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids, null, TimeSpan.FromSeconds(30));
        stop.Cancel();
        await running;

        Assert.Equal(2, runs.Count);
        Assert.All(runs, r =>
        {
            Assert.Equal(RemediationStatus.Failed, r.Result!.Status);
            Assert.Equal("AccountMismatch", r.Result.ErrorCode);
            Assert.Contains("The finding is for account " + sandbox.Cloud.AccountId, r.Result.Reason, StringComparison.Ordinal);
            Assert.Contains("belong to account " + other.AccountId, r.Result.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(0, sandbox.Server.CallCounts.Where(c => c.Key.StartsWith("ec2:", StringComparison.Ordinal)).Sum(c => c.Value));
        Assert.Equal(0, sandbox.Calls("sts:GetCallerIdentity"));
        Assert.Equal((2, 0), await sandbox.CheckGroupsAsync(groups));
    }

    /// <summary>Hands out the clients of another role than the one asked for: credentials of another account.</summary>
    private sealed class RedirectingClientFactory : IAwsClientFactory
    {
        private readonly IAwsClientFactory inner;
        private readonly Func<AccountRole, AccountRole> redirect;

        public RedirectingClientFactory(IAwsClientFactory inner, Func<AccountRole, AccountRole> redirect)
        {
            this.inner = inner;
            this.redirect = redirect;
        }

        public Task<IAwsClients> ForAccountAsync(AccountRole? role, CancellationToken cancellationToken)
            => inner.ForAccountAsync(role is null ? null : redirect(role), cancellationToken);
    }

    [Fact]
    public async Task Run_QueueCannotBeRead_LoggedWithThePathUnhealthyWithTheReasonThenHealthyAgain()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        var store = new DelegatingStore(sandbox.Store);
        var failing = true;
        const string Denied = "Access to the path '/store/queues/prod/leased' is denied.";
        store.OnReceive = () => Volatile.Read(ref failing)
            ? Task.FromException<IReadOnlyList<LeasedRequest>>(new RemediationStoreException(StoreError.StoreNotAvailable, Denied))
            : sandbox.Store.ReceiveAsync(WorkerSandbox.GroupName, "w-any", 1, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(50), CancellationToken.None);
        var unhealthy = new TaskCompletionSource<RemediationWorkerInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        var healthyAgain = new TaskCompletionSource<RemediationWorkerInfo>(TaskCreationOptions.RunContinuationsAsynchronously);
        store.AfterSaveWorker = info =>
        {
            if (info.State == RemediationWorkerState.Unhealthy)
            {
                unhealthy.TrySetResult(Copy(info));
            }
            else if (info.State == RemediationWorkerState.Healthy && unhealthy.Task.IsCompleted)
            {
                healthyAgain.TrySetResult(Copy(info));
            }
        };
        var log = new List<string>();
        var worker = new RemediationWorker(Options(sandbox), store, (level, line) => { lock (log) { log.Add(level + " " + line); } });
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);

        var sick = await unhealthy.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var listed = await sandbox.Store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow, CancellationToken.None);
        Volatile.Write(ref failing, false);
        var well = await healthyAgain.Task.WaitAsync(TimeSpan.FromSeconds(30));
        stop.Cancel();
        await running;

        Assert.Contains(Denied, sick.StateReason, StringComparison.Ordinal);
        Assert.NotNull(sick.LastPollFailure);
        Assert.Equal(RemediationWorkerState.Unhealthy, Assert.Single(listed).State);
        Assert.Contains("/store/queues/prod/leased", listed[0].StateReason, StringComparison.Ordinal);
        Assert.Null(well.StateReason);
        Assert.True(well.LastPoll > sick.LastPollFailure);
        string[] lines;
        lock (log)
        {
            lines = log.ToArray();
        }

        // Reported, not retried silently: once when it starts (RetryDelay is zero, so it retried many times), then once when it ends.
        Assert.Single(lines, l => l.StartsWith("Error cannot read the queue of group prod", StringComparison.Ordinal) && l.Contains(Denied, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("can be read again", StringComparison.Ordinal));
    }

    private static RemediationWorkerInfo Copy(RemediationWorkerInfo info)
        => RemediationTools.Core.Results.RemediationJson.Deserialize<RemediationWorkerInfo>(RemediationTools.Core.Results.RemediationJson.Serialize(info));

    private sealed class SynchronousProgress : IProgress<RemediationRun>
    {
        private readonly Action<RemediationRun> report;

        public SynchronousProgress(Action<RemediationRun> report) => this.report = report;

        public void Report(RemediationRun value) => report(value);
    }
}
