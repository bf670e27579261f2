using System.Collections.Concurrent;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>
/// The guarantees of <see cref="IRemediationStore"/> that every store gives: one suite, run against each implementation
/// by a subclass that says how to open the store and how to move its clock.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    protected const string Group = "prod";

    /// <summary>The test clock; a subclass gives it to its store (and to the service behind it).</summary>
    private protected ManualClock Clock { get; } = new();

    /// <summary>A store over the shared state of this test; each call may return a new store object (another process).</summary>
    private protected abstract IRemediationStore OpenStore();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Moves the clock of the store and of the service behind it.</summary>
    protected virtual void Advance(TimeSpan time) => Clock.Now += time;

    private protected static WorkerGroupRecord Record(string name = Group, string description = "d") => new()
    {
        Group = new RemediationWorkerGroup
        {
            Name = name,
            Description = description,
            ClientId = "id",
            OrganizationId = "o-abcdefghij",
            CloudAccounts = new[] { new RemediationCloudAccount { AccountId = "111122223333", RoleArn = "arn:aws:iam::111122223333:role/R", ExternalId = "o-abcdefghij" } },
        },
        SecretHash = "hash",
    };

    private protected static QueuedRequest Request(string? resource = null) => new()
    {
        Id = QueuedRequest.NewId(),
        Finding = new Finding { AccountId = "111122223333", Region = "us-east-1", ResourceId = resource ?? "sg-1", RuleId = "r" },
    };

    private protected static RemediationRun Run(LeasedRequest lease) => new() { RequestId = lease.Request.Id, WorkerGroup = Group, WorkerId = lease.WorkerId, Status = RemediationRunStatus.Completed };

    /// <summary>A store whose group <see cref="Group"/> exists (the AWS store queues only for an existing group).</summary>
    private protected async Task<IRemediationStore> GroupStoreAsync()
    {
        var store = OpenStore();
        await store.CreateGroupAsync(Record(), CancellationToken.None);
        return store;
    }

    private protected static async Task<List<string>> EnqueueAsync(IRemediationStore store, int count)
    {
        var requests = Enumerable.Range(0, count).Select(i => Request("sg-" + i)).ToList();
        await store.EnqueueAsync(Group, requests, CancellationToken.None);
        return requests.Select(r => r.Id).ToList();
    }

    [Fact]
    public async Task Receive_ConcurrentReceiversInSeparateStores_EachRequestClaimedExactlyOnce()
    {
        var ids = await EnqueueAsync(await GroupStoreAsync(), 300);
        var claims = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var store = OpenStore();
            while (true)
            {
                var leases = await store.ReceiveAsync(Group, "w" + worker, 5, TimeSpan.FromMinutes(5), TimeSpan.Zero, CancellationToken.None);
                if (leases.Count == 0)
                {
                    return;
                }

                foreach (var lease in leases)
                {
                    claims.Add(lease.Request.Id);
                }
            }
        })));

        Assert.Equal(ids.Order(StringComparer.Ordinal), claims.Order(StringComparer.Ordinal));
        var counts = await OpenStore().CountAsync(Group, CancellationToken.None);
        Assert.Equal((0, 300, 0), (counts.Waiting, counts.Leased, counts.DeadLettered));
    }

    [Fact]
    public async Task Receive_LeaseExpired_RedeliveredAsNextAttemptAndOldLeaseLost()
    {
        var store = await GroupStoreAsync();
        var id = (await EnqueueAsync(store, 1))[0];
        var first = Assert.Single(await store.ReceiveAsync(Group, "w1", 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        Advance(TimeSpan.FromSeconds(20));
        var whileLeased = await store.ReceiveAsync(Group, "w2", 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        Advance(TimeSpan.FromSeconds(11));
        var second = Assert.Single(await store.ReceiveAsync(Group, "w2", 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
        var extended = await store.ExtendLeaseAsync(first, TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Empty(whileLeased);
        Assert.Equal(1, first.Attempt);
        Assert.Equal(id, second.Request.Id);
        Assert.Equal(2, second.Attempt);
        Assert.Equal("sg-0", second.Request.Finding.ResourceId);
        Assert.False(extended);
    }

    [Fact]
    public async Task ExtendLease_BeforeExpiry_KeepsTheRequestFromOthers()
    {
        var store = await GroupStoreAsync();
        await EnqueueAsync(store, 1);
        var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        Advance(TimeSpan.FromSeconds(25));
        Assert.True(await store.ExtendLeaseAsync(lease, TimeSpan.FromSeconds(30), CancellationToken.None));
        Advance(TimeSpan.FromSeconds(25));
        var other = await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        var completed = await store.CompleteAsync(lease, Run(lease), CancellationToken.None);

        Assert.Empty(other);
        Assert.True(completed);
        Assert.Equal(RemediationRunStatus.Completed, (await store.GetFinalRunAsync(Group, lease.Request.Id, CancellationToken.None))!.Status);
        Assert.Equal(0, (await store.CountAsync(Group, CancellationToken.None)).Leased);
    }

    [Fact]
    public async Task Fail_UpToMaxAttempts_RetriedThenDeadLettered()
    {
        var store = await GroupStoreAsync();
        var id = (await EnqueueAsync(store, 1))[0];
        var statuses = new List<RemediationRunStatus>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Advance(TimeSpan.FromSeconds(5));
            var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(attempt, lease.Attempt);
            statuses.Add(await store.FailAsync(lease, new RemediationRun { RequestId = id, WorkerGroup = Group, Error = "boom " + attempt }, TimeSpan.FromSeconds(2), CancellationToken.None));
            var hiddenDuringRetryDelay = await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
            Assert.Empty(hiddenDuringRetryDelay);
        }

        Advance(TimeSpan.FromMinutes(1));
        var afterDeadLetter = await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        var dead = Assert.Single(await store.ListDeadLettersAsync(Group, CancellationToken.None));
        var final = await store.GetFinalRunAsync(Group, id, CancellationToken.None);
        var attempts = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Id = id, Status = RemediationRunStatus.AttemptFailed }, CancellationToken.None);

        Assert.Equal(new[] { RemediationRunStatus.AttemptFailed, RemediationRunStatus.AttemptFailed, RemediationRunStatus.DeadLettered }, statuses);
        Assert.Empty(afterDeadLetter);
        Assert.Equal(id, dead.Id);
        Assert.Equal(3, dead.Attempts);
        Assert.Equal(RemediationRunStatus.DeadLettered, final!.Status);
        Assert.Equal("boom 3", final.Error);
        Assert.Equal(new[] { "boom 1", "boom 2", "boom 3" }, attempts.Select(r => r.Error).Order(StringComparer.Ordinal));
        Assert.Equal(1, (await store.CountAsync(Group, CancellationToken.None)).DeadLettered);
    }

    [Fact]
    public async Task Receive_LastAttemptLeaseExpired_DeadLetteredWithReason()
    {
        var store = await GroupStoreAsync();
        var id = (await EnqueueAsync(store, 1))[0];
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Single(await store.ReceiveAsync(Group, "killed" + attempt, 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));
            Advance(TimeSpan.FromSeconds(11));
        }

        var none = await store.ReceiveAsync(Group, "w", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None);
        var final = await store.GetFinalRunAsync(Group, id, CancellationToken.None);

        Assert.Empty(none);
        Assert.Equal(RemediationRunStatus.DeadLettered, final!.Status);
        Assert.Contains("killed3", final.Error, StringComparison.Ordinal);
        Assert.Equal(id, Assert.Single(await store.ListDeadLettersAsync(Group, CancellationToken.None)).Id);
    }

    [Fact]
    public async Task Complete_KilledAfterRecordingBeforeRemoving_RedeliveryIsDroppedAndSecondCompleteRefused()
    {
        var store = await GroupStoreAsync();
        var id = (await EnqueueAsync(store, 1))[0];
        var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));

        // The final record is written, then the process dies before it removes the request.
        await store.RecordRunAsync(new RemediationRun { Id = id, RequestId = id, WorkerGroup = Group, Status = RemediationRunStatus.Completed }, CancellationToken.None);
        Advance(TimeSpan.FromSeconds(11));
        var redelivered = await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None);
        var second = await store.CompleteAsync(lease, Run(lease), CancellationToken.None);

        Assert.Empty(redelivered);
        Assert.False(second);
        var counts = await store.CountAsync(Group, CancellationToken.None);
        Assert.Equal((0, 0, 0), (counts.Waiting, counts.Leased, counts.DeadLettered));
        Assert.Single(await store.GetRunsAsync(new RunQuery { WorkerGroup = Group }, CancellationToken.None));
    }

    [Fact]
    public async Task Complete_TwoDeliveriesOfOneRequest_ExactlyOneFinalRun()
    {
        var store = await GroupStoreAsync();
        var id = (await EnqueueAsync(store, 1))[0];
        var first = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));
        Advance(TimeSpan.FromSeconds(11));
        var second = Assert.Single(await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));

        var outcomes = await Task.WhenAll(
            Task.Run(() => OpenStore().CompleteAsync(first, Run(first), CancellationToken.None)),
            Task.Run(() => OpenStore().CompleteAsync(second, Run(second), CancellationToken.None)));

        Assert.Equal(1, outcomes.Count(o => o));
        var final = Assert.Single(await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Id = id }, CancellationToken.None));
        Assert.Equal(outcomes[0] ? "w1" : "w2", final.WorkerId);
    }

    [Fact]
    public async Task RecordApplied_ThenLeaseExpired_RedeliveryCarriesTheUndoRecordsOldestFirst()
    {
        var store = await GroupStoreAsync();
        await EnqueueAsync(store, 1);
        var first = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));
        await store.RecordAppliedAsync(first, new RemediationUndoRecord { JobId = "job-a" }, CancellationToken.None);
        Advance(TimeSpan.FromSeconds(1));
        await store.RecordAppliedAsync(first, new RemediationUndoRecord { JobId = "job-b" }, CancellationToken.None);

        Advance(TimeSpan.FromSeconds(11));
        var second = Assert.Single(await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));
        var completed = await store.CompleteAsync(second, Run(second), CancellationToken.None);

        Assert.Empty(first.Request.Applied);
        Assert.Equal(new[] { "job-a", "job-b" }, second.Request.Applied.Select(a => a.JobId));
        Assert.True(completed);
    }

    [Fact]
    public async Task UpdateGroup_StaleVersion_ConflictAndNothingChanged()
    {
        var store = OpenStore();
        await store.CreateGroupAsync(Record(), CancellationToken.None);
        var first = (await store.GetGroupAsync("PROD", CancellationToken.None))!;
        var second = (await store.GetGroupAsync(Group, CancellationToken.None))!;

        first.Group.Description = "first";
        var updated = await store.UpdateGroupAsync(first, CancellationToken.None);
        second.Group.Description = "second";
        var conflict = await Assert.ThrowsAsync<RemediationStoreException>(() => store.UpdateGroupAsync(second, CancellationToken.None));

        Assert.Equal(2, updated.Version);
        Assert.Equal(StoreError.ConcurrencyConflict, conflict.Error);
        Assert.Equal("first", (await store.GetGroupAsync(Group, CancellationToken.None))!.Group.Description);
    }

    [Fact]
    public async Task UpdateGroup_Missing_GroupNotFound()
    {
        var record = Record("absent");
        record.Version = 1;

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => OpenStore().UpdateGroupAsync(record, CancellationToken.None));

        Assert.Equal(StoreError.GroupNotFound, error.Error);
        Assert.Contains("'absent'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateGroup_ConcurrentFromOneVersion_ExactlyOneSucceeds()
    {
        var store = OpenStore();
        await store.CreateGroupAsync(Record(), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            var record = (await OpenStore().GetGroupAsync(Group, CancellationToken.None))!;
            record.Version = 1;
            record.Group.Description = "writer " + i;
            try
            {
                await OpenStore().UpdateGroupAsync(record, CancellationToken.None);
                return true;
            }
            catch (RemediationStoreException ex) when (ex.Error == StoreError.ConcurrencyConflict)
            {
                return false;
            }
        })));

        Assert.Equal(1, outcomes.Count(o => o));
        Assert.Equal(2, (await store.GetGroupAsync(Group, CancellationToken.None))!.Version);
    }

    [Fact]
    public async Task CreateGroup_SameNameOtherCase_GroupExists()
    {
        var store = OpenStore();
        await store.CreateGroupAsync(Record("Prod"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => store.CreateGroupAsync(Record("PROD", "other"), CancellationToken.None));

        Assert.Equal(StoreError.GroupExists, error.Error);
        Assert.Equal("d", Assert.Single(await store.ListGroupsAsync(CancellationToken.None)).Group.Description);
    }

    [Fact]
    public async Task CreateGroup_SecretHash_StoredAndReadBack()
    {
        var store = OpenStore();
        var record = Record("Alpha");
        record.SecretHash = "pbkdf2$salt$hash";

        await store.CreateGroupAsync(record, CancellationToken.None);
        await store.CreateGroupAsync(Record("beta"), CancellationToken.None);

        var read = (await store.GetGroupAsync("alpha", CancellationToken.None))!;
        Assert.Equal("pbkdf2$salt$hash", read.SecretHash);
        Assert.Equal(1, read.Version);
        Assert.Equal(new[] { "Alpha", "beta" }, (await store.ListGroupsAsync(CancellationToken.None)).Select(g => g.Group.Name));
    }

    [Fact]
    public async Task DeleteGroup_RemovesGroupQueueAndRuns()
    {
        var store = await GroupStoreAsync();
        var ids = await EnqueueAsync(store, 2);
        await store.RecordRunAsync(new RemediationRun { Id = ids[0], RequestId = ids[0], WorkerGroup = Group, Status = RemediationRunStatus.Completed }, CancellationToken.None);

        var deleted = await store.DeleteGroupAsync(Group, CancellationToken.None);
        var again = await store.DeleteGroupAsync(Group, CancellationToken.None);

        Assert.True(deleted);
        Assert.False(again);
        Assert.Null(await store.GetGroupAsync(Group, CancellationToken.None));
        Assert.Empty(await store.ListGroupsAsync(CancellationToken.None));
        Assert.Empty(await store.GetRunsAsync(new RunQuery { WorkerGroup = Group }, CancellationToken.None));
        Assert.Equal(0, (await store.CountAsync(Group, CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task ListWorkers_OldHeartbeat_StaleRecentHealthyStoppedKept()
    {
        var store = await GroupStoreAsync();
        var now = Clock.Now;
        foreach (var (id, beat, state) in new[] { ("w-a", now, RemediationWorkerState.Healthy), ("w-b", now - TimeSpan.FromSeconds(31), RemediationWorkerState.Healthy), ("w-c", now - TimeSpan.FromHours(1), RemediationWorkerState.Stopped) })
        {
            await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = id, WorkerGroup = Group, LastHeartbeat = beat, Started = beat, State = state, HeartbeatPeriod = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        }

        var workers = await store.ListWorkersAsync(Group, now, CancellationToken.None);
        var everyGroup = await store.ListWorkersAsync(null, now, CancellationToken.None);

        Assert.Equal(new[] { "w-a Healthy", "w-b Stale", "w-c Stopped" }, workers.Select(w => w.WorkerId + " " + w.State).Order(StringComparer.Ordinal));
        Assert.Equal(3, everyGroup.Count);
    }

    [Fact]
    public async Task ListWorkers_HeartbeatsWhilePollsFail_UnhealthyWithTheReasonUntilAPollSucceeds()
    {
        var store = await GroupStoreAsync();
        var now = Clock.Now;
        var interval = TimeSpan.FromSeconds(10);
        var failing = new RemediationWorkerInfo
        {
            WorkerId = "w-fail", WorkerGroup = Group, Started = now - TimeSpan.FromMinutes(1), LastHeartbeat = now, State = RemediationWorkerState.Healthy,
            HeartbeatPeriod = interval, PollWait = interval, LastPoll = now - TimeSpan.FromSeconds(30), LastPollFailure = now - TimeSpan.FromSeconds(2),
            LastPollError = "Access to the path '/store/queues/prod/leased' is denied.",
        };
        var hung = new RemediationWorkerInfo
        {
            WorkerId = "w-hung", WorkerGroup = Group, Started = now - TimeSpan.FromMinutes(5), LastHeartbeat = now, State = RemediationWorkerState.Healthy,
            HeartbeatPeriod = interval, PollWait = interval, PollingSince = now - TimeSpan.FromMinutes(2),
        };
        var recovered = new RemediationWorkerInfo
        {
            WorkerId = "w-ok", WorkerGroup = Group, Started = now - TimeSpan.FromMinutes(1), LastHeartbeat = now, State = RemediationWorkerState.Healthy,
            HeartbeatPeriod = interval, PollWait = interval, LastPollFailure = now - TimeSpan.FromSeconds(20), LastPollError = "gone", LastPoll = now - TimeSpan.FromSeconds(1),
            PollingSince = now - TimeSpan.FromSeconds(1),
        };
        foreach (var worker in new[] { failing, hung, recovered })
        {
            await store.SaveWorkerAsync(worker, CancellationToken.None);
        }

        var workers = (await store.ListWorkersAsync(Group, now, CancellationToken.None)).ToDictionary(w => w.WorkerId);

        Assert.Equal(RemediationWorkerState.Unhealthy, workers["w-fail"].State);
        Assert.Contains("/store/queues/prod/leased", workers["w-fail"].StateReason, StringComparison.Ordinal);
        Assert.Equal(failing.LastPollFailure, workers["w-fail"].LastPollFailure);
        Assert.Equal(RemediationWorkerState.Unhealthy, workers["w-hung"].State);
        Assert.Contains("no poll of the queue has returned", workers["w-hung"].StateReason, StringComparison.Ordinal);
        Assert.Equal(RemediationWorkerState.Healthy, workers["w-ok"].State);
        Assert.Null(workers["w-ok"].StateReason);

        // An Unhealthy worker that stops sending heartbeats is Stale: the worse of the two.
        var later = await store.ListWorkersAsync(Group, now + TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(RemediationWorkerState.Stale, later.Single(w => w.WorkerId == "w-fail").State);
    }

    [Fact]
    public async Task GetRuns_ByStatusAndSince_OnlyMatchingOldestFirst()
    {
        var store = await GroupStoreAsync();
        var start = Clock.Now;
        await store.RecordRunAsync(new RemediationRun { Id = "r2", RequestId = "r2", WorkerGroup = Group, Status = RemediationRunStatus.Completed, Finished = start.AddMinutes(2) }, CancellationToken.None);
        await store.RecordRunAsync(new RemediationRun { Id = "r1", RequestId = "r1", WorkerGroup = Group, Status = RemediationRunStatus.Completed, Finished = start.AddMinutes(1) }, CancellationToken.None);
        await store.RecordRunAsync(new RemediationRun { Id = "r1-a1", RequestId = "r1", WorkerGroup = Group, Status = RemediationRunStatus.AttemptFailed, Finished = start }, CancellationToken.None);

        var completed = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Status = RemediationRunStatus.Completed }, CancellationToken.None);
        var since = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Since = start.AddSeconds(90) }, CancellationToken.None);
        var ofRequest = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Id = "r1" }, CancellationToken.None);
        var finalOnly = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, Id = "r1", FinalOnly = true }, CancellationToken.None);

        Assert.Equal(new[] { "r1", "r2" }, completed.Select(r => r.Id));
        Assert.Equal(new[] { "r2" }, since.Select(r => r.Id));
        Assert.Equal(new[] { "r1-a1", "r1" }, ofRequest.Select(r => r.Id));
        Assert.Equal(new[] { "r1" }, finalOnly.Select(r => r.Id));
    }

    [Fact]
    public async Task GetRuns_IncludePending_QueuedAndRunningRequestsAfterTheRecordsUntilTheyEnd()
    {
        var store = await GroupStoreAsync();
        var enqueuedAt = Clock.Now;
        var ids = await EnqueueAsync(store, 3);
        var queued = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true }, CancellationToken.None);
        var withoutPending = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group }, CancellationToken.None);

        var leases = await store.ReceiveAsync(Group, "w1", 2, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        Assert.Equal(2, leases.Count);
        Assert.True(await store.CompleteAsync(leases[0], Run(leases[0]), CancellationToken.None));
        await store.FailAsync(leases[1], new RemediationRun { RequestId = leases[1].Request.Id, WorkerGroup = Group, Error = "boom" }, TimeSpan.Zero, CancellationToken.None);
        var running = Assert.Single(await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
        var mixed = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true }, CancellationToken.None);
        var onlyRunning = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true, Status = RemediationRunStatus.Running }, CancellationToken.None);
        var onlyQueued = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true, Status = RemediationRunStatus.Queued }, CancellationToken.None);

        Advance(TimeSpan.FromSeconds(31));
        var afterLeaseLost = await store.GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true, Id = running.Request.Id }, CancellationToken.None);

        Assert.Equal(ids.Order(StringComparer.Ordinal), queued.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        Assert.All(queued, r => Assert.Equal((RemediationRunStatus.Queued, 0, Group, enqueuedAt), (r.Status, r.Attempts, r.WorkerGroup, r.Enqueued)));
        Assert.Empty(withoutPending);

        // Records first (the completed run, the failed attempt), then the requests still in the queue.
        Assert.Equal(
            new[] { RemediationRunStatus.Completed, RemediationRunStatus.AttemptFailed, RemediationRunStatus.Queued, RemediationRunStatus.Running },
            mixed.Take(2).Select(r => r.Status).Order().Concat(mixed.Skip(2).Select(r => r.Status).Order()));
        var runningRun = Assert.Single(onlyRunning);
        Assert.Equal((running.Request.Id, "w2", running.Attempt), (runningRun.RequestId, runningRun.WorkerId, runningRun.Attempts));
        var queuedRun = Assert.Single(onlyQueued);
        Assert.NotEqual(running.Request.Id, queuedRun.RequestId);
        Assert.DoesNotContain(mixed.Skip(2), r => r.RequestId == leases[0].Request.Id);
        var lost = Assert.Single(afterLeaseLost, r => r.Status != RemediationRunStatus.AttemptFailed);
        Assert.Equal((RemediationRunStatus.Queued, (string?)null), (lost.Status, lost.WorkerId));
    }

    [Fact]
    public async Task GetRuns_IncludePending_ExtendedLeaseStaysRunningPastItsFirstEnd()
    {
        var store = await GroupStoreAsync();
        await EnqueueAsync(store, 1);
        var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
        var claimed = lease.Claimed;

        Advance(TimeSpan.FromSeconds(25));
        Assert.True(await store.ExtendLeaseAsync(lease, TimeSpan.FromSeconds(30), CancellationToken.None));
        Advance(TimeSpan.FromSeconds(25));
        var pending = await OpenStore().GetRunsAsync(new RunQuery { WorkerGroup = Group, IncludePending = true }, CancellationToken.None);

        var run = Assert.Single(pending);
        Assert.Equal((RemediationRunStatus.Running, "w1", 1), (run.Status, run.WorkerId, run.Attempts));
        // Started is the claim, not the extension (the stores keep seconds or better).
        Assert.NotNull(run.Started);
        Assert.InRange(run.Started!.Value, claimed - TimeSpan.FromSeconds(1), claimed + TimeSpan.FromSeconds(1));
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task GetGroup_BadName_InvalidInputNamingIt(string name)
    {
        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => OpenStore().GetGroupAsync(name, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains("'" + name + "'", error.Message, StringComparison.Ordinal);
    }
}
