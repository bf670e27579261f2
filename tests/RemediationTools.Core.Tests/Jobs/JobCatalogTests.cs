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
}
