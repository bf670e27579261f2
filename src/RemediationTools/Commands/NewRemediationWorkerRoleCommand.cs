using System.Collections;
using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Creates the EC2 role and instance profile of remediation workers in the hosting account, or brings them in line.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "RemediationWorkerRole", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RemediationWorkerRole))]
public sealed class NewRemediationWorkerRoleCommand : AwsCmdletBase
{
    private const int ProgressActivityId = 0x5247;
    private readonly List<string> _roleArns = new();

    /// <summary>ARNs of the account roles the worker may assume; binds New-RemediationAccountRole output by RoleArn.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? RoleArn { get; set; }

    /// <summary>Lets the worker assume any role (a wildcard resource); the account roles' trust policies remain the only limit.</summary>
    [Parameter]
    public SwitchParameter AllowAnyAccountRole { get; set; }

    /// <summary>The worker role's name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string RoleName { get; set; } = RoleNames.DefaultWorkerRoleName;

    /// <summary>The instance profile's name; the role name when omitted.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? InstanceProfileName { get; set; }

    /// <summary>Tags of the role and instance profile, as a hashtable.</summary>
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

    /// <summary>
    /// Worker groups on the AWS store whose workers use this role: adds exactly the SQS and DynamoDB actions a worker calls,
    /// on those groups' queues and their partition of the store's table (added to the groups the role already serves).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string[]? WorkerGroup { get; set; }

    /// <summary>The AWS store of -WorkerGroup: aws (installation RemediationTools, the default) or aws:&lt;name&gt;; in this account and region.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>ECR repositories the workers pull their image from (the role may pull from exactly these).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? EcrRepositoryArn { get; set; }

    /// <summary>Collects the account role ARNs of each pipeline item.</summary>
    protected override void ProcessRecord()
    {
        if (RoleArn is not null)
        {
            _roleArns.AddRange(RoleArn);
        }
    }

    /// <summary>Plans the role and profile for every ARN given, asks ShouldProcess, applies and writes the role.</summary>
    protected override void EndProcessing()
    {
        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            try
            {
                var request = new WorkerRoleRequest
                {
                    RoleName = RoleName,
                    InstanceProfileName = InstanceProfileName,
                    AccountRoleArns = _roleArns.Distinct(StringComparer.Ordinal).ToList(),
                    AllowAnyAccountRole = AllowAnyAccountRole,
                    Tags = RoleCmdletSupport.Tags(Tag),
                    Description = Description,
                    MaxSessionDuration = MaxSessionDuration,
                    WorkerGroups = WorkerGroup ?? Array.Empty<string>(),
                    EcrRepositoryArns = EcrRepositoryArn ?? Array.Empty<string>(),
                    StoreInstallation = Store is null ? null : WorkerGroupStorePolicy.InstallationOf(Store)
                        ?? throw new ArgumentException("-Store '" + Store + "' is not an AWS store (aws or aws:<name>): only workers on the AWS store need a store policy."),
                };
                using AwsClientFactory factory = await RoleCmdletSupport.CreateFactoryAsync(GetConnectionOptions(), reporter, cancellationToken).ConfigureAwait(false);
                var service = new WorkerRoleService(await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false), factory.Connection.Region);
                service.Warning += (_, text) => reporter.Warning(text);
                WorkerRolePlan plan = await service.PlanAsync(request, cancellationToken).ConfigureAwait(false);
                if (plan.Output.Status == RemediationRoleStatus.Unchanged)
                {
                    dispatcher.Post(() => WriteObject(plan.Output));
                    return true;
                }

                string action = string.Join("; ", plan.Role.Changes);
                bool confirmed = await dispatcher.InvokeAsync(() => ShouldProcess(plan.Output.RoleArn, action)).ConfigureAwait(false);
                if (confirmed)
                {
                    RemediationWorkerRole role = await service.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
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
