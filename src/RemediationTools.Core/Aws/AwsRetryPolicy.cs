using System.Net;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws;

/// <summary>
/// Retries a call on throttling, 5xx answers and network failures with capped, fully jittered exponential
/// backoff; never on other 4xx answers. SDK clients get the same limits through their own retry settings.
/// </summary>
internal sealed class AwsRetryPolicy
{
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "ProvisionedThroughputExceededException",
        "TransactionInProgressException",
        "RequestLimitExceeded",
        "BandwidthLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "PriorRequestNotComplete",
        "EC2ThrottledException",
    };

    private readonly Func<TimeSpan, CancellationToken, Task> delay;
    private readonly Random random;

    public AwsRetryPolicy(
        int maxErrorRetry,
        TimeSpan? baseDelay = null,
        TimeSpan? maxDelay = null,
        Func<TimeSpan, CancellationToken, Task>? delay = null,
        Random? random = null)
    {
        if (maxErrorRetry < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxErrorRetry), "MaxErrorRetry cannot be negative.");
        }

        MaxErrorRetry = maxErrorRetry;
        BaseDelay = baseDelay ?? TimeSpan.FromMilliseconds(100);
        MaxDelay = maxDelay ?? TimeSpan.FromSeconds(20);
        this.delay = delay ?? Task.Delay;
        this.random = random ?? new Random();
    }

    /// <summary>Retries after the first attempt.</summary>
    public int MaxErrorRetry { get; }

    /// <summary>Backoff before the first retry (before jitter).</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>Upper bound of one backoff.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Whether an AWS error code means throttling.</summary>
    public static bool IsThrottlingCode(string? errorCode) => errorCode is not null && ThrottlingCodes.Contains(errorCode);

    /// <summary>Whether a failed attempt may be retried: throttling, 5xx, network failure or timeout; not a 4xx nor our own cancellation.</summary>
    public static bool IsRetryable(Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case AmazonServiceException service:
                var status = (int)service.StatusCode;
                return IsThrottlingCode(service.ErrorCode)
                    || service.StatusCode == (HttpStatusCode)429
                    || status >= 500
                    || (status == 0 && service.InnerException is HttpRequestException or IOException);
            case OperationCanceledException:
                // A timeout of HttpClient looks like a cancellation that nobody asked for.
                return !cancellationToken.IsCancellationRequested;
            case HttpRequestException:
            case IOException:
                return true;
            default:
                return false;
        }
    }

    /// <summary>Runs the operation, retrying retryable failures up to <see cref="MaxErrorRetry"/> times.</summary>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        for (var retry = 0; ; retry++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return await operation(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (retry < MaxErrorRetry && IsRetryable(ex, cancellationToken))
            {
                await delay(DelayBeforeRetry(retry), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Full jitter: a random wait between zero and min(MaxDelay, BaseDelay · 2^retry).</summary>
    public TimeSpan DelayBeforeRetry(int retry)
    {
        var ceiling = Math.Min(MaxDelay.TotalMilliseconds, BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(retry, 30)));
        double fraction;
        lock (random)
        {
            fraction = random.NextDouble();
        }

        return TimeSpan.FromMilliseconds(ceiling * fraction);
    }
}
