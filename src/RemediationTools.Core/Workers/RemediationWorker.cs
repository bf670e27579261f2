using System.Globalization;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Workers;

/// <summary>How a worker's log line matters.</summary>
internal enum WorkerLogLevel
{
    /// <summary>Normal events: started, request done, stopped.</summary>
    Information,

    /// <summary>Something to look at: a failed attempt, a lost lease.</summary>
    Warning,

    /// <summary>The worker cannot go on as it is: credentials refused or revoked, store errors.</summary>
    Error,
}

/// <summary>Why <see cref="RemediationWorker.RunAsync"/> returned.</summary>
internal enum WorkerExitReason
{
    /// <summary>Asked to stop; running jobs were finished first.</summary>
    Stopped,

    /// <summary>The group's secret was reset (or the group deleted) while running; running jobs were finished first.</summary>
    CredentialsRevoked,
}

/// <summary>
/// The worker loop, the same in the <c>remediation-worker</c> console and in
/// <c>Start-RemediationWorker</c>: verify the group credentials, register, heartbeat (re-verifying the credentials), long-poll
/// the queue, run up to N requests at once through the <see cref="RemediationEngine"/> with the account's role and the
/// group's AllowDisruptive, extend each lease while its job runs, record the run, complete the request. Stopping (the
/// token passed to <see cref="RunAsync"/>) stops taking requests, finishes the running ones and returns.
/// </summary>
internal sealed partial class RemediationWorker
{
    private readonly WorkerOptions options;
    private readonly IRemediationStore store;
    private readonly Action<WorkerLogLevel, string> log;
    private readonly IAwsClientFactory? givenFactory;
    private readonly Func<DateTimeOffset> clock;
    private RemediationWorkerGroup group = new();
    private string verifiedHash = string.Empty;
    private long jobsDone;
    private long jobsFailed;
    private readonly IdleMemoryTrimmer? idleTrimmer;

    // What the receive loop last saw of the queue, for the heartbeats (health means able to work); under pollLock.
    private readonly object pollLock = new();
    private DateTimeOffset? lastPoll;
    private DateTimeOffset? lastPollFailure;
    private DateTimeOffset? pollingSince;
    private string? lastPollError;
    private DateTimeOffset failedSince;
    private TaskCompletionSource<bool> beatNow = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the worker; <paramref name="clientFactory"/> replaces the one built from <see cref="WorkerOptions.Connection"/> (tests).</summary>
    public RemediationWorker(WorkerOptions options, IRemediationStore store, Action<WorkerLogLevel, string>? log = null, IAwsClientFactory? clientFactory = null, Func<DateTimeOffset>? clock = null)
    {
        this.options = options ?? throw new ArgumentNullException(nameof(options));
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.log = log ?? ((_, _) => { });
        givenFactory = clientFactory;
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
        options.Validate();
        WorkerId = "w-" + Guid.NewGuid().ToString("N").Substring(0, 12);
        idleTrimmer = options.TrimMemoryWhenIdle ? new IdleMemoryTrimmer() : null;
    }

    /// <summary>This run's worker ID.</summary>
    public string WorkerId { get; }

    /// <summary>Requests finished so far.</summary>
    public long JobsDone => Interlocked.Read(ref jobsDone);

    /// <summary>Attempts failed so far.</summary>
    public long JobsFailed => Interlocked.Read(ref jobsFailed);

