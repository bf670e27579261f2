using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Deployment;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Terminates a group's EC2 workers, or one by instance ID, and with -RemoveSecret deletes the group's secret parameter.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "RemediationWorker", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(RemediationWorkerDeployment))]
public sealed class RemoveRemediationWorkerCommand : StoreCmdletBase
{
    private const int ProgressActivityId = 0x5252;

    /// <summary>The worker group whose instances are terminated (all of them unless -InstanceId names some).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName", "Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string? WorkerGroup { get; set; }

    /// <summary>Only these worker instances (they must carry the remediation:worker-group tag).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? InstanceId { get; set; }

    /// <summary>Also deletes the group's client secret parameter, once no worker instance of the group is left.</summary>
    [Parameter]
    public SwitchParameter RemoveSecret { get; set; }

    /// <summary>Removes the workers of one input.</summary>
    protected override void ProcessRecord()
    {
        if (WorkerGroup is null && InstanceId is not { Length: > 0 })
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Name the workers to remove: -WorkerGroup, -InstanceId, or both."), ErrorIds.WorkerDeploymentInvalid, ErrorCategory.InvalidArgument, null));
        }

        if (DeploymentCmdletSupport.CheckInvocation(Store, null, out _) is { } invalid)
        {
            ThrowTerminatingError(invalid);
        }

        // Removing needs no store: the instances and the parameter are found in EC2 and SSM by their tags.
        RunOnPipeline((dispatcher, cancellationToken) => DeploymentCmdletSupport.WithServiceAsync(
            GetConnectionOptions(),
            null,
            new PipelineReporter(this, dispatcher, ProgressActivityId),
            async (service, token) =>
            {
                try
                {
                    IReadOnlyList<RemediationWorkerDeployment> targets = await service.FindAsync(WorkerGroup, InstanceId, token).ConfigureAwait(false);
                    var removed = new List<string>();
                    foreach (RemediationWorkerDeployment target in targets)
                    {
                        string description = target.InstanceId + " (worker group " + target.WorkerGroup + ", " + target.ImageUri + ")";
                        if (await dispatcher.InvokeAsync(() => ShouldProcess(description, "Terminate EC2 instance")).ConfigureAwait(false))
                        {
                            RemediationWorkerDeployment done = await service.TerminateAsync(target, token).ConfigureAwait(false);
                            removed.Add(done.InstanceId);
                            dispatcher.Post(() => WriteObject(done));
                        }
                    }

                    if (RemoveSecret)
                    {
                        await RemoveSecretsAsync(service, dispatcher, targets, removed, token).ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (DeploymentCmdletSupport.ToErrorRecord(ex, (object?)WorkerGroup ?? InstanceId) is { } record)
                {
                    dispatcher.Post(() => WriteError(record));
                }

                return true;
            },
            cancellationToken));
    }

    private async Task RemoveSecretsAsync(WorkerDeploymentService service, PipelineDispatcher dispatcher, IReadOnlyList<RemediationWorkerDeployment> targets, List<string> removed, CancellationToken cancellationToken)
    {
        var groups = targets.Select(t => t.WorkerGroup).Concat(WorkerGroup is null ? Array.Empty<string>() : new[] { WorkerGroup })
            .Where(g => g.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        foreach (string group in groups)
        {
            // Under -WhatIf nothing was terminated: judge as if the instances shown had been.
            IReadOnlyCollection<string> gone = MyInvocation.BoundParameters.ContainsKey("WhatIf") ? targets.Select(t => t.InstanceId).ToList() : removed;
            if (await service.OthersRemainAsync(group, gone, cancellationToken).ConfigureAwait(false))
            {
                string warning = "The client secret parameter of worker group " + group + " was kept: other worker instances of the group still use it.";
                dispatcher.Post(() => WriteWarning(warning));
                continue;
            }

            var parameters = targets.Where(t => string.Equals(t.WorkerGroup, group, StringComparison.OrdinalIgnoreCase) && t.ClientSecretParameter.Length > 0)
                .Select(t => t.ClientSecretParameter)
                .DefaultIfEmpty(WorkerDeploymentRequest.DefaultSecretParameter(group))
                .Distinct(StringComparer.Ordinal);
            foreach (string parameter in parameters)
            {
                if (await dispatcher.InvokeAsync(() => ShouldProcess(parameter, "Delete SSM parameter (the client secret of worker group " + group + ")")).ConfigureAwait(false)
                    && !await service.DeleteSecretAsync(parameter, cancellationToken).ConfigureAwait(false))
                {
                    string line = "The SSM parameter " + parameter + " did not exist.";
                    dispatcher.Post(() => WriteVerbose(line));
                }
            }
        }
    }
}
