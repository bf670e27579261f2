using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Tests.Aws;

public class AwsQueryClientTests
{
    private const string IamNs = "https://iam.amazonaws.com/doc/2010-05-08/";
    private static readonly DateTimeOffset SignedAt = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    private static IamClient Iam(ScriptedHttpHandler handler, AWSCredentials? credentials = null, int maxErrorRetry = 3)
    {
        var retry = new AwsRetryPolicy(maxErrorRetry, delay: (_, _) => Task.CompletedTask);
        var config = new AwsQueryClientConfig("iam", IamClient.ApiVersion, new Uri("http://iam.test:8080/"), "us-east-1", retry)
        {
            Clock = () => SignedAt,
        };
        return new IamClient(new AwsQueryClient(config, credentials ?? new BasicAWSCredentials("AKIDTEST", "secret"), handler.Forwarder()));
    }

    private static HttpResponseMessage Ok(string action, string result) => ScriptedHttpHandler.Xml(
        HttpStatusCode.OK,
        $"<{action}Response xmlns=\"{IamNs}\"><{action}Result>{result}</{action}Result><ResponseMetadata><RequestId>rid-{action}</RequestId></ResponseMetadata></{action}Response>");

    [Fact]
    public void Sign_AwsTestSuitePostFormVector_ProducesPublishedSignature()
    {
        var body = Encoding.UTF8.GetBytes("Param1=value1");
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://example.amazonaws.com/") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");

        SigV4RequestSigner.Sign(
            request,
            body,
            new ImmutableCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null),
            "us-east-1",
            "service",
            new DateTime(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc));

        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=content-type;host;x-amz-date, " +
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a",
            request.Headers.GetValues("Authorization").Single());
    }

    [Fact]
    public async Task CreateRoleAsync_WithTags_PostsSignedQueryForm()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Ok("CreateRole", "<Role><RoleName>r1</RoleName><Arn>arn:aws:iam::1:role/r1</Arn></Role>"));
        using var iam = Iam(handler, new SessionAWSCredentials("ASIATEST", "secret", "the-token"));

        var response = await iam.CreateRoleAsync(new CreateRoleRequest
        {
            RoleName = "r1",
            AssumeRolePolicyDocument = "{\"Version\":\"2012-10-17\"}",
            Description = "a b+c",
            MaxSessionDuration = 7200,
            Path = "/remediation/",
            Tags = { new Tag("owner", "sec team"), new Tag("env", "prod") },
        });

        var (request, body) = handler.Received.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(
            "Action=CreateRole&Version=2010-05-08&RoleName=r1&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D" +
            "&Path=%2Fremediation%2F&Description=a%20b%2Bc&MaxSessionDuration=7200" +
            "&Tags.member.1.Key=owner&Tags.member.1.Value=sec%20team&Tags.member.2.Key=env&Tags.member.2.Value=prod",
            body);
        var authorization = request.Headers.GetValues("Authorization").Single();
        Assert.StartsWith("AWS4-HMAC-SHA256 Credential=ASIATEST/20260304/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=", authorization, StringComparison.Ordinal);
        Assert.Equal("the-token", request.Headers.GetValues("X-Amz-Security-Token").Single());
        Assert.Equal("20260304T050607Z", request.Headers.GetValues("X-Amz-Date").Single());
        Assert.Equal("arn:aws:iam::1:role/r1", response.Role.Arn);
        Assert.Equal("rid-CreateRole", response.RequestId);
    }

    [Fact]
    public async Task GetRoleAsync_EncodedDocumentsAndTags_AreDecoded()
    {
        const string Encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D";
        var handler = new ScriptedHttpHandler((_, _, _) => Ok(
            "GetRole",
            $"<Role><Path>/</Path><RoleName>r1</RoleName><RoleId>AROA1</RoleId><Arn>arn:aws:iam::1:role/r1</Arn>" +
            $"<CreateDate>2026-01-02T03:04:05Z</CreateDate><AssumeRolePolicyDocument>{Encoded}</AssumeRolePolicyDocument>" +
            "<MaxSessionDuration>3600</MaxSessionDuration><Tags><member><Key>k</Key><Value>v</Value></member></Tags></Role>"));
        using var iam = Iam(handler);

        var role = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "r1" })).Role;

        Assert.Equal("{\"Version\":\"2012-10-17\",\"Statement\":[]}", role.AssumeRolePolicyDocument);
        Assert.Equal(3600, role.MaxSessionDuration);
        Assert.Equal(new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), role.CreateDate);
        Assert.Equal("k", Assert.Single(role.Tags).Key);
    }

    [Fact]
    public async Task ListRolePoliciesAsync_TruncatedPage_ReturnsNamesAndMarker()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Ok(
            "ListRolePolicies",
            "<PolicyNames><member>a</member><member>b</member></PolicyNames><IsTruncated>true</IsTruncated><Marker>m2</Marker>"));
        using var iam = Iam(handler);

        var page = await iam.ListRolePoliciesAsync(new ListRolePoliciesRequest { RoleName = "r1", Marker = "m1" });

        Assert.Equal("a,b", string.Join(",", page.PolicyNames));
        Assert.True(page.IsTruncated);
        Assert.Equal("m2", page.Marker);
        Assert.Contains("&Marker=m1", handler.Received.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRoleAsync_ErrorXml_ThrowsTypedExceptionWithoutRetry()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.NotFound,
            ScriptedHttpHandler.ErrorXml("NoSuchEntity", "The role with name r1 cannot be found.")));
        using var iam = Iam(handler);

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => iam.GetRoleAsync(new GetRoleRequest { RoleName = "r1" }));

        Assert.Equal("NoSuchEntity", ex.ErrorCode);
        Assert.Equal(HttpStatusCode.NotFound, ex.StatusCode);
        Assert.Equal("req-1", ex.RequestId);
        Assert.Equal(ErrorType.Sender, ex.ErrorType);
        Assert.Equal("The role with name r1 cannot be found.", ex.Message);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task GetRoleAsync_ThrottledThenServerErrorThenOk_RetriesAndSucceeds()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i switch
        {
            0 => ScriptedHttpHandler.Xml(HttpStatusCode.BadRequest, ScriptedHttpHandler.ErrorXml("Throttling", "Rate exceeded")),
            1 => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { Content = new StringContent("<html>busy</html>") },
            _ => Ok("GetRole", "<Role><RoleName>r1</RoleName></Role>"),
        });
        using var iam = Iam(handler);

        var role = (await iam.GetRoleAsync(new GetRoleRequest { RoleName = "r1" })).Role;

        Assert.Equal("r1", role.RoleName);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task GetRoleAsync_AlwaysServerError_StopsAfterMaxErrorRetry()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.InternalServerError,
            ScriptedHttpHandler.ErrorXml("ServiceFailure", "boom", "Receiver")));
        using var iam = Iam(handler, maxErrorRetry: 2);

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => iam.GetRoleAsync(new GetRoleRequest { RoleName = "r1" }));

        Assert.Equal(ErrorType.Receiver, ex.ErrorType);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task GetRolePolicyAsync_Cancelled_Throws()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => Ok("GetRolePolicy", string.Empty));
        using var iam = Iam(handler);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = "r", PolicyName = "p" }, cancel.Token));

        Assert.Equal(0, handler.Count);
    }
}
