using System.Globalization;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Workers;

/// <summary>
/// The request half of the worker loop: the requests received in one poll run as one batch through the same engine
/// path as <c>Invoke-Remediation</c> (batched reads, resource locks shared by all of the worker's batches, plans made
/// again when stale), each with its own lease, log lines, cancellation and record.
/// </summary>
internal sealed partial class RemediationWorker
{
    // One lock table for every batch of this worker: two requests on one resource never change it at once.
    private readonly ResourceLockTable locks = new();
    private int inFlight;

    private TimeSpan PollRetryDelay => options.RetryDelay > TimeSpan.FromMilliseconds(100) ? options.RetryDelay : TimeSpan.FromMilliseconds(100);

    private async Task ReceiveLoopAsync(IAwsClientFactory factory, CancellationToken receiving, CancellationToken abort)
    {
        var running = new List<Task>();
        while (!receiving.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var free = options.MaxConcurrency - Volatile.Read(ref inFlight);
            if (free <= 0)
            {
                await Task.WhenAny(running).ConfigureAwait(false);
                continue;
            }

            IReadOnlyList<LeasedRequest> leases;
            try
            {
                PollStarting();
                leases = await store.ReceiveAsync(group.Name, WorkerId, free, options.LeaseDuration, options.PollWait, receiving).ConfigureAwait(false);
                PollSucceeded();
            }
            catch (OperationCanceledException) when (receiving.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RemediationStoreException)
            {
                // Not silent: logged (with the fix the store names) and reported as Unhealthy until a poll succeeds.
                PollFailed(ex);

                // At least 100 ms: a store that fails at once must not turn the loop into a busy one.
                await DelayAsync(PollRetryDelay, receiving).ConfigureAwait(false);
                continue;
            }

            idleTrimmer?.OnPoll(leases.Count, Volatile.Read(ref inFlight));
            if (leases.Count == 0)
            {
                if (options.StopWhenIdle && Volatile.Read(ref inFlight) == 0 && running.TrueForAll(t => t.IsCompleted))
                {
                    Log(WorkerLogLevel.Information, "the queue is empty and no job runs; stopping (StopWhenIdle)");
                    break;
                }

                continue;
            }

            Interlocked.Add(ref inFlight, leases.Count);

            // Requests with another -Job, -RangeMode, -KmsKeyId, -LoggingBucketPrefix, -MinimumLength, -ReusePrevention or
            // -RetentionDays need other engine options: one batch per kind, side by side.
            foreach (var kind in leases.GroupBy(l => QueuedJobOptions.KindOf(l.Request)))
            {
                var batch = kind.ToList();
                running.Add(Task.Run(() => RunBatchAsync(factory, batch, abort), CancellationToken.None));
            }
        }

        // Graceful stop: no new requests; the running ones finish and are recorded.
        await Task.WhenAll(running).ConfigureAwait(false);
    }

