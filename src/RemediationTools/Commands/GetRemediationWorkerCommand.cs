using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Shows each worker of a group: host, version, heartbeat, health and jobs done.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationWorker")]
[OutputType(typeof(RemediationWorkerInfo))]
public sealed class GetRemediationWorkerCommand : StoreCmdletBase
{
    /// <summary>The worker group; all groups when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string? WorkerGroup { get; set; }

    /// <summary>Only workers in this state.</summary>
    [Parameter]
    public RemediationWorkerState? State { get; set; }

    /// <summary>Writes the workers.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            IReadOnlyList<RemediationWorkerInfo>? workers = RunOnStore(async (store, cancellationToken) =>
                WorkerGroup is not null && await store.GetGroupAsync(WorkerGroup, cancellationToken).ConfigureAwait(false) is null
                    ? null
                    : await store.ListWorkersAsync(WorkerGroup, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false));
            if (workers is null)
            {
                WriteError(StoreErrors.ToErrorRecord(new RemediationStoreException(StoreError.GroupNotFound, $"There is no worker group named '{WorkerGroup}'.") { Target = WorkerGroup }));
                return;
            }

            WriteObject(workers.Where(w => State is null || w.State == State), enumerateCollection: true);
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }
}
