namespace RemediationTools.Core.Jobs;

/// <summary>
/// Lets the verification reads of a batch group (one account and region) wait for each other, so that they are made
/// as batched describes, like the planning reads, instead of one call per finding. The engine counts the findings that
/// run, that is hold one of the <c>-ThrottleLimit</c> slots (<see cref="Enter"/>, <see cref="Leave"/>); a batched read
/// (<see cref="BatchedReader{T}"/>) is sent as soon as every running finding waits for one, when it holds
/// <see cref="MaxBatch"/> resources. A finding that waits for something only others can end (a resource lock held by a
/// finding waiting for its read) says so with <see cref="Hold"/> and counts as waiting. A finding in a verification
/// retry delay does not: it comes back with a read, and the findings that re-read together are sent together. <see cref="QuietPeriod"/> without a new request is only a safety net. A finding held by EC2's request
/// pacing still counts as running, so under pacing a batch goes when all the slots' findings have made their change. A waiting finding keeps its slot: the concurrency
/// limit and the order in which findings take their changes (<c>-MaxChanges</c>) stay as without batching.
/// </summary>
internal sealed class BatchReadScope
{
    /// <summary>Resources per batched describe (EC2 accepts up to 200 IDs; the planning reads use 100).</summary>
    public const int MaxBatch = 100;

    private readonly object gate = new();
    private readonly List<IBatchedReader> readers = new();
    private int running;
    private int held;

    /// <summary>How long requests wait for more when not every running finding is waiting.</summary>
    public TimeSpan QuietPeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A finding starts running (it took its concurrency slot).</summary>
    public void Enter()
    {
        lock (gate)
        {
            running++;
        }
    }

    /// <summary>A finding ended; the reads waiting may now be all that is left to wait for.</summary>
    public void Leave()
    {
        lock (gate)
        {
            running--;
        }

        FlushReady();
    }

    /// <summary>
    /// A running finding waits for something only other findings can end (a resource lock): until the
    /// result is disposed it counts as waiting, so the reads of the others are not held back for it.
    /// </summary>
    public IDisposable Hold()
    {
        lock (gate)
        {
            held++;
        }

        FlushReady();
        return new Release(this);
    }

    /// <summary>The reader of <paramref name="name"/>, made the first time with the two ways to read (many at once, one alone).</summary>
    public BatchedReader<T> Reader<T>(string name, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> readMany, Func<string, CancellationToken, Task<T>> readOne)
    {
        lock (gate)
        {
            foreach (var reader in readers)
            {
                if (reader.Name == name && reader is BatchedReader<T> typed)
                {
                    return typed;
                }
            }

            var created = new BatchedReader<T>(this, name, readMany, readOne);
            readers.Add(created);
            return created;
        }
    }

    internal void EndHold()
    {
        lock (gate)
        {
            held--;
        }
    }

    /// <summary>Sends every reader's batch when all running findings wait, or a reader is full.</summary>
    internal void FlushReady()
    {
        List<IBatchedReader> due;
        lock (gate)
        {
            var waiting = readers.Sum(r => r.Waiting);
            due = waiting > 0 && waiting + held >= running ? readers.Where(r => r.Waiting > 0).ToList() : readers.Where(r => r.Waiting >= MaxBatch).ToList();
        }

        foreach (var reader in due)
        {
            reader.Flush();
        }
    }
}

/// <summary>Ends a <see cref="BatchReadScope.Hold"/>.</summary>
internal sealed class Release : IDisposable
{
    private BatchReadScope? scope;

    internal Release(BatchReadScope scope) => this.scope = scope;

    public void Dispose() => Interlocked.Exchange(ref scope, null)?.EndHold();
}

/// <summary>The part of a <see cref="BatchedReader{T}"/> its scope sees.</summary>
internal interface IBatchedReader
{
    string Name { get; }

    int Waiting { get; }

    void Flush();
}

