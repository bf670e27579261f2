using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>Where and how an <see cref="AwsJsonClient"/> talks to its service.</summary>
internal sealed class AwsJsonClientConfig
{
    public AwsJsonClientConfig(string serviceName, string targetPrefix, Uri endpoint, string signingRegion, AwsRetryPolicy retryPolicy)
    {
        ServiceName = serviceName ?? throw new ArgumentNullException(nameof(serviceName));
        TargetPrefix = targetPrefix ?? throw new ArgumentNullException(nameof(targetPrefix));
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        SigningRegion = signingRegion ?? throw new ArgumentNullException(nameof(signingRegion));
        RetryPolicy = retryPolicy ?? throw new ArgumentNullException(nameof(retryPolicy));
    }

    /// <summary>Signing name of the service, e.g. "cloudtrail".</summary>
    public string ServiceName { get; }

    /// <summary>The X-Amz-Target prefix before the operation name, e.g. "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.".</summary>
    public string TargetPrefix { get; }

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

/// <summary>The JSON body of an AWS JSON answer and its request ID.</summary>
internal sealed class AwsJsonResponse
{
    public AwsJsonResponse(JsonElement body, string? requestId)
    {
        Body = body;
        RequestId = requestId;
    }

    /// <summary>The answer's top-level object (an empty object when the operation returns nothing).</summary>
    public JsonElement Body { get; }

    public string? RequestId { get; }
}

/// <summary>
/// The AWS JSON 1.1 protocol (POST of a JSON document, operation in <c>X-Amz-Target</c>; JSON answers) signed with
/// SigV4, for services without an official AWSSDK package (CloudTrail, Kinesis). Retries like the SDK clients; errors
/// become <see cref="AwsQueryServiceException"/> with the short error code (the part of <c>__type</c> after '#').
/// </summary>
internal sealed class AwsJsonClient : IDisposable
{
    private readonly AwsJsonClientConfig config;
    private readonly AWSCredentials credentials;
    private readonly HttpClient http;

    public AwsJsonClient(AwsJsonClientConfig config, AWSCredentials credentials, HttpMessageHandler? handler = null)
    {
        this.config = config ?? throw new ArgumentNullException(nameof(config));
        this.credentials = credentials ?? throw new ArgumentNullException(nameof(credentials));
        http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        http.Timeout = config.Timeout;
    }

    public AwsJsonClientConfig Config => config;

    /// <summary>Calls an operation with a JSON request document (UTF-8 bytes) and returns the parsed answer.</summary>
    public Task<AwsJsonResponse> InvokeAsync(string operation, byte[] requestJson, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(operation))
        {
            throw new ArgumentException("An operation is required.", nameof(operation));
        }

        var body = requestJson is null || requestJson.Length == 0 ? Encoding.UTF8.GetBytes("{}") : requestJson;
        return config.RetryPolicy.ExecuteAsync(ct => SendOnceAsync(operation, body, ct), cancellationToken);
    }

    public void Dispose() => http.Dispose();

    private async Task<AwsJsonResponse> SendOnceAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        config.Log?.Invoke($"{config.ServiceName.ToUpperInvariant()} {operation} ({config.Endpoint.Host})");
        var keys = await credentials.GetCredentialsAsync().ConfigureAwait(false);
        using var request = new HttpRequestMessage(HttpMethod.Post, config.Endpoint) { Content = SigV4RequestSigner.JsonContent(body) };
        request.Headers.TryAddWithoutValidation("X-Amz-Target", config.TargetPrefix + operation);
        SigV4RequestSigner.Sign(request, body, keys, config.SigningRegion, config.ServiceName, config.Clock().UtcDateTime);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        var text = response.Content is null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        if (!response.IsSuccessStatusCode)
        {
            throw ParseError(text, response.StatusCode, requestId, response.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null);
        }

        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return new AwsJsonResponse(document.RootElement.Clone(), requestId);
        }
        catch (JsonException ex)
        {
            throw new AmazonUnmarshallingException(requestId, null, ex, response.StatusCode);
        }
    }

    internal AwsQueryServiceException ParseError(string text, HttpStatusCode status, string? requestId, string? errorTypeHeader)
    {
        string? code = null;
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        continue;
                    }

                    if (property.NameEquals("__type") || property.NameEquals("code"))
                    {
                        code ??= property.Value.GetString();
                    }
                    else if (string.Equals(property.Name, "message", StringComparison.OrdinalIgnoreCase))
                    {
                        message ??= property.Value.GetString();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // Not AWS error JSON (a proxy's page): the header or the status says what we know.
        }

        code = ShortCode(code ?? errorTypeHeader) ?? status.ToString();
        var errorType = (int)status >= 500 ? ErrorType.Receiver : ErrorType.Sender;
        var text500 = string.IsNullOrWhiteSpace(message)
            ? $"{config.ServiceName.ToUpperInvariant()} answered HTTP {((int)status).ToString(CultureInfo.InvariantCulture)} ({code})."
            : message!;
        return new AwsQueryServiceException(text500, errorType, code, requestId, status, config.ServiceName);
    }

    /// <summary>"com.amazonaws.x#TrailNotFoundException:http://..." becomes "TrailNotFoundException".</summary>
    internal static string? ShortCode(string? type)
    {
        if (string.IsNullOrEmpty(type))
        {
            return null;
        }

        var value = type!;
        var hash = value.LastIndexOf('#');
        if (hash >= 0)
        {
            value = value.Substring(hash + 1);
        }

        var colon = value.IndexOf(':');
        return colon >= 0 ? value.Substring(0, colon) : value;
    }
}
