using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// S3's wire in the sandbox: what AWSSDK.S3 4.1 really sends (captured), S3's SigV4, x-amz-content-sha256, aws-chunked
/// bodies with trailing checksums and chunk signatures, x-amz-checksum-* headers, Content-MD5, S3's error XML, counters
/// and injected faults.
/// </summary>
public sealed class SandboxS3WireTests : IDisposable
{
    private const string Bucket = "wire-bucket";
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonS3Client _s3;

    public SandboxS3WireTests()
    {
        _s3 = SandboxS3.Client(_sandbox.Server, _sandbox.Admin);
        _sandbox.Server.AddS3Bucket(_sandbox.AccountId, "us-east-1", Bucket, SandboxS3BucketSpec.Legacy);
    }

    public void Dispose()
    {
        _s3.Dispose();
        _sandbox.Dispose();
    }

    private static byte[] PolicyBytes => Encoding.UTF8.GetBytes("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::" + Bucket + "/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}");

    private async Task<string?> StoredPolicyAsync()
    {
        var response = await _s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = Bucket });
        return response.HttpStatusCode == HttpStatusCode.OK ? response.Policy : null;
    }

    [Fact]
    public async Task S3Client_PutBucketPolicy_SendsPathStyleWithACrc32HeaderAndTheSignedBodyHash()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
            using var client = new AmazonS3Client(new BasicAWSCredentials("AKIAEXAMPLEEXAMPLE00", "secret"), new AmazonS3Config { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", ForcePathStyle = true, MaxErrorRetry = 0 });
            var policy = Encoding.UTF8.GetString(PolicyBytes);
            var sending = client.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Bucket, Policy = policy });
            using var connection = await listener.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var buffer = new byte[65536];
            var text = new StringBuilder();
            while (!text.ToString().EndsWith(policy, StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            var request = text.ToString();
            Assert.StartsWith($"PUT /{Bucket}/?policy HTTP/1.1", request, StringComparison.Ordinal);
            Assert.Contains("x-amz-checksum-crc32: " + SandboxS3.Crc32(PolicyBytes), request, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("x-amz-sdk-checksum-algorithm: CRC32", request, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("X-Amz-Content-SHA256: " + Convert.ToHexStringLower(SHA256.HashData(PolicyBytes)), request, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("/us-east-1/s3/aws4_request", request, StringComparison.Ordinal);
            Assert.DoesNotContain("aws-chunked", request, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task S3Client_EveryPutTheJobsUse_PassesTheSandboxsIntegrityChecks()
    {
        await _s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = Bucket, Policy = Encoding.UTF8.GetString(PolicyBytes) });
        await _s3.PutBucketAclAsync(new PutBucketAclRequest { BucketName = Bucket, ACL = S3CannedACL.LogDeliveryWrite });
        await _s3.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest { BucketName = Bucket, PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration { BlockPublicAcls = true } });
        await _s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest { BucketName = Bucket, ServerSideEncryptionConfiguration = new ServerSideEncryptionConfiguration { ServerSideEncryptionRules = [new ServerSideEncryptionRule { ServerSideEncryptionByDefault = new ServerSideEncryptionByDefault { ServerSideEncryptionAlgorithm = ServerSideEncryptionMethod.AES256 } }] } });
        await _s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = Bucket, TagSet = [new Tag { Key = "k", Value = "v" }] });
        await _s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest { BucketName = Bucket, OwnershipControls = new OwnershipControls { Rules = [new OwnershipControlsRule { ObjectOwnership = ObjectOwnership.BucketOwnerPreferred }] } });

        var calls = _sandbox.Server.CallCounts;
        Assert.Equal(
            ["s3:PutBucketAcl", "s3:PutBucketOwnershipControls", "s3:PutBucketPolicy", "s3:PutBucketPublicAccessBlock", "s3:PutBucketTagging", "s3:PutEncryptionConfiguration"],
            calls.Keys.Order(StringComparer.Ordinal).ToArray());
        Assert.All(calls.Values, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task AwsChunked_UnsignedWithCrc32Trailer_IsDecodedAndStored()
    {
        var body = PolicyBytes;
        var chunked = Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n")
            .Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\nx-amz-checksum-crc32:" + SandboxS3.Crc32(body) + "\r\n\r\n")).ToArray();

        var (status, text, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", chunked, contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: Streaming(body.Length));

        Assert.True(status == 204, text);
        Assert.Equal(Encoding.UTF8.GetString(body), await StoredPolicyAsync());
    }

    [Fact]
    public async Task AwsChunked_TrailerChecksumWrong_IsBadDigestAndNothingIsStored()
    {
        var body = PolicyBytes;
        var chunked = Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n")
            .Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n")).ToArray();

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", chunked, contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: Streaming(body.Length));

        Assert.Equal(400, status);
        Assert.Equal("BadDigest", SandboxS3.Element(xml, "Code"));
        Assert.Null(await StoredPolicyAsync());
    }

    [Fact]
    public async Task AwsChunked_AnnouncedTrailerMissing_IsMalformedTrailerError()
    {
        var body = PolicyBytes;
        var chunked = Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n").Concat(body).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", chunked, contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: Streaming(body.Length));

        Assert.Equal(400, status);
        Assert.Equal("MalformedTrailerError", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task AwsChunked_DecodedLengthWrong_IsIncompleteBody()
    {
        var body = PolicyBytes;
        var chunked = Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n")
            .Concat(body).Concat(Encoding.ASCII.GetBytes("\r\n0\r\nx-amz-checksum-crc32:" + SandboxS3.Crc32(body) + "\r\n\r\n")).ToArray();

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", chunked, contentSha256: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", headers: Streaming(body.Length + 1));

        Assert.Equal(400, status);
        Assert.Equal("IncompleteBody", SandboxS3.Element(xml, "Code"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AwsChunked_SignedChunksAndTrailer_AreVerified(bool tamper)
    {
        var body = PolicyBytes;
        var trailer = "x-amz-checksum-crc32:" + SandboxS3.Crc32(body) + "\n";
        byte[] Build(string seed, byte[] key, string amzDate, string scope)
        {
            var empty = Convert.ToHexStringLower(SHA256.HashData([]));
            string Sign(string previous, byte[] chunk) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(
                string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", amzDate, scope, previous, empty, Convert.ToHexStringLower(SHA256.HashData(chunk))))));
            var first = Sign(seed, body);
            var last = Sign(first, []);
            var trailerSignature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(
                string.Join('\n', "AWS4-HMAC-SHA256-TRAILER", amzDate, scope, last, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trailer)))))));
            var sent = tamper ? body.Select((b, i) => i == 3 ? (byte)(b ^ 1) : b).ToArray() : body;
            return Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + ";chunk-signature=" + first + "\r\n")
                .Concat(sent)
                .Concat(Encoding.ASCII.GetBytes("\r\n0;chunk-signature=" + last + "\r\n" + trailer.TrimEnd('\n') + "\r\nx-amz-trailer-signature:" + trailerSignature + "\r\n\r\n"))
                .ToArray();
        }

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", contentSha256: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", headers: Streaming(body.Length), signedBody: Build);

        if (tamper)
        {
            Assert.Equal(403, status);
            Assert.Equal("SignatureDoesNotMatch", SandboxS3.Element(xml, "Code"));
            Assert.Null(await StoredPolicyAsync());
        }
        else
        {
            Assert.True(status == 204, xml);
            Assert.Equal(Encoding.UTF8.GetString(body), await StoredPolicyAsync());
        }
    }

    [Fact]
    public async Task ContentMd5_Right_IsAcceptedAndWrongIsBadDigest()
    {
        var body = PolicyBytes;
#pragma warning disable CA5351 // Content-MD5 is what the test sends.
        var md5 = Convert.ToBase64String(MD5.HashData(body));
#pragma warning restore CA5351

        var (badStatus, badXml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", body, headers: new Dictionary<string, string> { ["Content-MD5"] = Convert.ToBase64String(new byte[16]) });
        Assert.Equal(400, badStatus);
        Assert.Equal("BadDigest", SandboxS3.Element(badXml, "Code"));
        Assert.Null(await StoredPolicyAsync());

        var (status, text, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", body, headers: new Dictionary<string, string> { ["Content-MD5"] = md5 });
        Assert.True(status == 204, text);
        Assert.NotNull(await StoredPolicyAsync());
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("AAAA")]
    public async Task ContentMd5_Malformed_IsInvalidDigest(string value)
    {
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", PolicyBytes, headers: new Dictionary<string, string> { ["Content-MD5"] = value });

        Assert.Equal(400, status);
        Assert.Equal("InvalidDigest", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task ChecksumHeader_Wrong_IsBadDigestNamingTheAlgorithm()
    {
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", PolicyBytes, headers: new Dictionary<string, string> { ["x-amz-checksum-sha256"] = Convert.ToBase64String(new byte[32]) });

        Assert.Equal(400, status);
        Assert.Equal("BadDigest", SandboxS3.Element(xml, "Code"));
        Assert.Contains("SHA256", SandboxS3.Element(xml, "Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntegrityHeader_MissingOnAnOperationThatRequiresIt_IsInvalidRequest()
    {
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", PolicyBytes);

        Assert.Equal(400, status);
        Assert.Equal("InvalidRequest", SandboxS3.Element(xml, "Code"));
        Assert.Contains("Content-MD5", SandboxS3.Element(xml, "Message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContentSha256_NotTheBodysHash_IsXAmzContentSha256Mismatch()
    {
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", PolicyBytes, contentSha256: Convert.ToHexStringLower(SHA256.HashData([])));

        Assert.Equal(400, status);
        Assert.Equal("XAmzContentSHA256Mismatch", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task UnsignedPayload_WithAChecksum_IsAccepted()
    {
        var (status, text, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Put, $"/{Bucket}?policy", PolicyBytes, contentSha256: "UNSIGNED-PAYLOAD", headers: new Dictionary<string, string> { ["x-amz-checksum-crc32"] = SandboxS3.Crc32(PolicyBytes) });

        Assert.True(status == 204, text);
    }

    [Fact]
    public async Task Signature_WrongSecretOrUnknownKey_IsSignatureDoesNotMatchOrInvalidAccessKeyId()
    {
        var wrongSecret = new SandboxAccount(_sandbox.AccountId, _sandbox.Admin.AccessKeyId, "wrong");
        var unknownKey = new SandboxAccount(_sandbox.AccountId, "AKIAUNKNOWNUNKNOWN00", "wrong");

        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, wrongSecret, HttpMethod.Get, $"/{Bucket}?acl");
        var (unknownStatus, unknownXml, _) = await SandboxS3.SendAsync(_sandbox.Server, unknownKey, HttpMethod.Get, $"/{Bucket}?acl");

        Assert.Equal(403, status);
        Assert.Equal("SignatureDoesNotMatch", SandboxS3.Element(xml, "Code"));
        Assert.Equal(403, unknownStatus);
        Assert.Equal("InvalidAccessKeyId", SandboxS3.Element(unknownXml, "Code"));
    }

    [Fact]
    public async Task RoleSession_ExpiredOrWithAnotherToken_IsExpiredTokenOrInvalidToken()
    {
        var roleArn = await _sandbox.CreateRoleAsync("S3Reader", policy: SandboxHarness.AllowPolicy("s3:GetBucketAcl"));
        var session = await _sandbox.AssumeAsync(roleArn);
        using var valid = SandboxS3.Client(_sandbox.Server, SandboxHarness.Credentials(session));
        using var forged = SandboxS3.Client(_sandbox.Server, new SessionAWSCredentials(session.AccessKeyId, session.SecretAccessKey, "forged-token"));

        Assert.Single((await valid.GetBucketAclAsync(new GetBucketAclRequest { BucketName = Bucket })).Grants);
        var invalid = await Assert.ThrowsAsync<AmazonS3Exception>(() => forged.GetBucketAclAsync(new GetBucketAclRequest { BucketName = Bucket }));
        _sandbox.Server.Clock = () => DateTimeOffset.UtcNow.AddHours(2);
        var expired = await Assert.ThrowsAsync<AmazonS3Exception>(() => valid.GetBucketAclAsync(new GetBucketAclRequest { BucketName = Bucket }));

        Assert.Equal("InvalidToken", invalid.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal("ExpiredToken", expired.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
    }

    [Fact]
    public async Task Signature_PathWithEncodedCharacters_IsVerifiedWithoutDoubleEncoding()
    {
        // A key path: S3 signs the path as sent (encoded once), other services encode it again.
        var (status, xml, _) = await SandboxS3.SendAsync(_sandbox.Server, _sandbox.Admin, HttpMethod.Get, $"/{Bucket}/a%20b%2Bc");

        Assert.Equal(501, status);
        Assert.Equal("NotImplemented", SandboxS3.Element(xml, "Code"));
    }

    [Fact]
    public async Task Faults_Throttle_IsSlowDown503CountedUnderTheIamAction()
    {
        _sandbox.Server.Faults.ThrottleRate = 1;

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = Bucket }));

        Assert.Equal("SlowDown", error.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:GetBucketAcl"]);
    }

    [Fact]
    public async Task Faults_ServerError_IsInternalError500()
    {
        _sandbox.Server.Faults.ServerErrorRate = 1;

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => _s3.ListBucketsAsync(new ListBucketsRequest()));

        Assert.Equal("InternalError", error.ErrorCode);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal(1, _sandbox.Server.CallCounts["s3:ListAllMyBuckets"]);
    }

    [Fact]
    public async Task S3Client_ThrottledOnce_RetriesAndSucceeds()
    {
        _sandbox.Server.Faults.Seed = 1;
        _sandbox.Server.Faults.ThrottleRate = 0.5;
        using var retrying = SandboxS3.Client(_sandbox.Server, _sandbox.Admin, maxErrorRetry: 10);

        var response = await retrying.GetBucketAclAsync(new GetBucketAclRequest { BucketName = Bucket });

        Assert.Single(response.Grants);
        Assert.True(_sandbox.Server.CallCounts["s3:GetBucketAcl"] >= 1);
    }

    private static Dictionary<string, string> Streaming(int decodedLength) => new()
    {
        ["Content-Encoding"] = "aws-chunked",
        ["x-amz-decoded-content-length"] = decodedLength.ToString(CultureInfo.InvariantCulture),
        ["x-amz-trailer"] = "x-amz-checksum-crc32",
    };
}
