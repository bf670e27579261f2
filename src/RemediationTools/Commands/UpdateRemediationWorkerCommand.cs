using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Deployment;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Rolls a group's EC2 workers onto a new image: launches replacements, waits until they are Healthy, then terminates the old instances.</para>
/// </summary>
[Cmdlet(VerbsData.Update, "RemediationWorker", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(RemediationWorkerDeployment))]
public sealed class UpdateRemediationWorkerCommand : StoreCmdletBase
{
    private const int ProgressActivityId = 0x5251;

    /// <summary>The worker group whose instances are replaced.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName", "Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The new worker image.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string ImageUri { get; set; } = string.Empty;

    /// <summary>
    /// The group's client secret, after Reset-RemediationWorkerGroupSecret: written to the workers' SSM parameter before the
    /// replacements start (the old workers keep the secret they read at start until they are terminated).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public System.Security.SecureString? ClientSecret { get; set; }

    /// <summary>How long to wait for the replacements to report Healthy (default 10 minutes).</summary>
    [Parameter]
    public TimeSpan Timeout { get; set; } = DeploymentCmdletSupport.DefaultTimeout;

    // Bound or not: the syntax shows a TimeSpan, not a Nullable.
    private TimeSpan? BoundTimeout => MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null;

    /// <summary>Updates one group.</summary>
    protected override void ProcessRecord()
    {
        if (DeploymentCmdletSupport.CheckInvocation(Store, BoundTimeout, out string awsStore) is { } invalid)
        {
            ThrowTerminatingError(invalid);
        }

        Store = awsStore;

        RunOnStore((store, dispatcher, cancellationToken) => DeploymentCmdletSupport.WithServiceAsync(
            GetConnectionOptions(),
            store,
            new PipelineReporter(this, dispatcher, ProgressActivityId),
            async (service, token) =>
            {
                try
                {
                    string? secret = ClientSecret is null ? null : new System.Net.NetworkCredential(string.Empty, ClientSecret).Password;
                    WorkerUpdatePlan plan = await service.PlanUpdateAsync(WorkerGroup, ImageUri, token, secret).ConfigureAwait(false);
                    string action = "replace " + string.Join(", ", plan.Current.Select(c => c.InstanceId + " (" + c.ImageUri + ")")) + " with " + plan.Current.Count + " worker(s) on " + plan.Image.Value +
                        ", terminating the old ones once the new ones are Healthy" + (secret is null ? string.Empty : "; first write the new client secret to " + string.Join(", ", plan.Launches.Select(l => l.SecretParameter).Distinct(StringComparer.Ordinal)));
                    if (!await dispatcher.InvokeAsync(() => ShouldProcess("worker group " + plan.GroupName, action)).ConfigureAwait(false))
                    {
                        return false;
                    }

                    WorkerUpdateOutcome outcome = await service.UpdateAsync(plan, BoundTimeout ?? DeploymentCmdletSupport.DefaultTimeout, token).ConfigureAwait(false);
                    if (outcome.FailureReason is { } reason)
                    {
                        var record = new ErrorRecord(new TimeoutException(reason), ErrorIds.WorkerNotHealthy, ErrorCategory.OperationTimeout, plan.GroupName);
                        dispatcher.Post(() => WriteError(record));
                        return true;
                    }

                    foreach (RemediationWorkerDeployment old in outcome.Replaced)
                    {
                        string line = "Terminated " + old.InstanceId + " (" + old.ImageUri + "): " + old.State;
                        dispatcher.Post(() => WriteVerbose(line));
                    }

                    dispatcher.Post(() => WriteObject(outcome.Replacements, enumerateCollection: true));
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
