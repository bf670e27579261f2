using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Jobs;

/// <summary>
/// The facts of a job that live outside its own code and that the catalog publishes on its <see cref="RemediationJobInfo"/>:
/// the Security Hub controls that map to it (<see cref="FindingParser.SecurityHubControls"/>, the one mapping the ASFF
/// parser uses) and the Invoke-Remediation parameters that change what it does (<see cref="Engine.RemediationOptions"/>).
/// A job that sets <see cref="RemediationJobInfo.Parameters"/> itself keeps its own.
/// </summary>
internal static class JobReferenceFacts
{
    private static readonly RemediationJobParameter RangeMode = new()
    {
        Name = "RangeMode",
        Description = "How a rule whose port range contains the port is changed: Split replaces it by the ranges around the port, so only the port loses access; Remove revokes the whole rule.",
        DefaultValue = "Split",
    };

    private static readonly RemediationJobParameter BucketKmsKey = new()
    {
        Name = "KmsKeyId",
        Description = "The KMS key (key ID, key ARN, alias name or alias ARN) for buckets without default encryption: SSE-KMS with a bucket key.",
        DefaultValue = "SSE-S3",
    };

    private static readonly RemediationJobParameter StreamKmsKey = new()
    {
        Name = "KmsKeyId",
        Description = "The KMS key (key ID, key ARN, alias name or alias ARN) with which unencrypted streams are encrypted.",
        DefaultValue = "alias/aws/kinesis",
    };

    private static readonly RemediationJobParameter LoggingBucketPrefix = new()
    {
        Name = "LoggingBucketPrefix",
        Description = "The prefix of the logging bucket <prefix>-<account>-<region> that is created once per account and region, or reused.",
        DefaultValue = S3.LoggingTargetBucket.DefaultPrefix,
    };

    private static readonly RemediationJobParameter MinimumLength = new()
    {
        Name = "MinimumLength",
        Description = "The minimum password length the account password policy is raised to (6 to 128); a longer one is kept.",
        DefaultValue = Engine.RemediationOptions.DefaultMinimumPasswordLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly RemediationJobParameter ReusePrevention = new()
    {
        Name = "ReusePrevention",
        Description = "How many previous passwords IAM users cannot reuse (1 to 24); a larger number is kept.",
        DefaultValue = Engine.RemediationOptions.DefaultPasswordReusePrevention.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static readonly RemediationJobParameter RetentionDays = new()
    {
        Name = "RetentionDays",
        Description = "The days of automated backups a DB instance (or its cluster) is raised to (1 to 35); a longer retention is kept. Enabling backups on an instance with none also needs -AllowDisruptive.",
        DefaultValue = Engine.RemediationOptions.DefaultBackupRetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    // By job ID: the jobs that read an option of RemediationOptions (context.Options.X) besides the port closers.
    private static readonly Dictionary<string, RemediationJobParameter[]> ParametersById = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3-enable-default-encryption"] = new[] { BucketKmsKey },
        ["kinesis-encrypt-stream"] = new[] { StreamKmsKey },
        ["s3-enable-access-logging"] = new[] { LoggingBucketPrefix },
        ["elb-enable-access-logs"] = new[] { LoggingBucketPrefix },
        ["aws-iam-password-policy-min-length"] = new[] { MinimumLength },
        ["aws-iam-password-reuse-prevention"] = new[] { ReusePrevention },
        ["rds-backup-retention-30-days"] = new[] { RetentionDays },
    };

    /// <summary>Fills the Security Hub controls and, unless the job set its own, the parameters of <paramref name="job"/>'s info.</summary>
    public static void Publish(IRemediationJob job)
    {
        var info = job.Info;
        info.SecurityHubControls = FindingParser.SecurityHubControls
            .Where(c => string.Equals(c.Value, info.Id, StringComparison.OrdinalIgnoreCase))
            .Select(c => c.Key)
            .OrderBy(c => c, ControlOrder.Instance)
            .ToList();
        if (info.Parameters.Count == 0)
        {
            info.Parameters = job is Ec2.InstanceClosePortJob or Ec2.SecurityGroupClosePortJob
                ? new[] { RangeMode }
                : ParametersById.TryGetValue(info.Id, out var parameters) ? parameters : Array.Empty<RemediationJobParameter>();
        }
    }

    /// <summary>Security Hub control IDs in their natural order: by service, then by number (EC2.2 before EC2.13).</summary>
    private sealed class ControlOrder : IComparer<string>
    {
        public static readonly ControlOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            var (xService, xNumber) = Split(x ?? string.Empty);
            var (yService, yNumber) = Split(y ?? string.Empty);
            int byService = string.Compare(xService, yService, StringComparison.OrdinalIgnoreCase);
            return byService != 0 ? byService : xNumber.CompareTo(yNumber);
        }

        private static (string Service, int Number) Split(string control)
        {
            int dot = control.LastIndexOf('.');
            return dot > 0 && int.TryParse(control.Substring(dot + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int number)
                ? (control.Substring(0, dot), number)
                : (control, 0);
        }
    }
}
