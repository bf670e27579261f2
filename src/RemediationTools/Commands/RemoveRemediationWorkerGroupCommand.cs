using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Deletes a worker group; its workers can no longer join it.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RemediationWorkerGroup", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRemediationWorkerGroupCommand : StoreCmdletBase
{
    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("WorkerGroup")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Deletes one group.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(Name, "Delete worker group"))
        {
            return;
        }

        try
        {
            bool removed = RunOnStore((store, cancellationToken) => new WorkerGroupService(store).RemoveAsync(Name, cancellationToken));
            if (!removed)
            {
                WriteError(StoreErrors.ToErrorRecord(new RemediationStoreException(StoreError.GroupNotFound, $"There is no worker group named '{Name}'.") { Target = Name }));
            }
        }
        catch (RemediationStoreException ex)
        {
            WriteError(StoreErrors.ToErrorRecord(ex));
        }
    }
}
