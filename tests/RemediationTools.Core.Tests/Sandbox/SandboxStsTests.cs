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
