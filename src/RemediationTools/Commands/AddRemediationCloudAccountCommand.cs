using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Adds cloud accounts (role ARN and external ID) to a worker group.</para>
/// </summary>
[Cmdlet(VerbsCommon.Add, "RemediationCloudAccount", SupportsShouldProcess = true)]
[OutputType(typeof(RemediationWorkerGroup))]
public sealed class AddRemediationCloudAccountCommand : StoreCmdletBase
{
    private readonly List<RemediationCloudAccount> _accounts = new();

    /// <summary>The group's name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The account role's ARN; binds from New-RemediationAccountRole output.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>The external ID the role's trust policy requires.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ExternalId { get; set; } = string.Empty;

    /// <summary>Writes the changed group.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Collects one account.</summary>
    protected override void ProcessRecord()
    {
        RemediationCloudAccount? account = CloudAccounts.FromRoleArn(RoleArn, ExternalId);
        if (account is null)
        {
            WriteError(new ErrorRecord(
                new ArgumentException($"'{RoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)."),
                ErrorIds.CloudAccountInvalid, ErrorCategory.InvalidArgument, RoleArn));
            return;
        }

        _accounts.Add(account);
    }

    /// <summary>Adds every collected account in one change of the group.</summary>
    protected override void EndProcessing()
    {
        if (_accounts.Count == 0 || !ShouldProcess(WorkerGroup, "Add cloud account(s) " + string.Join(", ", _accounts.Select(a => a.AccountId))))
        {
            return;
        }

        try
        {
            RemediationWorkerGroup group = RunOnStore((store, cancellationToken) =>
                new WorkerGroupService(store).AddAccountsAsync(WorkerGroup, _accounts, cancellationToken));
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
