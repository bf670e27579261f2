using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Tests.Jobs;

public class JobCatalogTests
{
    [Theory]
    [InlineData("security-group-close-port-5432")]
    [InlineData("security_group_close_port_5432")]
    [InlineData("Security-Group-Close-Port-5432")]
    public void FindById_IdOrUnderscoreAlias_FindsJob(string name)
    {
        Assert.Equal("security-group-close-port-5432", JobCatalog.Default.FindById(name)?.Info.Id);
    }

    [Fact]
    public void FindByRuleId_PostgresRule_FindsJob()
    {
        Assert.Equal("security-group-close-port-5432", JobCatalog.Default.FindByRuleId("5c8c25f07a550e1fb6560bc6")?.Info.Id);
    }

    [Fact]
    public void FindByRuleId_Unknown_ReturnsNull()
    {
        Assert.Null(JobCatalog.Default.FindByRuleId("no-such-rule"));
        Assert.Null(JobCatalog.Default.FindById("no-such-job"));
    }

    [Fact]
    public void FindByRuleId_RuleServedByTwoJobs_MapsToFirstListed()
    {
        var first = SecurityGroupClosePortJob.Create("first-job", "shared-rule", "tcp", 1);
        var second = SecurityGroupClosePortJob.Create("second-job", "shared-rule", "tcp", 2);

        var catalog = new JobCatalog(new IRemediationJob[] { first, second });

        Assert.Same(first, catalog.FindByRuleId("shared-rule"));
        Assert.Same(second, catalog.FindById("second_job"));
    }

    [Fact]
    public void Constructor_DuplicateIds_Throws()
    {
        var a = SecurityGroupClosePortJob.Create("same", "r1", "tcp", 1);
        var b = SecurityGroupClosePortJob.Create("same", "r2", "tcp", 2);

        Assert.Throws<ArgumentException>(() => new JobCatalog(new IRemediationJob[] { a, b }));
    }

    [Fact]
    public void Resolve_ExplicitJobWins_OverRuleId()
    {
        var finding = new Finding { RuleId = "unknown-rule", JobId = "security_group_close_port_5432", Region = "us-east-1", ResourceId = "sg-1" };

        Assert.NotNull(JobCatalog.Default.Resolve(finding));
    }

    [Fact]
    public void Describe_PortCloser_DeclaresExactlyItsIamActions()
    {
        var info = JobCatalog.Default.FindById("security-group-close-port-5432")!.Info;

        Assert.Equal(
            new[] { "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress" },
            info.IamActions);
        Assert.False(info.Disruptive);
        Assert.Equal("SecurityGroup", info.ResourceType);
        Assert.Contains(info, JobCatalog.Default.Describe());
    }

    [Fact]
    public void Describe_SecurityHubControls_EveryMappedControlIsListedOnItsJobOnly()
    {
        foreach (var pair in RemediationTools.Core.Findings.FindingParser.SecurityHubControls)
        {
            var job = JobCatalog.Default.FindById(pair.Value);
            Assert.NotNull(job);
            Assert.Contains(pair.Key, job!.Info.SecurityHubControls);
        }

        Assert.Equal(
            RemediationTools.Core.Findings.FindingParser.SecurityHubControls.Count,
            JobCatalog.Default.Describe().Sum(j => j.SecurityHubControls.Count));
        Assert.Equal(new[] { "S3.2", "S3.3", "S3.8" }, JobCatalog.Default.FindById("s3-remove-public-access")!.Info.SecurityHubControls);
    }

    [Theory]
    [InlineData("ec2-close-port-22", "RangeMode", "Split")]
    [InlineData("security-group-close-port-22", "RangeMode", "Split")]
    [InlineData("kinesis-encrypt-stream", "KmsKeyId", "alias/aws/kinesis")]
    [InlineData("aws-iam-password-policy-min-length", "MinimumLength", "14")]
    [InlineData("elb-enable-access-logs", "LoggingBucketPrefix", "vss-logging-target")]
    [InlineData("rds-backup-retention-30-days", "RetentionDays", "30")]
    public void Describe_JobWithOptions_ListsItsInvokeRemediationParameter(string jobId, string parameter, string defaultValue)
    {
        var info = JobCatalog.Default.FindById(jobId)!.Info;

        var listed = Assert.Single(info.Parameters);
        Assert.Equal(parameter, listed.Name);
        Assert.Equal(defaultValue, listed.DefaultValue);
        Assert.Equal(new[] { jobId.Replace('-', '_') }, info.Aliases);
    }

    [Fact]
    public void Describe_JobWithoutOptions_ListsNoParameters()
    {
        Assert.Empty(JobCatalog.Default.FindById("aws-kms-key-rotates")!.Info.Parameters);
    }

