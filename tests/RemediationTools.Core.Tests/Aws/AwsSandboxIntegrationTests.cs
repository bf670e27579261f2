using System.Net;
using DescribeSecurityGroupsRequest = Amazon.EC2.Model.DescribeSecurityGroupsRequest;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Tests.Aws;

/// <summary>The AWS access layer end to end against the sandbox (SigV4 verified, AWS error semantics).</summary>
public sealed class AwsSandboxIntegrationTests : IDisposable
{
    private const string ExternalId = "o-abc123def4";
    private const string AllowAll = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""";

    private readonly SandboxServer server = SandboxServer.Start();

    public void Dispose() => server.Dispose();

    private async Task<AwsClientFactory> FactoryAsync(SandboxAccount account, Func<DateTimeOffset>? clock = null, int maxErrorRetry = 4, TimeSpan? idleTimeout = null)
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain(null));
        var connection = await resolver.ResolveAsync(
            new AwsConnectionOptions
            {
                AccessKey = account.AccessKeyId,
                SecretKey = account.SecretAccessKey,
                Region = "us-east-1",
                EndpointUrl = server.Endpoint.ToString(),
                MaxErrorRetry = maxErrorRetry,
            },
            CancellationToken.None);
        var options = new AwsClientFactoryOptions { Clock = clock ?? (() => DateTimeOffset.UtcNow) };
        options.IdleTimeout = idleTimeout ?? options.IdleTimeout;
        return new AwsClientFactory(connection, options);
    }

    private static string TrustPolicy(string callerAccountId, string externalId) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + callerAccountId +
        ":root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"" + externalId + "\"}}}]}";

    /// <summary>A cloud account with a role that the worker account's user may assume with the external ID.</summary>
    private async Task<(SandboxAccount Worker, AccountRole Role)> CrossAccountRoleAsync()
    {
        var cloud = server.CreateAccount();
        var workerRoot = server.CreateAccount();
        var worker = server.CreateUser(workerRoot.AccountId, "remediation-worker");
        using var admin = await FactoryAsync(cloud);
        var iam = (await admin.ForAccountAsync(null, CancellationToken.None)).Iam();
        var role = await iam.CreateRoleAsync(new CreateRoleRequest
        {
            RoleName = "RemediationRole",
            AssumeRolePolicyDocument = TrustPolicy(worker.AccountId, ExternalId),
        });
        await iam.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = "RemediationRole", PolicyName = "all", PolicyDocument = AllowAll });
        return (worker, new AccountRole(role.Role.Arn, ExternalId));
    }

    [Fact]
    public async Task IamClient_RoleAndInstanceProfileLifecycle_WorksEndToEnd()
    {
        using var factory = await FactoryAsync(server.CreateAccount());
        var iam = (await factory.ForAccountAsync(null, CancellationToken.None)).Iam();
        var trust = TrustPolicy("111122223333", ExternalId);

        var created = await iam.CreateRoleAsync(new CreateRoleRequest
        {
            RoleName = "WorkerRole",
            AssumeRolePolicyDocument = trust,
            Path = "/remediation/",
            Description = "Worker role",
            MaxSessionDuration = 7200,
            Tags = { new Tag("owner", "security team") },
        });
        Assert.StartsWith("arn:aws:iam::", created.Role.Arn, StringComparison.Ordinal);
        Assert.EndsWith(":role/remediation/WorkerRole", created.Role.Arn, StringComparison.Ordinal);

        var duplicate = await Assert.ThrowsAsync<AwsQueryServiceException>(
            () => iam.CreateRoleAsync(new CreateRoleRequest { RoleName = "WorkerRole", AssumeRolePolicyDocument = trust }));
        Assert.Equal("EntityAlreadyExists", duplicate.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        await iam.UpdateRoleAsync(new UpdateRoleRequest { RoleName = "WorkerRole", Description = "Updated", MaxSessionDuration = 3600 });
        var newTrust = TrustPolicy("444455556666", "o-other");
        await iam.UpdateAssumeRolePolicyAsync(new UpdateAssumeRolePolicyRequest { RoleName = "WorkerRole", PolicyDocument = newTrust });
        await iam.TagRoleAsync(new TagRoleRequest { RoleName = "WorkerRole", Tags = { new Tag("env", "prod") } });

        var role = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "WorkerRole" })).Role;
        Assert.Equal("Updated", role.Description);
        Assert.Equal(3600, role.MaxSessionDuration);
        Assert.Equal("/remediation/", role.Path);
        Assert.Contains("444455556666", role.AssumeRolePolicyDocument, StringComparison.Ordinal);
        Assert.StartsWith("{", role.AssumeRolePolicyDocument, StringComparison.Ordinal);

        var tags = (await iam.ListRoleTagsAsync(new ListRoleTagsRequest { RoleName = "WorkerRole" })).Tags;
        Assert.Equal("env=prod,owner=security team", string.Join(",", tags.Select(t => t.Key + "=" + t.Value).OrderBy(t => t, StringComparer.Ordinal)));

        const string Permissions = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::*:role/Remediation+Role"}]}""";
        await iam.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = "WorkerRole", PolicyName = "assume", PolicyDocument = Permissions });
        var policy = await iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = "WorkerRole", PolicyName = "assume" });
        Assert.Contains("Remediation+Role", policy.PolicyDocument, StringComparison.Ordinal);
        Assert.Contains("\"sts:AssumeRole\"", policy.PolicyDocument, StringComparison.Ordinal);
        Assert.Equal("assume", Assert.Single((await iam.ListRolePoliciesAsync(new ListRolePoliciesRequest { RoleName = "WorkerRole" })).PolicyNames));
        Assert.Empty((await iam.ListAttachedRolePoliciesAsync(new ListAttachedRolePoliciesRequest { RoleName = "WorkerRole" })).AttachedPolicies);

        var profile = await iam.CreateInstanceProfileAsync(new CreateInstanceProfileRequest { InstanceProfileName = "WorkerProfile", Path = "/remediation/" });
        Assert.EndsWith(":instance-profile/remediation/WorkerProfile", profile.InstanceProfile.Arn, StringComparison.Ordinal);
        await iam.AddRoleToInstanceProfileAsync(new AddRoleToInstanceProfileRequest { InstanceProfileName = "WorkerProfile", RoleName = "WorkerRole" });
        var fetched = (await iam.GetInstanceProfileAsync(new GetInstanceProfileRequest { InstanceProfileName = "WorkerProfile" })).InstanceProfile;
        Assert.Equal("WorkerRole", Assert.Single(fetched.Roles).RoleName);
        var profiles = (await iam.ListInstanceProfilesForRoleAsync(new ListInstanceProfilesForRoleRequest { RoleName = "WorkerRole" })).InstanceProfiles;
        Assert.Equal("WorkerProfile", Assert.Single(profiles).InstanceProfileName);

        var conflict = await Assert.ThrowsAsync<AwsQueryServiceException>(() => iam.DeleteRoleAsync(new DeleteRoleRequest { RoleName = "WorkerRole" }));
        Assert.Equal("DeleteConflict", conflict.ErrorCode);

        await iam.RemoveRoleFromInstanceProfileAsync(new RemoveRoleFromInstanceProfileRequest { InstanceProfileName = "WorkerProfile", RoleName = "WorkerRole" });
        await iam.DeleteInstanceProfileAsync(new DeleteInstanceProfileRequest { InstanceProfileName = "WorkerProfile" });
        await iam.DeleteRolePolicyAsync(new DeleteRolePolicyRequest { RoleName = "WorkerRole", PolicyName = "assume" });
        await iam.DeleteRoleAsync(new DeleteRoleRequest { RoleName = "WorkerRole" });

        var gone = await Assert.ThrowsAsync<AwsQueryServiceException>(() => iam.GetRoleAsync(new GetRoleRequest { RoleName = "WorkerRole" }));
        Assert.Equal("NoSuchEntity", gone.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False(string.IsNullOrEmpty(gone.RequestId));
    }

    [Fact]
    public async Task ForAccountAsync_ManyConcurrentCallers_OneAssumeRoleAndWorkingClients()
    {
        var (worker, role) = await CrossAccountRoleAsync();
        using var factory = await FactoryAsync(worker);
        server.ResetCallCounts();

        var all = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => factory.ForAccountAsync(role, CancellationToken.None))));
        var groups = await all[0].Ec2("eu-west-1").DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        var fetched = await all[0].Iam().GetRoleAsync(new GetRoleRequest { RoleName = "RemediationRole" });

        Assert.Equal(1, server.CallCounts["sts:AssumeRole"]);
        Assert.NotEmpty(groups.SecurityGroups);
        Assert.Equal(role.RoleArn, fetched.Role.Arn);
    }

    [Fact]
    public async Task ForAccountAsync_NearExpiry_AssumesRoleAgain()
    {
        var (worker, role) = await CrossAccountRoleAsync();
        var offset = TimeSpan.Zero;
        // Longer than the test's clock moves, so the role is never idle long enough to be evicted.
        using var factory = await FactoryAsync(worker, () => DateTimeOffset.UtcNow + offset, idleTimeout: TimeSpan.FromHours(2));
        server.ResetCallCounts();

        await factory.ForAccountAsync(role, CancellationToken.None);
        offset = TimeSpan.FromMinutes(30);
        await factory.ForAccountAsync(role, CancellationToken.None);
        Assert.Equal(1, server.CallCounts["sts:AssumeRole"]);

        offset = TimeSpan.FromMinutes(56);
        await factory.ForAccountAsync(role, CancellationToken.None);
        Assert.Equal(2, server.CallCounts["sts:AssumeRole"]);
    }

    [Fact]
    public async Task ForAccountAsync_WrongExternalId_ThrowsAssumeRoleDenied()
    {
        var (worker, role) = await CrossAccountRoleAsync();
        using var factory = await FactoryAsync(worker);
        var wrong = new AccountRole(role.RoleArn, "o-wrong-id");

        var ex = await Assert.ThrowsAsync<AssumeRoleDeniedException>(() => factory.ForAccountAsync(wrong, CancellationToken.None));

        Assert.Equal(
            $"Assuming role {role.RoleArn} was refused: the role's trust policy does not allow this caller, or the external ID 'o-wrong-id' does not match.",
            ex.Message);
        Assert.Equal("AccessDenied", Assert.IsAssignableFrom<AmazonServiceException>(ex.InnerException).ErrorCode);
        Assert.DoesNotContain(worker.SecretAccessKey, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clients_SandboxThrottlesAndFails_RetriesHideTransientErrors()
    {
        using var factory = await FactoryAsync(server.CreateAccount(), maxErrorRetry: 8);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);
        server.Faults.Seed = 7;
        server.Faults.ThrottleRate = 0.25;
        server.Faults.ServerErrorRate = 0.15;

        for (var i = 0; i < 8; i++)
        {
            await clients.Iam().CreateRoleAsync(new CreateRoleRequest { RoleName = $"r{i}", AssumeRolePolicyDocument = TrustPolicy("111122223333", ExternalId) });
            await clients.Ec2("us-east-1").DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        }

        server.Faults.ThrottleRate = 0;
        server.Faults.ServerErrorRate = 0;
        Assert.True(server.CallCounts["iam:CreateRole"] > 8, "some IAM calls were retried");
        Assert.True(server.CallCounts["ec2:DescribeSecurityGroups"] > 8, "some EC2 calls were retried");
    }

    [Fact]
    public async Task IamClient_AccessDenied_NotRetried()
    {
        var root = server.CreateAccount();
        var limited = server.CreateUser(root.AccountId, "reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}""");
        using var factory = await FactoryAsync(limited);
        var iam = (await factory.ForAccountAsync(null, CancellationToken.None)).Iam();
        server.ResetCallCounts();

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(
            () => iam.CreateRoleAsync(new CreateRoleRequest { RoleName = "x", AssumeRolePolicyDocument = TrustPolicy("111122223333", ExternalId) }));

        Assert.Equal("AccessDenied", ex.ErrorCode);
        Assert.Equal(1, server.CallCounts["iam:CreateRole"]);
    }
}