    /// <summary>
    /// Runs until <paramref name="stop"/> is cancelled or the credentials are revoked. Throws
    /// <see cref="RemediationStoreException"/> (<see cref="StoreError.CredentialsRefused"/>, <see cref="StoreError.GroupNotFound"/>)
    /// when the worker may not start, and <see cref="AwsConfigurationException"/> when the hosting credentials cannot be found.
    /// <paramref name="abort"/> cancels running jobs too (their requests are redelivered when the leases expire).
    /// </summary>
    public async Task<WorkerExitReason> RunAsync(CancellationToken stop, CancellationToken abort = default)
    {
        var groups = new WorkerGroupService(store, clock);
        var record = await groups.VerifyAsync(options.GroupName, options.ClientId, options.ClientSecret, stop).ConfigureAwait(false);
        group = record.Group;
        verifiedHash = record.SecretHash;

        var ownFactory = givenFactory is null
            ? await AwsClientFactory.CreateAsync(options.Connection, new AwsClientFactoryOptions { SessionName = "RemediationWorker-" + WorkerId }, stop).ConfigureAwait(false)
            : null;
        var factory = givenFactory ?? ownFactory!;
        var info = new RemediationWorkerInfo
        {
            WorkerId = WorkerId,
            WorkerGroup = group.Name,
            Host = options.Host ?? Environment.MachineName,
            InstanceId = options.InstanceId,
            Version = typeof(RemediationWorker).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            Started = clock(),
            HeartbeatPeriod = options.HeartbeatInterval,
            PollWait = options.PollWait,
        };

        using var receiving = CancellationTokenSource.CreateLinkedTokenSource(stop);
        using var heartbeatStop = new CancellationTokenSource();
        var exit = WorkerExitReason.Stopped;
        try
        {
            await BeatAsync(info, RemediationWorkerState.Healthy, stop).ConfigureAwait(false);
            Log(WorkerLogLevel.Information, "started worker " + WorkerId + " for group " + group.Name + " on " + info.Host + " (store " + store.Description + ", up to " +
                options.MaxConcurrency.ToString(CultureInfo.InvariantCulture) + " jobs at once)");
            var heartbeat = HeartbeatLoopAsync(info, () =>
            {
                exit = WorkerExitReason.CredentialsRevoked;
                receiving.Cancel();
            }, heartbeatStop.Token);

            await ReceiveLoopAsync(factory, receiving.Token, abort).ConfigureAwait(false);
            heartbeatStop.Cancel();
            await heartbeat.ConfigureAwait(false);
        }
        finally
        {
            ownFactory?.Dispose();
            if (options.HealthFile is not null)
            {
                AtomicFile.TryDelete(options.HealthFile);
            }
        }

        await BeatAsync(info, RemediationWorkerState.Stopped, CancellationToken.None).ConfigureAwait(false);
        Log(WorkerLogLevel.Information, "stopped worker " + WorkerId + " (" + exit + "; " + JobsDone.ToString(CultureInfo.InvariantCulture) + " done, " +
            JobsFailed.ToString(CultureInfo.InvariantCulture) + " failed attempts)");
        return exit;
    }

