namespace RemediationTools.AwsSandbox;

/// <summary>
/// Faults injected before a call is handled: throttling, server errors and latency. Draws come from
/// one seeded generator, so a run with the same seed and the same call order fails the same calls.
/// </summary>
public sealed class SandboxFaults
{
    private readonly object _gate = new();
    private readonly object _waitGate = new();
    private readonly List<(string CallKey, int Count, TaskCompletionSource<bool> Done)> _waits = new();
    private double _throttleRate;
    private double _serverErrorRate;
    private TimeSpan _latency;
    private int _seed;
#pragma warning disable CA5394 // Fault injection needs a reproducible generator, not a secure one.
    private Random _random = new(0);

    /// <summary>Probability (0..1) that a call fails with the service's throttling error.</summary>
    public double ThrottleRate
    {
        get { lock (_gate) { return _throttleRate; } }
        set { lock (_gate) { _throttleRate = CheckRate(value); } }
    }

    /// <summary>Probability (0..1) that a call fails with a 5xx server error.</summary>
    public double ServerErrorRate
    {
        get { lock (_gate) { return _serverErrorRate; } }
        set { lock (_gate) { _serverErrorRate = CheckRate(value); } }
    }

    /// <summary>Delay added to every AWS call (never to control calls).</summary>
    public TimeSpan Latency
    {
        get { lock (_gate) { return _latency; } }
        set { lock (_gate) { _latency = value < TimeSpan.Zero ? throw new ArgumentOutOfRangeException(nameof(value)) : value; } }
    }

    /// <summary>Seed of the fault generator; setting it restarts the sequence of draws.</summary>
    public int Seed
    {
        get { lock (_gate) { return _seed; } }
        set
        {
            lock (_gate)
            {
                _seed = value;
                _random = new Random(value);
            }
        }
    }

    /// <summary>
    /// Every service's entry: counts the call under <paramref name="callKey"/> (<c>service:Action</c>), adds the
    /// configured latency (a modelled network, not synchronisation), and draws the call's fault.
    /// </summary>
    internal async Task<InjectedFault> EnterAsync(System.Collections.Concurrent.ConcurrentDictionary<string, int> calls, string callKey)
    {
        Count(calls, callKey);
        var latency = Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency).ConfigureAwait(false);
        }

        return Next();
    }

    /// <summary>Counts one call under <paramref name="callKey"/> and completes the waits of <see cref="WhenCountedAsync"/> it satisfies.</summary>
    internal void Count(System.Collections.Concurrent.ConcurrentDictionary<string, int> calls, string callKey)
    {
        // Counting and registering a wait share one lock, so no count falls between a wait's check and its registration.
        lock (_waitGate)
        {
            var count = calls.AddOrUpdate(callKey, 1, (_, previous) => previous + 1);
            _waits.RemoveAll(wait =>
            {
                if (wait.CallKey != callKey || count < wait.Count)
                {
                    return false;
                }

                wait.Done.TrySetResult(true);
                return true;
            });
        }
    }

    /// <summary>Completes once <paramref name="calls"/> has counted <paramref name="callKey"/> at least <paramref name="count"/> times.</summary>
    internal Task WhenCountedAsync(System.Collections.Concurrent.ConcurrentDictionary<string, int> calls, string callKey, int count, CancellationToken cancellationToken)
    {
        lock (_waitGate)
        {
            if (calls.TryGetValue(callKey, out var now) && now >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waits.Add((callKey, count, done));
            cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            return done.Task;
        }
    }

    /// <summary>Draws the fault for the next call.</summary>
    internal InjectedFault Next()
    {
        lock (_gate)
        {
            if (_throttleRate <= 0 && _serverErrorRate <= 0)
            {
                return InjectedFault.None;
            }

            var draw = _random.NextDouble();
            if (draw < _throttleRate)
            {
                return InjectedFault.Throttle;
            }

            return draw < _throttleRate + _serverErrorRate ? InjectedFault.ServerError : InjectedFault.None;
        }
    }
#pragma warning restore CA5394

    private static double CheckRate(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A rate is between 0 and 1.");
}

/// <summary>The fault chosen for one call.</summary>
internal enum InjectedFault
{
    None,
    Throttle,
    ServerError,
}
