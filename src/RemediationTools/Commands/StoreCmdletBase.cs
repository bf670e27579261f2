using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// The plumbing of the cmdlets that only read or change the store of worker groups, queues, workers and runs: the
/// -Store parameter on top of <see cref="AwsCmdletBase"/>, whose AWS parameters here say how to reach the AWS store and
/// are refused with the local store, which needs none; the store opened once per invocation.
/// </summary>
public abstract class StoreCmdletBase : AwsCmdletBase
{
    private IRemediationStore? _store;

    /// <summary>The store: local (default, REMEDIATION_HOME or a per-user folder), local:&lt;folder&gt;, aws or aws:&lt;name&gt;; else REMEDIATION_STORE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>
    /// Runs Core work against the store chosen by -Store (or REMEDIATION_STORE), opened once per invocation; store
    /// failures are thrown as RemediationStoreException, an unusable store or AWS connection terminates.
    /// </summary>
    private protected T RunOnStore<T>(Func<IRemediationStore, CancellationToken, Task<T>> work) =>
        RunOnStore((store, _, cancellationToken) => work(store, cancellationToken));

    /// <summary>Runs <paramref name="work"/> on the store with the pipeline dispatcher (for progress, verbose text and ShouldProcess).</summary>
    private protected T RunOnStore<T>(Func<IRemediationStore, PipelineDispatcher, CancellationToken, Task<T>> work)
    {
        try
        {
            IRemediationStore store = _store ??= OpenStore();
            return RunOnPipeline((dispatcher, cancellationToken) => work(store, dispatcher, cancellationToken));
        }
        catch (RemediationStoreException ex) when (ex.Error == StoreError.StoreNotAvailable)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    private IRemediationStore OpenStore()
    {
        if (StoreFactory.IsAws(Store))
        {
            var settings = new StoreAwsSettings { Connection = GetConnectionOptions() };
            return RunOnPipeline((_, cancellationToken) => StoreFactory.CreateAsync(Store, settings, cancellationToken));
        }

        var given = new[] { nameof(ProfileName), nameof(Region), nameof(AccessKey), nameof(SecretKey), nameof(SessionToken), nameof(Credential), nameof(EndpointUrl) }
            .Where(MyInvocation.BoundParameters.ContainsKey)
            .ToList();
        IRemediationStore local = StoreFactory.Create(Store);
        if (given.Count > 0)
        {
            throw new RemediationStoreException(
                StoreError.StoreNotAvailable,
                "-" + string.Join(", -", given) + " apply to the AWS store only, and the store is " + local.Description +
                ". Use -Store aws (or aws:<name>), or leave the AWS parameters out.")
            {
                Target = given[0],
            };
        }

        if (local is LocalFolderStore { PermissionNote: { } note })
        {
            WriteWarning(note);
        }

        return local;
    }

    /// <summary>Disposes the store with the cancellation source.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            (_store as IDisposable)?.Dispose();
            _store = null;
        }

        base.Dispose(disposing);
    }
}