    private async Task RunBatchAsync(IAwsClientFactory factory, List<LeasedRequest> leases, CancellationToken abort)
    {
        var current = group;
        var states = leases.Select(lease => new RequestState(lease, clock(), Log, abort)).ToList();
        var recording = new List<Task>();
        try
        {
            foreach (var state in states)
            {
                state.Extender = ExtendLeaseLoopAsync(state);
            }

            // A finding of an account that is not (or no longer) in the group cannot run: that attempt fails.
            var runnable = new List<RequestState>();
            foreach (var state in states)
            {
                var finding = state.Lease.Request.Finding;
                if (current.FindAccount(finding.AccountId) is null)
                {
                    recording.Add(FailAttemptAsync(state, "Account '" + finding.AccountId + "' of finding " + (finding.FindingId ?? finding.ResourceId) +
                        " is not in worker group '" + current.Name + "'."));
                }
                else
                {
                    runnable.Add(state);
                }
            }

            if (runnable.Count == 0)
            {
                return;
            }

            var byFinding = runnable.ToDictionary(s => s.Lease.Request.Finding, s => s, SameInstance.Comparer);
            RemediationOptions remediationOptions;
            try
            {
                remediationOptions = QueuedJobOptions.Read(runnable[0].Lease.Request);
            }
            catch (ArgumentException ex)
            {
                // A value the dispatcher would not have queued (written to the queue by hand): these fail, the others go on.
                await Task.WhenAll(runnable.Select(s => FailAttemptAsync(s, UserMessages.Of(ex)))).ConfigureAwait(false);
                return;
            }

            remediationOptions.AllowDisruptive = current.AllowDisruptive;
            remediationOptions.ThrottleLimit = Math.Max(1, runnable.Count);
            remediationOptions.ReporterFor = finding => byFinding.TryGetValue(finding, out var state) ? state.Reporter : null;
            remediationOptions.BeforeApply = (plan, cancellationToken) => RecordAppliedAsync(byFinding, plan, cancellationToken);
            foreach (var account in runnable.Select(s => current.FindAccount(s.Lease.Request.Finding.AccountId)!).Distinct())
            {
                remediationOptions.AccountRoles[account.AccountId] = new AccountRole(account.RoleArn, account.ExternalId);
            }

            var engine = new RemediationEngine(factory, null, new WorkerLogReporter(Log), locks);
            await engine.RunBatchAsync(
                runnable.Select(s => s.Lease.Request.Finding).ToList(),
                remediationOptions,
                null,
                (index, result) =>
                {
                    var state = runnable[index];
                    lock (recording)
                    {
                        recording.Add(RecordAsync(state, result));
                    }
                },
                runnable.Select(s => s.Job.Token).ToList(),
                abort).ConfigureAwait(false);

            foreach (var state in runnable.Where(s => s.Job.IsCancellationRequested && !abort.IsCancellationRequested))
            {
                Log(WorkerLogLevel.Warning, "request " + state.Lease.Request.Id + " stopped: its lease was lost; another worker runs it");
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Aborted: the leases expire and other workers run the requests again.
            Log(WorkerLogLevel.Warning, leases.Count.ToString(CultureInfo.InvariantCulture) + " request(s) aborted; they are redelivered when their leases expire");
        }
        finally
        {
            Task[] pending;
            lock (recording)
            {
                pending = recording.ToArray();
            }

            await Task.WhenAll(pending).ConfigureAwait(false);
            foreach (var state in states)
            {
                await state.StopExtendingAsync().ConfigureAwait(false);
                state.Dispose();
            }

            Interlocked.Add(ref inFlight, -leases.Count);
        }
    }

    // Write-ahead: the undo record of the changes about to be made goes to the store with the request first.
    private async Task RecordAppliedAsync(Dictionary<Finding, RequestState> byFinding, RemediationPlan plan, CancellationToken cancellationToken)
    {
        if (!byFinding.TryGetValue(plan.Finding, out var state))
        {
            return;
        }

        // The last moment before a change: a lease that is lost, or about to run out without an extension (a stalled
        // process), means another worker may take the request; this job stops here, before it changes anything.
        if (state.LeaseLost || clock() + TimeSpan.FromTicks(options.LeaseDuration.Ticks / 6) >= state.Lease.LeaseExpires)
        {
            state.LoseLease();
            Log(WorkerLogLevel.Warning, "request " + state.Lease.Request.Id + ": its lease runs out before the change could be made; its job is cancelled");
            state.Job.Token.ThrowIfCancellationRequested();
        }

        var undo = plan.JobPlan?.UndoRecord;
        if (undo is null)
        {
            return;
        }

        await store.RecordAppliedAsync(state.Lease, undo, cancellationToken).ConfigureAwait(false);
        state.Applied.Add(undo);
    }

    private async Task RecordAsync(RequestState state, RemediationResult result)
    {
        await state.StopExtendingAsync().ConfigureAwait(false);
        var request = state.Lease.Request;
        if (state.LeaseLost)
        {
            // Another worker owns the request now: it records it.
            return;
        }

        KeepEarlierChanges(result, request.Applied, state);
        var attempt = state.Lease.Attempt.ToString(CultureInfo.InvariantCulture);
        try
        {
            if (RemediationEngine.IsRetryable(result))
            {
                // Transient (throttling, 5xx, a stale plan): a failed attempt, delivered again; dead-lettered after the last.
                Interlocked.Increment(ref jobsFailed);
                var failed = NewRun(state.Lease, RemediationRunStatus.AttemptFailed, state.Started, state.Reporter.Lines());
                failed.Result = result;
                failed.Error = result.ErrorCode + ": " + result.Reason;
                var status = await store.FailAsync(state.Lease, failed, options.RetryDelay, CancellationToken.None).ConfigureAwait(false);
                Log(WorkerLogLevel.Warning, "request " + request.Id + " attempt " + attempt + " failed with " + result.ErrorCode +
                    (status == RemediationRunStatus.DeadLettered ? " (moved to the dead-letter area)" : " (will be retried)"));
                return;
            }

            var run = NewRun(state.Lease, RemediationRunStatus.Completed, state.Started, state.Reporter.Lines());
            run.Result = result;
            var recorded = await store.CompleteAsync(state.Lease, run, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Increment(ref jobsDone);
            Log(WorkerLogLevel.Information, "request " + request.Id + " " + result.Status + " " + result.JobId + " " + result.AccountId + "/" + result.Region + "/" + result.ResourceId +
                " attempt " + attempt + (recorded ? string.Empty : " (another delivery had already recorded it)"));
        }
        catch (Exception storeError) when (storeError is IOException or UnauthorizedAccessException or RemediationStoreException)
        {
            Log(WorkerLogLevel.Error, "request " + request.Id + " finished " + result.Status + " but could not be recorded: " + storeError.Message);
        }
    }

    /// <summary>
    /// Puts the changes of earlier deliveries (write-ahead records of a worker that stopped before it recorded them) and
    /// of earlier tries in this delivery into the result's undo record, so undoing the result restores all of them.
    /// </summary>
    private static void KeepEarlierChanges(RemediationResult result, List<RemediationUndoRecord> earlierDeliveries, RequestState state)
    {
        var chain = earlierDeliveries.Concat(state.Applied.Where(a => !ReferenceEquals(a, result.UndoRecord))).ToList();
        if (chain.Count == 0)
        {
            return;
        }

        if (result.UndoRecord is null)
        {
            var last = chain[chain.Count - 1];
            result.UndoRecord = last;
            chain.RemoveAt(chain.Count - 1);
            if (result.Status == RemediationStatus.AlreadyCompliant && earlierDeliveries.Count > 0)
            {
                result.Status = RemediationStatus.Remediated;
                result.Reason = "Fixed by an earlier delivery of this request, whose worker stopped before it recorded the run; its undo record is kept.";
            }
        }

        if (chain.Count > 0)
        {
            result.UndoRecord.Earlier = (result.UndoRecord.Earlier ?? new List<RemediationUndoRecord>()).Concat(chain).ToList();
        }
    }

    private async Task FailAttemptAsync(RequestState state, string error)
    {
        await state.StopExtendingAsync().ConfigureAwait(false);
        Interlocked.Increment(ref jobsFailed);
        var run = NewRun(state.Lease, RemediationRunStatus.AttemptFailed, state.Started, state.Reporter.Lines());
        run.Error = error;
        try
        {
            var status = await store.FailAsync(state.Lease, run, options.RetryDelay, CancellationToken.None).ConfigureAwait(false);
            Log(WorkerLogLevel.Warning, "request " + state.Lease.Request.Id + " attempt " + state.Lease.Attempt.ToString(CultureInfo.InvariantCulture) + " failed: " + error +
                (status == RemediationRunStatus.DeadLettered ? " (moved to the dead-letter area)" : " (will be retried)"));
        }
        catch (Exception storeError) when (storeError is IOException or UnauthorizedAccessException or RemediationStoreException)
        {
            Log(WorkerLogLevel.Error, "request " + state.Lease.Request.Id + " failed and could not be recorded: " + storeError.Message);
        }
    }

    /// <summary>
    /// Extends the lease every third of its duration while the job runs. A lease that is lost, or that cannot be
    /// extended before it runs out, cancels the job first: no two workers ever change one resource for one request,
    /// and a request is never taken back (or dead-lettered) while this worker still works on it.
    /// </summary>
    private async Task ExtendLeaseLoopAsync(RequestState state)
    {
        var every = TimeSpan.FromTicks(options.LeaseDuration.Ticks / 3);
        var lease = state.Lease;
        while (await DelayAsync(every, state.ExtendStop.Token).ConfigureAwait(false))
        {
            try
            {
                if (!await store.ExtendLeaseAsync(lease, options.LeaseDuration, CancellationToken.None).ConfigureAwait(false))
                {
                    state.LoseLease();
                    Log(WorkerLogLevel.Warning, "request " + lease.Request.Id + ": the lease was lost (it expired); its job is cancelled");
                    return;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or RemediationStoreException)
            {
                if (clock() + every >= lease.LeaseExpires)
                {
                    state.LoseLease();
                    Log(WorkerLogLevel.Warning, "request " + lease.Request.Id + ": cannot extend the lease before it runs out (" + ex.Message + "); its job is cancelled");
                    return;
                }

                Log(WorkerLogLevel.Warning, "request " + lease.Request.Id + ": cannot extend the lease: " + ex.Message);
            }
        }
    }

    private RemediationRun NewRun(LeasedRequest lease, RemediationRunStatus status, DateTimeOffset started, IReadOnlyList<string> lines) => new()
    {
        Id = lease.Request.Id,
        RequestId = lease.Request.Id,
        WorkerGroup = group.Name,
        WorkerId = WorkerId,
        Status = status,
        Attempts = lease.Attempt,
        Enqueued = lease.Request.Enqueued,
        Started = started,
        Finished = clock(),
        LogLines = lines,
    };

    /// <summary>Findings by object identity (netstandard2.0 has no ReferenceEqualityComparer).</summary>
    private sealed class SameInstance : IEqualityComparer<Finding>
    {
        public static readonly SameInstance Comparer = new();

        public bool Equals(Finding? x, Finding? y) => ReferenceEquals(x, y);

        public int GetHashCode(Finding obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }

    /// <summary>One received request while it runs: its lease, job token, log lines and write-ahead undo records.</summary>
    private sealed class RequestState : IDisposable
    {
        private int lost;

        public RequestState(LeasedRequest lease, DateTimeOffset started, Action<WorkerLogLevel, string> log, CancellationToken abort)
        {
            Lease = lease;
            Started = started;
            Job = CancellationTokenSource.CreateLinkedTokenSource(abort);
            Reporter = new CollectingReporter(new List<string>(), log);
        }

        public LeasedRequest Lease { get; }

        public DateTimeOffset Started { get; }

        /// <summary>Cancelled when the lease is lost (or the worker aborts).</summary>
        public CancellationTokenSource Job { get; }

        public CancellationTokenSource ExtendStop { get; } = new();

        public Task? Extender { get; set; }

        public CollectingReporter Reporter { get; }

        public List<RemediationUndoRecord> Applied { get; } = new();

        public bool LeaseLost => Volatile.Read(ref lost) == 1;

        public void LoseLease()
        {
            Interlocked.Exchange(ref lost, 1);
            Job.Cancel();
        }

        public async Task StopExtendingAsync()
        {
            ExtendStop.Cancel();
            if (Extender is { } extender)
            {
                await extender.ConfigureAwait(false);
            }
        }

        public void Dispose()
        {
            Job.Dispose();
            ExtendStop.Dispose();
        }
    }

    /// <summary>The engine's messages that belong to no one request (batched reads): the worker log, as information.</summary>
    private sealed class WorkerLogReporter : IRemediationReporter
    {
        private readonly Action<WorkerLogLevel, string> log;

        public WorkerLogReporter(Action<WorkerLogLevel, string> log) => this.log = log;

        public void Progress(RemediationProgress progress)
        {
        }

        public void Verbose(string message)
        {
            if (message.StartsWith(RemediationEngine.UnexpectedErrorPrefix, StringComparison.Ordinal))
            {
                log(WorkerLogLevel.Error, message);
            }
        }

        public void Warning(string message) => log(WorkerLogLevel.Warning, message);
    }
}
