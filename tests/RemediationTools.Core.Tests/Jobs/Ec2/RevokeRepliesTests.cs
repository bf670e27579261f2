using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;
using RemediationTools.Core.Tests.Engine;

namespace RemediationTools.Core.Tests.Jobs.Ec2;

/// <summary>
/// A rule removed by someone else between plan and apply (a concurrent change): in a non-default VPC EC2 fails the
/// revoke with InvalidPermission.NotFound and revokes nothing; in a default VPC it succeeds, revokes what matched and
/// lists the rest in unknownIpPermissionSet. Both must be recognised as a stale plan, never taken as success.
/// </summary>
public sealed class RevokeRepliesTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();

    public void Dispose() => server.Dispose();

    private sealed record Setup(SandboxAccount Account, AmazonEC2Client Ec2, string GroupId);

    private async Task<Setup> GroupOpenOn5432Async(bool defaultVpc)
    {
        var account = defaultVpc ? server.CreateAccount() : SandboxEc2.JobAccount(server);
        var ec2 = SandboxEc2.Client(server, account, Region);
        var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest
        {
            GroupName = "db",
            Description = "db",
            VpcId = server.GetFirstVpcId(account.AccountId, Region),
        })).GroupId;
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = groupId,
            IpPermissions = [SandboxEc2.Cidr("tcp", 5432, 5432, "0.0.0.0/0"), SandboxEc2.Cidr("tcp", 22, 22, "10.0.0.0/8")],
        });
        server.Settle();
        return new Setup(account, ec2, groupId);
    }

    private static Finding Finding(Setup setup) => new() { RuleId = PostgresRule, AccountId = setup.Account.AccountId, Region = Region, ResourceId = setup.GroupId };

    /// <summary>Another actor removes the public 5432 rule (the change the plan was about to make).</summary>
    private static async Task RemoveConcurrentlyAsync(Setup setup)
    {
        var response = await setup.Ec2.RevokeSecurityGroupIngressAsync(new RevokeSecurityGroupIngressRequest { GroupId = setup.GroupId, IpPermissions = [SandboxEc2.Cidr("tcp", 5432, 5432, "0.0.0.0/0")] });
        Assert.True(response.Return);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Apply_RuleRemovedAfterPlan_FailedWithInvalidPermissionNotFoundInEitherVpc(bool defaultVpc)
    {
        var setup = await GroupOpenOn5432Async(defaultVpc);
        using var ec2 = setup.Ec2;
        var engine = new RemediationEngine(new FakeClientFactory(ec2, setup.Account.AccountId));
        var plan = await engine.PlanAsync(Finding(setup), new RemediationOptions());
        Assert.True(plan.HasChanges);
        await RemoveConcurrentlyAsync(setup);

        var result = await engine.ApplyAsync(plan);

        // Without the batch's re-plan the stale plan is reported as such: the revoke did not do what was planned.
        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(RevokeReplies.PermissionNotFound, result.ErrorCode);
        Assert.Contains(setup.GroupId, result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RunBatch_RuleRemovedBetweenPlanAndApply_PlannedAgainAndAlreadyCompliant(bool defaultVpc)
    {
        var setup = await GroupOpenOn5432Async(defaultVpc);
        using var ec2 = setup.Ec2;
        var engine = new RemediationEngine(new FakeClientFactory(ec2, setup.Account.AccountId));
        var removed = 0;

        // The confirm callback runs between plan and apply: the concurrent change happens exactly there.
        var results = await engine.RunBatchAsync(
            new[] { Finding(setup) },
            new RemediationOptions { FindingRetryDelay = TimeSpan.FromMilliseconds(1) },
            async _ =>
            {
                if (Interlocked.Increment(ref removed) == 1)
                {
                    await RemoveConcurrentlyAsync(setup);
                }

                return true;
            },
            null);

        var result = Assert.Single(results);
        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Null(result.UndoRecord);
        Assert.True(server.CallCounts["ec2:RevokeSecurityGroupIngress"] >= 2, "the job's own revoke was attempted");
        server.Settle();
        var rules = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = [setup.GroupId] })).SecurityGroups[0].IpPermissions;
        var remaining = Assert.Single(rules);
        Assert.Equal(22, remaining.FromPort);
    }

    [Fact]
    public void ThrowIfUnknown_UnknownPermissions_AwsCallExceptionNamingThem()
    {
        var unknown = new List<IpPermission> { SandboxEc2.Cidr("tcp", 5432, 5432, "0.0.0.0/0") };

        var error = Assert.Throws<AwsCallException>(() => RevokeReplies.ThrowIfUnknown("ec2:RevokeSecurityGroupIngress", "sg-0123456789abcdef0", unknown, "req-1"));

        Assert.Equal(RevokeReplies.PermissionNotFound, error.ErrorCode);
        Assert.Equal("ec2:RevokeSecurityGroupIngress", error.IamAction);
        Assert.Contains("tcp 5432 from 0.0.0.0/0", error.Message, StringComparison.Ordinal);
    }
}
