using RemediationTools.Core.Jobs.Ec2;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Jobs;

/// <summary>
/// All remediation jobs, in the order of the catalog. A job is found by its ID (kebab-case), by the same name with
/// underscores, or by a rule ID; a rule ID served by two jobs maps to the first one listed.
/// </summary>
internal sealed class JobCatalog
{
    private readonly List<IRemediationJob> jobs;
    private readonly Dictionary<string, IRemediationJob> byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IRemediationJob> byRuleId = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a catalog of <paramref name="jobs"/>, in that order.</summary>
    public JobCatalog(IEnumerable<IRemediationJob> jobs)
    {
        this.jobs = (jobs ?? throw new ArgumentNullException(nameof(jobs))).ToList();
        foreach (var job in this.jobs)
        {
            var id = NormalizeId(job.Info.Id);
            if (byId.ContainsKey(id))
            {
                throw new ArgumentException("Two jobs have the ID " + job.Info.Id + ".", nameof(jobs));
            }

            byId[id] = job;
            JobReferenceFacts.Publish(job);
            foreach (var ruleId in job.Info.RuleIds)
            {
                if (!byRuleId.ContainsKey(ruleId.Trim()))
                {
                    byRuleId[ruleId.Trim()] = job;
                }
            }
        }
    }

    /// <summary>The catalog of every job the module ships.</summary>
    public static JobCatalog Default { get; } = new(CreateShippedJobs());

    /// <summary>The jobs, in catalog order.</summary>
    public IReadOnlyList<IRemediationJob> Jobs => jobs;

    /// <summary>The jobs' descriptions, in catalog order.</summary>
    public IReadOnlyList<RemediationJobInfo> Describe() => jobs.Select(j => j.Info).ToList();

    /// <summary>The job with ID or alias <paramref name="idOrAlias"/> (case-insensitive, underscores or hyphens); null when none.</summary>
    public IRemediationJob? FindById(string? idOrAlias)
        => string.IsNullOrWhiteSpace(idOrAlias) ? null : byId.TryGetValue(NormalizeId(idOrAlias!), out var job) ? job : null;

    /// <summary>The first job serving <paramref name="ruleId"/>; null when none.</summary>
    public IRemediationJob? FindByRuleId(string? ruleId)
        => string.IsNullOrWhiteSpace(ruleId) ? null : byRuleId.TryGetValue(ruleId!.Trim(), out var job) ? job : null;

    /// <summary>The job for a finding: <paramref name="explicitJobId"/>, else the finding's own job, else by its rule ID.</summary>
    public IRemediationJob? Resolve(Finding finding, string? explicitJobId = null)
    {
        var jobId = explicitJobId ?? finding.JobId;
        return jobId is not null ? FindById(jobId) : FindByRuleId(finding.RuleId);
    }

    private static string NormalizeId(string id) => id.Trim().Replace('_', '-');

    private static IEnumerable<IRemediationJob> CreateShippedJobs()
    {
        // EC2 network, in catalog order (port closers, network ACL, default group, EBS, unattached group).
        var tcp = new[] { "tcp" };
        var udpAndTcp = new[] { "udp", "tcp" };
        yield return InstanceClosePortJob.Create("ec2-close-port-20", "5c8c263d7a550e1fb6560c39", tcp, 20);
        yield return InstanceClosePortJob.Create("ec2-close-port-21", "5c8c263d7a550e1fb6560c3a", tcp, 21);
        yield return InstanceClosePortJob.Create("ec2-close-port-22", "5c8c26417a550e1fb6560c3f", tcp, 22);
        yield return InstanceClosePortJob.Create("ec2-close-port-23", "5c8c263e7a550e1fb6560c3b", tcp, 23);
        yield return InstanceClosePortJob.Create("ec2-close-port-1433", "5c8c26417a550e1fb6560c3d", tcp, 1433);
        yield return InstanceClosePortJob.Create("ec2-close-port-1521", "5c8c26417a550e1fb6560c3e", tcp, 1521);
        yield return InstanceClosePortJob.Create("ec2-close-port-3306", "5c8c26427a550e1fb6560c41", tcp, 3306);
        yield return InstanceClosePortJob.Create("ec2-close-port-3389", "5c8c26437a550e1fb6560c42", tcp, 3389);
        yield return InstanceClosePortJob.Create("ec2-close-port-5439", "5c8c26447a550e1fb6560c44", tcp, 5439);
        yield return InstanceClosePortJob.Create("ec2-close-port-5601", "4823ede0-7bed-4af0-a182-81c2ada80203", tcp, 5601);
        yield return InstanceClosePortJob.Create("ec2-close-port-8080", "5c8c26407a550e1fb6560c3c", tcp, 8080);
        yield return InstanceClosePortJob.Create("ec2-close-port-27017", "5c8c26427a550e1fb6560c40", tcp, 27017);
        yield return InstanceClosePortJob.Create("ec2-close-port-9200-9300", "04700175-adbe-49e1-bc7a-bc9605597ce2", tcp, 9200, 9300);
        yield return InstanceClosePortJob.Create("aws-ec2-close-port-11211", "bd9d77b6-635d-4e06-9760-8957d8eaeb38", udpAndTcp, 11211);
        yield return SecurityGroupClosePortJob.Create("security-group-close-port-22", "5c8c25ec7a550e1fb6560bbe", "tcp", 22);
        yield return SecurityGroupClosePortJob.Create("security-group-close-port-3389", "5c8c25ef7a550e1fb6560bc4", "tcp", 3389);
        yield return SecurityGroupClosePortJob.Create("security-group-close-port-5432", "5c8c25f07a550e1fb6560bc6", "tcp", 5432);
        yield return new NetworkAclAdministrationPortsJob();
        yield return new DefaultSecurityGroupTrafficJob();
        yield return new EbsPrivateSnapshotJob();
        yield return new SecurityGroupNotAttachedDeleteJob();
        yield return new EbsEncryptVolumeJob();

        // S3, in catalog order.
        yield return new S3RemovePublicAccessJob();
        yield return BucketAclGrantRemovalJob.PublicAdmin();
        yield return BucketAclGrantRemovalJob.AuthenticatedUsersFullControl();
        yield return new S3EnableDefaultEncryptionJob();

        yield return new S3EnableAccessLoggingJob();
        yield return new S3BucketPolicyAllowHttpsJob();
        yield return new S3CloudTrailPublicAccessJob();
        yield return new S3ListBucketsJob();
        yield return new Elb.ElbEnableAccessLogsJob();

        // IAM (global service), in catalog order.
        yield return Iam.AccountPasswordPolicyJob.MinimumLength();
        yield return Iam.AccountPasswordPolicyJob.ReusePrevention();
        yield return new Iam.ServerCertificateExpiredJob();
        yield return new Iam.RootUserAccessKeysJob();
        // KMS and CloudTrail, in catalog order.
        yield return new Kms.KmsKeyRotatesJob();
        yield return new CloudTrail.CloudTrailLogsEncryptedJob();
        // SQS and Kinesis.
        yield return new Sqs.SqsQueuePubliclyAccessibleJob();
        yield return new Kinesis.KinesisEncryptStreamJob();
        // RDS, in catalog order.
        yield return new Rds.RdsRemovePublicEndpointJob();
        yield return new Rds.RdsEnableVersionUpdateJob();
        yield return new Rds.RdsBackupRetentionJob();
        yield return new Rds.RdsSnapshotRemovePublicAccessJob();
    }
}
