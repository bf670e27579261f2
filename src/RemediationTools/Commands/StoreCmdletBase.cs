using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// The plumbing of the cmdlets that only read or change the store of worker groups, queues, workers and runs:
/// the -Store parameter, the AWS parameters of the AWS store, cancellation on Ctrl+C and the one blocking point.
/// A sibling of <see cref="AwsCmdletBase"/>, not a level below it: the AWS parameters here choose how to reach the
/// AWS store, and are refused with the local store, which needs none.
/// </summary>
public abstract class StoreCmdletBase : PSCmdlet, IDisposable
{
    private readonly CmdletAsyncRunner _runner = new();
    private IRemediationStore? _store;
    private bool _disposed;

    /// <summary>The store: local (default, REMEDIATION_HOME or a per-user folder), local:&lt;folder&gt;, aws or aws:&lt;name&gt;; else REMEDIATION_STORE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>The AWS store only: the name of an AWS credentials profile.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ProfileName { get; set; }

    /// <summary>The AWS store only: the region of the table and queues.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>The AWS store only: the AWS access key ID.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AccessKey { get; set; }

    /// <summary>The AWS store only: the AWS secret access key.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretKey { get; set; }

    /// <summary>The AWS store only: the session token of temporary credentials.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionToken { get; set; }

    /// <summary>The AWS store only: an AWS credentials object, such as AWS Tools' Get-AWSCredential output.</summary>
    [Parameter]
    [ValidateNotNull]
    public object? Credential { get; set; }

    /// <summary>The AWS store only: a custom endpoint URL for SQS and DynamoDB.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    /// <summary>Cancels the running work.</summary>
    protected override void StopProcessing() => _runner.Cancel();

    /// <summary>
    /// Runs Core work against the store chosen by -Store (or REMEDIATION_STORE), opened once per invocation; store
    /// failures are thrown as RemediationStoreException, an unusable store or AWS connection terminates.
    /// </summary>
    private protected T RunOnStore<T>(Func<IRemediationStore, CancellationToken, Task<T>> work)
    {
        try
        {
            IRemediationStore store = _store ??= OpenStore();
            return _runner.Run((_, cancellationToken) => work(store, cancellationToken));
        }
        catch (RemediationStoreException ex) when (ex.Error == StoreError.StoreNotAvailable)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
            throw; // unreachable: ThrowTerminatingError always throws
        }
        catch (AwsConfigurationException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.AwsConfigurationInvalid, ErrorCategory.InvalidArgument, ProfileName ?? Region));
            throw; // unreachable: ThrowTerminatingError always throws
        }
    }

    private IRemediationStore OpenStore()
    {
        if (StoreFactory.IsAws(Store))
        {
            var settings = new StoreAwsSettings
            {
                Connection = new AwsConnectionOptions
                {
                    ProfileName = ProfileName,
                    Region = Region,
                    AccessKey = AccessKey,
                    SecretKey = SecretKey,
                    SessionToken = SessionToken,
                    Credential = Unwrap(Credential),
                    EndpointUrl = EndpointUrl,
                    StoredCredentials = Unwrap(SessionState.PSVariable.GetValue("StoredAWSCredentials")),
                    StoredRegion = Unwrap(SessionState.PSVariable.GetValue("StoredAWSRegion")),
                },
            };
            return _runner.Run((_, cancellationToken) => StoreFactory.CreateAsync(Store, settings, cancellationToken));
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

    /// <summary>Disposes the cancellation source and the store.</summary>
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
            (_store as IDisposable)?.Dispose();
        }

        _disposed = true;
    }

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
