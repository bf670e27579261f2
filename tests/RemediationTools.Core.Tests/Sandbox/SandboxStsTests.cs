using System.Net;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxStsTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    private async Task<AmazonSecurityTokenServiceException> AssumeFailsAsync(string roleArn, string? externalId)
    {
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Admin));
        return await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = externalId }));
    }

    [Fact]
    public async Task AssumeRole_RightExternalId_ReturnsUsableCredentials()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Remediator", externalId: "ext-123");
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Admin));

        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = "ext-123", DurationSeconds = 900 });

        Assert.StartsWith("ASIA", response.Credentials.AccessKeyId, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(response.Credentials.SessionToken));
        Assert.InRange(response.Credentials.Expiration!.Value, DateTime.UtcNow.AddSeconds(800), DateTime.UtcNow.AddSeconds(1000));
        Assert.Equal($"arn:aws:sts::{_sandbox.AccountId}:assumed-role/Remediator/s1", response.AssumedRoleUser.Arn);
        Assert.Matches("^AROA[A-Z0-9]+:s1$", response.AssumedRoleUser.AssumedRoleId);
    }

    [Theory]
    [InlineData("wrong-id")]
    [InlineData(null)]
    public async Task AssumeRole_WrongOrMissingExternalId_AccessDenied(string? externalId)
    {
        var roleArn = await _sandbox.CreateRoleAsync("Remediator", externalId: "ext-123");

        var error = await AssumeFailsAsync(roleArn, externalId);

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Equal($"User: arn:aws:iam::{_sandbox.AccountId}:user/admin is not authorized to perform: sts:AssumeRole on resource: {roleArn}", error.Message);
    }

    [Fact]
    public async Task AssumeRole_TrustPolicyNamesAnotherAccount_AccessDenied()
    {
        var iam = _sandbox.Iam(_sandbox.Admin);
        await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = "Foreign",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy("arn:aws:iam::999999999999:root"),
        });

        var error = await AssumeFailsAsync($"arn:aws:iam::{_sandbox.AccountId}:role/Foreign", null);

        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_RoleDoesNotExist_AccessDenied()
    {
        var error = await AssumeFailsAsync($"arn:aws:iam::{_sandbox.AccountId}:role/Missing", null);

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains("sts:AssumeRole on resource: arn:aws:iam::", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_RootCredentials_AccessDeniedAsInAws()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Remediator");
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Root));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal("Roles may not be assumed by root accounts.", error.Message);
    }

    [Fact]
    public async Task AssumeRole_CrossAccountCallerWithoutIdentityPermission_AccessDenied()
    {
        var other = _sandbox.Server.CreateAccount();
        var limited = _sandbox.Server.CreateUser(other.AccountId, "limited", SandboxHarness.AllowPolicy("ec2:Describe*"));
        var allowed = _sandbox.Server.CreateUser(other.AccountId, "allowed", SandboxHarness.AllowPolicy("sts:AssumeRole"));
        var iam = _sandbox.Iam(_sandbox.Admin);
        await iam.CallAsync("CreateRole", new()
        {
            ["RoleName"] = "CrossAccount",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy(other.AccountId, "x-1"),
        });
        var roleArn = $"arn:aws:iam::{_sandbox.AccountId}:role/CrossAccount";
        using var limitedSts = _sandbox.Sts(SandboxHarness.Credentials(limited));
        using var allowedSts = _sandbox.Sts(SandboxHarness.Credentials(allowed));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            limitedSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = "x-1" }));
        var ok = await allowedSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = "x-1" });

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal($"arn:aws:sts::{_sandbox.AccountId}:assumed-role/CrossAccount/s1", ok.AssumedRoleUser.Arn);
    }

    private async Task<string> CreateNarrowedRoleAsync(string trustedAccountId, string principalArnPattern, string? organizationId)
    {
        var orgCondition = organizationId is null ? string.Empty : $",\"aws:PrincipalOrgID\":\"{organizationId}\"";
        var trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + trustedAccountId
            + ":root\"},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"sts:ExternalId\":\"x-1\"" + orgCondition
            + "},\"ArnLike\":{\"aws:PrincipalArn\":\"" + principalArnPattern + "\"}}}]}";
        var result = await _sandbox.Iam(_sandbox.Admin).CallAsync("CreateRole", new() { ["RoleName"] = "Narrowed", ["AssumeRolePolicyDocument"] = trust });
        Assert.Equal(200, result.Status);
        return $"arn:aws:iam::{_sandbox.AccountId}:role/Narrowed";
    }

    [Fact]
    public async Task AssumeRole_ArnLikePrincipalArn_OnlyMatchingUsersOfTheTrustedAccount()
    {
        var other = _sandbox.Server.CreateAccount();
        var worker = _sandbox.Server.CreateUser(other.AccountId, "remediation-worker-1", SandboxHarness.AllowPolicy("sts:AssumeRole"));
        var intruder = _sandbox.Server.CreateUser(other.AccountId, "developer", SandboxHarness.AllowPolicy("sts:AssumeRole"));
        var roleArn = await CreateNarrowedRoleAsync(other.AccountId, $"arn:aws:iam::{other.AccountId}:user/remediation-worker-*", null);
        using var workerSts = _sandbox.Sts(SandboxHarness.Credentials(worker));
        using var intruderSts = _sandbox.Sts(SandboxHarness.Credentials(intruder));

        var ok = await workerSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = "x-1" });
        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            intruderSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", ExternalId = "x-1" }));

        Assert.Equal($"arn:aws:sts::{_sandbox.AccountId}:assumed-role/Narrowed/s1", ok.AssumedRoleUser.Arn);
        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task AssumeRole_PrincipalOrgId_OnlyCallersOfAccountsInThatOrganization()
    {
        var member = _sandbox.Server.CreateAccount(organizationId: "o-member0001");
        var outsider = _sandbox.Server.CreateAccount();
        var memberUser = _sandbox.Server.CreateUser(member.AccountId, "worker", SandboxHarness.AllowPolicy("sts:AssumeRole"));
        var outsiderUser = _sandbox.Server.CreateUser(outsider.AccountId, "worker", SandboxHarness.AllowPolicy("sts:AssumeRole"));
        // Trust both accounts by their principal ARN pattern; only the organization condition tells them apart.
        var trust = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":[\"" + member.AccountId + "\",\"" + outsider.AccountId
            + "\"]},\"Action\":\"sts:AssumeRole\",\"Condition\":{\"StringEquals\":{\"aws:PrincipalOrgID\":\"o-member0001\"}}}]}";
        await _sandbox.Iam(_sandbox.Admin).CallAsync("CreateRole", new() { ["RoleName"] = "OrgOnly", ["AssumeRolePolicyDocument"] = trust });
        var roleArn = $"arn:aws:iam::{_sandbox.AccountId}:role/OrgOnly";
        using var memberSts = _sandbox.Sts(SandboxHarness.Credentials(memberUser));
        using var outsiderSts = _sandbox.Sts(SandboxHarness.Credentials(outsiderUser));

        var ok = await memberSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1" });
        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            outsiderSts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1" }));

        Assert.Equal($"arn:aws:sts::{_sandbox.AccountId}:assumed-role/OrgOnly/s1", ok.AssumedRoleUser.Arn);
        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public void CreateAccount_MalformedOrganizationId_ArgumentExceptionNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => _sandbox.Server.CreateAccount(organizationId: "org-1"));

        Assert.Contains("'org-1'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_DurationAboveMaxSessionDuration_ValidationError()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Remediator");
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Admin));

        var error = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() =>
            sts.AssumeRoleAsync(new AssumeRoleRequest { RoleArn = roleArn, RoleSessionName = "s1", DurationSeconds = 7200 }));

        Assert.Equal("ValidationError", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task GetCallerIdentity_IamUser_ReturnsUserArnAidaIdAndAccount()
    {
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Admin));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(_sandbox.AccountId, identity.Account);
        Assert.Equal($"arn:aws:iam::{_sandbox.AccountId}:user/admin", identity.Arn);
        Assert.Matches("^AIDA[A-Z0-9]{17}$", identity.UserId);
    }

    [Fact]
    public async Task GetCallerIdentity_PolicyExplicitlyDeniesIt_StillAnswersAsAwsDocuments()
    {
        var denied = _sandbox.Server.CreateUser(
            _sandbox.AccountId,
            "denied",
            """{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}""");
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(denied));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal($"arn:aws:iam::{_sandbox.AccountId}:user/denied", identity.Arn);
        Assert.Equal(_sandbox.AccountId, identity.Account);
    }

    [Fact]
    public async Task GetCallerIdentity_CrossAccountAssumedRole_NamesTheRolesAccountNotTheCallers()
    {
        var cloud = _sandbox.Server.CreateAccount();
        var cloudAdmin = _sandbox.Server.CreateUser(cloud.AccountId, "admin");
        var created = await _sandbox.Iam(cloudAdmin).CallAsync("CreateRole", new()
        {
            ["RoleName"] = "Remediation",
            ["AssumeRolePolicyDocument"] = SandboxHarness.TrustPolicy($"arn:aws:iam::{_sandbox.AccountId}:root", "o-123"),
        });
        Assert.Equal(200, created.Status);
        using var adminSts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Admin));
        var session = await adminSts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = $"arn:aws:iam::{cloud.AccountId}:role/Remediation",
            RoleSessionName = "worker-1",
            ExternalId = "o-123",
        });
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(session.Credentials));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(cloud.AccountId, identity.Account);
        Assert.Equal($"arn:aws:sts::{cloud.AccountId}:assumed-role/Remediation/worker-1", identity.Arn);
        Assert.Equal(session.AssumedRoleUser.AssumedRoleId, identity.UserId);
        Assert.Matches("^AROA[A-Z0-9]{17}:worker-1$", identity.UserId);
    }
}
