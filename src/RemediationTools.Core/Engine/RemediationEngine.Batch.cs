using System.Diagnostics;
using System.Globalization;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Engine;

/// <summary>Many findings as one batch: grouped by account and region, bounded concurrency, shared reads, a change limit.</summary>
internal sealed partial class RemediationEngine
{
    private const string BatchActivity = "Remediating findings";

    // Server-side failures worth another attempt once the client's own retries gave up (throttling is matched separately).
    private static readonly HashSet<string> TransientErrorCodes = new(StringComparer.Ordinal)
    {
        "InternalError",
        "InternalFailure",
        "ServiceUnavailable",
        "Unavailable",
        "RequestTimeout",
        "RequestTimeoutException",
        FailureTranslator.NetworkError,
    };

    // A mutating call that found the resource no longer as planned: another finding on a shared resource (two instances
    // behind one security group) changed it first. Planning again from a fresh read gives the right answer.
    private static readonly HashSet<string> StalePlanErrorCodes = new(StringComparer.Ordinal)
    {
        "InvalidPermission.NotFound",
        "InvalidPermission.Duplicate",
        Jobs.S3.WholeDocumentGuard.StalePlanErrorCode,
    };

    /// <summary>
    /// Runs findings as one batch. Findings are grouped by account and region; the groups run side by side, and within
    /// a group at most <see cref="RemediationOptions.ThrottleLimit"/> findings run at once (findings on the same
    /// resource one after the other, in input order). The findings of a group share one <see cref="JobReadCache"/>,
    /// which jobs that implement <see cref="IBatchPrefetchingJob"/> fill with batched describe calls up front; the
    /// account's credentials come from the client factory, which assumes each role once. <paramref name="confirm"/>
    /// is asked once per finding with changes (it may set <see cref="RemediationPlan.DryRun"/> to mark a WhatIf);
    /// <paramref name="completed"/> receives each result, with the finding's input index, as soon as it is known.
    /// Returns the results in input order. In the overload with <c>findingTokens</c>, each finding's own token
    /// replaces <paramref name="cancellationToken"/> for it (link it to that token): a finding cancelled by its own token
    /// (a worker that lost the request's lease) stops where it is and gets no result (null at its index), the others go on.
    /// </summary>
    public Task<IReadOnlyList<RemediationResult>> RunBatchAsync(
        IReadOnlyList<Finding> findings,
        RemediationOptions options,
        Func<RemediationPlan, Task<bool>>? confirm,
        Action<int, RemediationResult>? completed,
        CancellationToken cancellationToken = default)
        => RunBatchAsync(findings, options, confirm, completed, null, cancellationToken);

    /// <summary>Runs findings as one batch, each with its own cancellation token (see the other overload).</summary>
    public async Task<IReadOnlyList<RemediationResult>> RunBatchAsync(
        IReadOnlyList<Finding> findings,
        RemediationOptions options,
        Func<RemediationPlan, Task<bool>>? confirm,
        Action<int, RemediationResult>? completed,
        IReadOnlyList<CancellationToken>? findingTokens,
        CancellationToken cancellationToken)
    {
        if (findings is null)
        {
            throw new ArgumentNullException(nameof(findings));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (options.ThrottleLimit < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.ThrottleLimit, "ThrottleLimit must be at least 1.");
        }

        if (findingTokens is not null && findingTokens.Count != findings.Count)
        {
            throw new ArgumentException("One token per finding: " + findingTokens.Count.ToString(CultureInfo.InvariantCulture) + " tokens for " +
                findings.Count.ToString(CultureInfo.InvariantCulture) + " findings.", nameof(findingTokens));
        }

        if (options.MaxChanges < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxChanges, "MaxChanges cannot be negative.");
        }

