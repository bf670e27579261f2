using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>What only the local folder store has: atomic files and a long poll that reads the folder; the guarantees every store gives are in <see cref="StoreContractTests"/>.</summary>
public sealed class LocalFolderStoreTests : IDisposable
{
    private const string Group = "prod";
    private readonly StoreTestFolder folder = new();
    private readonly ManualClock clock = new();

    public void Dispose() => folder.Dispose();

    private LocalFolderStore Store(Func<DateTimeOffset>? time = null) => new(folder.Path, time ?? clock.Read) { PollInterval = TimeSpan.FromMilliseconds(5) };

    private static QueuedRequest Request(string? resource = null) => new()
    {
        Id = QueuedRequest.NewId(),
        Finding = new Finding { AccountId = "111122223333", Region = "us-east-1", ResourceId = resource ?? "sg-1", RuleId = "r" },
    };

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
}
