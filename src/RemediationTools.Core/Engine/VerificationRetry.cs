using System.Globalization;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Engine;

/// <summary>
/// EC2 and most AWS APIs are eventually consistent: a describe right after a change may still show the old state.
/// A verification that fails is therefore read again with a short bounded backoff before the change
/// is called failed; a verification that succeeds returns at once. Jobs' verify reads go to AWS, never to the cache.
/// </summary>
internal static class VerificationRetry
{
    /// <summary>
    /// Runs <paramref name="verify"/>, and while it fails, again up to <see cref="RemediationOptions.VerifyRetries"/>
    /// times, waiting <see cref="RemediationOptions.VerifyRetryDelay"/> before the first re-read and twice as long before
    /// each further one. Returns the last verification. Exceptions from <paramref name="verify"/> are not retried here
    /// (the engine's attempts handle transient errors).
    /// </summary>
    public static async Task<JobVerification> RunAsync(Func<Task<JobVerification>> verify, RemediationOptions options, IRemediationReporter reporter, CancellationToken cancellationToken)
    {
        if (verify is null)
        {
            throw new ArgumentNullException(nameof(verify));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (reporter is null)
        {
            throw new ArgumentNullException(nameof(reporter));
        }

        var verification = await verify().ConfigureAwait(false);
        var delay = options.VerifyRetryDelay;
        for (var retry = 1; !verification.Succeeded && retry <= options.VerifyRetries; retry++)
        {
            reporter.Verbose(string.Format(
                CultureInfo.InvariantCulture,
                "Verification did not see the change yet ({0}); reading again in {1:0} ms (re-read {2} of {3}).",
                verification.Reason,
                delay.TotalMilliseconds,
                retry,
                options.VerifyRetries));
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(delay.Ticks * 2);
            verification = await verify().ConfigureAwait(false);
        }

        return verification;
    }
}
