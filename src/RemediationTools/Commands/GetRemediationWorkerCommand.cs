using System.Management.Automation;
using System.Runtime.CompilerServices;
using RemediationTools.Completers;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Shows each worker of a group: host, version, heartbeat, health and jobs done, and on the AWS store the state of its EC2 instance.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationWorker")]
[OutputType(typeof(RemediationWorkerInfo))]
public sealed class GetRemediationWorkerCommand : StoreCmdletBase
{
    private const int ProgressActivityId = 0x5253;

    /// <summary>The worker group; all groups when omitted.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string? WorkerGroup { get; set; }

    /// <summary>Only workers in this state.</summary>
    [Parameter]
    public RemediationWorkerState? State { get; set; }

    /// <summary>Writes the workers.</summary>
    protected override void ProcessRecord()
    {
        try
        {
            IReadOnlyList<RemediationWorkerInfo>? workers = RunOnStore(async (store, dispatcher, cancellationToken) =>
            {
                if (WorkerGroup is not null && await store.GetGroupAsync(WorkerGroup, cancellationToken).ConfigureAwait(false) is null)
                {
                    return null;
                }

                IReadOnlyList<RemediationWorkerInfo> reported = await store.ListWorkersAsync(WorkerGroup, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
                if (!StoreFactory.IsAws(Store ?? Environment.GetEnvironmentVariable(StoreFactory.StoreVariable)))
                {
                    return reported;
                }

                // Workers on EC2 use the AWS store: join their heartbeats with the instances of the hosting account.
                return await JoinWithInstancesAsync(store, dispatcher, reported, cancellationToken).ConfigureAwait(false);
            });
            if (workers is null)
            {
                WriteError(StoreErrors.ToErrorRecord(new RemediationStoreException(StoreError.GroupNotFound, $"There is no worker group named '{WorkerGroup}'.") { Target = WorkerGroup }));
                return;
            }

            WriteObject(workers.Where(w => State is null || w.State == State), enumerateCollection: true);
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }

    // Its own method, never inlined: the AWSSDK types in its exception filter make the runtime load AWSSDK.Core when
    // this code is compiled, and the local store never needs the AWS SDK.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<IReadOnlyList<RemediationWorkerInfo>> JoinWithInstancesAsync(
        IRemediationStore store, PipelineDispatcher dispatcher, IReadOnlyList<RemediationWorkerInfo> reported, CancellationToken cancellationToken)
    {
        try
        {
            return await DeploymentCmdletSupport.WithServiceAsync(
                GetConnectionOptions(),
                store,
                new PipelineReporter(this, dispatcher, ProgressActivityId),
                (service, token) => service.JoinAsync(WorkerGroup, reported, token),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Amazon.Runtime.AmazonServiceException or Amazon.Runtime.AmazonClientException)
        {
            string code = ex is Amazon.Runtime.AmazonServiceException service ? service.ErrorCode + ": " : string.Empty;
            string warning = "The workers' EC2 instances could not be read (" + code + ex.Message + "); InstanceState is not shown.";
            dispatcher.Post(() => WriteWarning(warning));
            return reported;
        }
    }
}
