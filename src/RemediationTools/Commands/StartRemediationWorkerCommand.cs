using System.Management.Automation;
using System.Net;
using System.Security;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Runs a remediation worker for a group in this PowerShell process until stopped.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Start, "RemediationWorker", SupportsShouldProcess = true)]
[OutputType(typeof(RemediationWorkerInfo))]
public sealed class StartRemediationWorkerCommand : AwsCmdletBase
{
    /// <summary>The worker group to join.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("GroupName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string WorkerGroup { get; set; } = string.Empty;

    /// <summary>The group's client ID.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The group's client secret.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>How many requests the worker runs at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int MaxJobs { get; set; } = 4;

    /// <summary>Stops the worker after this time; without it the worker runs until Ctrl+C.</summary>
    [Parameter]
    public TimeSpan? StopAfter { get; set; }

    /// <summary>The store: local (default), local:&lt;folder&gt;; else REMEDIATION_STORE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Runs the worker; Ctrl+C finishes the running jobs and stops it.</summary>
    protected override void ProcessRecord()
    {
        if (!ShouldProcess(WorkerGroup, "Start a remediation worker in this process"))
        {
            return;
        }

        var options = new WorkerOptions
        {
            GroupName = WorkerGroup,
            ClientId = ClientId,
            ClientSecret = new NetworkCredential(string.Empty, ClientSecret).Password,
            Store = Store,
            MaxConcurrency = MaxJobs,
            Connection = GetConnectionOptions(),
        };

        try
        {
            RemediationWorkerInfo? info = RunOnPipeline(async (dispatcher, cancellationToken) =>
            {
                IRemediationStore store = StoreFactory.Create(Store);
                var worker = new RemediationWorker(options, store, (level, line) => dispatcher.Post(() => Log(level, line)));
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                if (StopAfter is { } after)
                {
                    stop.CancelAfter(after);
                }

                WorkerExitReason reason = await worker.RunAsync(stop.Token).ConfigureAwait(false);
                if (reason == WorkerExitReason.CredentialsRevoked)
                {
                    dispatcher.Post(() => WriteWarning($"Worker {worker.WorkerId} stopped: the client secret of worker group '{WorkerGroup}' was reset."));
                }

                IReadOnlyList<RemediationWorkerInfo> workers = await store.ListWorkersAsync(WorkerGroup, DateTimeOffset.UtcNow, CancellationToken.None).ConfigureAwait(false);
                return workers.FirstOrDefault(w => w.WorkerId == worker.WorkerId);
            });
            if (info is not null)
            {
                WriteObject(info);
            }
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }

    private void Log(WorkerLogLevel level, string line)
    {
        switch (level)
        {
            case WorkerLogLevel.Error:
            case WorkerLogLevel.Warning:
                WriteWarning(line);
                break;
            default:
                WriteVerbose(line);
                break;
        }
    }
}
