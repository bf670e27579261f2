using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Removes cloud accounts from a worker group; its workers stop fixing findings there.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RemediationCloudAccount", SupportsShouldProcess = true)]
[OutputType(typeof(RemediationWorkerGroup))]
public sealed class RemoveRemediationCloudAccountCommand : StoreCmdletBase
{
    private readonly List<string> _accountIds = new();

    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The 12-digit account IDs to remove.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidatePattern(@"^\d{12}$")]
    [ArgumentCompleter(typeof(CloudAccountCompleter))]
    public string[] AccountId { get; set; } = Array.Empty<string>();

    /// <summary>Writes the changed group.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Collects the account IDs.</summary>
    protected override void ProcessRecord() => _accountIds.AddRange(AccountId);

    /// <summary>Removes every collected account in one change; an unknown account changes nothing.</summary>
    protected override void EndProcessing()
    {
        if (_accountIds.Count == 0 || !ShouldProcess(WorkerGroup, "Remove cloud account(s) " + string.Join(", ", _accountIds)))
        {
            return;
        }

        try
        {
            RemediationWorkerGroup group = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).RemoveAccountsAsync(WorkerGroup, _accountIds, cancellationToken));
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
