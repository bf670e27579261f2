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

    /// <summary>Queues one request per finding; returns the request IDs in finding order.</summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, null, RangeMode.Split, null, null, cancellationToken);

    /// <summary>
    /// Queues one request per finding, to run <paramref name="jobId"/> (null: the job of each finding's rule) with
    /// <paramref name="rangeMode"/>. Throws <see cref="RemediationStoreException"/> with <see cref="StoreError.AccountNotInGroup"/>
    /// naming the finding and account when a finding's account is not in the group; nothing is queued then.
    /// </summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, string? jobId, RangeMode rangeMode, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, jobId, rangeMode, null, null, cancellationToken);

    /// <summary>Queues one request per finding, as the other overload, with the KMS key of <c>-KmsKeyId</c> (null = SSE-S3).</summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, string? jobId, RangeMode rangeMode, string? kmsKeyId, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, jobId, rangeMode, kmsKeyId, null, cancellationToken);

    /// <summary>
    /// Queues one request per finding, as the other overloads, with the KMS key of <c>-KmsKeyId</c> (null = SSE-S3) and the
    /// logging bucket prefix of <c>-LoggingBucketPrefix</c> (null = the default).
    /// </summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, string? jobId, RangeMode rangeMode, string? kmsKeyId, string? loggingBucketPrefix, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, jobId, rangeMode, kmsKeyId, loggingBucketPrefix, null, cancellationToken);

    /// <summary>
    /// Queues one request per finding, as the other overloads, with the password policy targets of <c>-MinimumLength</c>
    /// and <c>-ReusePrevention</c> (null = the defaults).
    /// </summary>
    public Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, string? jobId, RangeMode rangeMode, string? kmsKeyId, string? loggingBucketPrefix, PasswordPolicyTargets? passwordPolicy, CancellationToken cancellationToken = default)
        => EnqueueAsync(group, findings, jobId, rangeMode, kmsKeyId, loggingBucketPrefix, passwordPolicy, null, cancellationToken);

    /// <summary>
    /// Queues one request per finding, as the other overloads, with the backup retention of <c>-RetentionDays</c>
    /// (null = the default).
    /// </summary>
    public async Task<IReadOnlyList<string>> EnqueueAsync(RemediationWorkerGroup group, IReadOnlyList<Finding> findings, string? jobId, RangeMode rangeMode, string? kmsKeyId, string? loggingBucketPrefix, PasswordPolicyTargets? passwordPolicy, int? backupRetentionDays, CancellationToken cancellationToken = default)
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
        var requests = findings.Select(f => new QueuedRequest
        {
            Id = QueuedRequest.NewId(),
            WorkerGroup = group.Name,
            Finding = f,
            JobId = jobId,
            RangeMode = rangeMode,
            KmsKeyId = kmsKeyId,
            LoggingBucketPrefix = loggingBucketPrefix,
            MinimumPasswordLength = passwordPolicy?.MinimumLength,
            PasswordReusePrevention = passwordPolicy?.ReusePrevention,
            BackupRetentionDays = backupRetentionDays,
            Enqueued = now,
        }).ToList();
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

/// <summary>The password policy targets a queued request carries (<c>-MinimumLength</c>, <c>-ReusePrevention</c>).</summary>
internal sealed class PasswordPolicyTargets
{
    /// <summary>Creates the targets.</summary>
    public PasswordPolicyTargets(int minimumLength, int reusePrevention)
    {
        MinimumLength = minimumLength;
        ReusePrevention = reusePrevention;
    }

    /// <summary>The minimum password length.</summary>
    public int MinimumLength { get; }

    /// <summary>How many previous passwords cannot be reused.</summary>
    public int ReusePrevention { get; }
}
