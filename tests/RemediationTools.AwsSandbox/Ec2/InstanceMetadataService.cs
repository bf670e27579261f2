using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// The instance metadata service (IMDSv2 and, with HttpTokens optional, IMDSv1) of one launched instance, on its own
/// loopback port so that <c>AWS_EC2_METADATA_SERVICE_ENDPOINT</c> can point the AWS SDKs at it unchanged. Tokens come from
/// <c>PUT /latest/api/token</c> (TTL 1..21600 s, sandbox clock); the role credentials are a session of the instance
/// profile's role (<see cref="SandboxServer.IssueInstanceProfileCredentials(string, string)"/>), renewed before they expire.
/// </summary>
internal sealed class InstanceMetadataService : IDisposable
{
    public const int MaxTokenTtlSeconds = 21600;

    private const string TokenHeader = "X-aws-ec2-metadata-token";
    private const string TtlHeader = "X-aws-ec2-metadata-token-ttl-seconds";

    private readonly SandboxServer _server;
    private readonly SandboxState _state;
    private readonly string _accountId;
    private readonly string _region;
    private readonly string _instanceId;
    private readonly Dictionary<string, DateTimeOffset> _tokens = new(StringComparer.Ordinal);
    private readonly LoopbackHttpServer _http;
    private SandboxSessionCredentials? _credentials;
    private DateTimeOffset _credentialsIssued;

