using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>A store that passes every call to another, with seams to fail or refuse chosen calls (faults a real store can have).</summary>
internal sealed class DelegatingStore : IRemediationStore
{
    private readonly IRemediationStore inner;

    public DelegatingStore(IRemediationStore inner) => this.inner = inner;

    /// <summary>Replaces CompleteAsync; null passes through.</summary>
    public Func<LeasedRequest, RemediationRun, Task<bool>>? OnComplete { get; set; }

    /// <summary>Called after each FailAsync with the status it recorded.</summary>
    public Action<RemediationRunStatus>? AfterFail { get; set; }

    /// <summary>Called after each SaveWorkerAsync (a heartbeat) with what was saved.</summary>
    public Action<RemediationWorkerInfo>? AfterSaveWorker { get; set; }

    /// <summary>Replaces ReceiveAsync; null passes through.</summary>
    public Func<Task<IReadOnlyList<LeasedRequest>>>? OnReceive { get; set; }

    /// <summary>Replaces ExtendLeaseAsync; null passes through.</summary>
    public Func<LeasedRequest, Task<bool>>? OnExtend { get; set; }

    public string Description => inner.Description;

    public int MaxAttempts => inner.MaxAttempts;

    public Task<WorkerGroupRecord?> GetGroupAsync(string name, CancellationToken cancellationToken) => inner.GetGroupAsync(name, cancellationToken);

    public Task<IReadOnlyList<WorkerGroupRecord>> ListGroupsAsync(CancellationToken cancellationToken) => inner.ListGroupsAsync(cancellationToken);

    public Task<WorkerGroupRecord> CreateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken) => inner.CreateGroupAsync(group, cancellationToken);

    public Task<WorkerGroupRecord> UpdateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken) => inner.UpdateGroupAsync(group, cancellationToken);

    public Task<bool> DeleteGroupAsync(string name, CancellationToken cancellationToken) => inner.DeleteGroupAsync(name, cancellationToken);

    public Task EnqueueAsync(string group, IReadOnlyList<QueuedRequest> requests, CancellationToken cancellationToken) => inner.EnqueueAsync(group, requests, cancellationToken);

    public Task<IReadOnlyList<LeasedRequest>> ReceiveAsync(string group, string workerId, int maxCount, TimeSpan lease, TimeSpan wait, CancellationToken cancellationToken)
        => OnReceive is { } receive ? receive() : inner.ReceiveAsync(group, workerId, maxCount, lease, wait, cancellationToken);

    public Task<bool> ExtendLeaseAsync(LeasedRequest request, TimeSpan lease, CancellationToken cancellationToken)
        => OnExtend?.Invoke(request) ?? inner.ExtendLeaseAsync(request, lease, cancellationToken);

    public Task<bool> CompleteAsync(LeasedRequest request, RemediationRun run, CancellationToken cancellationToken)
        => OnComplete?.Invoke(request, run) ?? inner.CompleteAsync(request, run, cancellationToken);

    public async Task<RemediationRunStatus> FailAsync(LeasedRequest request, RemediationRun run, TimeSpan retryDelay, CancellationToken cancellationToken)
    {
        var status = await inner.FailAsync(request, run, retryDelay, cancellationToken);
        AfterFail?.Invoke(status);
        return status;
    }

    public Task RecordAppliedAsync(LeasedRequest request, RemediationUndoRecord undoRecord, CancellationToken cancellationToken)
        => inner.RecordAppliedAsync(request, undoRecord, cancellationToken);

    public Task<IReadOnlyList<QueuedRequest>> ListDeadLettersAsync(string group, CancellationToken cancellationToken) => inner.ListDeadLettersAsync(group, cancellationToken);

    public Task<QueueCounts> CountAsync(string group, CancellationToken cancellationToken) => inner.CountAsync(group, cancellationToken);

    public async Task SaveWorkerAsync(RemediationWorkerInfo worker, CancellationToken cancellationToken)
    {
        await inner.SaveWorkerAsync(worker, cancellationToken);
        AfterSaveWorker?.Invoke(worker);
    }

    public Task<IReadOnlyList<RemediationWorkerInfo>> ListWorkersAsync(string? group, DateTimeOffset now, CancellationToken cancellationToken) => inner.ListWorkersAsync(group, now, cancellationToken);

    public Task<RemediationRun?> GetFinalRunAsync(string group, string requestId, CancellationToken cancellationToken) => inner.GetFinalRunAsync(group, requestId, cancellationToken);

    public Task RecordRunAsync(RemediationRun run, CancellationToken cancellationToken) => inner.RecordRunAsync(run, cancellationToken);

    public Task<IReadOnlyList<RemediationRun>> GetRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.GetRunsAsync(query, cancellationToken);
}
