using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Workers;

/// <summary>
/// Sends findings to a worker group (<c>Invoke-Remediation -WorkerGroup</c>) and waits for their runs. A finding whose
/// account is not in the group refuses the whole batch: nothing is queued.
/// </summary>
internal sealed class WorkerGroupDispatcher
{
    private readonly IRemediationStore store;
    private readonly Func<DateTimeOffset> clock;

    /// <summary>Creates the dispatcher over <paramref name="store"/>.</summary>
    public WorkerGroupDispatcher(IRemediationStore store, Func<DateTimeOffset>? clock = null)
    {
        this.store = store ?? throw new ArgumentNullException(nameof(store));
        this.clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    /// <summary>How often <see cref="WaitAsync"/> looks for finished runs.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Queues one request per finding, each to run the job of its rule with the default options; returns the request IDs in finding order.</summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, null, cancellationToken);

    /// <summary>
    /// Queues one request per finding with the job options of <paramref name="options"/> (null = the defaults): the job
    /// (<c>-Job</c>; null = each finding's rule), <c>-RangeMode</c>, <c>-KmsKeyId</c>, <c>-LoggingBucketPrefix</c>,
    /// <c>-MinimumLength</c>, <c>-ReusePrevention</c> and <c>-RetentionDays</c>, which the worker runs them with. Returns the
    /// request IDs in finding order. Throws <see cref="RemediationStoreException"/> with
    /// <see cref="StoreError.AccountNotInGroup"/> naming the finding and account when a finding's account is not in the
    /// group; nothing is queued then.
    /// </summary>
    public async Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, RemediationOptions? options, CancellationToken cancellationToken = default)
    {
        if (group is null)
        {
            throw new ArgumentNullException(nameof(group));
        }

        if (findings is null)
        {
            throw new ArgumentNullException(nameof(findings));
        }

        foreach (var finding in findings)
        {
            if (finding is null)
            {
                throw new ArgumentException("A finding is null.", nameof(findings));
            }

            if (group.FindAccount(finding.AccountId) is null)
            {
                throw new RemediationStoreException(
                    StoreError.AccountNotInGroup,
                    "Finding " + (finding.FindingId ?? finding.ResourceId) + " is in account '" + (finding.AccountId ?? "(none)") + "', which is not in worker group '" + group.Name +
                    "' (accounts: " + string.Join(", ", group.CloudAccounts.Select(a => a.AccountId)) + "); nothing was queued. Add the account with Add-RemediationCloudAccount.")
                {
                    Target = finding,
                };
            }
        }

        var now = clock();
        var requests = findings.Select(f => QueuedJobOptions.Write(options, new QueuedRequest
        {
            Id = QueuedRequest.NewId(),
            WorkerGroup = group.Name,
            Finding = f,
            Enqueued = now,
        })).ToList();
        await store.EnqueueAsync(group.Name, requests, cancellationToken).ConfigureAwait(false);
        return requests.Select(r => r.Id).ToList();
    }

    /// <summary>
    /// Waits for the final run of every request (Completed or DeadLettered), reporting each to <paramref name="progress"/>
    /// as soon as it is found. Returns the runs found, in the order they were found; when <paramref name="timeout"/> passes
    /// first, the requests still running are missing from the list.
    /// </summary>
    public async Task<IReadOnlyList<RemediationRun>> WaitAsync(string group, IReadOnlyList<string> requestIds, IProgress<RemediationRun>? progress, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        if (requestIds is null)
        {
            throw new ArgumentNullException(nameof(requestIds));
        }

        var pending = new List<string>(requestIds.Distinct(StringComparer.Ordinal));
        var finished = new List<RemediationRun>();
        var deadline = timeout is null ? (DateTimeOffset?)null : clock() + timeout.Value;
        while (true)
        {
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                var run = await store.GetFinalRunAsync(group, pending[i], cancellationToken).ConfigureAwait(false);
                if (run is not null)
                {
                    pending.RemoveAt(i);
                    finished.Add(run);
                    progress?.Report(run);
                }
            }

            if (pending.Count == 0 || (deadline is not null && clock() >= deadline))
            {
                return finished;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }
}
