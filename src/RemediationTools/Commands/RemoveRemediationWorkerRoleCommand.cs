using System.Management.Automation;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Removes the workers' EC2 role: out of its instance profile, the instance profile, the inline policies, then the role.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RemediationWorkerRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRemediationWorkerRoleCommand : AwsCmdletBase
{
    private const int ProgressActivityId = 0x524A;

    /// <summary>The role's name; binds New-RemediationWorkerRole output by RoleName.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string RoleName { get; set; } = RoleNames.DefaultWorkerRoleName;

    /// <summary>Asks ShouldProcess for the role, then deletes it and what IAM requires deleted first.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(RoleName, "Remove the role, its inline policies and its instance profile"))
        {
            return;
        }

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            try
            {
                using AwsClientFactory factory = await RoleCmdletSupport.CreateFactoryAsync(GetConnectionOptions(), reporter, cancellationToken).ConfigureAwait(false);
                var service = new WorkerRoleService(await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false), factory.Connection.Region);
                if (!await service.RemoveAsync(RoleName, cancellationToken).ConfigureAwait(false))
                {
                    var record = new ErrorRecord(new ItemNotFoundException($"The role '{RoleName}' does not exist."), ErrorIds.RoleNotFound, ErrorCategory.ObjectNotFound, RoleName);
                    dispatcher.Post(() => WriteError(record));
                }
            }
            catch (Exception ex) when (RoleCmdletSupport.ToErrorRecord(ex, RoleName) is { } record)
            {
                dispatcher.Post(() => WriteError(record));
            }

            return true;
        });
    }
}
