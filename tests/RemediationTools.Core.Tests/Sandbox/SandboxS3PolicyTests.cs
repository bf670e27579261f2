using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's bucket policies, policy status, default encryption and logging, driven by AWSSDK.S3 4.</summary>
public sealed class SandboxS3PolicyTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonS3Client _s3;

    public SandboxS3PolicyTests()
    {
        _s3 = SandboxS3.Client(_sandbox.Server, _sandbox.Admin);
    }

    public void Dispose()
    {
        _s3.Dispose();
        _sandbox.Dispose();
    }

    private static string Policy(string bucket, string principal, string? condition = null, string effect = "Allow") =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S\",\"Effect\":\"" + effect + "\",\"Principal\":" + principal
        + ",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + bucket + "/*\"" + (condition is null ? string.Empty : ",\"Condition\":" + condition) + "}]}";

    private void AddLegacy(string name, SandboxS3BucketSpec? spec = null, string region = "us-east-1") =>
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, region, name, spec ?? SandboxS3BucketSpec.Legacy);

    private async Task<bool?> IsPublicAsync(string bucket) =>
        (await _s3.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = bucket })).PolicyStatus.IsPublic;

    [Fact]
    public async Task BucketPolicy_PutGetDelete_ReturnsTheTextAsStoredThenNoSuchBucketPolicy()
    {
        AddLegacy("policy-bucket");
        var text = "{ \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::policy-bucket\",\"arn:aws:s3:::policy-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}} }";

        await _s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "policy-bucket", Policy = text });

        Assert.Equal(text, (await _s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "policy-bucket" })).Policy);
        await _s3.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = "policy-bucket" });

        // AWSSDK.S3 suppresses 404 on GetBucketPolicy (and GetBucketEncryption): no exception, the status says it.
        var sdk = await _s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = "policy-bucket" });
        Assert.Equal(HttpStatusCode.NotFound, sdk.HttpStatusCode);
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/policy-bucket?policy");
        Assert.Equal(404, status);
        Assert.Equal("NoSuchBucketPolicy", SandboxS3.Element(xml, "Code"));
        Assert.Equal("policy-bucket", SandboxS3.Element(xml, "BucketName"));
        var calls = _sandbox.Server.CallCounts;
        Assert.Equal([1, 3, 1], new[] { calls["s3:PutBucketPolicy"], calls["s3:GetBucketPolicy"], calls["s3:DeleteBucketPolicy"] });
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1]")]
    [InlineData("{\"Version\":\"2012-10-17\"}")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::mal-bucket/*\"}]}")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::other-bucket/*\"}]}")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::mal-bucket/*\"}]}")]
    [InlineData("{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"arn:aws:s3:::mal-bucket/*\"}]}")]
    public async Task PutBucketPolicy_Malformed_IsMalformedPolicy(string policy)
    {
        AddLegacy("mal-bucket");

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "mal-bucket", Policy = policy }));

        Assert.Equal("MalformedPolicy", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task PutBucketPolicy_PublicWithBlockPublicPolicy_IsAccessDeniedAndANonPublicOneIsStored()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "guarded-bucket");

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "guarded-bucket", Policy = Policy("guarded-bucket", "\"*\"") }));
        await _s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "guarded-bucket", Policy = Policy("guarded-bucket", "\"*\"", "{\"StringEquals\":{\"aws:SourceAccount\":\"" + _sandbox.AccountId + "\"}}") });

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.False(await IsPublicAsync("guarded-bucket"));
    }

    [Theory]
    [InlineData("\"*\"", null, true)]
    [InlineData("{\"AWS\":\"*\"}", null, true)]
    [InlineData("{\"AWS\":[\"*\"]}", null, true)]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}", null, false)]
    [InlineData("{\"Service\":\"logging.s3.amazonaws.com\"}", null, false)]
    [InlineData("\"*\"", "{\"StringEquals\":{\"aws:SourceAccount\":\"111122223333\"}}", false)]
    [InlineData("\"*\"", "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:us-east-1:111122223333:trail/t\"}}", false)]
    [InlineData("\"*\"", "{\"ArnLike\":{\"aws:SourceArn\":\"arn:aws:cloudtrail:*\"}}", true)]
    [InlineData("\"*\"", "{\"StringEquals\":{\"aws:SourceVpc\":\"vpc-1a2b3c4d\"}}", false)]
    [InlineData("\"*\"", "{\"StringNotEquals\":{\"aws:SourceVpc\":\"vpc-1a2b3c4d\"}}", true)]
    [InlineData("\"*\"", "{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}", false)]
    [InlineData("\"*\"", "{\"IpAddress\":{\"aws:SourceIp\":\"0.0.0.0/1\"}}", true)]
    [InlineData("\"*\"", "{\"Bool\":{\"aws:SecureTransport\":\"true\"}}", true)]
    public async Task GetBucketPolicyStatus_ComputesPublicAsTheUserGuideDefinesIt(string principal, string? condition, bool expected)
    {
        AddLegacy("status-bucket", SandboxS3BucketSpec.Legacy with { Policy = Policy("status-bucket", principal, condition) });

        Assert.Equal(expected, await IsPublicAsync("status-bucket"));
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:GetBucketPolicyStatus"]);
    }

    [Fact]
    public async Task GetBucketPolicyStatus_DenyToEveryoneOrNoPolicy_IsNotPublicOrNoSuchBucketPolicy()
    {
        AddLegacy("deny-bucket", SandboxS3BucketSpec.Legacy with { Policy = Policy("deny-bucket", "\"*\"", effect: "Deny") });
        AddLegacy("bare-bucket");

        Assert.False(await IsPublicAsync("deny-bucket"));
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => IsPublicAsync("bare-bucket"));
        Assert.Equal("NoSuchBucketPolicy", error.ErrorCode);
    }

    [Fact]
    public async Task GetBucketPolicyStatus_PublicPolicyWithRestrictPublicBucketsAndIgnorePublicAcls_StaysPublic()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "restricted-bucket", new SandboxS3BucketSpec { Policy = Policy("restricted-bucket", "\"*\"") });

        Assert.True(await IsPublicAsync("restricted-bucket"));
    }

    [Fact]
    public async Task BucketPolicy_ExplicitDeny_BindsTheCallerAndAnAllowOpensTheBucketToAnotherAccount()
    {
        var other = _sandbox.Server.CreateAccount();
        var otherAdmin = _sandbox.Server.CreateUser(other.AccountId, "admin");
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::" + other.AccountId + ":root\"},\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::shared-bucket\"},"
            + "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetBucketTagging\",\"Resource\":\"arn:aws:s3:::shared-bucket\"}]}";
        AddLegacy("shared-bucket", SandboxS3BucketSpec.Legacy with { Policy = policy, Tags = new Dictionary<string, string> { ["a"] = "b" } });
        using var foreign = SandboxS3.Client(_sandbox.Server, otherAdmin);

        var acl = await foreign.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "shared-bucket" });
        var denied = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "shared-bucket" }));

        Assert.Single(acl.Grants);
        Assert.Equal("AccessDenied", denied.ErrorCode);
        Assert.Contains("explicit deny in a resource-based policy", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBucketPolicy_AllowedCallerOfAnotherAccount_IsMethodNotAllowed()
    {
        var other = _sandbox.Server.CreateAccount();
        var otherAdmin = _sandbox.Server.CreateUser(other.AccountId, "admin");
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + other.AccountId + "\"},\"Action\":\"s3:GetBucketPolicy\",\"Resource\":\"arn:aws:s3:::owners-bucket\"}]}";
        AddLegacy("owners-bucket", SandboxS3BucketSpec.Legacy with { Policy = policy });
        using var foreign = SandboxS3.Client(_sandbox.Server, otherAdmin);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => foreign.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = "owners-bucket", Policy = policy }));
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, otherAdmin, HttpMethod.Get, "/owners-bucket?policy");

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(405, status);
        Assert.Equal("MethodNotAllowed", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task RestrictPublicBuckets_PublicPolicy_LetsInOnlyTheOwnersAccount()
    {
        var other = _sandbox.Server.CreateAccount();
        var otherAdmin = _sandbox.Server.CreateUser(other.AccountId, "admin");
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetBucketAcl\",\"Resource\":\"arn:aws:s3:::open-bucket\"}]}";
        AddLegacy("open-bucket", SandboxS3BucketSpec.Legacy with { Policy = policy });
        using var foreign = SandboxS3.Client(_sandbox.Server, otherAdmin);
        Assert.Single((await foreign.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "open-bucket" })).Grants);

        await _s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest { BucketName = "open-bucket", PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { RestrictPublicBuckets = true } });
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => foreign.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "open-bucket" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Single((await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "open-bucket" })).Grants);
        Assert.True(await IsPublicAsync("open-bucket"));
    }

    [Fact]
    public async Task ExpectedBucketOwner_NotTheOwner_IsAccessDenied()
    {
        AddLegacy("owned-bucket");

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "owned-bucket", ExpectedBucketOwner = "111122223333" }));
        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "owned-bucket", ExpectedBucketOwner = _sandbox.AccountId });

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Single(acl.Grants);
    }

    [Fact]
    public async Task Encryption_PutKmsWithBucketKey_GetReturnsItAndDeleteResetsToSseS3()
    {
        AddLegacy("kms-bucket");
        var missing = await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "kms-bucket" });
        Assert.Equal(HttpStatusCode.NotFound, missing.HttpStatusCode);
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/kms-bucket?encryption");
        Assert.Equal(404, status);
        Assert.Equal("ServerSideEncryptionConfigurationNotFoundError", SandboxS3.Element(xml, "Code"));

        await _s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest
        {
            BucketName = "kms-bucket",
            ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration
            {
                ServerSideEncryptionRules =
                [
                    new ServerSideEncryptionRule
                    {
                        ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AWSKMS, ServerSideEncryptionKeyManagementServiceKeyId = "arn:aws:kms:us-east-1:111122223333:key/k" },
                        BucketKeyEnabled = true,
                    },
                ],
            },
        });
        var rule = Assert.Single((await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "kms-bucket" })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules);
        Assert.Equal(ServerSideEncryptionMethod.AWSKMS, rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        Assert.Equal("arn:aws:kms:us-east-1:111122223333:key/k", rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId);
        Assert.True(rule.BucketKeyEnabled);

        await _s3.DeleteBucketEncryptionAsync(new DeleteBucketEncryptionRequest { BucketName = "kms-bucket" });
        var reset = Assert.Single((await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "kms-bucket" })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules);
        Assert.Equal(ServerSideEncryptionMethod.AES256, reset.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        var calls = _sandbox.Server.CallCounts;
        Assert.Equal(4, calls["s3:GetEncryptionConfiguration"]);
        Assert.Equal(2, calls["s3:PutEncryptionConfiguration"]);
    }

    [Fact]
    public async Task Encryption_SeededDsseKms_IsReturnedAsIs()
    {
        AddLegacy("dsse-bucket", SandboxS3BucketSpec.Legacy with { Encryption = new SandboxS3Encryption("aws:kms:dsse", "alias/k") });

        var rule = Assert.Single((await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "dsse-bucket" })).ServerSideEncryptionConfiguration.ServerSideEncryptionRules);

        Assert.Equal("aws:kms:dsse", rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value);
        Assert.Equal("alias/k", rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId);
        Assert.False(rule.BucketKeyEnabled ?? false);
    }

    [Fact]
    public async Task Logging_PutToATargetOfTheSameOwnerAndRegion_GetReturnsItAndAnEmptyStatusTurnsItOff()
    {
        AddLegacy("source-bucket");
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "target-bucket");
        var none = await _s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = "source-bucket" });
        Assert.True(none.BucketLoggingConfig?.TargetBucketName is null);

        await _s3.PutBucketLoggingAsync(new PutBucketLoggingRequest { BucketName = "source-bucket", LoggingConfig = new S3BucketLoggingConfig { TargetBucketName = "target-bucket", TargetPrefix = "s3bucket/source-bucket/" } });
        var got = await _s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = "source-bucket" });
        Assert.Equal("target-bucket", got.BucketLoggingConfig.TargetBucketName);
        Assert.Equal("s3bucket/source-bucket/", got.BucketLoggingConfig.TargetPrefix);

        await _s3.PutBucketLoggingAsync(new PutBucketLoggingRequest { BucketName = "source-bucket", LoggingConfig = new S3BucketLoggingConfig() });
        var off = await _s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = "source-bucket" });
        Assert.True(off.BucketLoggingConfig?.TargetBucketName is null);
        Assert.Equal(2, _sandbox.Server.CallCounts["s3:PutBucketLogging"]);
    }

    [Theory]
    [InlineData("missing-target", "does not exist")]
    [InlineData("eu-target", "Cross S3 location")]
    [InlineData("foreign-target", "owner")]
    public async Task PutBucketLogging_UnusableTarget_IsInvalidTargetBucketForLogging(string target, string message)
    {
        AddLegacy("logged-bucket");
        AddLegacy("eu-target", region: "eu-west-1");
        var other = _sandbox.Server.CreateAccount();
        _sandbox.Server.AddS3Bucket(other.AccountId, "us-east-1", "foreign-target");

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketLoggingAsync(new PutBucketLoggingRequest { BucketName = "logged-bucket", LoggingConfig = new S3BucketLoggingConfig { TargetBucketName = target, TargetPrefix = "p/" } }));

        Assert.Equal("InvalidTargetBucketForLogging", error.ErrorCode);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SeededLogging_GetBucketLogging_ReturnsTheSeededTarget()
    {
        AddLegacy("seeded-target");
        AddLegacy("seeded-source", SandboxS3BucketSpec.Legacy with { Logging = new SandboxS3Logging("seeded-target", "logs/") });

        var got = await _s3.GetBucketLoggingAsync(new GetBucketLoggingRequest { BucketName = "seeded-source" });

        Assert.Equal("seeded-target", got.BucketLoggingConfig.TargetBucketName);
        Assert.Equal("logs/", got.BucketLoggingConfig.TargetPrefix);
    }
}
