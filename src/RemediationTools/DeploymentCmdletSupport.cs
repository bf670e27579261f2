using System.Management.Automation;
using RemediationTools.Core.Engine;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Deployment;
using RemediationTools.Core.Stores;

namespace RemediationTools;

/// <summary>What Deploy-, Update- and Remove-RemediationWorker share: the store selection, the service, the error mapping.</summary>
internal static class DeploymentCmdletSupport
{
    /// <summary>How long -Wait waits when no -Timeout is given.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The AWS store the workers use: -Store, else REMEDIATION_STORE when it names an AWS store, else <c>aws</c>.
    /// Throws <see cref="ArgumentException"/> when -Store names another store: workers on EC2 cannot share a local folder.
    /// </summary>
    public static string AwsStore(string? given)
    {
        if (given is not null)
        {
            return StoreFactory.IsAws(given)
                ? given
                : throw new ArgumentException("-Store '" + given + "' is not an AWS store (aws or aws:<name>): workers on EC2 use the AWS store.", nameof(given));
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(StoreFactory.StoreVariable);
        return fromEnvironment is not null && StoreFactory.IsAws(fromEnvironment) ? fromEnvironment : "aws";
    }

    /// <summary>
    /// The error record of an unusable invocation (a -Timeout that is not positive, a -Store that is not an AWS store),
    /// or null; <paramref name="awsStore"/> is the AWS store to use (<see cref="AwsStore"/>).
    /// </summary>
    public static ErrorRecord? CheckInvocation(string? store, TimeSpan? timeout, out string awsStore)
    {
        awsStore = string.Empty;
        if (timeout is { } given && given <= TimeSpan.Zero)
        {
            return new ErrorRecord(new ArgumentException("-Timeout " + given + " must be positive."), ErrorIds.WorkerDeploymentInvalid, ErrorCategory.InvalidArgument, given);
        }

        try
        {
            awsStore = AwsStore(store);
            return null;
        }
        catch (ArgumentException ex)
        {
            return new ErrorRecord(ex, ErrorIds.WorkerDeploymentInvalid, ErrorCategory.InvalidArgument, store);
        }
    }

    /// <summary>Runs <paramref name="work"/> with a deployment service over the caller's (hosting account's) credentials.</summary>
    public static async Task<T> WithServiceAsync<T>(
        AwsConnectionOptions options, IRemediationStore? store, PipelineReporter reporter, Func<WorkerDeploymentService, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        using AwsClientFactory factory = await RoleCmdletSupport.CreateFactoryAsync(options, reporter, cancellationToken).ConfigureAwait(false);
        IAwsClients clients = await factory.ForAccountAsync(null, cancellationToken).ConfigureAwait(false);
        var service = new WorkerDeploymentService(clients, factory.Connection.Region, store) { Reporter = reporter };
        return await work(service, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The error record of a failed deployment step, or null for an exception that is not ours to map.</summary>
    public static ErrorRecord? ToErrorRecord(Exception exception, object? target) => exception switch
    {
        RemediationStoreException store => StoreErrors.ToErrorRecord(store),
        ArgumentException invalid => new ErrorRecord(UserMessages.ForUser(invalid), ErrorIds.WorkerDeploymentInvalid, ErrorCategory.InvalidArgument, target),
        InvalidOperationException failed => new ErrorRecord(failed, ErrorIds.WorkerDeploymentFailed, ErrorCategory.InvalidOperation, target),
        AmazonServiceException aws => new ErrorRecord(
            new InvalidOperationException("AWS refused a call (" + aws.ErrorCode + "): " + aws.Message, aws),
            ErrorIds.AwsCallFailed,
            aws.ErrorCode is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation" ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidOperation,
            target),
        AmazonClientException client => new ErrorRecord(client, ErrorIds.AwsCallFailed, ErrorCategory.ConnectionError, target),
        _ => null,
    };
}
