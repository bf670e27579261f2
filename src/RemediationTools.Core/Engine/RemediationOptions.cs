using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Engine;

/// <summary>How the engine runs a request.</summary>
internal sealed class RemediationOptions
{
    /// <summary>Plan only: every result that would change something is <see cref="RemediationStatus.Planned"/>.</summary>
    public bool DryRun { get; set; }

    /// <summary>How port closers treat a range that merely contains the port.</summary>
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>
    /// The KMS key with which <c>s3-enable-default-encryption</c> encrypts buckets that have no default encryption
    /// (SSE-KMS with a bucket key; null = SSE-S3) and <c>kinesis-encrypt-stream</c> encrypts unencrypted streams (null =
    /// alias/aws/kinesis). A key ID, key ARN, alias name or alias ARN; another shape is an ArgumentException naming it.
    /// </summary>
    public string? KmsKeyId
    {
        get => kmsKeyId;
        set => kmsKeyId = value is null ? null : Jobs.S3.KmsKeyReference.Require(value, nameof(KmsKeyId));
    }

    private string? kmsKeyId;

    /// <summary>
    /// The prefix of the logging buckets <c>&lt;prefix&gt;-&lt;account&gt;-&lt;region&gt;</c> that access logging jobs create or reuse
    /// (<c>-LoggingBucketPrefix</c>); the default is the replaced system's, so its buckets are reused.
    /// </summary>
    public string LoggingBucketPrefix
    {
        get => loggingBucketPrefix;
        set
        {
            Jobs.S3.LoggingTargetBucket.ValidatePrefix(value);
            loggingBucketPrefix = value;
        }
    }

    private string loggingBucketPrefix = Jobs.S3.LoggingTargetBucket.DefaultPrefix;

    /// <summary>
    /// The minimum password length <c>aws-iam-password-policy-min-length</c> raises the account password policy to
    /// (<c>-MinimumLength</c>): IAM's range 6 to 128, default 14; another value is an ArgumentOutOfRangeException naming it.
    /// </summary>
    public int MinimumPasswordLength
    {
        get => minimumPasswordLength;
        set => minimumPasswordLength = InRange(value, Jobs.Iam.PasswordPolicyState.MinLength, Jobs.Iam.PasswordPolicyState.MaxLength, "MinimumLength");
    }

    private int minimumPasswordLength = DefaultMinimumPasswordLength;

    /// <summary>The default of <see cref="MinimumPasswordLength"/>.</summary>
    public const int DefaultMinimumPasswordLength = 14;

    /// <summary>
    /// How many previous passwords <c>aws-iam-password-reuse-prevention</c> makes IAM users unable to reuse
    /// (<c>-ReusePrevention</c>): IAM's range 1 to 24, default 24; another value is an ArgumentOutOfRangeException naming it.
    /// </summary>
    public int PasswordReusePrevention
    {
        get => passwordReusePrevention;
        set => passwordReusePrevention = InRange(value, Jobs.Iam.PasswordPolicyState.MinReuse, Jobs.Iam.PasswordPolicyState.MaxReuse, "ReusePrevention");
    }

    private int passwordReusePrevention = DefaultPasswordReusePrevention;

    /// <summary>The default of <see cref="PasswordReusePrevention"/>.</summary>
    public const int DefaultPasswordReusePrevention = 24;

    /// <summary>
    /// The backup retention in days <c>rds-backup-retention-30-days</c> raises DB instances and clusters to
    /// (<c>-RetentionDays</c>): RDS's range for enabled backups, 1 to 35, default 30; never lowered. Another value is an
    /// ArgumentOutOfRangeException naming it.
    /// </summary>
    public int BackupRetentionDays
    {
        get => backupRetentionDays;
        set => backupRetentionDays = InRdsRetentionRange(value, "RetentionDays");
    }

