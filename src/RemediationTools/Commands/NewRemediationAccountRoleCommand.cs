using System.Collections;
using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Creates the role remediation workers assume in a cloud account, or brings an existing one in line.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "RemediationAccountRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = WorkerRoleSet)]
[OutputType(typeof(RemediationAccountRole))]
public sealed class NewRemediationAccountRoleCommand : AwsCmdletBase
{
    private const string WorkerRoleSet = "WorkerRole";
    private const string HostingAccountSet = "HostingAccount";
    private const int ProgressActivityId = 0x5246;

    /// <summary>The ARN of the worker role that may assume the role.</summary>
    [Parameter(Mandatory = true, ParameterSetName = WorkerRoleSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? WorkerRoleArn { get; set; }

    /// <summary>The hosting account trusted while the worker role does not exist yet.</summary>
    [Parameter(Mandatory = true, ParameterSetName = HostingAccountSet)]
    [ValidateNotNullOrEmpty]
    public string? HostingAccountId { get; set; }

    /// <summary>
    /// With -HostingAccountId: only roles of the hosting account whose name matches this pattern (wildcards * and ?)
    /// may assume the role (ArnLike aws:PrincipalArn).
    /// </summary>
    [Parameter(ParameterSetName = HostingAccountSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string? TrustedRoleName { get; set; }

    /// <summary>With -HostingAccountId: only principals of accounts in this organization may assume the role (aws:PrincipalOrgID).</summary>
    [Parameter(ParameterSetName = HostingAccountSet)]
    [ValidateNotNullOrEmpty]
    public string? OrganizationId { get; set; }

    /// <summary>The external ID the trust policy requires: the organization ID.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Job IDs (wildcards allowed) whose actions the role grants; every job when omitted.</summary>
    [Parameter]
    [Alias("Jobs")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[]? Job { get; set; }

    /// <summary>Also grants the actions only undoing the jobs' changes calls, so that Undo-Remediation works through the role.</summary>
    [Parameter]
    public SwitchParameter IncludeUndo { get; set; }

    /// <summary>The role's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string RoleName { get; set; } = RoleNames.DefaultAccountRoleName;

    /// <summary>Tags of the role, as a hashtable.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Tag { get; set; }

    /// <summary>The role's description.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Description { get; set; }

    /// <summary>The longest session, in seconds (3600 to 43200).</summary>
    [Parameter]
    [ValidateRange(3600, 43200)]
    public int MaxSessionDuration { get; set; } = 3600;

    /// <summary>Plans the role, asks ShouldProcess, applies the changes and writes the role.</summary>
    protected override void ProcessRecord()
    {
        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            try
            {
                var request = new AccountRoleRequest
                {
                    RoleName = RoleName,
                    WorkerRoleArn = WorkerRoleArn,
                    HostingAccountId = HostingAccountId,
                    TrustedRoleName = TrustedRoleName,
                    OrganizationId = OrganizationId,
                    ExternalId = ExternalId!,
                    Jobs = RoleCmdletSupport.SelectJobs(Job),
                    IncludeUndo = IncludeUndo.IsPresent,
                    Tags = RoleCmdletSupport.Tags(Tag),
                    Description = Description,
                    MaxSessionDuration = MaxSessionDuration,
                };
                using AwsClientFactory factory = await RoleCmdletSupport.CreateFactoryAsync(GetConnectionOptions(), reporter, cancellationToken).ConfigureAwait(false);
                var service = new AccountRoleService(await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false), factory.Connection.Region);
                AccountRolePlan plan = await service.PlanAsync(request, cancellationToken).ConfigureAwait(false);
                foreach (string warning in plan.Role.Warnings)
                {
                    reporter.Warning(warning);
                }

                if (plan.Output.Status == RemediationRoleStatus.Unchanged)
                {
                    dispatcher.Post(() => WriteObject(plan.Output));
                    return true;
                }

                string action = string.Join("; ", plan.Role.Changes);
                bool confirmed = await dispatcher.InvokeAsync(() => ShouldProcess(plan.Output.RoleArn, action)).ConfigureAwait(false);
                if (confirmed)
                {
                    RemediationAccountRole role = await service.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
                    dispatcher.Post(() => WriteObject(role));
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
