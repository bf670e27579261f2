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
[Cmdlet(VerbsLifecycle.Start, "RemediationWorker", SupportsShouldProcess = true, DefaultParameterSetName = SecretSet)]
[OutputType(typeof(RemediationWorkerInfo))]
public sealed class StartRemediationWorkerCommand : AwsCmdletBase
{
    private const string SecretSet = "ClientSecret";
    private const string FileSet = "ClientSecretFile";
    private const string ParameterSet = "ClientSecretParameter";

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
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = SecretSet)]
    [ValidateNotNull]
    public SecureString? ClientSecret { get; set; }

    /// <summary>A file that holds only the client secret (a trailing newline is ignored), as a worker container reads it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientSecretFile { get; set; }

    /// <summary>An SSM Parameter Store SecureString (name or ARN) that holds the client secret, read with this session's AWS credentials.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ParameterSet)]
    [ValidateNotNullOrEmpty]
    public string? ClientSecretParameter { get; set; }

    /// <summary>How many requests the worker runs at once.</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int MaxJobs { get; set; } = 4;

    /// <summary>Stops the worker after this time; without it the worker runs until Ctrl+C.</summary>
    [Parameter]
    public TimeSpan StopAfter { get; set; }

    // Bound or not: the syntax shows a TimeSpan, not a Nullable.
    private TimeSpan? BoundStopAfter => MyInvocation.BoundParameters.ContainsKey(nameof(StopAfter)) ? StopAfter : null;

    /// <summary>Stops once the queue is empty and no job runs: drains the queue and returns (runbooks, pipelines).</summary>
    [Parameter]
    public SwitchParameter StopWhenIdle { get; set; }

    /// <summary>The store: local (default), local:&lt;folder&gt;, aws or aws:&lt;name&gt; (with this cmdlet's AWS parameters); else REMEDIATION_STORE.</summary>
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
            Store = Store,
            MaxConcurrency = MaxJobs,
            StopWhenIdle = StopWhenIdle,

            // Draining: an empty poll ends the run, so it need not wait long for work to arrive.
            PollWait = StopWhenIdle ? TimeSpan.FromSeconds(1) : new WorkerOptions().PollWait,
            Connection = GetConnectionOptions(),
        };
        var secretSource = ParameterSetName switch
        {
            FileSet => new ClientSecretSource(ClientSecretOrigin.File, SessionState.Path.GetUnresolvedProviderPathFromPSPath(ClientSecretFile), "-ClientSecretFile"),
            ParameterSet => new ClientSecretSource(ClientSecretOrigin.Parameter, ClientSecretParameter!, "-ClientSecretParameter"),
            _ => new ClientSecretSource(ClientSecretOrigin.Value, new NetworkCredential(string.Empty, ClientSecret).Password, "-ClientSecret"),
        };

        try
        {
            RemediationWorkerInfo? info = RunOnPipeline(async (dispatcher, cancellationToken) =>
            {
                options.ClientSecret = await WorkerClientSecret.ReadAsync(secretSource, options.Connection, null, cancellationToken).ConfigureAwait(false);
                IRemediationStore store = await StoreFactory.CreateAsync(Store, new StoreAwsSettings { Connection = options.Connection }, cancellationToken).ConfigureAwait(false);
                try
                {
                    var worker = new RemediationWorker(options, store, (level, line) => dispatcher.Post(() => Log(level, line)));
                    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    if (BoundStopAfter is { } after)
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
                }
                finally
                {
                    (store as IDisposable)?.Dispose();
                }
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
        catch (ArgumentException ex) when (secretSource.Origin != ClientSecretOrigin.Value)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.ClientSecretUnavailable, ErrorCategory.InvalidArgument, secretSource.Value));
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
