namespace RemediationTools.Core.Engine;

/// <summary>
/// The engine's locks on the resources jobs change, so that findings of any job that touch one resource (a finding on
/// a security group and a finding on an instance behind it, two instances sharing a group) never change it at the same
/// time, and a finding whose plan was made before another finding changed the resource plans again under the lock.
/// Keys are scoped by account and region (<see cref="Scope"/>). Every change is stamped with a sequence number, so a
/// plan can tell whether what it read is older than the last change (<see cref="ChangedSince"/>). Locks are taken in
/// ordinal key order, so findings that touch several resources cannot deadlock.
/// </summary>
internal sealed class ResourceLockTable
{
    /// <summary>How many change stamps are kept before the oldest half is forgotten (conservatively: see <see cref="LastChanged"/>).</summary>
    public const int MaxRememberedChanges = 10_000;

    private readonly object sync = new();
    private readonly Dictionary<string, Gate> gates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> lastChanged = new(StringComparer.Ordinal);
    private long sequence;
    private long forgottenUpTo;

    /// <summary>The current sequence number: a read that starts now sees every change stamped up to it.</summary>
    public long Sequence => Interlocked.Read(ref sequence);

    /// <summary>Number of keys locked or waited on now.</summary>
    public int ActiveGates
    {
        get
        {
            lock (sync)
            {
                return gates.Count;
            }
        }
    }

    /// <summary>The key of <paramref name="resourceKey"/> in an account and region (global resources: in the account only).</summary>
    public static string Scope(string? accountId, string? region, string resourceKey)
        => (accountId ?? "caller") + "/" + (IsGlobal(resourceKey) ? string.Empty : region ?? string.Empty) + "/" + resourceKey;

    private static bool IsGlobal(string? resourceKey) => resourceKey is not null && resourceKey.StartsWith(Jobs.ResourceKeys.GlobalPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The sequence number of the last change to <paramref name="scopedKey"/>: 0 when it never changed, or the highest
    /// forgotten stamp when its own was forgotten (which can only cause a needless fresh read, never a stale plan).
    /// </summary>
    public long LastChanged(string scopedKey)
    {
        lock (sync)
        {
            return lastChanged.TryGetValue(scopedKey, out var stamp) ? stamp : forgottenUpTo;
        }
    }

    /// <summary>True when <paramref name="scopedKey"/> changed after the read made at <paramref name="readAt"/>.</summary>
    public bool ChangedSince(string scopedKey, long readAt) => LastChanged(scopedKey) > readAt;

    /// <summary>Stamps a change to each key (after the mutating calls, whether or not they all succeeded).</summary>
    public void MarkChanged(IEnumerable<string> scopedKeys)
    {
        if (scopedKeys is null)
        {
            throw new ArgumentNullException(nameof(scopedKeys));
        }

        lock (sync)
        {
            foreach (var key in scopedKeys)
            {
                lastChanged[key] = Interlocked.Increment(ref sequence);
            }

            if (lastChanged.Count > MaxRememberedChanges)
            {
                var oldest = lastChanged.OrderBy(e => e.Value).Take(lastChanged.Count / 2).ToList();
                foreach (var entry in oldest)
                {
                    lastChanged.Remove(entry.Key);
                    forgottenUpTo = Math.Max(forgottenUpTo, entry.Value);
                }
            }
        }
    }

    /// <summary>
    /// Waits for every key (distinct, in ordinal order) and returns the hold; disposing it releases them. Cancelling
    /// while waiting releases what was taken and throws.
    /// </summary>
    public async Task<Hold> AcquireAsync(IEnumerable<string> scopedKeys, CancellationToken cancellationToken)
    {
        if (scopedKeys is null)
        {
            throw new ArgumentNullException(nameof(scopedKeys));
        }

        var keys = scopedKeys.Distinct(StringComparer.Ordinal).OrderBy(k => k, StringComparer.Ordinal).ToList();
        var taken = new List<(string Key, Gate Gate)>(keys.Count);
        try
        {
            foreach (var key in keys)
            {
                Gate gate;
                lock (sync)
                {
                    if (!gates.TryGetValue(key, out gate!))
                    {
                        gate = new Gate();
                        gates[key] = gate;
                    }

                    gate.Users++;
                }

                try
                {
                    await gate.Semaphore.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Leave(key, gate);
                    throw;
                }

                taken.Add((key, gate));
            }
        }
        catch
        {
            Release(taken);
            throw;
        }

        return new Hold(this, taken);
    }

    private void Release(List<(string Key, Gate Gate)> taken)
    {
        foreach (var (key, gate) in taken)
        {
            gate.Semaphore.Release();
            Leave(key, gate);
        }

        taken.Clear();
    }

    private void Leave(string key, Gate gate)
    {
        lock (sync)
        {
            if (--gate.Users == 0)
            {
                gates.Remove(key);
                gate.Semaphore.Dispose();
            }
        }
    }

    /// <summary>Locks held on some keys; dispose to release them.</summary>
    internal sealed class Hold : IDisposable
    {
        private readonly ResourceLockTable table;
        private readonly List<(string Key, Gate Gate)> taken;

        internal Hold(ResourceLockTable table, List<(string Key, Gate Gate)> taken)
        {
            this.table = table;
            this.taken = taken;
            Keys = taken.Select(t => t.Key).ToList();
        }

        /// <summary>The keys held.</summary>
        public IReadOnlyList<string> Keys { get; }

        /// <summary>True when every key of <paramref name="scopedKeys"/> is held.</summary>
        public bool Covers(IEnumerable<string> scopedKeys) => scopedKeys.All(k => Keys.Contains(k, StringComparer.Ordinal));

        /// <summary>Releases the keys.</summary>
        public void Dispose()
        {
            lock (taken)
            {
                table.Release(taken);
            }
        }
    }

    internal sealed class Gate
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }
}
