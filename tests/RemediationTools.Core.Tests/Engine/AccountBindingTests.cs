using Amazon.EC2.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Ec2;
using SecurityGroupRule = RemediationTools.Core.Jobs.Ec2.SecurityGroupRule;
using RemediationTools.Core.Tests.Jobs;
using RemediationTools.Core.Tests.Sandbox;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>
/// A finding changes only its own account: the engine compares the finding's account with the account the credentials
/// belong to (STS GetCallerIdentity, asked once per set of credentials) before any job call.
/// </summary>
public sealed class AccountBindingTests : IDisposable
{
    private const string Region = "us-east-1";
    private const string PostgresRule = "5c8c25f07a550e1fb6560bc6";
    private const string ExternalId = "o-binding123";

    private readonly SandboxServer server = SandboxServer.Start();

    public void Dispose() => server.Dispose();

    private static Finding Finding(string? account, string groupId) => new()
    {
        FindingId = "f-" + groupId,
        RuleId = PostgresRule,
        AccountId = account,
        Region = Region,
        ResourceId = groupId,
    };

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    private int Ec2Calls() => server.CallCounts.Where(c => c.Key.StartsWith("ec2:", StringComparison.Ordinal)).Sum(c => c.Value);

    /// <summary>A security group in <paramref name="account"/> with tcp 5432 open to the world.</summary>
    private async Task<string> OpenGroupAsync(SandboxAccount account, string name)
    {
        using var ec2 = SandboxEc2.Client(server, account, Region);
        var id = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = name, Description = "db" })).GroupId;
        await ec2.AuthorizeSecurityGroupIngressAsync(new AuthorizeSecurityGroupIngressRequest
        {
            GroupId = id,
            IpPermissions = new List<IpPermission> { SandboxEc2.Cidr("tcp", 5432, 5432, "0.0.0.0/0") },
        });
        return id;
    }

    private async Task<bool> IsOpenAsync(SandboxAccount account, string groupId)
    {
        using var ec2 = SandboxEc2.Client(server, account, Region);
        var group = (await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = new List<string> { groupId } })).SecurityGroups.Single();
        return (group.IpPermissions ?? new List<IpPermission>()).Any(p => p.FromPort == 5432 && (p.Ipv4Ranges ?? new List<IpRange>()).Any(r => r.CidrIp == "0.0.0.0/0"));
    }

    /// <summary>A role in <paramref name="cloud"/> that <paramref name="caller"/>'s account may assume with the external ID.</summary>
    private async Task<AccountRole> RoleAsync(SandboxAccount cloud, SandboxAccount caller)
    {
        var admin = server.CreateUser(cloud.AccountId, "admin-" + Guid.NewGuid().ToString("N")[..6]);
        var iam = new IamQueryClient(server.Endpoint, admin.AccessKeyId, admin.SecretAccessKey, null);
        var created = await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = "RemediationRole",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy("arn:aws:iam::" + caller.AccountId + ":root", ExternalId),
        });
        Assert.Equal(200, created.Status);
        var policy = await iam.CallAsync("PutRolePolicy", new()
        {
            ["RoleName"] = "RemediationRole",
            ["PolicyName"] = "remediation",
            ["PolicyDocument"] = SandboxHarness.AllowPolicy("ec2:*"),
        });
        Assert.Equal(200, policy.Status);
        return new AccountRole("arn:aws:iam::" + cloud.AccountId + ":role/RemediationRole", ExternalId);
    }

    private Task<AwsClientFactory> FactoryAsync(SandboxAccount caller, Func<DateTimeOffset>? clock = null) => AwsClientFactory.CreateAsync(
        new AwsConnectionOptions { AccessKey = caller.AccessKeyId, SecretKey = caller.SecretAccessKey, Region = Region, EndpointUrl = server.Endpoint.ToString(), MaxErrorRetry = 0 },
        new AwsClientFactoryOptions { Clock = clock ?? (() => DateTimeOffset.UtcNow) },
        CancellationToken.None);

    /// <summary>The caller: an IAM user in an account of its own (AWS refuses AssumeRole with root keys).</summary>
    private SandboxAccount Caller() => server.CreateUser(server.CreateAccount().AccountId, "remediation");

    [Fact]
    public async Task Run_CallerCredentialsOfAnotherAccount_FailsAccountMismatchWithoutAnyEc2Call()
    {
        var cloud = server.CreateAccount();
        var groupId = await OpenGroupAsync(cloud, "db");
        var caller = Caller();
        using var factory = await FactoryAsync(caller);
        server.ResetCallCounts();

        var result = await new RemediationEngine(factory).RunAsync(Finding(cloud.AccountId, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(FailureTranslator.AccountMismatch, result.ErrorCode);
        Assert.Equal(
            "The finding is for account " + cloud.AccountId + ", but the caller's own credentials belong to account " + caller.AccountId +
            "; nothing was read or changed in either account. Give the account's own role (-CloudAccount, or -RoleArn with -ExternalId) or run with its credentials.",
            result.Reason);
        Assert.Equal(cloud.AccountId, result.AccountId);
        Assert.Null(result.UndoRecord);
        Assert.Equal(0, Ec2Calls());
        Assert.Equal(1, Calls("sts:GetCallerIdentity"));
        Assert.True(await IsOpenAsync(cloud, groupId));
    }

    [Fact]
    public async Task Run_DefaultRoleOfAnotherAccount_FailsAccountMismatchNamingTheRoleAndNothingChanges()
    {
        var target = server.CreateAccount();
        var other = server.CreateAccount();
        var caller = Caller();
        var otherRole = await RoleAsync(other, caller);
        var targetGroup = await OpenGroupAsync(target, "db");
        using var factory = await FactoryAsync(caller);
        server.ResetCallCounts();

        var result = await new RemediationEngine(factory).RunAsync(Finding(target.AccountId, targetGroup), new RemediationOptions { DefaultRole = otherRole });

        Assert.Equal(FailureTranslator.AccountMismatch, result.ErrorCode);
        Assert.Contains("account " + target.AccountId, result.Reason, StringComparison.Ordinal);
        Assert.Contains("role " + otherRole.RoleArn + " belong to account " + other.AccountId, result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, Ec2Calls());
        Assert.True(await IsOpenAsync(target, groupId: targetGroup));
    }

    [Fact]
    public async Task RunBatch_CloudAccountMapWithoutTheFindingsAccount_MappedRemediatedOthersAccountMismatchNoEc2Call()
    {
        var mapped = server.CreateAccount();
        var unmapped = server.CreateAccount();
        var caller = Caller();
        var options = new RemediationOptions();
        var role = await RoleAsync(mapped, caller);
        CloudAccountRoles.Add(options, null, role.RoleArn, role.ExternalId);
        var mappedGroups = new List<string>();
        var unmappedGroups = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            mappedGroups.Add(await OpenGroupAsync(mapped, "db-" + i));
            unmappedGroups.Add(await OpenGroupAsync(unmapped, "db-" + i));
        }

        using var factory = await FactoryAsync(caller);
        server.ResetCallCounts();
        var findings = mappedGroups.Select(g => Finding(mapped.AccountId, g)).Concat(unmappedGroups.Select(g => Finding(unmapped.AccountId, g))).ToList();

        var results = await new RemediationEngine(factory).RunBatchAsync(findings, options, null, null);

        Assert.All(results.Take(3), r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.All(results.Skip(3), r => Assert.Equal(FailureTranslator.AccountMismatch, r.ErrorCode));
        Assert.All(results.Skip(3), r => Assert.Contains("the caller's own credentials belong to account " + caller.AccountId, r.Reason, StringComparison.Ordinal));
        foreach (var group in unmappedGroups)
        {
            Assert.True(await IsOpenAsync(unmapped, group));
        }

        // One check per set of credentials, not one per finding: the role's account is the one its AssumeRole response
        // named (no call), the caller's own is asked once.
        Assert.Equal(1, Calls("sts:GetCallerIdentity"));
        Assert.Equal(1, Calls("sts:AssumeRole"));
    }

    [Fact]
    public async Task RunBatch_ManyFindingsOneRole_AccountFromEachAssumeRoleNoCallerIdentityCall()
    {
        var cloud = server.CreateAccount();
        var caller = Caller();
        var role = await RoleAsync(cloud, caller);
        var groups = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            groups.Add(await OpenGroupAsync(cloud, "db-" + i));
        }

        var offset = TimeSpan.Zero;
        using var factory = await FactoryAsync(caller, () => DateTimeOffset.UtcNow + offset);
        var options = new RemediationOptions();
        options.AccountRoles[cloud.AccountId] = role;
        var engine = new RemediationEngine(factory);
        server.ResetCallCounts();

        var first = await engine.RunBatchAsync(groups.Take(3).Select(g => Finding(cloud.AccountId, g)).ToList(), options, null, null);
        Assert.Equal(0, Calls("sts:GetCallerIdentity"));
        // Inside the refresh window: the role is assumed again, and the new credentials' account is the one that response names.
        offset = TimeSpan.FromMinutes(56);
        server.Clock = () => DateTimeOffset.UtcNow + offset;
        var second = await engine.RunBatchAsync(groups.Skip(3).Select(g => Finding(cloud.AccountId, g)).ToList(), options, null, null);

        Assert.All(first.Concat(second), r => Assert.Equal(RemediationStatus.Remediated, r.Status));
        Assert.Equal(2, Calls("sts:AssumeRole"));
        Assert.Equal(0, Calls("sts:GetCallerIdentity"));
    }

    [Fact]
    public async Task Run_FindingWithoutAccountCallerCredentials_TakesTheCallersAccountAndSaysSo()
    {
        var cloud = server.CreateAccount();
        var groupId = await OpenGroupAsync(cloud, "db");
        using var factory = await FactoryAsync(cloud);

        var result = await new RemediationEngine(factory).RunAsync(Finding(null, groupId), new RemediationOptions());

        Assert.Equal(RemediationStatus.Remediated, result.Status);
        Assert.Equal(cloud.AccountId, result.AccountId);
        Assert.Equal(cloud.AccountId, result.UndoRecord!.AccountId);
        Assert.Contains("The finding names no account: it ran in account " + cloud.AccountId + ", the account of the caller's own credentials.", result.Notes);
        Assert.False(await IsOpenAsync(cloud, groupId));
    }

    [Fact]
    public async Task RunBatch_CallerOfAnotherAccount_NoBatchedReadWithTheWrongCredentials()
    {
        var fakeEc2 = new FakeEc2();
        fakeEc2.AddGroup("sg-1", new SecurityGroupRule { Protocol = "tcp", FromPort = 5432, ToPort = 5432, Cidr = "0.0.0.0/0" });
        fakeEc2.AddGroup("sg-2", new SecurityGroupRule { Protocol = "tcp", FromPort = 5432, ToPort = 5432, Cidr = "0.0.0.0/0" });
        var engine = new RemediationEngine(new FakeClientFactory(fakeEc2.Client, "111111111111"));

        var results = await engine.RunBatchAsync(new[] { Finding("222222222222", "sg-1"), Finding("222222222222", "sg-2") }, new RemediationOptions(), null, null);

        Assert.All(results, r => Assert.Equal(FailureTranslator.AccountMismatch, r.ErrorCode));
        Assert.Empty(fakeEc2.Calls);
    }

    [Fact]
    public async Task Undo_RecordOfAnotherAccount_FailsAccountMismatchWithoutAnyCall()
    {
        var fakeEc2 = new FakeEc2();
        var engine = new RemediationEngine(new FakeClientFactory(fakeEc2.Client, "111111111111"));
        var record = new RemediationUndoRecord
        {
            JobId = "security-group-close-port-5432",
            AccountId = "222222222222",
            Region = Region,
            ResourceId = "sg-1",
            RecordedAt = DateTimeOffset.UnixEpoch,
            Data = "{}",
        };

        var result = await engine.UndoAsync(record, new RemediationOptions());

        Assert.Equal(FailureTranslator.AccountMismatch, result.ErrorCode);
        Assert.True(result.IsUndo);
        Assert.Empty(fakeEc2.Calls);
    }
}
