using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Changes a worker group's description or whether its workers may run disruptive jobs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "RemediationWorkerGroup", SupportsShouldProcess = true)]
[OutputType(typeof(RemediationWorkerGroup))]
public sealed class SetRemediationWorkerGroupCommand : StoreCmdletBase
{
    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("WorkerGroup")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>The new description.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>Whether the group's workers may run disruptive jobs (-AllowDisruptive:$false forbids them).</summary>
    [Parameter]
    public SwitchParameter AllowDisruptive { get; set; }

    /// <summary>Writes the changed group.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Applies the change to one group.</summary>
    protected override void ProcessRecord()
    {
        bool? allowDisruptive = MyInvocation.BoundParameters.ContainsKey(nameof(AllowDisruptive)) ? AllowDisruptive.IsPresent : null;
        if (Description is null && allowDisruptive is null)
        {
            WriteWarning("Nothing to change: give -Description or -AllowDisruptive.");
            return;
        }

        string change = string.Join(", ", new[]
        {
            Description is null ? null : $"description '{Description}'",
            allowDisruptive is null ? null : allowDisruptive.Value ? "allow disruptive jobs" : "forbid disruptive jobs",
        }.Where(c => c is not null));
        if (!ShouldProcess(Name, "Set " + change))
        {
            return;
        }

        try
        {
            RemediationWorkerGroup group = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).SetAsync(Name, Description, allowDisruptive, cancellationToken));
            if (PassThru)
            {
                WriteObject(group);
            }
        }
        catch (RemediationStoreException ex)
        {
            WriteError(StoreErrors.ToErrorRecord(ex));
        }
    }
}
