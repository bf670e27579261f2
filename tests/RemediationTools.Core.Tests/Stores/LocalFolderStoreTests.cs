using System.Collections.Concurrent;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

public sealed class LocalFolderStoreTests : IDisposable
{
    private const string Group = "prod";
    private readonly StoreTestFolder folder = new();
    private readonly ManualClock clock = new();

    public void Dispose() => folder.Dispose();

    private LocalFolderStore Store(Func<DateTimeOffset>? time = null) => new(folder.Path, time ?? clock.Read) { PollInterval = TimeSpan.FromMilliseconds(5) };

    private static WorkerGroupRecord Record(string name = Group, string description = "d") => new()
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

    private static QueuedRequest Request(string? resource = null) => new()
    {
        Id = QueuedRequest.NewId(),
        Finding = new Finding { AccountId = "111122223333", Region = "us-east-1", ResourceId = resource ?? "sg-1", RuleId = "r" },
    };

    private static RemediationRun Run(LeasedRequest lease) => new() { RequestId = lease.Request.Id, WorkerGroup = Group, WorkerId = lease.WorkerId, Status = RemediationRunStatus.Completed };

    private static async Task<List<string>> EnqueueAsync(LocalFolderStore store, int count)
    {
        var requests = Enumerable.Range(0, count).Select(i => Request("sg-" + i)).ToList();
        await store.EnqueueAsync(Group, requests, CancellationToken.None);
        return requests.Select(r => r.Id).ToList();
    }

    [Fact]
    public void AtomicFile_WriteReplaceAndWriteNew_WholeContentNoTempFilesCreateOnlyOnce()
    {
        var path = Path.Combine(folder.Path, "a", "file.json");

        AtomicFile.WriteReplace(path, "first"u8.ToArray());
        AtomicFile.WriteReplace(path, "second, longer"u8.ToArray());
        var created = AtomicFile.WriteNew(path, "third"u8.ToArray());
        var createdOther = AtomicFile.WriteNew(path + ".2", "other"u8.ToArray());

        Assert.False(created);
        Assert.True(createdOther);
        Assert.Equal("second, longer", File.ReadAllText(path));
        Assert.Equal(new[] { "file.json", "file.json.2" }, Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task AtomicFile_WriteNewRace_ExactlyOneWriterWins()
    {
        var path = Path.Combine(folder.Path, "race.json");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => AtomicFile.WriteNew(path, BitConverter.GetBytes(i)))));

        Assert.Equal(1, results.Count(r => r));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public async Task Receive_ConcurrentReceiversInSeparateStores_EachRequestClaimedExactlyOnce()
    {
        var ids = await EnqueueAsync(Store(), 300);
        var claims = new ConcurrentBag<string>();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            var store = Store(() => DateTimeOffset.UtcNow);
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
        var counts = await Store().CountAsync(Group, CancellationToken.None);
        Assert.Equal((0, 300, 0), (counts.Waiting, counts.Leased, counts.DeadLettered));
    }

    [Fact]
    public async Task Receive_LeaseExpired_RedeliveredAsNextAttemptAndOldLeaseLost()
    {
        var store = Store();
        var id = (await EnqueueAsync(store, 1))[0];
        var first = Assert.Single(await store.ReceiveAsync(Group, "w1", 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        clock.Now += TimeSpan.FromSeconds(20);
        var whileLeased = await store.ReceiveAsync(Group, "w2", 10, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(11);
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
        var store = Store();
        await EnqueueAsync(store, 1);
        var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        clock.Now += TimeSpan.FromSeconds(25);
        Assert.True(await store.ExtendLeaseAsync(lease, TimeSpan.FromSeconds(30), CancellationToken.None));
        clock.Now += TimeSpan.FromSeconds(25);
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
        var store = Store();
        var id = (await EnqueueAsync(store, 1))[0];
        var statuses = new List<RemediationRunStatus>();
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            clock.Now += TimeSpan.FromSeconds(5);
            var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
            Assert.Equal(attempt, lease.Attempt);
            statuses.Add(await store.FailAsync(lease, new RemediationRun { RequestId = id, WorkerGroup = Group, Error = "boom " + attempt }, TimeSpan.FromSeconds(2), CancellationToken.None));
            var hiddenDuringRetryDelay = await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None);
            Assert.Empty(hiddenDuringRetryDelay);
        }

        clock.Now += TimeSpan.FromMinutes(1);
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
    }

    [Fact]
    public async Task Receive_LastAttemptLeaseExpired_DeadLetteredWithReason()
    {
        var store = Store();
        var id = (await EnqueueAsync(store, 1))[0];
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            Assert.Single(await store.ReceiveAsync(Group, "killed" + attempt, 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));
            clock.Now += TimeSpan.FromSeconds(11);
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
        var store = Store();
        var id = (await EnqueueAsync(store, 1))[0];
        var lease = Assert.Single(await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None));

        // The final record is written, then the process dies before it removes the request file.
        await store.RecordRunAsync(new RemediationRun { Id = id, RequestId = id, WorkerGroup = Group, Status = RemediationRunStatus.Completed }, CancellationToken.None);
        clock.Now += TimeSpan.FromSeconds(11);
        var redelivered = await store.ReceiveAsync(Group, "w2", 1, TimeSpan.FromSeconds(10), TimeSpan.Zero, CancellationToken.None);
        var second = await store.CompleteAsync(lease, Run(lease), CancellationToken.None);

        Assert.Empty(redelivered);
        Assert.False(second);
        var counts = await store.CountAsync(Group, CancellationToken.None);
        Assert.Equal((0, 0, 0), (counts.Waiting, counts.Leased, counts.DeadLettered));
        Assert.Single(await store.GetRunsAsync(new RunQuery { WorkerGroup = Group }, CancellationToken.None));
    }

