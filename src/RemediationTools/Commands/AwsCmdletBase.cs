using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;

namespace RemediationTools.Commands;

/// <summary>
/// The shared plumbing of every cmdlet that calls AWS: the AWS Tools for PowerShell connection parameters,
/// credential resolution, cancellation on Ctrl+C, and the one place the cmdlet blocks on asynchronous Core work.
/// </summary>
public abstract class AwsCmdletBase : PSCmdlet, IDisposable
{
    private readonly CmdletAsyncRunner _runner = new();
    private bool _disposed;

    /// <summary>The name of an AWS credentials profile.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ProfileNameCompleter))]
    public string? ProfileName { get; set; }

    /// <summary>The AWS region of the caller's session.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>The AWS access key ID.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AccessKey { get; set; }

    /// <summary>The AWS secret access key.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SecretKey { get; set; }

    /// <summary>The session token of temporary credentials.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SessionToken { get; set; }

    /// <summary>AWS credentials: AWS Tools' Get-AWSCredential output, or a PSCredential of an access key ID and secret access key.</summary>
    [Parameter]
    [ValidateNotNull]
    [AwsCredentialTransformation]
    public AwsCredential? Credential { get; set; }

    /// <summary>A custom endpoint URL for every AWS service.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? EndpointUrl { get; set; }

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
    protected CancellationToken CancellationToken => _runner.Token;

    /// <summary>The connection settings as bound, with the session's stored AWS Tools values.</summary>
    protected AwsConnectionOptions GetConnectionOptions() => new()
    {
        ProfileName = ProfileName,
        Region = Region,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        SessionToken = SessionToken,
        Credential = Credential?.Value,
        EndpointUrl = EndpointUrl,
        StoredCredentials = Unwrap(SessionState.PSVariable.GetValue("StoredAWSCredentials")),
        StoredRegion = Unwrap(SessionState.PSVariable.GetValue("StoredAWSRegion")),
    };

    /// <summary>Cancels the running AWS work.</summary>
    protected override void StopProcessing() => _runner.Cancel();

    /// <summary>
    /// Runs asynchronous Core work and blocks the pipeline thread until it ends, while writing what the work
    /// posts (verbose text, progress, objects) on the pipeline thread. Configuration errors terminate.
    /// </summary>
    private protected T RunOnPipeline<T>(Func<PipelineDispatcher, CancellationToken, Task<T>> work)
    {
        try
        {
            return _runner.Run(work);
        }
        catch (AwsConfigurationException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.AwsConfigurationInvalid, ErrorCategory.InvalidArgument, ProfileName ?? Region));
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

    private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
}
