using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the recorded runs of a worker group: result, actions and the job's log lines.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationRun")]
[OutputType(typeof(RemediationRun))]
public sealed class GetRemediationRunCommand : StoreCmdletBase
{
    /// <summary>The worker group.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>A run ID or the request ID that Invoke-Remediation -WorkerGroup returned.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("RequestId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>Only runs with this status.</summary>
    [Parameter]
    public RemediationRunStatus? Status { get; set; }

    /// <summary>Only runs finished at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Writes the matching runs, oldest first.</summary>
    protected override void ProcessRecord()
    {
        var query = new RunQuery
        {
            WorkerGroup = WorkerGroup,
            Id = Id,
            Status = Status,
            Since = Since is { } since ? new DateTimeOffset(since.ToUniversalTime()) : null,
        };
        try
        {
            IReadOnlyList<RemediationRun> runs = RunOnStore((store, cancellationToken) => store.GetRunsAsync(query, cancellationToken));
            if (runs.Count == 0 && Id is not null)
            {
                WriteError(new ErrorRecord(new ItemNotFoundException($"Worker group '{WorkerGroup}' has no run '{Id}'."), ErrorIds.RunNotFound, ErrorCategory.ObjectNotFound, Id));
                return;
            }

            WriteObject(runs, enumerateCollection: true);
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }
}