        var results = new RemediationResult[findings.Count];
        var batch = new BatchState(options.MaxChanges);
        var done = 0;
        void Report(int index, RemediationResult result)
        {
            results[index] = result;
            var finished = Interlocked.Increment(ref done);
            reporter.Progress(new RemediationProgress(
                BatchActivity,
                string.Format(CultureInfo.InvariantCulture, "{0} of {1} done; last: {2} {3}", finished, findings.Count, result.Status, findings[index]),
                finished * 100 / Math.Max(1, findings.Count),
                completed: false));
            completed?.Invoke(index, result);
        }

        try
        {
            reporter.Progress(new RemediationProgress(
                BatchActivity,
                string.Format(CultureInfo.InvariantCulture, "0 of {0} done", findings.Count),
                0,
                completed: false));
            var groups = findings
                .Select((finding, index) => new BatchItem(finding, index, findingTokens?[index] ?? cancellationToken))
                .GroupBy(item => (Account: item.Finding.AccountId ?? string.Empty, item.Finding.Region))
                .Select(group => RunGroupAsync(group.ToList(), options, confirm, batch, Report, cancellationToken))
                .ToList();
            await Task.WhenAll(groups).ConfigureAwait(false);
        }
        finally
        {
            reporter.Progress(new RemediationProgress(BatchActivity, "Done", 100, completed: true));
        }

