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
}
