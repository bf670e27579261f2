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

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            try
            {
                using AwsClientFactory factory = await RoleCmdletSupport.CreateFactoryAsync(GetConnectionOptions(), reporter, cancellationToken).ConfigureAwait(false);
                var service = new AccountRoleService(await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false), factory.Connection.Region);
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
