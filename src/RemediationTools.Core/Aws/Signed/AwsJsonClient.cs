using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>Where and how an <see cref="AwsJsonClient"/> talks to its service.</summary>
internal sealed class AwsJsonClientConfig : SignedServiceConfig
{
    public AwsJsonClientConfig(string serviceName, string targetPrefix, Uri endpoint, string signingRegion, AwsRetryPolicy retryPolicy)
        : base(serviceName, endpoint, signingRegion, retryPolicy)
    {
        TargetPrefix = targetPrefix ?? throw new ArgumentNullException(nameof(targetPrefix));
    }

    /// <summary>The X-Amz-Target prefix before the operation name, e.g. "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.".</summary>
    public string TargetPrefix { get; }
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
    private readonly SignedServiceChannel channel;

    public AwsJsonClient(AwsJsonClientConfig config, AWSCredentials credentials, HttpMessageHandler? handler = null)
    {
        this.config = config ?? throw new ArgumentNullException(nameof(config));
        channel = new SignedServiceChannel(config, credentials, handler);
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

    public void Dispose() => channel.Dispose();

    private async Task<AwsJsonResponse> SendOnceAsync(string operation, byte[] body, CancellationToken cancellationToken)
    {
        var answer = await channel.PostAsync(
            operation,
            body,
            SigV4RequestSigner.JsonContent(body),
            request => request.Headers.TryAddWithoutValidation("X-Amz-Target", config.TargetPrefix + operation),
            cancellationToken).ConfigureAwait(false);
        var text = answer.Text;
        var requestId = answer.RequestIdHeader;
        if (!answer.Succeeded)
        {
            throw ParseError(text, answer.Status, requestId, answer.Headers.TryGetValues("x-amzn-ErrorType", out var types) ? types.FirstOrDefault() : null);
        }

        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(text) ? "{}" : text);
            return new AwsJsonResponse(document.RootElement.Clone(), requestId);
        }
        catch (JsonException ex)
        {
            throw new AmazonUnmarshallingException(requestId, null, ex, answer.Status);
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