    // Every job of the catalog the module ships (the replaced system's whole catalog, as the job catalog documentation
    // lists it), with one rule ID each serves (null: no rule ID). Listed here, not read from the catalog, so that a job
    // missing from the catalog, or a rule ID it lost, fails the test.
    private static readonly (string Id, string? RuleId)[] DocumentedJobs =
    {
        ("ec2-close-port-20", "5c8c263d7a550e1fb6560c39"),
        ("ec2-close-port-21", "5c8c263d7a550e1fb6560c3a"),
        ("ec2-close-port-22", "5c8c26417a550e1fb6560c3f"),
        ("ec2-close-port-23", "5c8c263e7a550e1fb6560c3b"),
        ("ec2-close-port-1433", "5c8c26417a550e1fb6560c3d"),
        ("ec2-close-port-1521", "5c8c26417a550e1fb6560c3e"),
        ("ec2-close-port-3306", "5c8c26427a550e1fb6560c41"),
        ("ec2-close-port-3389", "5c8c26437a550e1fb6560c42"),
        ("ec2-close-port-5439", "5c8c26447a550e1fb6560c44"),
        ("ec2-close-port-5601", "4823ede0-7bed-4af0-a182-81c2ada80203"),
        ("ec2-close-port-8080", "5c8c26407a550e1fb6560c3c"),
        ("ec2-close-port-27017", "5c8c26427a550e1fb6560c40"),
        ("ec2-close-port-9200-9300", "04700175-adbe-49e1-bc7a-bc9605597ce2"),
        ("aws-ec2-close-port-11211", "bd9d77b6-635d-4e06-9760-8957d8eaeb38"),
        ("security-group-close-port-22", "5c8c25ec7a550e1fb6560bbe"),
        ("security-group-close-port-3389", "5c8c25ef7a550e1fb6560bc4"),
        ("security-group-close-port-5432", "5c8c25f07a550e1fb6560bc6"),
        ("aws-ec2-administration-ports-ingress-allowed", "1ec4a1f2-3e08-11eb-b378-0242ac130002"),
        ("aws-ec2-default-security-group-traffic", "5c8c25f37a550e1fb6560bca"),
        ("ebs-private-snapshot", "2cdb8877-7ac3-4483-9ed0-1e792171d125"),
        ("security-group-not-attached-delete", null),
        ("ebs-encrypt-volume", null),
        ("s3-remove-public-access", "5c8c26507a550e1fb6560c57"),
        ("s3-remove-public-admin-acl", "5c8c26617a550e1fb6560c69"),
        ("aws-s3-remove-fullaccess-authenticatedusers", "5c8c26567a550e1fb6560c5d"),
        ("s3-enable-default-encryption", "1d187035-9fff-48b2-a7c3-ffc56a4da5e6"),
        ("s3-enable-access-logging", "5c8c265e7a550e1fb6560c67"),
        ("aws-s3-bucket-policy-allow-https", "688d093c-3b8d-11eb-adc1-0242ac120002"),
        ("aws-s3-cloudtrail-public-access", "5c8c265d7a550e1fb6560c65"),
        ("s3-list-buckets", null),
        ("aws-iam-password-policy-min-length", "5c8c260b7a550e1fb6560bf4"),
        ("aws-iam-password-reuse-prevention", "5c8c26107a550e1fb6560bfc"),
        ("aws-iam-server-certificate-expired", "7fe4eb28-3b82-11eb-adc1-0242ac120002"),
        ("aws-iam-root-user-disable-access-keys", "5c8c26137a550e1fb6560c01"),
        ("aws-kms-key-rotates", "5c8c26217a550e1fb6560c12"),
        ("aws-cloudtrail-logs-encrypted", "5c8c25e47a550e1fb6560bac"),
        ("aws-sqs-queue-publicly-accessible", "09639b9d-98e8-493b-b8a4-916775a7dea9"),
        ("kinesis-encrypt-stream", "ce603728-d631-4bae-8657-c22da6e5944e"),
        ("elb-enable-access-logs", "657c46b7-1cd0-4cce-80bb-9d195f49c987"),
        ("rds-remove-public-endpoint", "5c8c26467a550e1fb6560c48"),
        ("rds-enable-version-update", "5c8c264a7a550e1fb6560c4c"),
        ("rds-backup-retention-30-days", "5c8c264a7a550e1fb6560c4d"),
        ("aws-rds-snapshot-remove-publicaccess", "5c8c26487a550e1fb6560c4a"),
    };

    [Fact]
    public void Default_EveryDocumentedJob_InTheCatalogWithItsRuleAndNoOtherJob()
    {
        var missing = DocumentedJobs.Where(j => JobCatalog.Default.FindById(j.Id) is null).Select(j => j.Id).ToList();
        Assert.True(missing.Count == 0, "Not in the catalog: " + string.Join(", ", missing));
        foreach (var (id, ruleId) in DocumentedJobs.Where(j => j.RuleId is not null))
        {
            Assert.Contains(ruleId, JobCatalog.Default.FindById(id)!.Info.RuleIds);
        }

        Assert.Equal(DocumentedJobs.Select(j => j.Id).OrderBy(i => i, StringComparer.Ordinal), JobCatalog.Default.Jobs.Select(j => j.Info.Id).OrderBy(i => i, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("5c8c26467a550e1fb6560c48", "rds-remove-public-endpoint")]
    [InlineData("5c8c264a7a550e1fb6560c4c", "rds-enable-version-update")]
    [InlineData("5c8c264a7a550e1fb6560c4d", "rds-backup-retention-30-days")]
    [InlineData("5c8c26487a550e1fb6560c4a", "aws-rds-snapshot-remove-publicaccess")]
    public void FindByRuleId_RdsRules_FindTheirJobs(string ruleId, string jobId)
    {
        Assert.Equal(jobId, JobCatalog.Default.FindByRuleId(ruleId)?.Info.Id);
    }
}
