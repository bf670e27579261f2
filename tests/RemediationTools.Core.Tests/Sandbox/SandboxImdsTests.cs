using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.EC2;
using Amazon.EC2.Model;
using static RemediationTools.Core.Tests.Sandbox.SandboxLaunchHelpers;

namespace RemediationTools.Core.Tests.Sandbox;

public sealed class SandboxImdsTests : IDisposable
{
    private const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";
    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonEC2Client _ec2;
    private readonly HttpClient _http = new();

    public SandboxImdsTests() => _ec2 = _sandbox.Ec2();

    public void Dispose()
    {
        _http.Dispose();
        _ec2.Dispose();
        _sandbox.Dispose();
    }

    private async Task<(string InstanceId, Uri Endpoint)> LaunchAsync(string? profileName = null, string? httpTokens = null, string? httpEndpoint = null, string? userData = null)
    {
        var request = new RunInstancesRequest
        {
            ImageId = await Al2023ImageIdAsync(_ec2),
            InstanceType = "t3.micro",
            MinCount = 1,
            MaxCount = 1,
            IamInstanceProfile = profileName is null ? null : new IamInstanceProfileSpecification { Name = profileName },
            MetadataOptions = new InstanceMetadataOptionsRequest
            {
                HttpTokens = httpTokens is null ? null : new HttpTokensState(httpTokens),
                HttpEndpoint = httpEndpoint is null ? null : new InstanceMetadataEndpointState(httpEndpoint),
            },
            UserData = userData is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes(userData)),
        };
        var id = Assert.Single((await _ec2.RunInstancesAsync(request)).Reservation.Instances).InstanceId;
        return (id, _sandbox.Server.GetInstanceMetadataEndpoint(id) ?? throw new InvalidOperationException("no metadata endpoint"));
    }

    private async Task<HttpResponseMessage> PutTokenAsync(Uri endpoint, string? ttl = "21600")
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(endpoint, "/latest/api/token"));
        if (ttl is not null)
        {
            request.Headers.Add(TtlHeader, ttl);
        }

        return await _http.SendAsync(request);
    }

    private async Task<string> TokenAsync(Uri endpoint, string ttl = "21600")
    {
        using var response = await PutTokenAsync(endpoint, ttl);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri endpoint, string path, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(endpoint, path));
        if (token is not null)
        {
            request.Headers.Add(TokenHeader, token);
        }

        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Imds_TokenFlow_ServesInstanceDataAndRoleCredentials()
    {
        await CreateInstanceProfileAsync(_sandbox, "WorkerRole", "WorkerProfile");
        var (id, endpoint) = await LaunchAsync("WorkerProfile", userData: "#!/bin/bash\necho hi\n");
        var token = await TokenAsync(endpoint);

        Assert.Equal((HttpStatusCode.OK, id), await GetAsync(endpoint, "/latest/meta-data/instance-id", token));
        Assert.Equal((HttpStatusCode.OK, "us-east-1"), await GetAsync(endpoint, "/latest/meta-data/placement/region", token));
        Assert.Equal((HttpStatusCode.OK, "#!/bin/bash\necho hi\n"), await GetAsync(endpoint, "/latest/user-data", token));
        Assert.Equal((HttpStatusCode.OK, "WorkerRole"), await GetAsync(endpoint, "/latest/meta-data/iam/security-credentials/", token));
        var (documentStatus, document) = await GetAsync(endpoint, "/latest/dynamic/instance-identity/document", token);
        Assert.Equal(HttpStatusCode.OK, documentStatus);
        using (var json = JsonDocument.Parse(document))
        {
            Assert.Equal(_sandbox.AccountId, json.RootElement.GetProperty("accountId").GetString());
            Assert.Equal(id, json.RootElement.GetProperty("instanceId").GetString());
            Assert.Equal("us-east-1", json.RootElement.GetProperty("region").GetString());
        }

        var (credentialStatus, credentials) = await GetAsync(endpoint, "/latest/meta-data/iam/security-credentials/WorkerRole", token);
        Assert.Equal(HttpStatusCode.OK, credentialStatus);
        using var parsed = JsonDocument.Parse(credentials);
        Assert.Equal("Success", parsed.RootElement.GetProperty("Code").GetString());
        Assert.Equal("AWS-HMAC", parsed.RootElement.GetProperty("Type").GetString());
        Assert.StartsWith("ASIA", parsed.RootElement.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(parsed.RootElement.GetProperty("Token").GetString()));
        Assert.True(parsed.RootElement.GetProperty("Expiration").GetDateTimeOffset() > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task Imds_TokensRequired_MissingInvalidOrExpiredTokenIsUnauthorized()
    {
        var now = DateTimeOffset.UtcNow;
        _sandbox.Server.Clock = () => now;
        var (_, endpoint) = await LaunchAsync();
        var token = await TokenAsync(endpoint, "60");

        var missing = await GetAsync(endpoint, "/latest/meta-data/instance-id", null);
        var invalid = await GetAsync(endpoint, "/latest/meta-data/instance-id", "not-a-token");
        var valid = await GetAsync(endpoint, "/latest/meta-data/instance-id", token);
        now = now.AddSeconds(60);
        var expired = await GetAsync(endpoint, "/latest/meta-data/instance-id", token);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, invalid.Status);
        Assert.Equal(HttpStatusCode.OK, valid.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("21601")]
    [InlineData("soon")]
    [InlineData(null)]
    public async Task Imds_TokenTtlOutOfRange_BadRequest(string? ttl)
    {
        var (_, endpoint) = await LaunchAsync();

        using var response = await PutTokenAsync(endpoint, ttl);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Imds_TokensOptional_ImdsV1ReadsWithoutToken()
    {
        var (id, endpoint) = await LaunchAsync(httpTokens: "optional");

        Assert.Equal((HttpStatusCode.OK, id), await GetAsync(endpoint, "/latest/meta-data/instance-id", null));
    }

    [Fact]
    public async Task Imds_NoInstanceProfile_SecurityCredentialsNotFound()
    {
        var (_, endpoint) = await LaunchAsync();
        var token = await TokenAsync(endpoint);

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(endpoint, "/latest/meta-data/iam/security-credentials/", token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(endpoint, "/latest/user-data", token)).Status);
    }

    [Fact]
    public async Task Imds_EndpointDisabled_Refuses()
    {
        var (_, endpoint) = await LaunchAsync(httpEndpoint: "disabled");

        using var token = await PutTokenAsync(endpoint);

        Assert.Equal(HttpStatusCode.Forbidden, token.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(endpoint, "/latest/meta-data/instance-id", null)).Status);
    }

    [Fact]
    public async Task Imds_TerminatedInstance_EndpointGone()
    {
        var (id, endpoint) = await LaunchAsync();
        Assert.Equal(HttpStatusCode.OK, (await PutTokenAsync(endpoint)).StatusCode);

        await _ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [id] });

        Assert.Null(_sandbox.Server.GetInstanceMetadataEndpoint(id));
        using var fresh = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(endpoint, "/latest/api/token"));
        request.Headers.Add(TtlHeader, "60");
        await Assert.ThrowsAsync<HttpRequestException>(() => fresh.SendAsync(request));
    }
}