/// <summary>
/// Batched reads of one kind of resource (security groups by ID, ...) in a <see cref="BatchReadScope"/>: callers ask for
/// one resource and get it from a describe of up to <see cref="BatchReadScope.MaxBatch"/>. If a batched describe fails
/// (one of the resources is gone, say), each waiting caller reads its own resource and gets its own answer or error.
/// </summary>
internal sealed class BatchedReader<T> : IBatchedReader
{
    private readonly BatchReadScope scope;
    private readonly Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> readMany;
    private readonly Func<string, CancellationToken, Task<T>> readOne;
    private readonly object gate = new();
    private readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
    private List<(string Id, TaskCompletionSource<T> Answer, CancellationToken Token)> pending = new();
    private long generation;
    private TimeSpan lastArrival;

    internal BatchedReader(BatchReadScope scope, string name, Func<IReadOnlyList<string>, CancellationToken, Task<IReadOnlyDictionary<string, T>>> readMany, Func<string, CancellationToken, Task<T>> readOne)
    {
        this.scope = scope;
        Name = name;
        this.readMany = readMany;
        this.readOne = readOne;
    }

    public string Name { get; }

    public int Waiting
    {
        get
        {
            lock (gate)
            {
                return pending.Count;
            }
        }
    }

    /// <summary>The resource <paramref name="id"/>, read in the next batch.</summary>
    public async Task<T> ReadAsync(string id, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool first;
        long mine;
        lock (gate)
        {
            pending.Add((id, answer, cancellationToken));
            first = pending.Count == 1;
            mine = generation;
            lastArrival = clock.Elapsed;
        }

        scope.FlushReady();
        if (first)
        {
            _ = FlushWhenQuietAsync(mine);
        }

        using (cancellationToken.Register(() => answer.TrySetCanceled(cancellationToken)))
        {
            return await answer.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Sends the waiting requests as batched describes.</summary>
    public void Flush()
    {
        List<(string Id, TaskCompletionSource<T> Answer, CancellationToken Token)> taken;
        lock (gate)
        {
            if (pending.Count == 0)
            {
                return;
            }

            taken = pending;
            pending = new();
            generation++;
        }

        foreach (var chunk in taken.Select((p, i) => (p, i)).GroupBy(x => x.i / BatchReadScope.MaxBatch, x => x.p))
        {
            _ = ReadChunkAsync(chunk.ToList());
        }
    }

    private async Task FlushWhenQuietAsync(long mine)
    {
        // Some running finding is held up elsewhere (a resource lock, a retry delay): send what waits once no new
        // request has come for the quiet period. One timer per batch, from its first request.
        var wait = scope.QuietPeriod;
        while (true)
        {
            await Task.Delay(wait).ConfigureAwait(false);
            lock (gate)
            {
                if (generation != mine || pending.Count == 0)
                {
                    return;
                }

                var quiet = clock.Elapsed - lastArrival;
                if (quiet < scope.QuietPeriod)
                {
                    wait = scope.QuietPeriod - quiet;
                    continue;
                }
            }

            Flush();
            return;
        }
    }

    private async Task ReadChunkAsync(List<(string Id, TaskCompletionSource<T> Answer, CancellationToken Token)> chunk)
    {
        var live = chunk.Where(p => !p.Answer.Task.IsCompleted).ToList();
        if (live.Count == 0)
        {
            return;
        }

        var ids = live.Select(p => p.Id).Distinct(StringComparer.Ordinal).ToList();
        IReadOnlyDictionary<string, T>? read = null;
        if (ids.Count > 1)
        {
            try
            {
                read = await readMany(ids, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One resource may be gone or refused: each caller reads its own and gets its own answer.
                read = null;
            }
        }

        foreach (var (id, answer, token) in live)
        {
            if (read is not null && read.TryGetValue(id, out var value))
            {
                answer.TrySetResult(value);
                continue;
            }

            try
            {
                answer.TrySetResult(await readOne(id, token).ConfigureAwait(false));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                answer.TrySetCanceled(token);
            }
            catch (Exception ex)
            {
                answer.TrySetException(ex);
            }
        }
    }
}
