using Amazon.EC2;
using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Jobs;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>A failed verification is read again with a bounded backoff before the change is called failed.</summary>
public sealed class VerificationRetryTests
{
    private const string Region = "us-east-1";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";

    private static RemediationOptions Options(int retries) => new() { VerifyRetries = retries, VerifyRetryDelay = TimeSpan.Zero };

    [Fact]
    public async Task RunAsync_SucceedsOnThirdRead_ReturnsSuccessAfterThreeReads()
    {
        var reads = 0;

        var verification = await VerificationRetry.RunAsync(
            () => Task.FromResult(++reads < 3 ? JobVerification.Failure("still open") : JobVerification.Success()),
            Options(4),
            NullRemediationReporter.Instance,
            CancellationToken.None);

        Assert.True(verification.Succeeded);
        Assert.Equal(3, reads);
    }

    [Fact]
    public async Task RunAsync_NeverSucceeds_StopsAfterTheRetriesWithTheLastReason()
    {
        var reads = 0;

        var verification = await VerificationRetry.RunAsync(
            () => Task.FromResult(JobVerification.Failure("still open after read " + ++reads)),
            Options(4),
            NullRemediationReporter.Instance,
            CancellationToken.None);

        Assert.False(verification.Succeeded);
        Assert.Equal(5, reads);
        Assert.Equal("still open after read 5", verification.Reason);
    }

    [Fact]
    public async Task RunAsync_FirstReadSucceeds_ReadsOnce()
    {
        var reads = 0;

        var verification = await VerificationRetry.RunAsync(
            () =>
            {
                reads++;
                return Task.FromResult(JobVerification.Success());
            },
            Options(4),
            NullRemediationReporter.Instance,
            CancellationToken.None);

        Assert.True(verification.Succeeded);
        Assert.Equal(1, reads);
    }

    [Fact]
    public async Task RunAsync_Cancelled_StopsWaiting()
    {
        using var cancellation = new CancellationTokenSource();
        var options = new RemediationOptions { VerifyRetries = 4, VerifyRetryDelay = TimeSpan.FromSeconds(30) };

        var waiting = VerificationRetry.RunAsync(
            () =>
            {
                cancellation.Cancel();
                return Task.FromResult(JobVerification.Failure("still open"));
            },
            options,
            NullRemediationReporter.Instance,
            cancellation.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(21)]
    public void VerifyRetries_OutOfRange_ThrowsNamingTheValue(int value)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RemediationOptions { VerifyRetries = value });

        Assert.Equal(value, error.ActualValue);
    }

    [Fact]
    public void VerifyRetryDelay_Negative_ThrowsNamingTheValue()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RemediationOptions { VerifyRetryDelay = TimeSpan.FromMilliseconds(-1) });

        Assert.Equal(TimeSpan.FromMilliseconds(-1), error.ActualValue);
    }

    [Theory]
    [InlineData(0, RemediationStatus.Failed)]
    [InlineData(4, RemediationStatus.Remediated)]
    public async Task Run_SandboxLagsTwoReads_RemediatedOnlyWithTheVerifyBackoff(int verifyRetries, RemediationStatus expected)
    {
        using var server = SandboxEc2.StartForJobs();
        server.ReadLag = 2;
        var account = SandboxEc2.JobAccount(server);
        using var ec2 = SandboxEc2.Client(server, account, Region);
        var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "db", Description = "db", VpcId = server.GetFirstVpcId(account.AccountId, Region) })).GroupId;
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest { GroupId = groupId, IpPermissions = [SandboxEc2.Cidr("tcp", 5432, 5432, "0.0.0.0/0")] });
        server.Settle();
        var engine = new RemediationEngine(new FakeClientFactory(ec2, account.AccountId));
        var finding = new Finding { RuleId = PostgresRule, AccountId = account.AccountId, Region = Region, ResourceId = groupId };

        var result = await engine.RunAsync(finding, new RemediationOptions { VerifyRetries = verifyRetries, VerifyRetryDelay = TimeSpan.FromMilliseconds(1) });

        Assert.Equal(expected, result.Status);
        if (expected == RemediationStatus.Failed)
        {
            // The change was made; the lagged read still showed the old rule.
            Assert.Equal(FailureTranslator.VerificationFailed, result.ErrorCode);
            Assert.Contains("still present", result.Reason, StringComparison.Ordinal);
            Assert.Equal(1 + 1, server.CallCounts["ec2:DescribeSecurityGroups"]);
        }
        else
        {
            // Plan read, then three verify reads: two lagged, one fresh.
            Assert.Equal(1 + 3, server.CallCounts["ec2:DescribeSecurityGroups"]);
        }
    }
}