    private static int InRdsRetentionRange(int value, string parameter) => value >= MinBackupRetentionDays && value <= MaxBackupRetentionDays
        ? value
        : throw new ArgumentOutOfRangeException(parameter, value, "-" + parameter + " " + value.ToString(System.Globalization.CultureInfo.InvariantCulture) +
            " is outside RDS's range for automated backups, " + MinBackupRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture) + " to " +
            MaxBackupRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture) + " days.");

    private int backupRetentionDays = DefaultBackupRetentionDays;

    /// <summary>The default of <see cref="BackupRetentionDays"/>.</summary>
    public const int DefaultBackupRetentionDays = 30;

    /// <summary>The smallest <see cref="BackupRetentionDays"/> (0 would turn automated backups off).</summary>
    public const int MinBackupRetentionDays = 1;

    /// <summary>The largest <see cref="BackupRetentionDays"/>: RDS's maximum retention.</summary>
    public const int MaxBackupRetentionDays = 35;

    private static int InRange(int value, int min, int max, string parameter) => value >= min && value <= max
        ? value
        // No ParamName or ActualValue: the message names both in PowerShell's words, without .NET's " (Parameter 'x')".
        : throw new ArgumentOutOfRangeException(null, "-" + parameter + " " + value.ToString(System.Globalization.CultureInfo.InvariantCulture) +
            " is outside IAM's range " + min.ToString(System.Globalization.CultureInfo.InvariantCulture) + " to " + max.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");

    /// <summary>Allow jobs marked disruptive (they stop instances or replace volumes).</summary>
    public bool AllowDisruptive { get; set; }

    /// <summary>Run this job on every finding, whatever its rule ID (the <c>-Job</c> parameter).</summary>
    public string? JobId { get; set; }

    /// <summary>
    /// At most this many findings are changed in one batch; the findings after that are <see cref="RemediationStatus.Skipped"/>
    /// with the reason. Null = no limit.
    /// </summary>
    public int? MaxChanges { get; set; }

    /// <summary>
    /// How many findings of the same account and region run at once (at least 1). The default,
    /// <see cref="DefaultThrottleLimit"/>, is the smallest burst of the EC2 buckets the jobs' calls take from: the EC2
    /// clients pace the calls to the buckets, this only caps the concurrency.
    /// </summary>
    public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

    /// <summary>
    /// The default of <see cref="ThrottleLimit"/>: the <see cref="Ec2RequestLimits.Concurrency"/> of the limits in force
    /// (<c>REMEDIATION_EC2_LIMITS</c>, else the reference's). A malformed setting gives the reference's figure here; the
    /// client factory reports it as an error before any call.
    /// </summary>
    public static int DefaultThrottleLimit
    {
        get
        {
            try
            {
                return Ec2RequestRateLimiterRegistry.ForLimits(ProcessAwsEnvironment.Instance.GetVariable(Ec2RequestLimits.Variable)).Limits.Concurrency;
            }
            catch (AwsConfigurationException)
            {
                return Ec2RequestLimits.DefaultConcurrency;
            }
        }
    }

    /// <summary>
    /// How often a finding is run when it fails with throttling or a server error that the client's own retries
    /// did not get past: each attempt plans afresh from what AWS says now, so nothing is changed twice.
    /// </summary>
    public int MaxFindingAttempts { get; set; } = 3;

    /// <summary>Backoff before the second attempt of a finding (doubled for each further attempt, with jitter).</summary>
    public TimeSpan FindingRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Where a finding's verbose lines and warnings go (a worker's run log per request); null = the engine's reporter.</summary>
    public Func<Finding, IRemediationReporter?>? ReporterFor { get; set; }

    /// <summary>
    /// Called with the final plan right before its mutating calls, under the resource locks (a worker records the plan's
    /// undo record with the request, so a redelivery after a crash keeps it). An exception fails the finding unchanged.
    /// </summary>
    public Func<RemediationPlan, CancellationToken, Task>? BeforeApply { get; set; }

    /// <summary>
    /// How often a failed verification is read again before the change is called failed (AWS is eventually
    /// consistent). 0 = verify once.
    /// </summary>
    public int VerifyRetries
    {
        get => verifyRetries;
        set => verifyRetries = value is >= 0 and <= 20 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "VerifyRetries is between 0 and 20.");
    }

    /// <summary>Wait before the first re-read of a failed verification; doubled before each further one.</summary>
    public TimeSpan VerifyRetryDelay
    {
        get => verifyRetryDelay;
        set => verifyRetryDelay = value >= TimeSpan.Zero && value <= TimeSpan.FromSeconds(30)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "VerifyRetryDelay is between 0 and 30 seconds.");
    }

    private int verifyRetries = 4;
    private TimeSpan verifyRetryDelay = TimeSpan.FromMilliseconds(100);

    /// <summary>The role to assume in accounts without an entry in <see cref="AccountRoles"/>; null = the caller's own credentials.</summary>
    public AccountRole? DefaultRole { get; set; }

    /// <summary>The role to assume per account ID.</summary>
    public IDictionary<string, AccountRole> AccountRoles { get; } = new Dictionary<string, AccountRole>(StringComparer.Ordinal);

    /// <summary>The role for <paramref name="accountId"/>: its own entry, else <see cref="DefaultRole"/>.</summary>
    public AccountRole? RoleFor(string? accountId)
        => accountId is not null && AccountRoles.TryGetValue(accountId, out var role) ? role : DefaultRole;
}
