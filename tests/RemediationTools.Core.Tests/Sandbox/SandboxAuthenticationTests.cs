using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxAuthenticationTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();

    public void Dispose() => _sandbox.Dispose();

    [Fact]
    public async Task GetCallerIdentity_RootCredentials_ReturnsAccountRootArn()
    {
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(_sandbox.Root));

        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal(_sandbox.AccountId, identity.Account);
        Assert.Equal($"arn:aws:iam::{_sandbox.AccountId}:root", identity.Arn);
        Assert.Equal(_sandbox.AccountId, identity.UserId);
    }

    [Fact]
    public async Task DescribeSecurityGroups_RootCredentials_ReturnsDefaultGroup()
    {
        using var ec2 = _sandbox.Ec2();

        var response = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());

        var group = Assert.Single(response.SecurityGroups);
        Assert.Equal("default", group.GroupName);
        Assert.Equal(_sandbox.AccountId, group.OwnerId);
    }

    [Fact]
    public async Task DescribeSecurityGroups_WrongSecret_SignatureDoesNotMatch()
    {
        using var ec2 = _sandbox.Ec2(new BasicAWSCredentials(_sandbox.Root.AccessKeyId, "wrong" + _sandbox.Root.SecretAccessKey));

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task GetCallerIdentity_WrongSecret_SignatureDoesNotMatch()
    {
        using var sts = _sandbox.Sts(new BasicAWSCredentials(_sandbox.Root.AccessKeyId, "wrong" + _sandbox.Root.SecretAccessKey));

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task DescribeSecurityGroups_UnknownAccessKey_AuthFailure()
    {
        using var ec2 = _sandbox.Ec2(new BasicAWSCredentials("AKIAUNKNOWNUNKNOWN00", "secret"));

        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));

        Assert.Equal("AuthFailure", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task GetCallerIdentity_UnknownAccessKey_InvalidClientTokenId()
    {
        using var sts = _sandbox.Sts(new BasicAWSCredentials("AKIAUNKNOWNUNKNOWN00", "secret"));

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("InvalidClientTokenId", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact]
    public async Task IamCall_UnknownAccessKey_InvalidClientTokenId()
    {
        var iam = new IamQueryClient(_sandbox.Server.Endpoint, "AKIAUNKNOWNUNKNOWN00", "secret", null);

        var result = await iam.CallAsync("GetRole", new() { ["RoleName"] = "x" });

        Assert.Equal(403, result.Status);
        Assert.Equal("InvalidClientTokenId", result.ErrorCode);
        Assert.Equal("Sender", result.Value("Type"));
    }

    [Fact]
    public async Task IamCall_WrongSecret_SignatureDoesNotMatch()
    {
        var iam = new IamQueryClient(_sandbox.Server.Endpoint, _sandbox.Admin.AccessKeyId, "not-the-secret", null);

        var result = await iam.CallAsync("GetRole", new() { ["RoleName"] = "x" });

        Assert.Equal(403, result.Status);
        Assert.Equal("SignatureDoesNotMatch", result.ErrorCode);
    }

    [Fact]
    public async Task TemporaryCredentials_BeforeExpiry_AcceptedByEc2AndSts()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Reader", policy: SandboxHarness.AllowPolicy("ec2:Describe*"));
        var session = await _sandbox.AssumeAsync(roleArn);

        using var ec2 = _sandbox.Ec2(SandboxHarness.Credentials(session));
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(session));
        var groups = await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest());
        var identity = await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Single(groups.SecurityGroups);
        Assert.Equal($"arn:aws:sts::{_sandbox.AccountId}:assumed-role/Reader/test-session", identity.Arn);
        Assert.StartsWith("AROA", identity.UserId, StringComparison.Ordinal);
        Assert.EndsWith(":test-session", identity.UserId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemporaryCredentials_AfterExpiry_RefusedWithExpiredCodes()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Reader", policy: SandboxHarness.AllowPolicy("ec2:Describe*", "iam:GetRole"));
        var session = await _sandbox.AssumeAsync(roleArn);
        _sandbox.Server.Clock = () => DateTimeOffset.UtcNow.AddHours(2);

        using var ec2 = _sandbox.Ec2(SandboxHarness.Credentials(session));
        using var sts = _sandbox.Sts(SandboxHarness.Credentials(session));
        var ec2Error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));
        var stsError = await Assert.ThrowsAnyAsync<AmazonSecurityTokenServiceException>(() => sts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        var iamResult = await _sandbox.Iam(session).CallAsync("GetRole", new() { ["RoleName"] = "Reader" });

        Assert.Equal("RequestExpired", ec2Error.ErrorCode);
        Assert.Equal("ExpiredToken", stsError.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, stsError.StatusCode);
        Assert.Equal("ExpiredToken", iamResult.ErrorCode);
        Assert.Equal(403, iamResult.Status);
    }

    [Fact]
    public async Task TemporaryCredentials_WithoutSessionToken_Refused()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Reader", policy: SandboxHarness.AllowPolicy("ec2:Describe*"));
        var session = await _sandbox.AssumeAsync(roleArn);

        using var ec2 = _sandbox.Ec2(new BasicAWSCredentials(session.AccessKeyId, session.SecretAccessKey));
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest()));

        Assert.Equal("AuthFailure", error.ErrorCode);
    }

    [Fact]
    public async Task Ec2Action_NotInRolePolicy_UnauthorizedOperation()
    {
        var roleArn = await _sandbox.CreateRoleAsync("Reader", policy: SandboxHarness.AllowPolicy("ec2:Describe*"));
        var session = await _sandbox.AssumeAsync(roleArn);
        var groupId = _sandbox.Server.GetDefaultSecurityGroupId(_sandbox.AccountId, SandboxHarness.Region);

        using var ec2 = _sandbox.Ec2(SandboxHarness.Credentials(session));
        var error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => ec2.RevokeSecurityGroupEgressAsync(new RevokeSecurityGroupEgressRequest
        {
            GroupId = groupId,
            IpPermissions = [new IpPermission { IpProtocol = "-1", Ipv4Ranges = [new IpRange { CidrIp = "0.0.0.0/0" }] }],
        }));

        Assert.Equal("UnauthorizedOperation", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains($"User: arn:aws:sts::{_sandbox.AccountId}:assumed-role/Reader/test-session is not authorized to perform: ec2:RevokeSecurityGroupEgress on resource: arn:aws:ec2:us-east-1:{_sandbox.AccountId}:security-group/{groupId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IamAction_ExplicitDeny_WinsOverAllow()
    {
        const string policy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"},{"Effect":"Deny","Action":"iam:Delete*","Resource":"arn:aws:iam::*:role/*"}]}""";
        var roleArn = await _sandbox.CreateRoleAsync("Operator", policy: policy);
        var session = await _sandbox.AssumeAsync(roleArn);
        var iam = _sandbox.Iam(session);

        var get = await iam.CallAsync("GetRole", new() { ["RoleName"] = "Operator" });
        var delete = await iam.CallAsync("DeleteRolePolicy", new() { ["RoleName"] = "Operator", ["PolicyName"] = "inline" });

        Assert.Equal(200, get.Status);
        Assert.Equal(403, delete.Status);
        Assert.Equal("AccessDenied", delete.ErrorCode);
        Assert.Contains("is not authorized to perform: iam:DeleteRolePolicy on resource: " + roleArn, delete.ErrorMessage, StringComparison.Ordinal);
    }
}