    private async Task HeartbeatLoopAsync(RemediationWorkerInfo info, Action revoked, CancellationToken stop)
    {
        while (await WaitForBeatAsync(stop).ConfigureAwait(false))
        {
            try
            {
                var record = await store.GetGroupAsync(options.GroupName, CancellationToken.None).ConfigureAwait(false);
                if (!StillValid(record))
                {
                    Log(WorkerLogLevel.Error, record is null
                        ? "worker group " + options.GroupName + " was deleted; stopping"
                        : "the client secret of worker group " + options.GroupName + " was reset: these credentials are refused now; stopping");
                    revoked();
                    return;
                }

                group = record!.Group;
                await BeatAsync(info, RemediationWorkerState.Healthy, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RemediationStoreException)
            {
                Log(WorkerLogLevel.Warning, "heartbeat failed: " + ex.Message);
            }
        }
    }

    private bool StillValid(WorkerGroupRecord? record)
    {
        if (record is null || !ClientSecretHasher.FixedTimeEquals(options.ClientId, record.Group.ClientId))
        {
            return false;
        }

        // The slow hash runs again only when the stored hash changed (a reset); an unchanged hash already matched.
        if (!string.Equals(record.SecretHash, verifiedHash, StringComparison.Ordinal))
        {
            if (!ClientSecretHasher.Verify(options.ClientSecret, record.SecretHash))
            {
                return false;
            }

            verifiedHash = record.SecretHash;
        }

        return true;
    }

    private async Task BeatAsync(RemediationWorkerInfo info, RemediationWorkerState state, CancellationToken cancellationToken)
    {
        info.LastHeartbeat = clock();
        info.JobsDone = JobsDone;
        info.JobsFailed = JobsFailed;
        lock (pollLock)
        {
            info.LastPoll = lastPoll;
            info.LastPollFailure = lastPollFailure;
            info.LastPollError = lastPollError;
            info.PollingSince = pollingSince;
        }

        // Healthy only while the queue can be read: the same judgement as Get-RemediationWorker and --health.
        info.State = state;
        if (state != RemediationWorkerState.Stopped)
        {
            WorkerHealth.Apply(info, info.LastHeartbeat);
        }
        else
        {
            info.StateReason = null;
        }

        if (options.HealthFile is not null && state != RemediationWorkerState.Stopped)
        {
            // The whole record, so that --health judges it exactly as the store's readers do.
            AtomicFile.WriteReplace(options.HealthFile, System.Text.Encoding.UTF8.GetBytes(Results.RemediationJson.Serialize(info)));
        }

        await store.SaveWorkerAsync(info, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The receive loop is about to poll the queue.</summary>
    private void PollStarting()
    {
        lock (pollLock)
        {
            pollingSince = clock();
        }
    }

    /// <summary>A poll returned: the worker can work (again: said in the log, and in a heartbeat at once).</summary>
    private void PollSucceeded()
    {
        bool recovered;
        lock (pollLock)
        {
            recovered = lastPollFailure is { } failed && (lastPoll is null || failed >= lastPoll);
            lastPoll = clock();
            pollingSince = null;
        }

        if (recovered)
        {
            Log(WorkerLogLevel.Information, "the queue of group " + group.Name + " can be read again; healthy");
            RequestBeat();
        }
    }

    /// <summary>A poll failed: the worker is Unhealthy until one succeeds; the error is logged when it first occurs, when it changes, and every minute.</summary>
    private void PollFailed(Exception error)
    {
        bool report;
        lock (pollLock)
        {
            var now = clock();
            var continuing = lastPollFailure is { } failed && (lastPoll is null || failed >= lastPoll);
            report = !continuing || !string.Equals(lastPollError, error.Message, StringComparison.Ordinal) || now - failedSince >= TimeSpan.FromMinutes(1);
            if (report)
            {
                failedSince = now;
            }

            lastPollFailure = now;
            lastPollError = error.Message;
            pollingSince = null;
        }

        if (report)
        {
            Log(WorkerLogLevel.Error, "cannot read the queue of group " + group.Name + " in " + store.Description + ": " + error.Message +
                " The worker reports Unhealthy and retries every " + PollRetryDelay.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s.");
            RequestBeat();
        }
    }

    private void RequestBeat() => Volatile.Read(ref beatNow).TrySetResult(true);

    // The heartbeat interval, or sooner when the health changed; false once stopped.
    private async Task<bool> WaitForBeatAsync(CancellationToken stop)
    {
        var now = Volatile.Read(ref beatNow);
        using var delay = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var timer = Task.Delay(options.HeartbeatInterval, delay.Token);
        await Task.WhenAny(timer, now.Task).ConfigureAwait(false);
        delay.Cancel();
        if (now.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref beatNow, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously), now);
        }

        return !stop.IsCancellationRequested;
    }

    private void Log(WorkerLogLevel level, string message) => log(level, AwsSecretRedactor.Redact(message) ?? string.Empty);

    private static async Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Collects the engine's verbose lines and warnings of one job, for its run record.</summary>
    private sealed class CollectingReporter : IRemediationReporter
    {
        private readonly List<string> lines;
        private readonly Action<WorkerLogLevel, string> log;

        public CollectingReporter(List<string> lines, Action<WorkerLogLevel, string> log)
        {
            this.lines = lines;
            this.log = log;
        }

        public void Progress(RemediationProgress progress)
        {
        }

        public void Verbose(string message)
        {
            Add(message);
            if (message.StartsWith(RemediationEngine.UnexpectedErrorPrefix, StringComparison.Ordinal))
            {
                // A defect or an unknown condition: the stack trace belongs in the worker's own log too.
                log(WorkerLogLevel.Error, message);
            }
        }

        public void Warning(string message) => Add("WARNING: " + message);

        public string[] Lines()
        {
            lock (lines)
            {
                return lines.ToArray();
            }
        }

        private void Add(string line)
        {
            line = AwsSecretRedactor.Redact(line) ?? string.Empty;
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }
}
