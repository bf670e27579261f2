using System.Management.Automation;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Removes the role remediation workers assume in a cloud account: its inline policies first, then the role.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RemediationAccountRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemoveRemediationAccountRoleCommand : AwsCmdletBase
{
    private const int ProgressActivityId = 0x5249;

    /// <summary>The role's name; binds New-RemediationAccountRole output by RoleName.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string RoleName { get; set; } = RoleNames.DefaultAccountRoleName;

    /// <summary>Asks ShouldProcess for the role, then deletes it and what IAM requires deleted first.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(RoleName, "Remove the role and its inline policies"))
        {
            return;
        }

        RunOnPipeline((dispatcher, cancellationToken) => RoleCmdletSupport.RemoveRoleAsync(
            this,
            dispatcher,
            GetConnectionOptions(),
            RoleName,
            ProgressActivityId,
            (clients, region, token) => new AccountRoleService(clients, region).RemoveAsync(RoleName, token),
            cancellationToken));
    }
}
