using System.Collections.Concurrent;

namespace RemediationTools.Core.Jobs;

/// <summary>
/// Reads shared by the findings of one batch group (one account and region): a job reads a resource through the
/// cache, so that findings on the same resource, or a batched describe made up front, cost one AWS call instead of
/// one per finding. A job invalidates a key when it changes the resource; failed reads are never cached. Outside a
/// batch every <see cref="JobContext"/> has a cache of its own, so jobs need no special case.
/// </summary>
internal sealed class JobReadCache
{
    private readonly ConcurrentDictionary<string, Lazy<Task<object?>>> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> readAt = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> warned = new(StringComparer.Ordinal);
    private readonly Func<long> sequence;

    /// <summary>
    /// Creates the cache. <paramref name="sequence"/> is the engine's change sequence (<see cref="Engine.ResourceLockTable.Sequence"/>):
    /// each entry remembers the sequence number at which its read started, so the engine can tell a read older than the
    /// last change to the resource (<see cref="ReadAt"/>).
    /// </summary>
    public JobReadCache(Func<long>? sequence = null) => this.sequence = sequence ?? (() => 0);

    /// <summary>The batch group's batched verification reads; null outside a batch (every read is then its own call).</summary>
    public BatchReadScope? Scope { get; set; }

    /// <summary>
    /// True the first time <paramref name="text"/> is offered: the engine warns a plan note once per batch group, so that
    /// a note many findings share (the account's logging bucket exists and is used as it is) is said once, and kept in
    /// every result's notes.
    /// </summary>
    public bool FirstWarning(string text) => warned.TryAdd(text ?? string.Empty, 0);

    /// <summary>Number of cached keys (reads finished or in flight).</summary>
    public int Count => entries.Count;

    /// <summary>
    /// The cached value of <paramref name="key"/>, or the value <paramref name="read"/> returns, cached. Concurrent
    /// callers of the same key share one read.
    /// </summary>
    public async Task<T> GetOrReadAsync<T>(string key, Func<Task<T>> read)
    {
        if (read is null)
        {
            throw new ArgumentNullException(nameof(read));
        }

        var entry = entries.GetOrAdd(key, _ =>
        {
            readAt[key] = sequence();
            return new Lazy<Task<object?>>(async () => await read().ConfigureAwait(false));
        });
        try
        {
            return (T)(await entry.Value.ConfigureAwait(false))!;
        }
        catch
        {
            // A failed read must be retried by the next caller, not remembered.
            ((ICollection<KeyValuePair<string, Lazy<Task<object?>>>>)entries).Remove(new KeyValuePair<string, Lazy<Task<object?>>>(key, entry));
            throw;
        }
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> (for example from a batched describe).</summary>
    public void Set<T>(string key, T value) => Set(key, value, sequence());

    /// <summary>Stores <paramref name="value"/>, read at sequence number <paramref name="readSequence"/> (taken before the read started).</summary>
    public void Set<T>(string key, T value, long readSequence)
    {
        var task = Task.FromResult<object?>(value);
        readAt[key] = readSequence;
        entries[key] = new Lazy<Task<object?>>(() => task);
    }

    /// <summary>The sequence number at which the cached read of <paramref name="key"/> started; null when it is not cached.</summary>
    public long? ReadAt(string key) => entries.ContainsKey(key) && readAt.TryGetValue(key, out var at) ? at : null;

    /// <summary>The engine's change sequence number now (see the constructor).</summary>
    public long CurrentSequence => sequence();

    /// <summary>True when <paramref name="key"/> holds a finished read.</summary>
    public bool Contains(string key) => entries.TryGetValue(key, out var entry) && entry.IsValueCreated && entry.Value.Status == TaskStatus.RanToCompletion;

    /// <summary>Forgets every cached read (the engine does this when a plan turned out stale).</summary>
    public void Clear()
    {
        entries.Clear();
        readAt.Clear();
    }

    /// <summary>Forgets <paramref name="key"/>: the resource changed, so the next read goes to AWS.</summary>
    public void Invalidate(string key)
    {
        entries.TryRemove(key, out _);
        readAt.TryRemove(key, out _);
    }
}
