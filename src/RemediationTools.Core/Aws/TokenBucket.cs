namespace RemediationTools.Core.Aws;

/// <summary>
/// A token bucket as EC2 runs one: full at the start, refilled continuously at its rate up to its capacity. Callers take
/// tokens first come, first served: when the bucket is short, or others already wait, a caller waits (asynchronously,
/// cancellably) behind them. Waiting never fails; only the caller's cancellation ends it early. A throttle reported by
/// AWS empties the bucket and lowers its rate (<see cref="AdaptiveRateController"/>).
/// </summary>
internal sealed class TokenBucket
{
    // Refill arithmetic in doubles: a token that is 1e-9 short is a whole token.
    private const double Epsilon = 1e-9;
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    private readonly object gate = new();
    private readonly IPacingClock clock;
    private readonly AdaptiveRateController rate;
    private readonly LinkedList<Waiter> waiters = new();
    private double tokens;
    private TimeSpan lastRefill;
    private bool pumpScheduled;
    private long granted;

    /// <summary>A full bucket of <paramref name="limit"/> on <paramref name="clock"/>.</summary>
    public TokenBucket(Ec2BucketLimit limit, IPacingClock clock)
    {
        if (limit.Capacity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "A bucket holds at least one token.");
        }

        Limit = limit;
        this.clock = clock ?? throw new ArgumentNullException(nameof(clock));
        rate = new AdaptiveRateController(limit.RefillPerSecond);
        tokens = limit.Capacity;
        lastRefill = clock.Elapsed;
    }

    /// <summary>The configured size and refill rate.</summary>
    public Ec2BucketLimit Limit { get; }

    /// <summary>Tokens in the bucket now.</summary>
    public double Available
    {
        get
        {
            lock (gate)
            {
                Refill(clock.Elapsed);
                return tokens;
            }
        }
    }

    /// <summary>The refill rate in use now (lower than the configured one for a while after a throttle).</summary>
    public double CurrentRefillRate
    {
        get
        {
            lock (gate)
            {
                return rate.RateAt(clock.Elapsed);
            }
        }
    }

    /// <summary>How many takes were granted.</summary>
    public long Granted => Interlocked.Read(ref granted);

    /// <summary>How many callers wait now.</summary>
    public int Waiting
    {
        get
        {
            lock (gate)
            {
                return waiters.Count;
            }
        }
    }

    /// <summary>Whether the bucket is full, refills at its configured rate and nobody waits: the same as a new bucket.</summary>
    public bool IsIdle
    {
        get
        {
            lock (gate)
            {
                var now = clock.Elapsed;
                Refill(now);
                return waiters.Count == 0 && tokens >= Limit.Capacity - Epsilon && rate.RateAt(now) >= rate.MaxRate;
            }
        }
    }

    /// <summary>How many throttles AWS reported for this bucket.</summary>
    public int Throttles
    {
        get
        {
            lock (gate)
            {
                return rate.Throttles;
            }
        }
    }

    /// <summary>
    /// Takes <paramref name="count"/> tokens (more than the capacity counts as the capacity), waiting behind earlier
    /// callers and for the refill. Completes at once when the tokens are there and nobody waits.
    /// </summary>
    public Task AcquireAsync(double count, CancellationToken cancellationToken)
    {
        if (!(count > 0) || double.IsInfinity(count))
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "A call takes a positive number of tokens.");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled(cancellationToken);
        }

        count = Math.Min(count, Limit.Capacity);
        TimeSpan? pumpIn;
        Waiter waiter;
        lock (gate)
        {
            var now = clock.Elapsed;
            Refill(now);
            if (waiters.Count == 0 && tokens >= count - Epsilon)
            {
                tokens -= count;
                granted++;
                return Task.CompletedTask;
            }

            waiter = new Waiter(count);
            waiter.Node = waiters.AddLast(waiter);
            pumpIn = SchedulePumpLocked(now);
        }

        if (cancellationToken.CanBeCanceled)
        {
            // Registered outside the lock: a token cancelled already runs the callback here, which takes the lock.
            waiter.Registration = cancellationToken.Register(() => Cancel(waiter, cancellationToken));
        }

        StartPump(pumpIn);
        return waiter.Completion.Task;
    }

    /// <summary>AWS throttled a call of this bucket: its bucket is empty, so is ours, and the refill slows down for a while.</summary>
    public void OnThrottled()
    {
        lock (gate)
        {
            var now = clock.Elapsed;
            Refill(now);
            rate.OnThrottled(now);
            tokens = 0;
        }
    }

    private void Refill(TimeSpan now)
    {
        var seconds = (now - lastRefill).TotalSeconds;
        if (seconds <= 0)
        {
            return;
        }

        // The rate can change over the interval (recovery after a throttle): the mean of both ends.
        var added = seconds * (rate.RateAt(lastRefill) + rate.RateAt(now)) / 2;
        tokens = Math.Min(Limit.Capacity, tokens + added);
        lastRefill = now;
    }

    /// <summary>When the head waiter can be served, if a wake-up is not already set; the caller starts it outside the lock.</summary>
    private TimeSpan? SchedulePumpLocked(TimeSpan now)
    {
        if (pumpScheduled || waiters.First is not { } head)
        {
            return null;
        }

        pumpScheduled = true;
        var missing = Math.Max(0, head.Value.Count - tokens);
        var wait = TimeSpan.FromTicks((long)Math.Ceiling(missing / rate.RateAt(now) * TimeSpan.TicksPerSecond));
        return wait < MinimumWait ? MinimumWait : wait;
    }

    private void StartPump(TimeSpan? wait)
    {
        if (wait is { } delay)
        {
            _ = clock.DelayAsync(delay, CancellationToken.None).ContinueWith(
                static (_, state) => ((TokenBucket)state!).Pump(),
                this,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private void Pump()
    {
        List<Waiter>? ready = null;
        TimeSpan? next;
        lock (gate)
        {
            pumpScheduled = false;
            var now = clock.Elapsed;
            Refill(now);
            while (waiters.First is { } head && tokens >= head.Value.Count - Epsilon)
            {
                tokens -= head.Value.Count;
                waiters.RemoveFirst();
                granted++;
                (ready ??= new List<Waiter>()).Add(head.Value);
            }

            next = SchedulePumpLocked(now);
        }

        if (ready is not null)
        {
            foreach (var waiter in ready)
            {
                waiter.Registration.Dispose();
                waiter.Completion.TrySetResult(true);
            }
        }

        StartPump(next);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        TimeSpan? next = null;
        lock (gate)
        {
            if (waiter.Node?.List is null)
            {
                // Already served: the tokens are the caller's.
                return;
            }

            var wasHead = waiters.First == waiter.Node;
            waiters.Remove(waiter.Node);
            if (wasHead && !pumpScheduled)
            {
                next = SchedulePumpLocked(clock.Elapsed);
            }
        }

        waiter.Completion.TrySetCanceled(cancellationToken);
        StartPump(next);
    }

    private sealed class Waiter
    {
        public Waiter(double count) => Count = count;

        public double Count { get; }

        public LinkedListNode<Waiter>? Node { get; set; }

        public CancellationTokenRegistration Registration { get; set; }

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
