using System.Management.Automation;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// The plumbing of the cmdlets that only read or change the store of worker groups, queues, workers and runs:
/// the -Store parameter, cancellation on Ctrl+C and the one blocking point. A sibling of
/// <see cref="AwsCmdletBase"/>, not a level below it: these cmdlets take no AWS parameters, because the local store
/// needs none.
/// </summary>
public abstract class StoreCmdletBase : PSCmdlet, IDisposable
{
    private readonly CmdletAsyncRunner _runner = new();
    private bool _disposed;

    /// <summary>The store: local (default, REMEDIATION_HOME or a per-user folder) or local:&lt;folder&gt;; else REMEDIATION_STORE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Cancels the running work.</summary>
    protected override void StopProcessing() => _runner.Cancel();

    /// <summary>Runs Core work against the store chosen by -Store (or REMEDIATION_STORE); store failures are thrown as RemediationStoreException.</summary>
    private protected T RunOnStore<T>(Func<IRemediationStore, CancellationToken, Task<T>> work)
    {
        try
        {
            IRemediationStore store = StoreFactory.Create(Store);
            if (store is LocalFolderStore { PermissionNote: { } note })
            {
                WriteWarning(note);
            }

            return _runner.Run((_, cancellationToken) => work(store, cancellationToken));
        }
        catch (RemediationStoreException ex) when (ex.Error == StoreError.StoreNotAvailable)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    /// <summary>Disposes the cancellation source.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes managed state.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            _runner.Dispose();
        }

        _disposed = true;
    }
}
