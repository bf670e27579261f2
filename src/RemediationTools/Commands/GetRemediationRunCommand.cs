using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the runs of a worker group: the recorded ones (result, actions, the job's log lines), then the requests still Queued or Running.</para>
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

    /// <summary>Only runs with one of these statuses: the recorded Completed, AttemptFailed, DeadLettered, or the Queued and Running requests.</summary>
    [Parameter]
    public RemediationRunStatus[] Status { get; set; } = Array.Empty<RemediationRunStatus>();

    /// <summary>Only runs finished at or after this time (Queued and Running requests: queued at or after it).</summary>
    [Parameter]
    public DateTime Since
    {
        get => since ?? default;
        set => since = value;
    }

    private DateTime? since;

    /// <summary>Writes the matching runs, oldest first.</summary>
    protected override void ProcessRecord()
    {
        var query = new RunQuery
        {
            WorkerGroup = WorkerGroup,
            Id = Id,
            Statuses = Status,
            Since = since is { } time ? new DateTimeOffset(time.ToUniversalTime()) : null,
            IncludePending = true,
        };
        try
        {
            IReadOnlyList<RemediationRun>? runs = RunOnStore(async (store, cancellationToken) =>
                await store.GetGroupAsync(WorkerGroup, cancellationToken).ConfigureAwait(false) is null
                    ? null
                    : await store.GetRunsAsync(query, cancellationToken).ConfigureAwait(false));
            if (runs is null)
            {
                WriteError(StoreErrors.ToErrorRecord(new RemediationStoreException(StoreError.GroupNotFound, $"There is no worker group named '{WorkerGroup}'.") { Target = WorkerGroup }));
                return;
            }

            if (runs.Count == 0 && Id is not null)
            {
                string filter = Status.Length == 0 && since is null ? string.Empty : " that matches -Status/-Since";
                WriteError(new ErrorRecord(new ItemNotFoundException($"Worker group '{WorkerGroup}' has no run '{Id}'{filter}."), ErrorIds.RunNotFound, ErrorCategory.ObjectNotFound, Id));
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
