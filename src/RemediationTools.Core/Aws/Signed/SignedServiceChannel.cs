using System.Net;
using System.Net.Http.Headers;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>Where and how a signed client (Query or JSON protocol) talks to its service.</summary>
internal abstract class SignedServiceConfig
{
    protected SignedServiceConfig(string serviceName, Uri endpoint, string signingRegion, AwsRetryPolicy retryPolicy)
    {
        ServiceName = serviceName ?? throw new ArgumentNullException(nameof(serviceName));
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        SigningRegion = signingRegion ?? throw new ArgumentNullException(nameof(signingRegion));
        RetryPolicy = retryPolicy ?? throw new ArgumentNullException(nameof(retryPolicy));
    }

    /// <summary>Signing name of the service, e.g. "iam" or "cloudtrail".</summary>
    public string ServiceName { get; }

    public Uri Endpoint { get; }

    public string SigningRegion { get; }

    public AwsRetryPolicy RetryPolicy { get; }

    /// <summary>Clock used for request signatures.</summary>
    public Func<DateTimeOffset> Clock { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Receives one line per call made (operation and service; never parameters or keys).</summary>
    public Action<string>? Log { get; set; }

    /// <summary>Timeout of one attempt.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>One answer of a signed POST: status, body text and headers (the protocol client parses them).</summary>
internal sealed class SignedServiceAnswer
{
    public SignedServiceAnswer(HttpStatusCode status, bool succeeded, string text, HttpResponseHeaders headers)
    {
        Status = status;
        Succeeded = succeeded;
        Text = text;
        Headers = headers;
    }

    public HttpStatusCode Status { get; }

    public bool Succeeded { get; }

    public string Text { get; }

    public HttpResponseHeaders Headers { get; }

    /// <summary>The x-amzn-RequestId header, if any.</summary>
    public string? RequestIdHeader => Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
}

/// <summary>
/// The transport the signed protocol clients share: one HTTP client, the credentials, and one SigV4-signed POST per
/// attempt (the protocol client encodes the body, adds its headers, retries through its config's policy and parses).
/// </summary>
internal sealed class SignedServiceChannel : IDisposable
{
    private readonly SignedServiceConfig config;
    private readonly AWSCredentials credentials;
    private readonly HttpClient http;

    public SignedServiceChannel(SignedServiceConfig config, AWSCredentials credentials, HttpMessageHandler? handler)
    {
        this.config = config ?? throw new ArgumentNullException(nameof(config));
        this.credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        http.Timeout = config.Timeout;
    }

    /// <summary>Signs and sends one POST of <paramref name="body"/> as <paramref name="content"/> for <paramref name="operation"/>.</summary>
    public async Task<SignedServiceAnswer> PostAsync(string operation, byte[] body, HttpContent content, Action<HttpRequestMessage>? addHeaders, CancellationToken cancellationToken)
    {
        config.Log?.Invoke($"{config.ServiceName.ToUpperInvariant()} {operation} ({config.Endpoint.Host})");
        var keys = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Endpoint) { Content = content };
        addHeaders?.Invoke(request);
        SigV4RequestSigner.Sign(request, body, keys, config.SigningRegion, config.ServiceName, config.Clock().UtcDateTime);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return new SignedServiceAnswer(response.StatusCode, response.IsSuccessStatusCode, text, response.Headers);
    }

    public void Dispose() => http.Dispose();
}
