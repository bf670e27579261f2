namespace RemediationTools.Core.Stores;

/// <summary>
/// Where worker groups, their request queues, workers and run records live. Every method is safe
/// to call from several threads and several processes at once.
/// </summary>
internal interface IRemediationStore
{
    /// <summary>What the store is, for messages (<c>local:&lt;folder&gt;</c>); never holds a secret.</summary>
    string Description { get; }

    /// <summary>How many times a request is delivered before it goes to the dead-letter area.</summary>
    int MaxAttempts { get; }

    /// <summary>The group named <paramref name="name"/> (any casing), or null.</summary>
    Task<WorkerGroupRecord?> GetGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every group, by name.</summary>
    Task<IReadOnlyList<WorkerGroupRecord>> ListGroupsAsync(CancellationToken cancellationToken);

    /// <summary>Creates a group at version 1; <see cref="StoreError.GroupExists"/> when the name is taken.</summary>
    Task<WorkerGroupRecord> CreateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces a group. <see cref="WorkerGroupRecord.Version"/> must be the stored version (the one it was read at),
    /// else <see cref="StoreError.ConcurrencyConflict"/> and nothing changes. Returns the record at its new version.
    /// </summary>
    Task<WorkerGroupRecord> UpdateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken);

    /// <summary>Deletes a group with its queue, workers and runs; false when there was no such group.</summary>
    Task<bool> DeleteGroupAsync(string name, CancellationToken cancellationToken);

    /// <summary>Queues requests for the group's workers; each is durable when this returns.</summary>
    Task EnqueueAsync(string group, IReadOnlyList<QueuedRequest> requests, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="maxCount"/> requests for <paramref name="lease"/>, waiting up to
    /// <paramref name="wait"/> for one to arrive (long poll). A claimed request is invisible to other receivers until its
    /// lease expires; expired leases of other workers go back to the queue (or to the dead-letter area after the last attempt).
    /// </summary>
    Task<IReadOnlyList<LeasedRequest>> ReceiveAsync(string group, string workerId, int maxCount, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken);

    /// <summary>Extends a lease from now; false when the lease was lost (it expired and the request went back to the queue).</summary>
    Task<bool> ExtendLeaseAsync(LeasedRequest request, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>
    /// Records the final run of a request and removes the request from the queue. False when the request already had a
    /// final run (another delivery finished first): the given run is then not recorded.
    /// </summary>
    Task<bool> CompleteAsync(LeasedRequest request, RemediationRun run, CancellationToken cancellationToken);

    /// <summary>
    /// Records a failed attempt and puts the request back in the queue, visible after <paramref name="retryDelay"/>; after
    /// the last attempt it goes to the dead-letter area with a final <see cref="RemediationRunStatus.DeadLettered"/> run.
    /// Returns the status recorded.
    /// </summary>
    Task<RemediationRunStatus> FailAsync(LeasedRequest request, RemediationRun run, TimeSpan retryDelay, CancellationToken cancellationToken);

    /// <summary>
    /// Records, before a worker makes a request's changes, the undo record of those changes (write-ahead): every later
    /// delivery of the request carries it in <see cref="QueuedRequest.Applied"/>, so a worker killed between its AWS calls
    /// and its record leaves an exact undo record behind. Removed with the request when it completes.
    /// </summary>
    Task RecordAppliedAsync(LeasedRequest request, RemediationUndoRecord undoRecord, CancellationToken cancellationToken);

    /// <summary>The requests in the group's dead-letter area.</summary>
    Task<IReadOnlyList<QueuedRequest>> ListDeadLettersAsync(string group, CancellationToken cancellationToken);

    /// <summary>How many requests wait, are leased, and are dead-lettered.</summary>
    Task<QueueCounts> CountAsync(string group, CancellationToken cancellationToken);

    /// <summary>Writes a worker's registration or heartbeat.</summary>
    Task SaveWorkerAsync(RemediationWorkerInfo worker, CancellationToken cancellationToken);

    /// <summary>The workers of a group (null: of every group), with their state judged at <paramref name="now"/>.</summary>
    Task<IReadOnlyList<RemediationWorkerInfo>> ListWorkersAsync(string? group, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The final run of a request (Completed or DeadLettered), or null while it has none.</summary>
    Task<RemediationRun?> GetFinalRunAsync(string group, string requestId, CancellationToken cancellationToken);

    /// <summary>Records a run (a failed attempt or a final record) as is.</summary>
    Task RecordRunAsync(RemediationRun run, CancellationToken cancellationToken);

    /// <summary>The runs matching <paramref name="query"/>, oldest first.</summary>
    Task<IReadOnlyList<RemediationRun>> GetRunsAsync(RunQuery query, CancellationToken cancellationToken);
}

/// <summary>A group as stored: the public view plus the client secret's hash. Only the store and the group service see the hash.</summary>
internal sealed class WorkerGroupRecord
{
    /// <summary>The group's public fields.</summary>
    public RemediationWorkerGroup Group { get; set; } = new();

    /// <summary>The client secret's PBKDF2 hash (<see cref="ClientSecretHasher"/> format).</summary>
    public string SecretHash { get; set; } = string.Empty;

    /// <summary>The stored version (1 at creation, one more at each update).</summary>
    public long Version { get; set; }
}

/// <summary>A remediation request in a group's queue.</summary>
internal sealed class QueuedRequest
{
    /// <summary>The request's ID (32 hex digits).</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>The worker group.</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The finding to remediate.</summary>
    public Finding Finding { get; set; } = new();

    /// <summary>Run this job whatever the finding's rule (<c>-Job</c>); null to choose by rule ID.</summary>
    public string? JobId { get; set; }

    /// <summary>How port closers treat a range that merely contains the port.</summary>
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>The KMS key for <c>s3-enable-default-encryption</c> (<c>-KmsKeyId</c>); null = SSE-S3.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The logging bucket prefix of the access logging jobs (<c>-LoggingBucketPrefix</c>); null = the default.</summary>
    public string? LoggingBucketPrefix { get; set; }

    /// <summary>The minimum password length of <c>aws-iam-password-policy-min-length</c> (<c>-MinimumLength</c>); null = the default.</summary>
    public int? MinimumPasswordLength { get; set; }

    /// <summary>The reuse prevention of <c>aws-iam-password-reuse-prevention</c> (<c>-ReusePrevention</c>); null = the default.</summary>
    public int? PasswordReusePrevention { get; set; }

    /// <summary>The backup retention of <c>rds-backup-retention-30-days</c> (<c>-RetentionDays</c>); null = the default.</summary>
    public int? BackupRetentionDays { get; set; }

    /// <summary>When it was queued (UTC).</summary>
    public DateTimeOffset Enqueued { get; set; }

    /// <summary>The attempts made so far (set by the store).</summary>
    public int Attempts { get; set; }

    /// <summary>
    /// The undo records of changes earlier deliveries started to make (<see cref="IRemediationStore.RecordAppliedAsync"/>),
    /// oldest first; set by the store on delivery, empty on the first.
    /// </summary>
    public List<RemediationUndoRecord> Applied { get; set; } = new();

    /// <summary>A new request ID.</summary>
    public static string NewId() => Guid.NewGuid().ToString("N");
}

/// <summary>A request claimed by a worker, with its lease.</summary>
internal sealed class LeasedRequest
{
    /// <summary>Creates the lease.</summary>
    public LeasedRequest(QueuedRequest request, string workerId, int attempt, DateTimeOffset leaseExpires, string leaseToken)
    {
        Request = request;
        WorkerId = workerId;
        Attempt = attempt;
        LeaseExpires = leaseExpires;
        LeaseToken = leaseToken;
    }

    /// <summary>The request.</summary>
    public QueuedRequest Request { get; }

    /// <summary>The worker holding the lease.</summary>
    public string WorkerId { get; }

    /// <summary>Which delivery this is (1 for the first).</summary>
    public int Attempt { get; }

    /// <summary>When the lease runs out unless extended.</summary>
    public DateTimeOffset LeaseExpires { get; internal set; }

    /// <summary>When the worker claimed the request (this attempt's start); extending the lease keeps it.</summary>
    public DateTimeOffset Claimed { get; internal set; } = DateTimeOffset.UtcNow;

    /// <summary>The store's handle of the lease (a file name for the local store); changes when the lease is extended.</summary>
    internal string LeaseToken { get; set; }
}

/// <summary>What a group's queue holds.</summary>
internal sealed class QueueCounts
{
    /// <summary>Requests waiting to be claimed.</summary>
    public int Waiting { get; set; }

    /// <summary>Requests claimed by a worker.</summary>
    public int Leased { get; set; }

    /// <summary>Requests in the dead-letter area.</summary>
    public int DeadLettered { get; set; }
}

/// <summary>Which runs to return; every criterion given must match.</summary>
internal sealed class RunQuery
{
    /// <summary>The worker group (required).</summary>
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>Only this run ID or request ID.</summary>
    public string? Id { get; set; }

    /// <summary>Only runs with this status.</summary>
    public RemediationRunStatus? Status { get; set; }

    /// <summary>Only runs with one of these statuses; null or empty for any.</summary>
    public IReadOnlyCollection<RemediationRunStatus>? Statuses { get; set; }

    /// <summary>Only runs that finished at or after this time.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>Only final records (Completed or DeadLettered), not failed attempts.</summary>
    public bool FinalOnly { get; set; }

    /// <summary>
    /// Also the requests still in the queue, as runs with status <see cref="RemediationRunStatus.Queued"/> or
    /// <see cref="RemediationRunStatus.Running"/> (after the records; <see cref="Since"/> compares their queue time).
    /// </summary>
    public bool IncludePending { get; set; }

    /// <summary>Whether <paramref name="run"/> (a record or a pending request) matches the query's ID, status and time.</summary>
    public bool Matches(RemediationRun run)
    {
        var pending = run.Status is RemediationRunStatus.Queued or RemediationRunStatus.Running;
        return (Id is null || run.Id == Id || run.RequestId == Id)
            && (Status is null || run.Status == Status)
            && (Statuses is not { Count: > 0 } || Statuses.Contains(run.Status))
            && (Since is null || (pending ? run.Enqueued : run.Finished) >= Since)
            && (!FinalOnly || run.Status is RemediationRunStatus.Completed or RemediationRunStatus.DeadLettered)
            && (IncludePending || !pending);
    }
}
