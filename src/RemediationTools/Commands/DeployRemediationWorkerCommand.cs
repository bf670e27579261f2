using System.Collections;
using System.Management.Automation;
using System.Net;
using System.Security;
using RemediationTools.Completers;
using RemediationTools.Core.Deployment;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Deploys workers of a group on EC2 in the hosting account: the secret in SSM, a security group without ingress, and instances that run the worker container.</para>
/// </summary>
// "Deploy" is an approved verb (Get-Verb) that PowerShellStandard.Library 5.1 has no constant for.
[Cmdlet("Deploy", "RemediationWorker", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RemediationWorkerDeployment))]
public sealed class DeployRemediationWorkerCommand : StoreCmdletBase
{
    private const int ProgressActivityId = 0x5250;

    /// <summary>The worker group (its name, or New-/Get-RemediationWorkerGroup output by pipeline).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName", "Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The group's client secret (binds from New-RemediationWorkerGroup output); written to SSM only.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>The worker image, e.g. an ECR repository URI with a tag.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ImageUri { get; set; } = string.Empty;

    /// <summary>The workers' instance profile (binds from New-RemediationWorkerRole output).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string InstanceProfileName { get; set; } = string.Empty;

    /// <summary>The subnet of the instances; default: a default subnet of the default VPC.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SubnetId { get; set; }

    /// <summary>The instance type; default t3.micro.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string InstanceType { get; set; } = WorkerDeploymentRequest.DefaultInstanceType;

    /// <summary>How many workers to launch.</summary>
    [Parameter]
    [ValidateRange(1, 20)]
    public int Count { get; set; } = 1;

    /// <summary>The SSM parameter for the secret; default /remediation/&lt;group&gt;/client-secret.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ClientSecretParameterName { get; set; }

    /// <summary>Tags for the instances, their volumes and the security group.</summary>
    [Parameter]
    [ValidateNotNull]
    public Hashtable? Tag { get; set; }

    /// <summary>Waits until every new worker's heartbeat is Healthy in the store.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>How long -Wait waits (default 10 minutes).</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = DeploymentCmdletSupport.DefaultTimeout;

    // Bound or not: the syntax shows a TimeSpan, not a Nullable.
    private TimeSpan? BoundTimeout => MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null;

    /// <summary>Deploys the workers of one group.</summary>
    protected override void ProcessRecord()
    {
        if (DeploymentCmdletSupport.CheckInvocation(Store, BoundTimeout, out string awsStore) is { } invalid)
        {
            ThrowTerminatingError(invalid);
        }

        Store = awsStore;

        var request = new WorkerDeploymentRequest
        {
            GroupName = WorkerGroup,
            ClientSecret = new NetworkCredential(string.Empty, ClientSecret).Password,
            ImageUri = ImageUri,
            InstanceProfileName = InstanceProfileName,
            SubnetId = SubnetId,
            InstanceType = InstanceType,
            Count = Count,
            Store = Store!,
            SecretParameterName = ClientSecretParameterName,
            Tags = RoleCmdletSupport.Tags(Tag) is { } tags ? new Dictionary<string, string>(tags, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
        };
        RunOnStore((store, dispatcher, cancellationToken) => DeploymentCmdletSupport.WithServiceAsync(
            GetConnectionOptions(),
            store,
            new PipelineReporter(this, dispatcher, ProgressActivityId),
            async (service, token) =>
            {
                try
                {
                    WorkerDeploymentPlan plan = await service.PlanDeployAsync(request, token).ConfigureAwait(false);
                    // One question for the deployment, naming every resource (-WhatIf lists them all).
                    string action = "Deploy " + plan.Launch.Count + " worker(s): " + string.Join("; ", plan.Resources);
                    if (!await dispatcher.InvokeAsync(() => ShouldProcess("worker group " + plan.Launch.GroupName, action)).ConfigureAwait(false))
                    {
                        return false;
                    }

                    IReadOnlyList<RemediationWorkerDeployment> deployed = await service.DeployAsync(plan, token).ConfigureAwait(false);
                    if (Wait)
                    {
                        IReadOnlyDictionary<string, string> notHealthy = await service.WaitHealthyAsync(plan.Launch.GroupName, deployed, BoundTimeout ?? DeploymentCmdletSupport.DefaultTimeout, token).ConfigureAwait(false);
                        foreach (KeyValuePair<string, string> failed in notHealthy)
                        {
                            var record = new ErrorRecord(
                                new TimeoutException("The worker on " + failed.Key + " is not Healthy: " + failed.Value + ". The instance keeps running; Get-RemediationWorker -WorkerGroup " + plan.Launch.GroupName + " shows it."),
                                ErrorIds.WorkerNotHealthy,
                                ErrorCategory.OperationTimeout,
                                failed.Key);
                            dispatcher.Post(() => WriteError(record));
                        }
                    }

                    dispatcher.Post(() => WriteObject(deployed, enumerateCollection: true));
                }
                catch (Exception ex) when (DeploymentCmdletSupport.ToErrorRecord(ex, WorkerGroup) is { } record)
                {
                    dispatcher.Post(() => WriteError(record));
                }

                return true;
            },
            cancellationToken));
    }
}
