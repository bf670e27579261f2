using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Roles;
using RemediationTools.Core.Tests.Aws;

namespace RemediationTools.Core.Tests.Roles;

/// <summary>The account-role, worker-role and readiness services end to end against the sandbox, with two accounts.</summary>
public sealed class RoleServicesSandboxTests : IDisposable
{
    private const string OrgId = "o-abc123def4";
    private const string Region = "us-east-1";
    private static readonly RemediationJobInfo SecurityGroupJob = new() { Id = "sg", IamActions = new[] { "ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress" } };
    private static readonly RemediationJobInfo VolumeJob = new() { Id = "ebs", IamActions = new[] { "ec2:DescribeVolumes", "ec2:CreateSnapshot" } };

    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount cloud;
    private readonly SandboxAccount hosting;
    private readonly List<IDisposable> disposables = new();

    public RoleServicesSandboxTests()
    {
        cloud = server.CreateAccount();
        hosting = server.CreateUser(server.CreateAccount().AccountId, "admin");
    }

    public void Dispose()
    {
        foreach (var item in disposables)
        {
            item.Dispose();
        }

        server.Dispose();
    }

    private async Task<AwsClientFactory> FactoryAsync(string accessKey, string secretKey, string? token = null)
    {
        var resolver = new AwsConnectionResolver(new FakeEnvironment(), new FakeProfileStore(), new FakeDefaultChain(null));
        var connection = await resolver.ResolveAsync(
            new AwsConnectionOptions { AccessKey = accessKey, SecretKey = secretKey, SessionToken = token, Region = Region, EndpointUrl = server.Endpoint.ToString(), MaxErrorRetry = 0 },
            CancellationToken.None);
        var factory = new AwsClientFactory(connection);
        disposables.Add(factory);
        return factory;
    }

    private async Task<IAwsClients> ClientsAsync(string accessKey, string secretKey, string? token = null)
        => await (await FactoryAsync(accessKey, secretKey, token)).ForAccountAsync(null, CancellationToken.None);

    private Task<IAwsClients> ClientsAsync(SandboxAccount account) => ClientsAsync(account.AccessKeyId, account.SecretAccessKey);

    private async Task<RemediationAccountRole> EnsureAccountRoleAsync(AccountRoleRequest request)
    {
        var service = new AccountRoleService(await ClientsAsync(cloud), Region);
        var plan = await service.PlanAsync(request, CancellationToken.None);
        return await service.ApplyAsync(plan, CancellationToken.None);
    }

    private async Task<RemediationWorkerRole> EnsureWorkerRoleAsync(params string[] roleArns)
    {
        var service = new WorkerRoleService(await ClientsAsync(hosting), Region);
        var plan = await service.PlanAsync(new WorkerRoleRequest { AccountRoleArns = roleArns }, CancellationToken.None);
        return await service.ApplyAsync(plan, CancellationToken.None);
    }

    private AmazonSecurityTokenServiceClient Sts(SandboxSessionCredentials session) =>
        new(new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), new AmazonSecurityTokenServiceConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    [Fact]
    public async Task AccountAndWorkerRoles_CreatedRerunAndAssumed_OnlyWithTheExternalId()
    {
        // The worker role first: IAM refuses a trust policy that names a role that does not exist yet.
        var accountRoleArn = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        var worker = await EnsureWorkerRoleAsync(accountRoleArn);
        Assert.Equal(RemediationRoleStatus.Created, worker.Status);
        Assert.Equal(new[] { accountRoleArn }, worker.AccountRoleArns);

        var request = new AccountRoleRequest { WorkerRoleArn = worker.RoleArn, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob }, Tags = new Dictionary<string, string> { ["team"] = "security" } };
        var created = await EnsureAccountRoleAsync(request);
        Assert.Equal(RemediationRoleStatus.Created, created.Status);
        Assert.Equal(accountRoleArn, created.RoleArn);
        Assert.Equal(cloud.AccountId, created.AccountId);

        Assert.Equal(RemediationRoleStatus.Unchanged, (await EnsureAccountRoleAsync(request)).Status);
        Assert.Equal(RemediationRoleStatus.Unchanged, (await EnsureWorkerRoleAsync(created.RoleArn)).Status);