    [Fact]
    public async Task Receive_LongPoll_ReturnsWhenARequestArrives()
    {
        // The manual clock stands still, so the long poll cannot time out; the store reads it on every poll, which
        // tells the test, without a sleep, that the receiver has looked at the empty queue several times.
        var reads = 0;
        var polledEmpty = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = Store(() =>
        {
            if (Interlocked.Increment(ref reads) == 10)
            {
                polledEmpty.TrySetResult();
            }

            return clock.Read();
        });
        var receive = store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20), CancellationToken.None);
        await polledEmpty.Task.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.False(receive.IsCompleted);

        await store.EnqueueAsync(Group, new[] { Request() }, CancellationToken.None);
        var leases = await receive.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Single(leases);
    }

    [Fact]
    public async Task UpdateGroup_StaleVersion_ConflictAndNothingChanged()
    {
        var store = Store();
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
    public async Task UpdateGroup_ConcurrentFromOneVersion_ExactlyOneSucceeds()
    {
        var store = Store();
        await store.CreateGroupAsync(Record(), CancellationToken.None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            var record = (await Store().GetGroupAsync(Group, CancellationToken.None))!;
            record.Version = 1;
            record.Group.Description = "writer " + i;
            try
            {
                await Store().UpdateGroupAsync(record, CancellationToken.None);
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
        var store = Store();
        await store.CreateGroupAsync(Record("Prod"), CancellationToken.None);

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => store.CreateGroupAsync(Record("PROD", "other"), CancellationToken.None));

        Assert.Equal(StoreError.GroupExists, error.Error);
        Assert.Equal("d", Assert.Single(await store.ListGroupsAsync(CancellationToken.None)).Group.Description);
    }

    [Fact]
    public async Task DeleteGroup_RemovesGroupQueueAndRuns()
    {
        var store = Store();
        await store.CreateGroupAsync(Record(), CancellationToken.None);
        await EnqueueAsync(store, 2);

        var deleted = await store.DeleteGroupAsync(Group, CancellationToken.None);
        var again = await store.DeleteGroupAsync(Group, CancellationToken.None);

        Assert.True(deleted);
        Assert.False(again);
        Assert.Null(await store.GetGroupAsync(Group, CancellationToken.None));
        Assert.Equal(0, (await store.CountAsync(Group, CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task ListWorkers_OldHeartbeat_StaleRecentHealthyStoppedKept()
    {
        var store = Store();
        var now = clock.Now;
        foreach (var (id, beat, state) in new[] { ("w-a", now, RemediationWorkerState.Healthy), ("w-b", now - TimeSpan.FromSeconds(31), RemediationWorkerState.Healthy), ("w-c", now - TimeSpan.FromHours(1), RemediationWorkerState.Stopped) })
        {
            await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = id, WorkerGroup = Group, LastHeartbeat = beat, Started = beat, State = state, HeartbeatInterval = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        }

        var workers = await store.ListWorkersAsync(Group, now, CancellationToken.None);

        Assert.Equal(new[] { "w-a Healthy", "w-b Stale", "w-c Stopped" }, workers.Select(w => w.WorkerId + " " + w.State).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData(".hidden")]
    [InlineData("")]
    public async Task GetGroup_BadName_InvalidInputNamingIt(string name)
    {
        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => Store().GetGroupAsync(name, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains("'" + name + "'", error.Message, StringComparison.Ordinal);
    }
}
