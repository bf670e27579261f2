using RemediationTools.Core.Engine;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Workers;

/// <summary>
/// The job options a queued request carries from <c>Invoke-Remediation -WorkerGroup</c> to the worker that runs it
/// (<c>-Job</c>, <c>-RangeMode</c>, <c>-KmsKeyId</c>, <c>-LoggingBucketPrefix</c>, <c>-MinimumLength</c>,
/// <c>-ReusePrevention</c>, <c>-RetentionDays</c>): written and read back in this one place, so an option cannot be
/// carried one way and lost the other.
/// </summary>
internal static class QueuedJobOptions
{
    /// <summary>Copies the job options of <paramref name="options"/> (null = the defaults) into <paramref name="request"/>.</summary>
    public static QueuedRequest Write(RemediationOptions? options, QueuedRequest request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        request.JobId = options?.JobId;
        request.RangeMode = options?.RangeMode ?? RangeMode.Split;
        request.KmsKeyId = options?.KmsKeyId;
        request.LoggingBucketPrefix = options?.LoggingBucketPrefix;
        request.MinimumPasswordLength = options?.MinimumPasswordLength;
        request.PasswordReusePrevention = options?.PasswordReusePrevention;
        request.BackupRetentionDays = options?.BackupRetentionDays;
        return request;
    }

    /// <summary>The options that decide how the request runs: requests of one kind run as one batch.</summary>
    public static (string? JobId, RangeMode RangeMode, string? KmsKeyId, string? LoggingBucketPrefix, int? MinimumLength, int? ReusePrevention, int? RetentionDays) KindOf(QueuedRequest request)
        => (request.JobId, request.RangeMode, request.KmsKeyId, request.LoggingBucketPrefix, request.MinimumPasswordLength, request.PasswordReusePrevention, request.BackupRetentionDays);

    /// <summary>
    /// New engine options with the request's job options (a missing one is the default). Throws
    /// <see cref="ArgumentException"/> for a value the dispatcher would not have queued (a request written to the queue by
    /// hand): a KMS key, prefix or number out of its range.
    /// </summary>
    public static RemediationOptions Read(QueuedRequest request)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        return new RemediationOptions
        {
            JobId = request.JobId,
            RangeMode = request.RangeMode,
            KmsKeyId = request.KmsKeyId,
            LoggingBucketPrefix = request.LoggingBucketPrefix ?? Jobs.S3.LoggingTargetBucket.DefaultPrefix,
            MinimumPasswordLength = request.MinimumPasswordLength ?? RemediationOptions.DefaultMinimumPasswordLength,
            PasswordReusePrevention = request.PasswordReusePrevention ?? RemediationOptions.DefaultPasswordReusePrevention,
            BackupRetentionDays = request.BackupRetentionDays ?? RemediationOptions.DefaultBackupRetentionDays,
        };
    }
}