        var session = server.IssueInstanceProfileCredentials(hosting.AccountId, worker.InstanceProfileName);
        using var sts = Sts(session);
        var assumed = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = created.RoleArn, ExternalId = OrgId, RoleSessionName = "roles-test" });
        Assert.Contains(":assumed-role/RemediationTools/", assumed.AssumedRoleUser.Arn, StringComparison.Ordinal);
        var wrong = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = created.RoleArn, ExternalId = "o-wrong00000", RoleSessionName = "roles-test" }));
        Assert.Equal("AccessDenied", wrong.ErrorCode);
        var none = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = created.RoleArn, RoleSessionName = "roles-test" }));
        Assert.Equal("AccessDenied", none.ErrorCode);
    }

    [Fact]
    public async Task AccountRole_HostingAccountNarrowedByRoleNameAndOrganization_OnlyMatchingRolesOfTheOrganizationAssume()
    {
        server.CreateAccount(hosting.AccountId, organizationId: OrgId);
        var accountRoleArn = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        var created = await EnsureAccountRoleAsync(new AccountRoleRequest
        {
            HostingAccountId = hosting.AccountId, TrustedRoleName = "RemediationToolsWork*", OrganizationId = OrgId, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob },
        });
        var workerService = new WorkerRoleService(await ClientsAsync(hosting), Region);
        async Task<RemediationWorkerRole> WorkerAsync(string name) => await workerService.ApplyAsync(
            await workerService.PlanAsync(new WorkerRoleRequest { RoleName = name, AccountRoleArns = new[] { accountRoleArn } }, CancellationToken.None), CancellationToken.None);
        var worker = await WorkerAsync("RemediationToolsWorker");
        var other = await WorkerAsync("BuildAgent");
        using var workerSts = Sts(server.IssueInstanceProfileCredentials(hosting.AccountId, worker.InstanceProfileName));
        using var otherSts = Sts(server.IssueInstanceProfileCredentials(hosting.AccountId, other.InstanceProfileName));

        var assumed = await workerSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = accountRoleArn, ExternalId = OrgId, RoleSessionName = "narrowed" });
        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => otherSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = accountRoleArn, ExternalId = OrgId, RoleSessionName = "narrowed" }));
        var trust = (await (await ClientsAsync(cloud)).Iam().GetRoleAsync(new GetRoleRequest { RoleName = "RemediationTools" })).Role.AssumeRolePolicyDocument ?? string.Empty;

        Assert.Contains(":assumed-role/RemediationTools/narrowed", assumed.AssumedRoleUser.Arn, StringComparison.Ordinal);
        Assert.Equal("AccessDenied", refused.ErrorCode);
        Assert.Equal($"arn:aws:iam::{hosting.AccountId}:role/RemediationToolsWork*", created.TrustedPrincipalArnPattern);
        Assert.Equal(OrgId, created.TrustedOrganizationId);
        Assert.Contains("\"ArnLike\":{\"aws:PrincipalArn\":\"arn:aws:iam::" + hosting.AccountId + ":role/RemediationToolsWork*\"}", Uri.UnescapeDataString(trust), StringComparison.Ordinal);
        Assert.Contains("\"aws:PrincipalOrgID\":\"" + OrgId + "\"", Uri.UnescapeDataString(trust), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountRole_HostingAccountOfAnotherOrganization_CannotAssume()
    {
        server.CreateAccount(hosting.AccountId, organizationId: "o-other00000");
        var accountRoleArn = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        await EnsureAccountRoleAsync(new AccountRoleRequest { HostingAccountId = hosting.AccountId, OrganizationId = OrgId, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } });
        var worker = await EnsureWorkerRoleAsync(accountRoleArn);
        using var sts = Sts(server.IssueInstanceProfileCredentials(hosting.AccountId, worker.InstanceProfileName));

        var refused = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = accountRoleArn, ExternalId = OrgId, RoleSessionName = "s2" }));

        Assert.Equal("AccessDenied", refused.ErrorCode);
    }

    [Theory]
    [InlineData(null, "bad name!", null, "'bad name!'")]
    [InlineData(null, null, "org-1", "'org-1'")]
    [InlineData("arn:aws:iam::111111111111:role/W", "W*", null, "hosting account ID")]
    public async Task AccountRole_BadTrustNarrowing_ThrowsNamingTheValue(string? workerRoleArn, string? trustedRoleName, string? organizationId, string expected)
    {
        var service = new AccountRoleService(await ClientsAsync(cloud), Region);
        var request = new AccountRoleRequest
        {
            WorkerRoleArn = workerRoleArn, HostingAccountId = workerRoleArn is null ? hosting.AccountId : null,
            TrustedRoleName = trustedRoleName, OrganizationId = organizationId, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob },
        };

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanAsync(request, CancellationToken.None));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountRole_JobListChanged_UpdatesOnlyThePolicy()
    {
        var request = new AccountRoleRequest { HostingAccountId = hosting.AccountId, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } };
        await EnsureAccountRoleAsync(request);
        var iam = (await ClientsAsync(cloud)).Iam();
        var trustBefore = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "RemediationTools" })).Role.AssumeRolePolicyDocument;

        request.Jobs = new[] { SecurityGroupJob, VolumeJob };
        var updated = await EnsureAccountRoleAsync(request);

        Assert.Equal(RemediationRoleStatus.Updated, updated.Status);
        Assert.Equal(new[] { "replace inline policy RemediationTools" }, updated.Changes);
        Assert.Equal(trustBefore, (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "RemediationTools" })).Role.AssumeRolePolicyDocument);
        var policy = await iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = "RemediationTools", PolicyName = "RemediationTools" });
        Assert.Equal(JobPolicyFactory.Actions(request.Jobs), PolicyText.AllowedActions(policy.PolicyDocument).OrderBy(a => a, StringComparer.Ordinal));
    }

    [Fact]
    public async Task AccountRole_BadInput_ThrowsNamingTheValueAndCreatesNothing()
    {
        var service = new AccountRoleService(await ClientsAsync(cloud), Region);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanAsync(new AccountRoleRequest { WorkerRoleArn = "arn:aws:iam::1:role/x", ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } }, CancellationToken.None));
        Assert.Contains("arn:aws:iam::1:role/x", ex.Message, StringComparison.Ordinal);
        var badId = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanAsync(new AccountRoleRequest { HostingAccountId = hosting.AccountId, ExternalId = "o x", Jobs = new[] { SecurityGroupJob } }, CancellationToken.None));
        Assert.Contains("'o x'", badId.Message, StringComparison.Ordinal);
        Assert.Null(await IamRoleReader.FindRoleAsync((await ClientsAsync(cloud)).Iam(), "RemediationTools", CancellationToken.None));
    }

    [Fact]
    public async Task WorkerRole_AccountsAddedLater_ExtendThePolicy_AndWildcardNeedsTheSwitch()
    {
        var first = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        var second = "arn:aws:iam::333333333333:role/RemediationTools";
        await EnsureWorkerRoleAsync(first);
        var extended = await EnsureWorkerRoleAsync(second);

        Assert.Equal(RemediationRoleStatus.Updated, extended.Status);
        Assert.Equal(new[] { first, second }.OrderBy(a => a, StringComparer.Ordinal), extended.AccountRoleArns);
        var service = new WorkerRoleService(await ClientsAsync(hosting), Region);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanAsync(new WorkerRoleRequest { AccountRoleArns = new[] { "arn:aws:iam::*:role/RemediationTools" } }, CancellationToken.None));
        Assert.Contains("AllowAnyAccountRole", ex.Message, StringComparison.Ordinal);

        var warnings = new List<string>();
        service.Warning += (_, text) => warnings.Add(text);
        var any = await service.PlanAsync(new WorkerRoleRequest { AllowAnyAccountRole = true }, CancellationToken.None);
        Assert.Equal(new[] { "arn:aws:iam::*:role/*" }, any.Output.AccountRoleArns);
        Assert.Single(warnings);
    }

    [Fact]
    public async Task WorkerRole_WorkerGroupsAddedLater_ExtendTheStoreStatementsAndARerunKeepsThem()
    {
        var accountRole = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        var service = new WorkerRoleService(await ClientsAsync(hosting), Region);
        async Task<string> PolicyAfterAsync(WorkerRoleRequest request)
        {
            var plan = await service.PlanAsync(request, CancellationToken.None);
            await service.ApplyAsync(plan, CancellationToken.None);
            var iam = (await ClientsAsync(hosting)).Iam();
            return (await IamRoleReader.InlinePoliciesAsync(iam, RoleNames.DefaultWorkerRoleName, CancellationToken.None))[RoleNames.DefaultWorkerRoleName];
        }

        var prod = await PolicyAfterAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole }, WorkerGroups = new[] { "prod" } });
        var both = await PolicyAfterAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole }, WorkerGroups = new[] { "dev" } });
        var rerun = await PolicyAfterAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole } });

        Assert.Equal(new[] { $"arn:aws:sqs:{Region}:{hosting.AccountId}:RemediationTools-prod", $"arn:aws:sqs:{Region}:{hosting.AccountId}:RemediationTools-prod-dlq" },
            PolicyText.ResourcesOfStatement(prod, WorkerGroupStorePolicy.QueueStatementSid));
        Assert.Equal(4, PolicyText.ResourcesOfStatement(both, WorkerGroupStorePolicy.QueueStatementSid).Count);
        Assert.Contains("\"dynamodb:LeadingKeys\":[\"dev\",\"prod\"]", both, StringComparison.Ordinal);
        Assert.Equal(both, rerun);
        Assert.Equal(new[] { $"arn:aws:dynamodb:{Region}:{hosting.AccountId}:table/RemediationTools" }, PolicyText.ResourcesOfStatement(rerun, WorkerGroupStorePolicy.TableStatementSid));
        Assert.Equal(
            new[] { $"arn:aws:ssm:{Region}:{hosting.AccountId}:parameter/remediation/dev/client-secret", $"arn:aws:ssm:{Region}:{hosting.AccountId}:parameter/remediation/prod/client-secret" },
            PolicyText.ResourcesOfStatement(rerun, WorkerGroupStorePolicy.SecretStatementSid).OrderBy(r => r, StringComparer.Ordinal));
    }

    [Fact]
    public async Task WorkerRole_EcrRepositories_PullOnExactlyThemAndTheLoginTokenAndARerunKeepsThem()
    {
        var accountRole = $"arn:aws:iam::{cloud.AccountId}:role/RemediationTools";
        var repository = $"arn:aws:ecr:{Region}:{hosting.AccountId}:repository/remediation-worker";
        var service = new WorkerRoleService(await ClientsAsync(hosting), Region);
        async Task<string> PolicyAfterAsync(WorkerRoleRequest request)
        {
            var plan = await service.PlanAsync(request, CancellationToken.None);
            await service.ApplyAsync(plan, CancellationToken.None);
            var iam = (await ClientsAsync(hosting)).Iam();
            return (await IamRoleReader.InlinePoliciesAsync(iam, RoleNames.DefaultWorkerRoleName, CancellationToken.None))[RoleNames.DefaultWorkerRoleName];
        }

        var first = await PolicyAfterAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole }, EcrRepositoryArns = new[] { repository } });
        var rerun = await PolicyAfterAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole } });

        Assert.Equal(new[] { repository }, PolicyText.ResourcesOfStatement(first, WorkerImagePolicy.PullStatementSid));
        Assert.Equal(new[] { "*" }, PolicyText.ResourcesOfStatement(first, WorkerImagePolicy.LoginStatementSid));
        Assert.Contains("\"ecr:BatchGetImage\"", first, StringComparison.Ordinal);
        Assert.DoesNotContain("ecr:PutImage", first, StringComparison.Ordinal);
        Assert.Equal(first, rerun);
        var bad = await Assert.ThrowsAsync<ArgumentException>(() => service.PlanAsync(new WorkerRoleRequest { AccountRoleArns = new[] { accountRole }, EcrRepositoryArns = new[] { "arn:aws:s3:::bucket" } }, CancellationToken.None));
        Assert.Contains("'arn:aws:s3:::bucket'", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_ReadyRole_ThenHandEditedDrift_IsReported()
    {
        var worker = await EnsureWorkerRoleAsync($"arn:aws:iam::{cloud.AccountId}:role/RemediationTools");
        var role = await EnsureAccountRoleAsync(new AccountRoleRequest { WorkerRoleArn = worker.RoleArn, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } });
        var session = server.IssueInstanceProfileCredentials(hosting.AccountId, worker.InstanceProfileName);
        var check = new AccountRoleReadinessService(await ClientsAsync(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), await ClientsAsync(cloud), Region);
        var request = new ReadinessRequest { RoleArn = role.RoleArn, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } };

        var ready = await check.CheckAsync(request, CancellationToken.None);
        Assert.True(ready.IsReady, string.Join(" | ", ready.Findings));
        Assert.True(ready.ExternalIdEnforced);
        Assert.False(ready.HasDrift);
        Assert.Empty(ready.Findings);

        var iam = (await ClientsAsync(cloud)).Iam();
        await iam.PutRolePolicyAsync(new PutRolePolicyRequest
        {
            RoleName = "RemediationTools",
            PolicyName = "RemediationTools",
            PolicyDocument = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:DescribeSecurityGroups","ec2:TerminateInstances"],"Resource":"*"}]}""",
        });
        var drifted = await check.CheckAsync(request, CancellationToken.None);
        Assert.False(drifted.IsReady);
        Assert.True(drifted.HasDrift);
        Assert.Equal(new[] { "ec2:RevokeSecurityGroupIngress" }, drifted.MissingActions);
        Assert.Equal(new[] { "ec2:TerminateInstances" }, drifted.ExcessActions);

        var otherReader = new AccountRoleReadinessService(await ClientsAsync(session.AccessKeyId, session.SecretAccessKey, session.SessionToken), await ClientsAsync(hosting), Region);
        var unread = await otherReader.CheckAsync(request, CancellationToken.None);
        Assert.False(unread.PoliciesRead);
        Assert.False(unread.IsReady);
        Assert.Contains(unread.Findings, f => f.Contains($"belong to account {hosting.AccountId}", StringComparison.Ordinal));

        var wrongSource = new AccountRoleReadinessService(await ClientsAsync(hosting), await ClientsAsync(cloud), Region);
        var refused = await wrongSource.CheckAsync(request, CancellationToken.None);
        Assert.False(refused.CanAssume);
        Assert.Contains(refused.Findings, f => f.Contains("AccessDenied", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccountRole_WithoutIncludeUndo_UndoFailsNamingTheSwitch_WithIt_UndoSucceeds()
    {
        var job = JobCatalog.Default.FindById("security-group-not-attached-delete")!;
        var request = new AccountRoleRequest { HostingAccountId = hosting.AccountId, ExternalId = OrgId, Jobs = new[] { job.Info } };
        var role = await EnsureAccountRoleAsync(request);
        Assert.False(role.IncludeUndo);
        var ec2 = (await ClientsAsync(cloud)).Ec2(Region);
        var groupId = (await ec2.CreateSecurityGroupAsync(new CreateSecurityGroupRequest { GroupName = "unused-undo", Description = "unused" })).GroupId;
        var engine = new RemediationEngine(await FactoryAsync(hosting.AccessKeyId, hosting.SecretAccessKey));
        var options = new RemediationOptions { DefaultRole = CloudAccountRoles.DefaultRole(role.RoleArn, OrgId) };
        var finding = new Finding { JobId = job.Info.Id, AccountId = cloud.AccountId, Region = Region, ResourceId = groupId };

        var deleted = await engine.RunAsync(finding, options);
        Assert.Equal(RemediationStatus.Remediated, deleted.Status);
        var denied = await engine.UndoAsync(deleted.UndoRecord!, options);

        Assert.Equal(RemediationStatus.Failed, denied.Status);
        Assert.Equal("UnauthorizedOperation", denied.ErrorCode);
        var missing = Assert.Single(denied.MissingIamActions);
        Assert.Contains(missing, job.Info.UndoIamActions);
        Assert.Contains("lacks " + missing, denied.Reason, StringComparison.Ordinal);
        Assert.Contains("New-RemediationAccountRole -IncludeUndo", denied.Reason, StringComparison.Ordinal);

        request.IncludeUndo = true;
        var widened = await EnsureAccountRoleAsync(request);
        Assert.Equal(RemediationRoleStatus.Updated, widened.Status);
        Assert.True(widened.IncludeUndo);
        var restored = await new RemediationEngine(await FactoryAsync(hosting.AccessKeyId, hosting.SecretAccessKey)).UndoAsync(deleted.UndoRecord!, options);

        Assert.Equal(RemediationStatus.Remediated, restored.Status);
        var recreated = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { Filters = new List<Filter> { new() { Name = "group-name", Values = new List<string> { "unused-undo" } } } });
        Assert.Single(recreated.SecurityGroups);
    }

    [Fact]
    public async Task Readiness_RoleWithUndoActions_ExcessOnlyWithoutIncludeUndo()
    {
        var job = JobCatalog.Default.FindById("security-group-not-attached-delete")!.Info;
        var role = await EnsureAccountRoleAsync(new AccountRoleRequest { HostingAccountId = hosting.AccountId, ExternalId = OrgId, Jobs = new[] { job }, IncludeUndo = true });
        var check = new AccountRoleReadinessService(await ClientsAsync(hosting), await ClientsAsync(cloud), Region);

        var withUndo = await check.CheckAsync(new ReadinessRequest { RoleArn = role.RoleArn, ExternalId = OrgId, Jobs = new[] { job }, IncludeUndo = true }, CancellationToken.None);
        var withoutUndo = await check.CheckAsync(new ReadinessRequest { RoleArn = role.RoleArn, ExternalId = OrgId, Jobs = new[] { job } }, CancellationToken.None);

        Assert.True(withUndo.IsReady, string.Join(" | ", withUndo.Findings));
        Assert.True(withUndo.IncludeUndo);
        Assert.Empty(withUndo.ExcessActions);
        Assert.Empty(withUndo.MissingActions);
        Assert.False(withUndo.HasDrift);
        Assert.Equal(job.UndoIamActions.OrderBy(a => a, StringComparer.Ordinal), withoutUndo.ExcessActions);
        Assert.True(withoutUndo.HasDrift);
        Assert.Contains(withoutUndo.Findings, f => f.Contains("only undo needs it", StringComparison.Ordinal) && f.Contains("-IncludeUndo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Readiness_TrustWithoutExternalIdCondition_IsNotReady()
    {
        var iam = (await ClientsAsync(cloud)).Iam();
        await iam.CreateRoleAsync(new CreateRoleRequest
        {
            RoleName = "Loose",
            AssumeRolePolicyDocument = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + hosting.AccountId + ":root\"},\"Action\":\"sts:AssumeRole\"}]}",
        });
        await iam.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = "Loose", PolicyName = "p", PolicyDocument = JobPolicyFactory.Builder(new[] { SecurityGroupJob }).Build()[0].Json });
        var check = new AccountRoleReadinessService(await ClientsAsync(hosting), await ClientsAsync(cloud), Region);

        var report = await check.CheckAsync(new ReadinessRequest { RoleArn = $"arn:aws:iam::{cloud.AccountId}:role/Loose", ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } }, CancellationToken.None);

        Assert.True(report.CanAssume);
        Assert.False(report.ExternalIdEnforced);
        Assert.False(report.IsReady);
        Assert.Contains(report.Findings, f => f.Contains("without an external ID", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Remove_BothRoles_LeavesNothingBehind()
    {
        var role = await EnsureAccountRoleAsync(new AccountRoleRequest { HostingAccountId = hosting.AccountId, ExternalId = OrgId, Jobs = new[] { SecurityGroupJob } });
        var worker = await EnsureWorkerRoleAsync(role.RoleArn);
        var cloudIam = (await ClientsAsync(cloud)).Iam();
        var hostingIam = (await ClientsAsync(hosting)).Iam();

        Assert.True(await new AccountRoleService(await ClientsAsync(cloud), Region).RemoveAsync("RemediationTools", CancellationToken.None));
        Assert.True(await new WorkerRoleService(await ClientsAsync(hosting), Region).RemoveAsync(worker.RoleName, CancellationToken.None));

        Assert.Null(await IamRoleReader.FindRoleAsync(cloudIam, "RemediationTools", CancellationToken.None));
        Assert.Null(await IamRoleReader.FindRoleAsync(hostingIam, worker.RoleName, CancellationToken.None));
        Assert.Null(await IamRoleReader.FindInstanceProfileAsync(hostingIam, worker.InstanceProfileName, CancellationToken.None));
        Assert.False(await new AccountRoleService(await ClientsAsync(cloud), Region).RemoveAsync("RemediationTools", CancellationToken.None));
    }
}
