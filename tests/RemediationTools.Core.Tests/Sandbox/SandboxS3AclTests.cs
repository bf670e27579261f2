using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's bucket ACLs, object ownership, public access block and tags, driven by AWSSDK.S3 4.</summary>
public sealed class SandboxS3AclTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonS3Client _s3;

    public SandboxS3AclTests()
    {
        _s3 = SandboxS3.Client(_sandbox.Server, _sandbox.Admin);
    }

    public void Dispose()
    {
        _s3.Dispose();
        _sandbox.Dispose();
    }

    private string Owner => SandboxServer.S3CanonicalUserId(_sandbox.AccountId);

    private void AddLegacy(string name, SandboxS3BucketSpec? spec = null) =>
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", name, spec ?? SandboxS3BucketSpec.Legacy);

    [Fact]
    public async Task GetBucketAcl_SeededGrants_ReturnsEveryGrantWithItsGrantee()
    {
        AddLegacy("acl-bucket", SandboxS3BucketSpec.Legacy with
        {
            Grants =
            [
                SandboxS3Grant.Account(_sandbox.AccountId, "FULL_CONTROL"),
                SandboxS3Grant.LogDelivery("WRITE"),
                SandboxS3Grant.LogDelivery("READ_ACP"),
                SandboxS3Grant.AuthenticatedUsers("FULL_CONTROL"),
            ],
        });

        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "acl-bucket" });

        Assert.Equal(Owner, acl.Owner.Id);
        Assert.Equal(4, acl.Grants.Count);
        Assert.Equal(Owner, acl.Grants[0].Grantee.CanonicalUser);
        Assert.Equal(SandboxS3Grant.LogDeliveryUri, acl.Grants[1].Grantee.URI);
        Assert.Equal(S3Permission.WRITE, acl.Grants[1].Permission);
        Assert.Equal(S3Permission.READ_ACP, acl.Grants[2].Permission);
        Assert.Equal(SandboxS3Grant.AuthenticatedUsersUri, acl.Grants[3].Grantee.URI);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:GetBucketAcl"]);
    }

    [Fact]
    public async Task PutBucketAcl_XmlBody_ReplacesTheAcl()
    {
        AddLegacy("put-acl-bucket", SandboxS3BucketSpec.Legacy with { CannedAcl = "public-read-write" });

        await _s3.PutBucketAclAsync(new PutBucketAclRequest
        {
            BucketName = "put-acl-bucket",
            AccessControlPolicy = new S3AccessControlList
            {
                Owner = new Owner { Id = Owner },
                Grants =
                [
                    new S3Grant { Grantee = new S3Grantee { CanonicalUser = Owner }, Permission = S3Permission.FULL_CONTROL },
                    new S3Grant { Grantee = new S3Grantee { URI = SandboxS3Grant.LogDeliveryUri }, Permission = S3Permission.WRITE },
                ],
            },
        });

        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "put-acl-bucket" });
        Assert.Equal(2, acl.Grants.Count);
        Assert.Equal(SandboxS3Grant.LogDeliveryUri, acl.Grants[1].Grantee.URI);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:PutBucketAcl"]);
    }

    [Fact]
    public async Task PutBucketAcl_CannedAcl_GrantsWhatTheCannedAclMeans()
    {
        AddLegacy("canned-bucket");

        await _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "canned-bucket", ACL = S3CannedACL.LogDeliveryWrite });

        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "canned-bucket" });
        Assert.Equal(["FULL_CONTROL", "WRITE", "READ_ACP"], acl.Grants.Select(g => g.Permission.Value).ToArray());
        Assert.Equal(SandboxS3Grant.LogDeliveryUri, acl.Grants[2].Grantee.URI);
    }

    [Fact]
    public async Task PutBucketAcl_GrantHeaders_GrantEachListedGrantee()
    {
        AddLegacy("header-bucket");

        var (status, body, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/header-bucket?acl", headers: new Dictionary<string, string>
        {
            ["x-amz-grant-full-control"] = $"id=\"{Owner}\"",
            ["x-amz-grant-read"] = $"uri=\"{SandboxS3Grant.AllUsersUri}\", uri=\"{SandboxS3Grant.LogDeliveryUri}\"",
            ["x-amz-checksum-crc32"] = SandboxS3.Crc32([]),
        });

        Assert.True(status == 200, body);
        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "header-bucket" });
        Assert.Equal(3, acl.Grants.Count);
        Assert.Equal(SandboxS3Grant.AllUsersUri, acl.Grants[1].Grantee.URI);
        Assert.Equal(S3Permission.READ, acl.Grants[2].Permission);
    }

    [Fact]
    public async Task PutBucketAcl_CannedAndGrantHeadersTogether_IsInvalidRequest()
    {
        AddLegacy("both-bucket");

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/both-bucket?acl", headers: new Dictionary<string, string>
        {
            ["x-amz-acl"] = "private",
            ["x-amz-grant-read"] = $"uri=\"{SandboxS3Grant.AllUsersUri}\"",
        });

        Assert.Equal(400, status);
        Assert.Equal("InvalidRequest", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task PutBucketAcl_BodyAndHeaderTogether_IsUnexpectedContent()
    {
        AddLegacy("mixed-bucket");
        var body = System.Text.Encoding.UTF8.GetBytes($"<AccessControlPolicy><AccessControlList/></AccessControlPolicy>");

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/mixed-bucket?acl", body, headers: new Dictionary<string, string> { ["x-amz-acl"] = "private", ["x-amz-checksum-crc32"] = SandboxS3.Crc32(body) });

        Assert.Equal(400, status);
        Assert.Equal("UnexpectedContent", SandboxS3.Element(xml, "Code"));
    }

    [Theory]
    [InlineData("<AccessControlPolicy><AccessControlList><Grant><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>", "MalformedXML")]
    [InlineData("<AccessControlPolicy", "MalformedXML")]
    [InlineData("<AccessControlPolicy xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><AccessControlList><Grant><Grantee xsi:type=\"AmazonCustomerByEmail\"><EmailAddress>a@example.com</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>", "UnresolvableGrantByEmailAddress")]
    public async Task PutBucketAcl_BadBody_IsAwsError(string acl, string code)
    {
        AddLegacy("bad-acl-bucket");
        var body = System.Text.Encoding.UTF8.GetBytes(acl);

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/bad-acl-bucket?acl", body, headers: new Dictionary<string, string> { ["x-amz-checksum-crc32"] = SandboxS3.Crc32(body) });

        Assert.Equal(400, status);
        Assert.Equal(code, SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task PutBucketAcl_NoAclAtAll_IsMissingSecurityHeader()
    {
        AddLegacy("none-bucket");

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/none-bucket?acl", headers: new Dictionary<string, string> { ["x-amz-checksum-crc32"] = SandboxS3.Crc32([]) });

        Assert.Equal(400, status);
        Assert.Equal("MissingSecurityHeader", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task PutBucketAcl_BucketOwnerEnforcedAndAGrantToAnother_IsAccessControlListNotSupported()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "enforced-bucket", new SandboxS3BucketSpec { PublicAccessBlock = null });

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "enforced-bucket", ACL = S3CannedACL.LogDeliveryWrite }));

        Assert.Equal("AccessControlListNotSupported", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        await _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "enforced-bucket", ACL = S3CannedACL.Private });
    }

    [Fact]
    public async Task PutBucketAcl_PublicAclWithBlockPublicAcls_IsAccessDenied()
    {
        AddLegacy("blocked-bucket", SandboxS3BucketSpec.Legacy with { PublicAccessBlock = new SandboxS3PublicAccessBlock(true, false, false, false) });

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "blocked-bucket", ACL = S3CannedACL.PublicRead }));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        await _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = "blocked-bucket", ACL = S3CannedACL.LogDeliveryWrite });
    }

    [Fact]
    public async Task CreateBucket_PublicCannedAcl_IsRefusedAsBucketOwnerEnforcedOrBlocked()
    {
        var enforced = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketAsync(new PutBucketRequest { BucketName = "public-new", CannedACL = S3CannedACL.PublicRead }));
        var blocked = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketAsync(new PutBucketRequest { BucketName = "public-new", CannedACL = S3CannedACL.PublicRead, ObjectOwnership = ObjectOwnership.ObjectWriter }));

        Assert.Equal("InvalidBucketAclWithObjectOwnership", enforced.ErrorCode);
        Assert.Equal("AccessDenied", blocked.ErrorCode);
        Assert.Equal(2, _sandbox.Server.CallCounts["s3:PutBucketAcl"]);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:PutBucketOwnershipControls"]);
    }

    [Fact]
    public async Task OwnershipControls_PutGetDelete_RoundTripAndNotFoundAfterDelete()
    {
        AddLegacy("own-bucket", SandboxS3BucketSpec.Legacy with { ObjectOwnership = null });
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = "own-bucket" }));
        Assert.Equal("OwnershipControlsNotFoundError", missing.ErrorCode);

        await _s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = "own-bucket",
            OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.BucketOwnerPreferred }] },
        });
        var got = await _s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = "own-bucket" });
        Assert.Equal(ObjectOwnership.BucketOwnerPreferred, Assert.Single(got.OwnershipControls.Rules).ObjectOwnership);

        await _s3.DeleteBucketOwnershipControlsAsync(new DeleteBucketOwnershipControlsRequest { BucketName = "own-bucket" });
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = "own-bucket" }));
        Assert.Equal("OwnershipControlsNotFoundError", gone.ErrorCode);
        Assert.Equal(2, _sandbox.Server.CallCounts["s3:PutBucketOwnershipControls"]);
    }

    [Fact]
    public async Task PutOwnershipControls_EnforcedWhileTheAclGrantsLogDelivery_IsInvalidBucketAclWithObjectOwnership()
    {
        AddLegacy("log-acl-bucket", SandboxS3BucketSpec.Legacy with { CannedAcl = "log-delivery-write" });

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = "log-acl-bucket",
            OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.BucketOwnerEnforced }] },
        }));

        Assert.Equal("InvalidBucketAclWithObjectOwnership", error.ErrorCode);
    }

    [Fact]
    public async Task PublicAccessBlock_PutGetDelete_RoundTripAndNoSuchConfigurationAfterDelete()
    {
        AddLegacy("pab-bucket");
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "pab-bucket" }));
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", missing.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        await _s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = "pab-bucket",
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true, IgnorePublicAcls = false, BlockPublicPolicy = true, RestrictPublicBuckets = false },
        });
        var got = (await _s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "pab-bucket" })).PublicAccessBlockConfiguration;
        Assert.Equal([true, false, true, false], new[] { got.BlockPublicAcls, got.IgnorePublicAcls, got.BlockPublicPolicy, got.RestrictPublicBuckets }.Select(b => b == true).ToArray());

        await _s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = "pab-bucket" });
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "pab-bucket" }));
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", gone.ErrorCode);
        var calls = _sandbox.Server.CallCounts;
        Assert.Equal(2, calls["s3:PutBucketPublicAccessBlock"]);
        Assert.Equal(3, calls["s3:GetBucketPublicAccessBlock"]);
    }

    [Fact]
    public async Task Tagging_PutGetDelete_RoundTripAndNoSuchTagSetAfterDelete()
    {
        AddLegacy("tag-bucket");
        var missing = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tag-bucket" }));
        Assert.Equal("NoSuchTagSet", missing.ErrorCode);

        await _s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = "tag-bucket", TagSet = [new Tag { Key = "remediation:skip", Value = "true" }, new Tag { Key = "team", Value = "" }] });
        var got = await _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tag-bucket" });
        Assert.Equal(["remediation:skip=true", "team="], got.TagSet.Select(t => t.Key + "=" + t.Value).ToArray());

        await _s3.DeleteBucketTaggingAsync(new DeleteBucketTaggingRequest { BucketName = "tag-bucket" });
        var gone = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = "tag-bucket" }));
        Assert.Equal("NoSuchTagSet", gone.ErrorCode);
        Assert.Equal(2, _sandbox.Server.CallCounts["s3:PutBucketTagging"]);
    }

    [Theory]
    [InlineData("aws:reserved", "v")]
    [InlineData("dup", "v")]
    [InlineData("", "v")]
    public async Task PutBucketTagging_InvalidTags_IsInvalidTag(string key, string value)
    {
        AddLegacy("bad-tag-bucket");
        List<Tag> tags = key == "dup" ? [new Tag { Key = key, Value = value }, new Tag { Key = key, Value = "w" }] : [new Tag { Key = key, Value = value }];

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = "bad-tag-bucket", TagSet = tags }));

        Assert.Equal("InvalidTag", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task AnyCall_UserWithoutTheIamAction_IsAccessDeniedNamingTheAction()
    {
        AddLegacy("denied-bucket");
        var user = _sandbox.Server.CreateUser(_sandbox.AccountId, "reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::denied-bucket"}]}""");
        using var reader = SandboxS3.Client(_sandbox.Server, user);

        await reader.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "denied-bucket" });
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => reader.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "denied-bucket" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.Contains("s3:GetBucketPublicAccessBlock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_BucketInAChinaRegion_IsAuthorizedOnItsAwsCnArn()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "cn-north-1", "china-bucket", SandboxS3BucketSpec.Legacy);
        var user = _sandbox.Server.CreateUser(_sandbox.AccountId, "cn-reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketAcl","Resource":"arn:aws-cn:s3:::china-bucket"}]}""");
        var global = _sandbox.Server.CreateUser(_sandbox.AccountId, "aws-reader", """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::china-bucket"}]}""");
        using var reader = SandboxS3.Client(_sandbox.Server, user, "cn-north-1");
        using var wrong = SandboxS3.Client(_sandbox.Server, global, "cn-north-1");

        Assert.Single((await reader.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "china-bucket" })).Grants);
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => wrong.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "china-bucket" }));
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains("arn:aws-cn:s3:::china-bucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_BucketOfAnotherAccountWithoutABucketPolicy_IsAccessDenied()
    {
        var other = _sandbox.Server.CreateAccount();
        _sandbox.Server.AddS3Bucket(other.AccountId, "us-east-1", "foreign-bucket");

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "foreign-bucket" }));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }
}
