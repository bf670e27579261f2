using System.Net;
using System.Text;
using Amazon.Runtime;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

internal sealed class FakeEnvironment : IAwsEnvironment
{
    private readonly Dictionary<string, string> variables = new(StringComparer.Ordinal);

    public FakeEnvironment Set(string name, string value)
    {
        variables[name] = value;
        return this;
    }

    public string? GetVariable(string name) => variables.TryGetValue(name, out var value) ? value : null;
}

internal sealed class FakeProfileStore : IAwsProfileStore
{
    private readonly Dictionary<string, AwsProfile> profiles = new(StringComparer.Ordinal);

    public FakeProfileStore Add(string name, string? accessKey, string? region)
    {
        profiles[name] = new AwsProfile(name, accessKey is null ? null : new BasicAWSCredentials(accessKey, "secret-of-" + name), region);
        return this;
    }

    public AwsProfile? FindProfile(string name) => profiles.TryGetValue(name, out var profile) ? profile : null;
}

internal sealed class FakeDefaultChain : IDefaultCredentialChain
{
    private readonly string? accessKey;

    public FakeDefaultChain(string? accessKey) => this.accessKey = accessKey;

    public int Calls { get; private set; }

    public Task<(AWSCredentials Credentials, string Source)?> ResolveAsync(CancellationToken cancellationToken)
    {
        Calls++;
        (AWSCredentials, string)? result = accessKey is null ? null : (new BasicAWSCredentials(accessKey, "default-secret"), "SDK default chain (fake)");
        return Task.FromResult(result);
    }
}

/// <summary>Stands for an AWSCredentials of another AWSSDK.Core copy: same shape, unrelated type.</summary>
internal sealed class ForeignAwsCredentials
{
    private readonly string accessKey;

    public ForeignAwsCredentials(string accessKey) => this.accessKey = accessKey;

    public int Reads { get; private set; }

    public ForeignImmutableCredentials GetCredentials()
    {
        Reads++;
        return new ForeignImmutableCredentials(accessKey, "foreign-secret", "foreign-token");
    }
}

internal sealed class ForeignImmutableCredentials
{
    public ForeignImmutableCredentials(string accessKey, string secretKey, string token)
    {
        AccessKey = accessKey;
        SecretKey = secretKey;
        Token = token;
    }

    public string AccessKey { get; }

    public string SecretKey { get; }

    public string Token { get; }
}

/// <summary>Stands for AWS Tools' AWSPSCredentials: credentials and name in non-public properties.</summary>
internal sealed class StoredCredentialsWrapper
{
    public StoredCredentialsWrapper(object credentials, string name)
    {
        Credentials = credentials;
        Name = name;
    }

    private object Credentials { get; }

    private string Name { get; }

    public override string ToString() => Name + (Credentials is null ? string.Empty : " (set)");
}

/// <summary>An HTTP server in a handler: answers each request with the next scripted reply and records what it got.</summary>
internal sealed class ScriptedHttpHandler : HttpMessageHandler
{
    private readonly Func<int, HttpRequestMessage, string, HttpResponseMessage> respond;
    private readonly List<(HttpRequestMessage Request, string Body)> received = new();

    public ScriptedHttpHandler(Func<int, HttpRequestMessage, string, HttpResponseMessage> respond) => this.respond = respond;

    public IReadOnlyList<(HttpRequestMessage Request, string Body)> Received
    {
        get
        {
            lock (received)
            {
                return received.ToList();
            }
        }
    }

    public int Count
    {
        get
        {
            lock (received)
            {
                return received.Count;
            }
        }
    }

    public static HttpResponseMessage Xml(HttpStatusCode status, string xml) =>
        new(status) { Content = new StringContent(xml, Encoding.UTF8, "text/xml") };

    public static string ErrorXml(string code, string message, string type = "Sender") =>
        $"<ErrorResponse><Error><Type>{type}</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>";

    /// <summary>A handler for one HttpClient that forwards to this one (HttpClient disposes its handler).</summary>
    public HttpMessageHandler Forwarder() => new Forwarding(this);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        int index;
        lock (received)
        {
            received.Add((request, body));
            index = received.Count - 1;
        }

        return respond(index, request, body);
    }

    /// <summary>Forwards to the scripted handler without disposing it: the scripted handler outlives its clients.</summary>
    private sealed class Forwarding : HttpMessageHandler
    {
        private readonly HttpMessageInvoker invoker;

        public Forwarding(ScriptedHttpHandler inner) => invoker = new HttpMessageInvoker(inner, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            invoker.SendAsync(request, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                invoker.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