        return results;
    }

    /// <summary>
    /// True when a failed result is worth another delivery (a worker puts the request back in the queue): throttling,
    /// 5xx and network errors, a plan made stale by a concurrent change, resources that kept changing. Access denied,
    /// invalid resources and unexpected errors are final.
    /// </summary>
    internal static bool IsRetryable(RemediationResult result)
        => result is not null && result.Status == RemediationStatus.Failed && !result.Unexpected && IsRetryable(result.ErrorCode);

    /// <summary>True when an error code (from AWS, or one of the engine's transient ones) is worth another delivery.</summary>
    internal static bool IsRetryable(string? errorCode)
        => IsTransient(errorCode) || (errorCode is not null && (StalePlanErrorCodes.Contains(errorCode) || errorCode == FailureTranslator.ResourceBusy));

    /// <summary>True when an error code means a transient server-side failure (throttling, 5xx).</summary>
    internal static bool IsTransient(string? errorCode)
        => errorCode is not null && (AwsRetryPolicy.IsThrottlingCode(errorCode) || TransientErrorCodes.Contains(errorCode));

    private async Task RunGroupAsync(
        List<BatchItem> items,
        RemediationOptions options,
        Func<RemediationPlan, Task<bool>>? confirm,
        BatchState batch,
        Action<int, RemediationResult> report,
        CancellationToken cancellationToken)
    {
        var cache = NewCache();
        await PrefetchAsync(items, options, cache, batch, cancellationToken).ConfigureAwait(false);

        using var gate = new SemaphoreSlim(options.ThrottleLimit);

        // Verifications read their resources in batches across the findings that run at once.
        var scope = new BatchReadScope();
        cache.Scope = scope;

        // First every finding is planned, from the state before this batch changes anything (mostly from the batched
        // reads), so a finding that another finding of the batch fixes first is known to have been open: it plans
        // again under the lock on the shared resource and says who fixed it, instead of depending on timing.
        var plans = await Task.WhenAll(items.Select(async item =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await PlanCoreAsync(item.Finding, options, cache, item.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (item.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                return null;
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        // Then one lane per resource: two findings on the same resource run one after the other, in input order.
        // Findings on different resources that touch a shared one (a group behind two instances) are serialised by
        // the engine's resource locks in ApplyAsync.
        var lanes = items
            .Select((item, position) => (Item: item, Plan: plans[position]))
            .GroupBy(x => x.Item.Finding.ResourceId, StringComparer.Ordinal)
            .Select(lane => RunLaneAsync(lane.ToList(), options, cache, confirm, batch, gate, scope, report, cancellationToken))
            .ToList();
        await Task.WhenAll(lanes).ConfigureAwait(false);
    }

    private async Task RunLaneAsync(
        List<(BatchItem Item, RemediationPlan? Plan)> lane,
        RemediationOptions options,
        JobReadCache cache,
        Func<RemediationPlan, Task<bool>>? confirm,
        BatchState batch,
        SemaphoreSlim gate,
        BatchReadScope scope,
        Action<int, RemediationResult> report,
        CancellationToken cancellationToken)
    {
        foreach (var (item, plan) in lane)
        {
            if (plan is null || item.Token.IsCancellationRequested)
            {
                continue;
            }

            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            scope.Enter();
            RemediationResult result;
            try
            {
                result = await RunInBatchAsync(item.Finding, plan, options, cache, confirm, batch, item.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (item.Token.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // This finding alone was cancelled (its worker lost the lease): no result, the batch goes on.
                continue;
            }
            finally
            {
                scope.Leave();
                gate.Release();
            }

            report(item.Index, result);
        }
    }

    private async Task PrefetchAsync(List<BatchItem> items, RemediationOptions options, JobReadCache cache, BatchState batch, CancellationToken cancellationToken)
    {
        var byJob = items
            .Select(item => (item.Finding, Job: catalog.Resolve(item.Finding, options.JobId)))
            .Where(x => x.Job is IBatchPrefetchingJob && !x.Finding.ReportedCompliant && (!x.Job.Info.Disruptive || options.AllowDisruptive))
            .GroupBy(x => x.Job!)
            .ToList();
        if (byJob.Count == 0 || batch.LimitReached)
        {
            return;
        }

        var first = items[0].Finding;
        IAwsClients clients;
        try
        {
            clients = await clientFactory.ForAccountAsync(options.RoleFor(first.AccountId), cancellationToken).ConfigureAwait(false);
            if (first.AccountId is not null && first.AccountId != await clients.AccountIdAsync(cancellationToken).ConfigureAwait(false))
            {
                // Credentials of another account read nothing; each finding fails with AccountMismatch.
                return;
            }
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Each finding asks again and reports the failure as its own result.
            return;
        }

        foreach (var group in byJob)
        {
            var contexts = group.Select(x => new JobContext(x.Finding, clients, options, reporter, cache)).ToList();
            try
            {
                reporter.Verbose(string.Format(
                    CultureInfo.InvariantCulture,
                    "Reading the resources of {0} finding(s) for {1} in account {2}, {3} in batches.",
                    contexts.Count,
                    group.Key.Info.Id,
                    first.AccountId ?? "of the caller",
                    first.Region));
                await ((IBatchPrefetchingJob)group.Key).PrefetchAsync(contexts, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                reporter.Verbose("The batched read for " + group.Key.Info.Id + " failed (" + ex.Message + "); the findings read one by one.");
            }
        }
    }

    private async Task<RemediationResult> RunInBatchAsync(
        Finding finding,
        RemediationPlan firstPlan,
        RemediationOptions options,
        JobReadCache cache,
        Func<RemediationPlan, Task<bool>>? confirm,
        BatchState batch,
        CancellationToken cancellationToken)
    {
        var reserved = false;
        var confirmed = false;
        RemediationResult? interrupted = null;
        for (var attempt = 1; ; attempt++)
        {
            if (!reserved && batch.LimitReached)
            {
                var unplanned = new RemediationPlan(finding, catalog.Resolve(finding, options.JobId), isUndo: false, DateTimeOffset.UtcNow, Stopwatch.StartNew()) { DryRun = options.DryRun };
                return Finish(unplanned, Result(unplanned, RemediationStatus.Skipped, batch.LimitReason + " This finding was not changed."));
            }

            var plan = attempt == 1 ? firstPlan : await PlanCoreAsync(finding, options, cache, cancellationToken).ConfigureAwait(false);
            if (plan.HasChanges)
            {
                if (!reserved)
                {
                    if (!batch.TryReserve())
                    {
                        var skipped = Result(plan, RemediationStatus.Skipped, batch.LimitReason + " The planned changes were not applied.");
                        skipped.Notes = plan.Notes;
                        return Finish(plan, skipped);
                    }

                    reserved = true;
                }

                if (!plan.DryRun && !confirmed && confirm is not null)
                {
                    if (!await confirm(plan).ConfigureAwait(false))
                    {
                        // A WhatIf (the callback marked the plan a dry run) counts toward MaxChanges, so that it shows
                        // what the real run would do; a declined confirmation does not.
                        if (!plan.DryRun)
                        {
                            batch.Release();
                        }

                        return Planned(plan, plan.DryRun ? "WhatIf: nothing was changed." : "Not applied: the change was not confirmed (WhatIf or Confirm).");
                    }

                    confirmed = true;
                }
            }
            else if (interrupted is not null && plan.Outcome?.Status == RemediationStatus.AlreadyCompliant)
            {
                // The earlier attempt's changes went through but its verification did not get an answer: the fresh
                // plan proves the finding is gone, so the earlier result (with its actions and undo record) stands.
                interrupted.Status = RemediationStatus.Remediated;
                interrupted.Reason = "Verified on attempt " + attempt.ToString(CultureInfo.InvariantCulture) + " after a transient error (" + interrupted.ErrorCode + ").";
                interrupted.ErrorCode = null;
                interrupted.MissingIamActions = Array.Empty<string>();
                interrupted.Elapsed = plan.Elapsed;
                return interrupted;
            }

            var result = await ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
            var stale = result.Status == RemediationStatus.Failed && result.ErrorCode is not null && StalePlanErrorCodes.Contains(result.ErrorCode) && plan.HasChanges;
            if (result.Status != RemediationStatus.Failed || !((IsTransient(result.ErrorCode) && !result.Unexpected) || stale) || attempt >= options.MaxFindingAttempts)
            {
                return result;
            }

            if (stale)
            {
                // The resource changed under the plan; nothing of this attempt is claimed, the fresh plan decides.
                cache.Clear();
            }
            else if (result.Actions.Count > 0 && !result.DryRun)
            {
                interrupted = result;
            }

            var delay = TimeSpan.FromMilliseconds(options.FindingRetryDelay.TotalMilliseconds * Math.Pow(2, attempt - 1) * (0.5 + Jitter()));
            reporter.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "{0}: {1} after the client's retries; planning again in {2:0} ms (attempt {3} of {4}).",
                finding,
                result.ErrorCode,
                delay.TotalMilliseconds,
                attempt + 1,
                options.MaxFindingAttempts));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

#pragma warning disable CA5394 // Backoff jitter, not security.
    private static double Jitter()
    {
        lock (JitterRandom)
        {
            return JitterRandom.NextDouble();
        }
    }

    private static readonly Random JitterRandom = new();
#pragma warning restore CA5394

    private readonly struct BatchItem
    {
        public BatchItem(Finding finding, int index, CancellationToken token)
        {
            Finding = finding;
            Index = index;
            Token = token;
        }

        public CancellationToken Token { get; }

        public Finding Finding { get; }

        public int Index { get; }
    }

    /// <summary>The batch-wide change count behind -MaxChanges.</summary>
    private sealed class BatchState
    {
        private readonly int? limit;
        private int reservedChanges;

        public BatchState(int? limit) => this.limit = limit;

        public bool LimitReached => limit is int max && Volatile.Read(ref reservedChanges) >= max;

        public string LimitReason => "-MaxChanges " + limit?.ToString(CultureInfo.InvariantCulture) + " reached: this run changes no more findings.";

        public bool TryReserve()
        {
            if (limit is not int max)
            {
                return true;
            }

            if (Interlocked.Increment(ref reservedChanges) <= max)
            {
                return true;
            }

            Interlocked.Decrement(ref reservedChanges);
            return false;
        }

        public void Release()
        {
            if (limit is not null)
            {
                Interlocked.Decrement(ref reservedChanges);
            }
        }
    }
}
