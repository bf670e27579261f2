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

        RunOnPipeline((dispatcher, cancellationToken) => RoleCmdletSupport.RemoveRoleAsync(
            this,
            dispatcher,
            GetConnectionOptions(),
            RoleName,
            ProgressActivityId,
            (clients, region, token) => new WorkerRoleService(clients, region).RemoveAsync(RoleName, token),
            cancellationToken));
    }
}
