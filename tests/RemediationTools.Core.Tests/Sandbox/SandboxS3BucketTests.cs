using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's S3 buckets (create, list, head, location, delete, regions and redirects), driven by AWSSDK.S3 4 and raw HTTP.</summary>
public sealed class SandboxS3BucketTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonS3Client _s3;

    public SandboxS3BucketTests()
    {
        _s3 = SandboxS3.Client(_sandbox.Server, _sandbox.Admin);
    }

    public void Dispose()
    {
        _s3.Dispose();
        _sandbox.Dispose();
    }

    [Fact]
    public async Task CreateBucket_UsEast1_IsCreatedAsS3CreatesBucketsToday()
    {
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = "new-bucket" });

        var ownership = await _s3.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = "new-bucket" });
        Assert.Equal(ObjectOwnership.BucketOwnerEnforced, Assert.Single(ownership.OwnershipControls.Rules).ObjectOwnership);
        var block = (await _s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "new-bucket" })).PublicAccessBlockConfiguration;
        Assert.True(block.BlockPublicAcls == true && block.IgnorePublicAcls == true && block.BlockPublicPolicy == true && block.RestrictPublicBuckets == true);
        var encryption = await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "new-bucket" });
        var rule = Assert.Single(encryption.ServerSideEncryptionConfiguration.ServerSideEncryptionRules);
        Assert.Equal(ServerSideEncryptionMethod.AES256, rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm);
        var acl = await _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "new-bucket" });
        var grant = Assert.Single(acl.Grants);
        Assert.Equal(SandboxServer.S3CanonicalUserId(_sandbox.AccountId), grant.Grantee.CanonicalUser);
        Assert.Equal(S3Permission.FULL_CONTROL, grant.Permission);
        var location = await _s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "new-bucket" });
        Assert.True(string.IsNullOrEmpty(location.Location.Value) || location.Location == S3Region.USEast1);
    }

    [Fact]
    public async Task CreateBucket_LocationConstraintOnItsRegionsEndpoint_IsInThatRegion()
    {
        using var eu = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "eu-west-1");
        await eu.PutBucketAsync(new PutBucketRequest { BucketName = "eu-bucket", BucketRegion = S3Region.EUWest1 });

        var location = await _s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "eu-bucket" });
        Assert.Equal("eu-west-1", location.Location.Value);
        var head = await eu.HeadBucketAsync(new HeadBucketRequest { BucketName = "eu-bucket" });
        Assert.Equal("eu-west-1", head.BucketRegion);
    }

    [Fact]
    public async Task CreateBucket_WithoutLocationConstraintOnAnotherRegionsEndpoint_IsIllegalLocationConstraint()
    {
        using var eu = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "eu-west-1");
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => eu.PutBucketAsync(new PutBucketRequest { BucketName = "nowhere-bucket", UseClientRegion = false }));
        Assert.Equal("IllegalLocationConstraintException", error.ErrorCode);
        Assert.Contains("unspecified", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBucket_OtherRegionConstraintOnARegionalEndpoint_IsIllegalLocationConstraint()
    {
        using var eu = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "eu-west-1");
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => eu.PutBucketAsync(new PutBucketRequest { BucketName = "wrong-bucket", BucketRegion = S3Region.USWest2 }));
        Assert.Equal("IllegalLocationConstraintException", error.ErrorCode);
        Assert.Contains("us-west-2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateBucket_UsEast1AsLocationConstraint_IsInvalidLocationConstraint()
    {
        var body = "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>"u8.ToArray();
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/east-bucket", body);
        Assert.Equal(400, status);
        Assert.Equal("InvalidLocationConstraint", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task CreateBucket_TwiceByItsOwner_IsOkInUsEast1AndBucketAlreadyOwnedByYouElsewhere()
    {
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = "twice-bucket" });
        await _s3.PutBucketAsync(new PutBucketRequest { BucketName = "twice-bucket" });
        using var eu = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "eu-west-1");
        await eu.PutBucketAsync(new PutBucketRequest { BucketName = "twice-eu-bucket", BucketRegion = S3Region.EUWest1 });

        var error = await Assert.ThrowsAsync<BucketAlreadyOwnedByYouException>(() => eu.PutBucketAsync(new PutBucketRequest { BucketName = "twice-eu-bucket", BucketRegion = S3Region.EUWest1 }));
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
        Assert.Equal("BucketAlreadyOwnedByYou", error.ErrorCode);
    }

    [Fact]
    public async Task CreateBucket_NameTakenByAnotherAccount_IsBucketAlreadyExists()
    {
        var other = _sandbox.Server.CreateAccount();
        _sandbox.Server.AddS3Bucket(other.AccountId, "us-east-1", "taken-bucket");

        var error = await Assert.ThrowsAsync<BucketAlreadyExistsException>(() => _s3.PutBucketAsync(new PutBucketRequest { BucketName = "taken-bucket" }));
        Assert.Equal("BucketAlreadyExists", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Conflict, error.StatusCode);
    }

    [Theory]
    [InlineData("UpperCase")]
    [InlineData("ab")]
    [InlineData("two..dots")]
    [InlineData("192.168.1.1")]
    [InlineData("xn--punycode")]
    [InlineData("name-s3alias")]
    public async Task CreateBucket_InvalidName_IsInvalidBucketName(string name)
    {
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/" + name);
        Assert.Equal(400, status);
        Assert.Equal("InvalidBucketName", SandboxS3.Element(xml, "Code"));
        Assert.Equal(name, SandboxS3.Element(xml, "BucketName"));
    }

    [Fact]
    public async Task ListBuckets_ListsTheCallersBucketsOfEveryRegionOnly()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "list-a");
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "list-b");
        var other = _sandbox.Server.CreateAccount();
        _sandbox.Server.AddS3Bucket(other.AccountId, "us-east-1", "list-other");

        var response = await _s3.ListBucketsAsync(new ListBucketsRequest());

        Assert.Equal(["list-a", "list-b"], response.Buckets.Select(b => b.BucketName).ToArray());
        Assert.Equal(["us-east-1", "eu-west-1"], response.Buckets.Select(b => b.BucketRegion).ToArray());
        Assert.Equal(SandboxServer.S3CanonicalUserId(_sandbox.AccountId), response.Owner.Id);
    }

    [Fact]
    public async Task HeadBucket_OnItsRegion_ReturnsTheRegionHeader()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "head-bucket");

        var response = await _s3.HeadBucketAsync(new HeadBucketRequest { BucketName = "head-bucket" });

        Assert.Equal("us-east-1", response.BucketRegion);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:ListBucket"]);
    }

    [Fact]
    public async Task HeadBucket_OnAnotherRegionsEndpoint_Is301WithTheBucketRegionHeader()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "far-bucket");
        using var west = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "us-west-2");

        var (status, body, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Head, "/far-bucket", region: "us-west-2");

        Assert.Equal(301, status);
        Assert.Equal("", body);
        Assert.Equal("eu-west-1", Assert.Single(headers.GetValues("x-amz-bucket-region")));
    }

    [Fact]
    public async Task GetBucketAcl_OnAnotherRegionsEndpoint_IsPermanentRedirectNamingTheEndpoint()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "redirect-bucket");
        using var west = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "us-west-2");

        var (status, xml, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/redirect-bucket?acl", region: "us-west-2");

        Assert.Equal(301, status);
        Assert.Equal("PermanentRedirect", SandboxS3.Element(xml, "Code"));
        Assert.Equal("redirect-bucket.s3.eu-west-1.amazonaws.com", SandboxS3.Element(xml, "Endpoint"));
        Assert.Equal("redirect-bucket", SandboxS3.Element(xml, "Bucket"));
        Assert.Equal("eu-west-1", Assert.Single(headers.GetValues("x-amz-bucket-region")));
        var sdk = await Assert.ThrowsAsync<AmazonS3Exception>(() => west.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "redirect-bucket" }));
        Assert.Equal(HttpStatusCode.MovedPermanently, sdk.StatusCode);
    }

    [Fact]
    public async Task GetBucketLocation_FromAnyRegion_AnswersWithTheBucketsRegion()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "ap-southeast-2", "anywhere-bucket");
        using var west = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "us-west-2");

        var response = await west.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "anywhere-bucket" });

        Assert.Equal("ap-southeast-2", response.Location.Value);
    }

    [Fact]
    public async Task VirtualHostedGlobalHost_SignedForAnotherRegion_IsAuthorizationHeaderMalformedExpectingTheBucketsRegion()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "vhost-bucket");

        var (status, xml, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/?acl", host: "vhost-bucket.s3.amazonaws.com", region: "us-east-1");

        Assert.Equal(400, status);
        Assert.Equal("AuthorizationHeaderMalformed", SandboxS3.Element(xml, "Code"));
        Assert.Equal("eu-west-1", SandboxS3.Element(xml, "Region"));
        Assert.Contains("the region 'us-east-1' is wrong; expecting 'eu-west-1'", SandboxS3.Element(xml, "Message"), StringComparison.Ordinal);
        Assert.Equal("eu-west-1", Assert.Single(headers.GetValues("x-amz-bucket-region")));
    }

    [Fact]
    public async Task VirtualHostedRegionalHost_SignedForItsRegion_IsAnswered()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "my.dotted.bucket", new SandboxS3BucketSpec { Tags = new Dictionary<string, string> { ["team"] = "a" } });
        var port = _sandbox.Server.Endpoint.Port;

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/?tagging", host: $"my.dotted.bucket.s3.eu-west-1.localhost:{port}", region: "eu-west-1");
        var (globalStatus, globalXml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/?tagging", host: "my.dotted.bucket.s3.amazonaws.com", region: "eu-west-1");

        Assert.Equal(200, status);
        Assert.Equal("team", SandboxS3.Element(xml, "Key"));
        Assert.Equal(200, globalStatus);
        Assert.Equal("a", SandboxS3.Element(globalXml, "Value"));
    }

    [Fact]
    public async Task RegionalHost_SignedForAnotherRegion_IsAuthorizationHeaderMalformedExpectingTheHostsRegion()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "eu-west-1", "scope-bucket");

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/scope-bucket?acl", host: "s3.eu-west-1.amazonaws.com", region: "us-east-1");

        Assert.Equal(400, status);
        Assert.Equal("AuthorizationHeaderMalformed", SandboxS3.Element(xml, "Code"));
        Assert.Equal("eu-west-1", SandboxS3.Element(xml, "Region"));
    }

    [Fact]
    public async Task VirtualHostedRegionalHost_BucketOfAnotherRegion_IsPermanentRedirect()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "east-vhost");

        var (status, xml, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/?acl", host: "east-vhost.s3.eu-west-1.amazonaws.com", region: "eu-west-1");

        Assert.Equal(301, status);
        Assert.Equal("PermanentRedirect", SandboxS3.Element(xml, "Code"));
        Assert.Equal("east-vhost.s3.amazonaws.com", SandboxS3.Element(xml, "Endpoint"));
        Assert.Equal("us-east-1", Assert.Single(headers.GetValues("x-amz-bucket-region")));
    }

    [Fact]
    public async Task HeadBucket_SignedForTheWrongRegionOnTheGlobalHost_Is400WithTheBucketRegionAndNoBody()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "ap-northeast-1", "tokyo-bucket");

        var (status, body, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Head, "/", host: "tokyo-bucket.s3.amazonaws.com", region: "us-east-1");

        Assert.Equal(400, status);
        Assert.Equal("", body);
        Assert.Equal("ap-northeast-1", Assert.Single(headers.GetValues("x-amz-bucket-region")));
    }

    [Fact]
    public async Task CreateBucket_GlobalVirtualHost_CreatesInUsEast1()
    {
        var (status, text, headers) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, "/", host: "global-new.s3.amazonaws.com", region: "us-east-1");

        Assert.True(status == 200, text);
        Assert.Equal("/global-new", Assert.Single(headers.Location is null ? [] : new[] { headers.Location.OriginalString }));
        var location = await _s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "global-new" });
        Assert.True(string.IsNullOrEmpty(location.Location.Value) || location.Location == S3Region.USEast1);
    }

    [Fact]
    public async Task AnyBucketCall_UnknownBucket_IsNoSuchBucket()
    {
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "missing-bucket" }));

        Assert.Equal("NoSuchBucket", error.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        var (_, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, "/missing-bucket?tagging");
        Assert.Equal("missing-bucket", SandboxS3.Element(xml, "BucketName"));
        Assert.False(string.IsNullOrEmpty(SandboxS3.Element(xml, "RequestId")));
        Assert.False(string.IsNullOrEmpty(SandboxS3.Element(xml, "HostId")));
    }

    [Fact]
    public async Task ControlApi_SeedLegacyBucket_IsWhatTheSdkReadsAndTheDumpShows()
    {
        using var http = new HttpClient();
        var json = "{\"accountId\":\"" + _sandbox.AccountId + "\",\"region\":\"eu-west-1\",\"name\":\"seeded-bucket\",\"legacy\":true,\"objectOwnership\":null,"
            + "\"grants\":[{\"accountId\":\"" + _sandbox.AccountId + "\",\"permission\":\"FULL_CONTROL\"},{\"group\":\"LogDelivery\",\"permission\":\"WRITE\"}],"
            + "\"policy\":{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::seeded-bucket/*\"}]},"
            + "\"tags\":{\"remediation:skip\":\"true\"}}";
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var seeded = await http.PostAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/s3/buckets"), content);
        Assert.Equal(HttpStatusCode.OK, seeded.StatusCode);
        using var eu = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, "eu-west-1");

        var acl = await eu.GetBucketAclAsync(new GetBucketAclRequest { BucketName = "seeded-bucket" });
        var status = await eu.GetBucketPolicyStatusAsync(new GetBucketPolicyStatusRequest { BucketName = "seeded-bucket" });
        var ownership = await Assert.ThrowsAsync<AmazonS3Exception>(() => eu.GetBucketOwnershipControlsAsync(new GetBucketOwnershipControlsRequest { BucketName = "seeded-bucket" }));
        var block = await Assert.ThrowsAsync<AmazonS3Exception>(() => eu.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = "seeded-bucket" }));
        var dump = await http.GetStringAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/s3/buckets"));

        Assert.Equal(SandboxS3Grant.LogDeliveryUri, acl.Grants[1].Grantee.URI);
        Assert.True(status.PolicyStatus.IsPublic);
        Assert.Equal("OwnershipControlsNotFoundError", ownership.ErrorCode);
        Assert.Equal("NoSuchPublicAccessBlockConfiguration", block.ErrorCode);
        Assert.Contains("\"remediation:skip\":\"true\"", dump, StringComparison.Ordinal);
        Assert.Contains("\"encryption\":null", dump, StringComparison.Ordinal);
        Assert.False(_sandbox.Server.CallCounts.ContainsKey("s3:CreateBucket"));
    }

    [Fact]
    public async Task ControlApi_SeedWithABadValue_Is400NamingIt()
    {
        using var http = new HttpClient();
        using var content = new StringContent("{\"accountId\":\"" + _sandbox.AccountId + "\",\"name\":\"bad-seed\",\"objectOwnership\":\"Nobody\"}", System.Text.Encoding.UTF8, "application/json");

        using var response = await http.PostAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/s3/buckets"), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Nobody", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeleteBucket_RemovesIt()
    {
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", "gone-bucket");

        await _s3.DeleteBucketAsync(new DeleteBucketRequest { BucketName = "gone-bucket" });

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = "gone-bucket" }));
        Assert.Equal("NoSuchBucket", error.ErrorCode);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:DeleteBucket"]);
    }
}
