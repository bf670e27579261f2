using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken.Model;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public class AwsClientFactoryTests
{
    private const string StsNs = "https://sts.amazonaws.com/doc/2011-06-15/";
    private static readonly AccountRole Role = new("arn:aws:iam::111122223333:role/Remediation", "o-abc123");

    private static AwsClientFactory Factory(ScriptedHttpHandler handler, int maxErrorRetry = 3, List<string>? log = null) => new(
        AwsEndpointResolverTests.Connection(new AwsEndpointResolver(new Uri("http://aws.test:4566"), new FakeEnvironment()), maxErrorRetry),
        new AwsClientFactoryOptions
        {
            HttpHandlerFactory = handler.Forwarder,
            Log = log is null ? null : log.Add,
        });

    private static HttpResponseMessage AssumeRoleOk(string accessKeyId, bool namesUser = true) => ScriptedHttpHandler.Xml(
        HttpStatusCode.OK,
        $"<AssumeRoleResponse xmlns=\"{StsNs}\"><AssumeRoleResult><Credentials><AccessKeyId>{accessKeyId}</AccessKeyId>" +
        "<SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-token</SessionToken>" +
        $"<Expiration>{DateTime.UtcNow.AddHours(1):yyyy-MM-ddTHH:mm:ssZ}</Expiration></Credentials>" +
        (namesUser ? "<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/Remediation/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>" : string.Empty) +
        "</AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>");

    private static HttpResponseMessage CallerIdentityOk() => ScriptedHttpHandler.Xml(
        HttpStatusCode.OK,
        $"<GetCallerIdentityResponse xmlns=\"{StsNs}\"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:user/u</Arn>" +
        "<UserId>AIDA</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>");

    [Fact]
    public async Task ForAccountAsync_ManyCallersSameRole_OneAssumeRoleAndSameClients()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => AssumeRoleOk("ASIAROLE"));
        using var factory = Factory(handler);

        var all = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => factory.ForAccountAsync(Role, CancellationToken.None)));

        Assert.Equal(1, handler.Count);
        Assert.All(all, c => Assert.Same(all[0], c));
        var body = handler.Received.Single().Body;
        Assert.Contains("Action=AssumeRole", body, StringComparison.Ordinal);
        Assert.Contains("ExternalId=o-abc123", body, StringComparison.Ordinal);
        Assert.Contains("RoleSessionName=" + factory.SessionName, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForAccountAsync_RoleClients_SignWithAssumedCredentials()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i == 0 ? AssumeRoleOk("ASIAROLE") : CallerIdentityOk());
        using var factory = Factory(handler);

        var clients = await factory.ForAccountAsync(Role, CancellationToken.None);
        await clients.Sts("eu-west-1").GetCallerIdentityAsync(new GetCallerIdentityRequest());

        var (ownRequest, _) = handler.Received[0];
        var (roleRequest, _) = handler.Received[1];
        Assert.Contains("Credential=AKIDTEST/", ownRequest.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
        Assert.Contains("Credential=ASIAROLE/", roleRequest.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
        Assert.Equal("assumed-token", roleRequest.Headers.GetValues("X-Amz-Security-Token").Single());
    }

    [Fact]
    public async Task ForAccountAsync_StsAccessDenied_ThrowsAssumeRoleDeniedWithExactMessage()
    {
        var log = new List<string>();
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.Forbidden,
            $"<ErrorResponse xmlns=\"{StsNs}\"><Error><Type>Sender</Type><Code>AccessDenied</Code>" +
            "<Message>User: arn:aws:iam::1:user/u is not authorized to perform: sts:AssumeRole</Message></Error><RequestId>r</RequestId></ErrorResponse>"));
        using var factory = Factory(handler, log: log);

        var ex = await Assert.ThrowsAsync<AssumeRoleDeniedException>(() => factory.ForAccountAsync(Role, CancellationToken.None));

        Assert.Equal(
            "Assuming role arn:aws:iam::111122223333:role/Remediation was refused: the role's trust policy does not allow this caller, or the external ID 'o-abc123' does not match.",
            ex.Message);
        Assert.Equal(1, handler.Count);
        Assert.Contains(log, l => l.Contains("AssumeRole arn:aws:iam::111122223333:role/Remediation", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ForAccountAsync_NullRole_ReturnsOwnClientsWithoutStsCall()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => CallerIdentityOk());
        using var factory = Factory(handler);

        var first = await factory.ForAccountAsync(null, CancellationToken.None);
        var second = await factory.ForAccountAsync(null, CancellationToken.None);

        Assert.Same(first, second);
        Assert.Same(first.Ec2("eu-west-1"), second.Ec2("eu-west-1"));
        Assert.NotSame(first.Ec2("eu-west-1"), first.Ec2("us-east-2"));
        Assert.Equal(0, handler.Count);
    }

    [Fact]
    public async Task SdkClient_ThrottledThenServerError_RetriedBySdk()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i switch
        {
            0 => ScriptedHttpHandler.Xml(HttpStatusCode.BadRequest, ScriptedHttpHandler.ErrorXml("Throttling", "Rate exceeded")),
            1 => ScriptedHttpHandler.Xml(HttpStatusCode.InternalServerError, ScriptedHttpHandler.ErrorXml("InternalFailure", "boom", "Receiver")),
            _ => CallerIdentityOk(),
        });
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var identity = await clients.Sts("eu-west-1").GetCallerIdentityAsync(new GetCallerIdentityRequest());

        Assert.Equal("111122223333", identity.Account);
        Assert.Equal(3, handler.Count);
    }

    [Fact]
    public async Task SdkClient_ClientError_NotRetried()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.BadRequest,
            ScriptedHttpHandler.ErrorXml("ValidationError", "bad input")));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var ex = await Assert.ThrowsAnyAsync<AmazonServiceException>(
            () => clients.Sts("eu-west-1").GetCallerIdentityAsync(new GetCallerIdentityRequest()));

        Assert.Equal("ValidationError", ex.ErrorCode);
        Assert.Equal(1, handler.Count);
    }

    [Fact]
    public async Task Iam_CustomEndpoint_SignsForGlobalRegionAndReusesClient()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => ScriptedHttpHandler.Xml(
            HttpStatusCode.OK,
            "<DeleteRoleResponse><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteRoleResponse>"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        await clients.Iam().DeleteRoleAsync(new RemediationTools.Core.Aws.Signed.DeleteRoleRequest { RoleName = "r" });

        Assert.Same(clients.Iam(), clients.Iam());
        var (request, _) = handler.Received.Single();
        Assert.Equal(new Uri("http://aws.test:4566/"), request.RequestUri);
        Assert.Contains("/us-east-1/iam/aws4_request", request.Headers.GetValues("Authorization").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_ThenForAccount_Throws()
    {
        var factory = Factory(new ScriptedHttpHandler((_, _, _) => CallerIdentityOk()));
        factory.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => factory.ForAccountAsync(null, CancellationToken.None));
    }

    [Fact]
    public async Task AccountIdAsync_ManyCallersSameCredentials_OneGetCallerIdentityCall()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => CallerIdentityOk());
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        var accounts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => clients.AccountIdAsync(CancellationToken.None)));

        Assert.All(accounts, a => Assert.Equal("111122223333", a));
        Assert.Equal(1, handler.Count);
        Assert.Contains("Action=GetCallerIdentity", handler.Received.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountIdAsync_RoleCredentials_AccountOfTheAssumedRoleUserWithoutAnotherCall()
    {
        var handler = new ScriptedHttpHandler((_, _, _) => AssumeRoleOk("ASIAROLE"));
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(Role, CancellationToken.None);

        var account = await clients.AccountIdAsync(CancellationToken.None);

        Assert.Equal("111122223333", account);
        Assert.Contains("Action=AssumeRole", handler.Received.Single().Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountIdAsync_AssumeRoleResponseNamesNoUser_AsksGetCallerIdentity()
    {
        // An emulator may leave AssumedRoleUser out: the account is then asked of STS, never taken from the role ARN.
        var handler = new ScriptedHttpHandler((i, _, _) => i == 0 ? AssumeRoleOk("ASIAROLE", namesUser: false) : CallerIdentityOk());
        using var factory = Factory(handler);
        var clients = await factory.ForAccountAsync(Role, CancellationToken.None);

        var account = await clients.AccountIdAsync(CancellationToken.None);

        Assert.Equal("111122223333", account);
        Assert.Equal(2, handler.Count);
        Assert.Contains("Action=GetCallerIdentity", handler.Received[1].Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("arn:aws:sts::111122223333:assumed-role/Remediation/session", "111122223333")]
    [InlineData("arn:aws-cn:sts::111122223333:assumed-role/R/s", "111122223333")]
    [InlineData("arn:aws:iam::111122223333:role/Remediation", null)]
    [InlineData("arn:aws:sts::1111:assumed-role/R/s", null)]
    [InlineData("arn:aws:sts::111122223333:federated-user/u", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void AccountOfAssumedRole_Arn_AccountOnlyOfAnAssumedRoleUser(string? arn, string? expected) =>
        Assert.Equal(expected, StsRoleCredentialsSource.AccountOfAssumedRole(arn));

    [Fact]
    public async Task AccountIdAsync_CallFails_NotCachedAndAskedAgain()
    {
        var handler = new ScriptedHttpHandler((i, _, _) => i == 0
            ? ScriptedHttpHandler.Xml(HttpStatusCode.BadRequest, ScriptedHttpHandler.ErrorXml("ValidationError", "bad"))
            : CallerIdentityOk());
        using var factory = Factory(handler, maxErrorRetry: 0);
        var clients = await factory.ForAccountAsync(null, CancellationToken.None);

        await Assert.ThrowsAnyAsync<AmazonServiceException>(() => clients.AccountIdAsync(CancellationToken.None));
        var account = await clients.AccountIdAsync(CancellationToken.None);

        Assert.Equal("111122223333", account);
        Assert.Equal(2, handler.Count);
    }

    [Fact]
    public async Task ForAccountAsync_ThousandRolesIdlePastTheTimeout_OnlyWhatIsInUseIsKeptAndEvictedClientsDisposed()
    {
        var now = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var handler = new ScriptedHttpHandler((_, _, _) => CallerIdentityOk());
        var source = new CountingRoleSource(() => now.AddHours(1));
        using var factory = new AwsClientFactory(
            AwsEndpointResolverTests.Connection(new AwsEndpointResolver(new Uri("http://aws.test:4566"), new FakeEnvironment()), 0),
            new AwsClientFactoryOptions
            {
                Clock = () => now,
                IdleTimeout = TimeSpan.FromMinutes(15),
                RoleCredentialsSource = source,
                HttpHandlerFactory = handler.Forwarder,
            });
        var roles = Enumerable.Range(0, 1000).Select(i => new AccountRole($"arn:aws:iam::{100000000000 + i}:role/Remediation", "o-abc123")).ToList();
        foreach (var role in roles)
        {
            (await factory.ForAccountAsync(role, CancellationToken.None)).Ec2("us-east-1");
        }

        // Two roles make a call; the second keeps calling (through the SDK client it holds), so it stays in use.
        var idle = await factory.ForAccountAsync(roles[0], CancellationToken.None);
        var idleSts = idle.Sts("us-east-1");
        await idleSts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var busy = (await factory.ForAccountAsync(roles[1], CancellationToken.None)).Sts("us-east-1");
        await busy.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        var own = await factory.ForAccountAsync(null, CancellationToken.None);
        own.Ec2("us-east-1");
        own.Ec2("eu-west-1");
        Assert.Equal(1000, factory.RoleClientCount);
        Assert.Equal(1000, factory.RoleCredentialCount);
        now = now.AddMinutes(10);
        await busy.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        own.Ec2("eu-west-1");
        now = now.AddMinutes(10);

        var fresh = await factory.ForAccountAsync(roles[999], CancellationToken.None);

        Assert.Equal(2, factory.RoleClientCount);
        Assert.Equal(2, factory.RoleCredentialCount);
        Assert.Equal(1, factory.OwnClients.ClientCount);
        Assert.Equal(1001, source.Calls);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => idleSts.GetCallerIdentityAsync(new GetCallerIdentityRequest()));
        // A job still holding the evicted clients object goes on: it builds its SDK clients again.
        Assert.NotSame(idleSts, idle.Sts("us-east-1"));
        Assert.Equal("111122223333", (await idle.Sts("us-east-1").GetCallerIdentityAsync(new GetCallerIdentityRequest())).Account);
        Assert.NotNull(fresh.Ec2("us-east-1"));
    }

    [Fact]
    public void Constructor_NonPositiveIdleTimeout_ThrowsNamingIt()
    {
        var connection = AwsEndpointResolverTests.Connection(new AwsEndpointResolver(new Uri("http://aws.test:4566"), new FakeEnvironment()), 0);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new AwsClientFactory(connection, new AwsClientFactoryOptions { IdleTimeout = TimeSpan.Zero }));

        Assert.Contains("IdleTimeout must be positive", ex.Message, StringComparison.Ordinal);
    }

    private sealed class CountingRoleSource : IRoleCredentialsSource
    {
        private readonly Func<DateTimeOffset> expiration;
        private int calls;

        public CountingRoleSource(Func<DateTimeOffset> expiration) => this.expiration = expiration;

        public int Calls => Volatile.Read(ref calls);

        public Task<RoleCredentials> AssumeRoleAsync(AccountRole role, string sessionName, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref calls);
            return Task.FromResult(new RoleCredentials("ASIA" + n.ToString(System.Globalization.CultureInfo.InvariantCulture), "secret", "token", expiration()));
        }
    }
}