    public InstanceMetadataService(SandboxServer server, SandboxState state, string accountId, string region, string instanceId)
    {
        _server = server;
        _state = state;
        _accountId = accountId;
        _region = region;
        _instanceId = instanceId;
        _http = new LoopbackHttpServer(0, request => Task.FromResult(Handle(request)));
        Endpoint = new Uri("http://127.0.0.1:" + _http.Port.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The base URL without a trailing slash (the SDKs append <c>/latest/...</c>).</summary>
    public Uri Endpoint { get; }

    public void Dispose() => _http.Dispose();

    private SandboxHttpResponse Handle(SandboxHttpRequest request)
    {
        lock (_state.Gate)
        {
            var region = _state.Ec2(_accountId, _region);
            var instance = region.Instances.Find(i => i.InstanceId == _instanceId);
            var now = _state.Now;
            if (instance is null || instance.RunState.Current(now) is "shutting-down" or "terminated")
            {
                return Text(404, "Not Found");
            }

            if (instance.MetadataOptions.HttpEndpoint == "disabled")
            {
                return Text(403, "Forbidden: the instance metadata service of this instance is disabled (HttpEndpoint disabled)");
            }

            var path = "/" + request.RawPath.TrimStart('/');
            if (path == "/latest/api/token")
            {
                return request.Method == "PUT" ? IssueToken(request, now) : Text(405, "Method Not Allowed");
            }

            if (request.Method is not ("GET" or "HEAD"))
            {
                return Text(405, "Method Not Allowed");
            }

            var token = request.Header(TokenHeader);
            if (token is not null)
            {
                if (!_tokens.TryGetValue(token, out var expires) || now >= expires)
                {
                    return Text(401, "Unauthorized");
                }
            }
            else if (instance.MetadataOptions.HttpTokens == "required")
            {
                return Text(401, "Unauthorized");
            }

            return Route(region, instance, path, now);
        }
    }

    private SandboxHttpResponse IssueToken(SandboxHttpRequest request, DateTimeOffset now)
    {
        if (request.Header("X-Forwarded-For") is not null)
        {
            return Text(403, "Forbidden");
        }

        var ttlText = request.Header(TtlHeader);
        if (!int.TryParse(ttlText, NumberStyles.None, CultureInfo.InvariantCulture, out var ttl) || ttl is < 1 or > MaxTokenTtlSeconds)
        {
            return Text(400, "Bad Request");
        }

        foreach (var expired in _tokens.Where(t => t.Value <= now).Select(t => t.Key).ToList())
        {
            _tokens.Remove(expired);
        }

        var token = "AQAEA" + IdGenerator.Secret().Replace('/', '_').Replace('+', '-');
        _tokens[token] = now.AddSeconds(ttl);
        var response = Text(200, token);
        response.Headers.Add(new(TtlHeader, ttl.ToString(CultureInfo.InvariantCulture)));
        return response;
    }

    private SandboxHttpResponse Route(Ec2RegionState region, Instance instance, string path, DateTimeOffset now)
    {
        var privateIp = instance.NetworkInterfaces.Count > 0 ? instance.NetworkInterfaces[0].PrivateIpAddress : "0.0.0.0";
        var roleName = RoleName(instance);
        switch (path)
        {
            case "/latest" or "/latest/":
                return Text(200, "dynamic\nmeta-data\n" + (instance.UserData is null ? string.Empty : "user-data"));
            case "/latest/meta-data" or "/latest/meta-data/":
                return Text(200, string.Join('\n', "ami-id", "ami-launch-index", "hostname", "iam/", "instance-id", "instance-type", "local-ipv4", "mac", "placement/", "reservation-id", "security-groups"));
            case "/latest/meta-data/ami-id":
                return Text(200, instance.ImageId);
            case "/latest/meta-data/ami-launch-index":
                return Text(200, instance.AmiLaunchIndex.ToString(CultureInfo.InvariantCulture));
            case "/latest/meta-data/instance-id":
                return Text(200, instance.InstanceId);
            case "/latest/meta-data/instance-type":
                return Text(200, instance.InstanceType);
            case "/latest/meta-data/reservation-id":
                return Text(200, instance.ReservationId);
            case "/latest/meta-data/local-ipv4":
                return Text(200, privateIp);
            case "/latest/meta-data/hostname" or "/latest/meta-data/local-hostname":
                return Text(200, "ip-" + privateIp.Replace('.', '-') + ".ec2.internal");
            case "/latest/meta-data/mac":
                return Text(200, instance.NetworkInterfaces.Count > 0 ? instance.NetworkInterfaces[0].MacAddress : string.Empty);
            case "/latest/meta-data/security-groups":
                return Text(200, string.Join('\n', instance.NetworkInterfaces.SelectMany(n => n.GroupIds).Distinct().Select(id => region.FindGroup(id)?.GroupName ?? id)));
            case "/latest/meta-data/placement" or "/latest/meta-data/placement/":
                return Text(200, "availability-zone\nregion");
            case "/latest/meta-data/placement/availability-zone":
                return Text(200, instance.AvailabilityZone);
            case "/latest/meta-data/placement/region":
                return Text(200, _region);
            case "/latest/meta-data/iam" or "/latest/meta-data/iam/":
                return roleName is null ? Text(404, "Not Found") : Text(200, "info\nsecurity-credentials/");
            case "/latest/meta-data/iam/info":
                return roleName is null ? Text(404, "Not Found") : Json(new Dictionary<string, object?>
                {
                    ["Code"] = "Success",
                    ["LastUpdated"] = Iso(now),
                    ["InstanceProfileArn"] = instance.IamInstanceProfileArn,
                    ["InstanceProfileId"] = instance.IamInstanceProfileId,
                });
            case "/latest/meta-data/iam/security-credentials" or "/latest/meta-data/iam/security-credentials/":
                return roleName is null ? Text(404, "Not Found") : Text(200, roleName);
            case "/latest/dynamic/instance-identity/document":
                return Json(new Dictionary<string, object?>
                {
                    ["accountId"] = _accountId,
                    ["architecture"] = instance.Architecture,
                    ["availabilityZone"] = instance.AvailabilityZone,
                    ["billingProducts"] = null,
                    ["devpayProductCodes"] = null,
                    ["marketplaceProductCodes"] = null,
                    ["imageId"] = instance.ImageId,
                    ["instanceId"] = instance.InstanceId,
                    ["instanceType"] = instance.InstanceType,
                    ["kernelId"] = null,
                    ["pendingTime"] = Iso(instance.LaunchTime),
                    ["privateIp"] = privateIp,
                    ["ramdiskId"] = null,
                    ["region"] = _region,
                    ["version"] = "2017-09-30",
                });
            case "/latest/user-data" or "/latest/user-data/":
                return instance.DecodedUserData is { } data ? new SandboxHttpResponse(200, "application/octet-stream", data) : Text(404, "Not Found");
        }

        const string credentialsPrefix = "/latest/meta-data/iam/security-credentials/";
        if (roleName is not null && path.StartsWith(credentialsPrefix, StringComparison.Ordinal) && path[credentialsPrefix.Length..] == roleName)
        {
            return Credentials(instance, now);
        }

        return Text(404, "Not Found");
    }

    private SandboxHttpResponse Credentials(Instance instance, DateTimeOffset now)
    {
        // IMDS hands out new credentials well before the old ones expire; the SDKs refresh ahead of expiry too.
        if (_credentials is null || now >= _credentials.Expiration.AddMinutes(-15))
        {
            try
            {
                _credentials = _server.IssueInstanceProfileCredentials(_accountId, instance.IamInstanceProfileName!, instance.InstanceId);
                _credentialsIssued = now;
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                return Json(new Dictionary<string, object?> { ["Code"] = "AssumeRoleUnauthorizedAccess", ["Message"] = ex.Message, ["LastUpdated"] = Iso(now) });
            }
        }

        return Json(new Dictionary<string, object?>
        {
            ["Code"] = "Success",
            ["LastUpdated"] = Iso(_credentialsIssued),
            ["Type"] = "AWS-HMAC",
            ["AccessKeyId"] = _credentials.AccessKeyId,
            ["SecretAccessKey"] = _credentials.SecretAccessKey,
            ["Token"] = _credentials.SessionToken,
            ["Expiration"] = Iso(_credentials.Expiration),
        });
    }

    private string? RoleName(Instance instance)
    {
        if (instance.IamInstanceProfileName is not { } profileName)
        {
            return null;
        }

        var iam = _state.Account(_accountId).Iam;
        return iam.InstanceProfiles.TryGetValue(profileName, out var profile) && profile.RoleName is { } role && iam.Roles.TryGetValue(role, out var found) ? found.Name : null;
    }

    private static string Iso(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static SandboxHttpResponse Text(int status, string text) => new(status, "text/plain", Encoding.UTF8.GetBytes(text));

    private static SandboxHttpResponse Json(Dictionary<string, object?> body) =>
        new(200, "text/plain", Encoding.UTF8.GetBytes(JsonSerializer.Serialize(body)));
}
