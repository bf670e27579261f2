using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>
/// The AWS JSON 1.0 front end of DynamoDB: the action from <c>X-Amz-Target</c>, the input from the JSON body; counts the
/// call, adds latency, injects faults, authenticates, handles under the state lock (so conditional writes are atomic),
/// and answers <c>application/x-amz-json-1.0</c> with the <c>x-amz-crc32</c> header DynamoDB sends (the CRC32 of the body).
/// Errors are <c>{"__type":"&lt;namespace&gt;#&lt;Code&gt;","message":...}</c>.
/// </summary>
internal sealed class DynamoDbEndpoint
{
    private const string ContentType = "application/x-amz-json-1.0";
    private readonly SandboxState _state;
    private readonly SandboxFaults _faults;
    private readonly ConcurrentDictionary<string, int> _calls;
    private readonly Func<SandboxHttpRequest, SigV4Authorization, CallerPrincipal> _authenticate;

    public DynamoDbEndpoint(SandboxState state, SandboxFaults faults, ConcurrentDictionary<string, int> calls, Func<SandboxHttpRequest, SigV4Authorization, CallerPrincipal> authenticate)
    {
        _state = state;
        _faults = faults;
        _calls = calls;
        _authenticate = authenticate;
    }

    public async Task<SandboxHttpResponse> HandleAsync(SandboxHttpRequest request, SigV4Authorization authorization, string requestId)
    {
        var target = request.Header("X-Amz-Target") ?? string.Empty;
        if (!target.StartsWith(DynamoDbService.TargetPrefix, StringComparison.Ordinal))
        {
            return Error(new AwsServiceError(400, "UnknownOperationException", string.Empty), requestId);
        }

        var action = target[DynamoDbService.TargetPrefix.Length..];
        var fault = await _faults.EnterAsync(_calls, "dynamodb:" + action).ConfigureAwait(false);
        if (fault != InjectedFault.None)
        {
            return Error(fault == InjectedFault.Throttle
                ? DynamoDbService.InjectedThrottle(action)
                : new AwsServiceError(500, "InternalServerError", "Internal server error"), requestId);
        }

        try
        {
            using var body = JsonDocument.Parse(request.Body.Length == 0 ? "{}"u8.ToArray() : request.Body);
            string json;
            lock (_state.Gate)
            {
                CallerPrincipal caller;
                try
                {
                    caller = _authenticate(request, authorization);
                }
                catch (AwsServiceError error) when (error.Code is "InvalidClientTokenId" or "SignatureDoesNotMatch" or "ExpiredToken")
                {
                    throw error.Code switch
                    {
                        "InvalidClientTokenId" => new AwsServiceError(400, "UnrecognizedClientException", "The security token included in the request is invalid."),
                        "ExpiredToken" => new AwsServiceError(400, "ExpiredTokenException", "The security token included in the request is expired"),
                        _ => new AwsServiceError(400, "InvalidSignatureException", error.Message),
                    };
                }

                var context = new AwsRequestContext
                {
                    State = _state,
                    Caller = caller,
                    Service = "dynamodb",
                    Region = authorization.Region,
                    Action = action,
                    Args = new QueryArgs(new Dictionary<string, string>(StringComparer.Ordinal)),
                    RequestId = requestId,
                };
                json = DynamoDbService.Handle(context, body.RootElement, () => _faults.Next() == InjectedFault.Throttle)
                    ?? throw new AwsServiceError(400, "UnknownOperationException", string.Empty);
            }

            return Response(200, json, requestId);
        }
        catch (JsonException)
        {
            return Error(new AwsServiceError(400, "SerializationException", "The request body is not valid JSON."), requestId);
        }
        catch (AwsServiceError error)
        {
            return Error(error, requestId);
        }
        catch (ConditionalCheckFailedError failed)
        {
            return Response(400, ErrorBody("ConditionalCheckFailedException", "message", failed.Message, w =>
            {
                if (failed.Item is { } item)
                {
                    w.WritePropertyName("Item");
                    AttributeValue.WriteItem(w, item);
                }
            }), requestId);
        }
        catch (TransactionCanceledError canceled)
        {
            return Response(400, ErrorBody("TransactionCanceledException", "Message", canceled.Message, w =>
            {
                w.WriteStartArray("CancellationReasons");
                foreach (var (code, message, item) in canceled.Reasons)
                {
                    w.WriteStartObject();
                    w.WriteString("Code", code);
                    if (message is not null)
                    {
                        w.WriteString("Message", message);
                    }

                    if (item is not null)
                    {
                        w.WritePropertyName("Item");
                        AttributeValue.WriteItem(w, item);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }), requestId);
        }
    }

    /// <summary>CRC32 (IEEE 802.3, as zlib) of <paramref name="data"/>, the value of <c>x-amz-crc32</c>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static string ErrorBody(string code, string messageProperty, string message, Action<Utf8JsonWriter>? extra = null)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("__type", DynamoDbErrors.Namespace(code) + code);
            w.WriteString(messageProperty, message);
            extra?.Invoke(w);
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static SandboxHttpResponse Error(AwsServiceError error, string requestId)
    {
        // DynamoDB writes "Message" for a few errors and "message" for most; the SDK reads both.
        return Response(error.StatusCode, ErrorBody(error.Code, "message", error.Message), requestId);
    }

    private static SandboxHttpResponse Response(int status, string json, string requestId)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var response = new SandboxHttpResponse(status, ContentType, bytes);
        response.Headers.Add(new("x-amzn-RequestId", requestId));
        response.Headers.Add(new("x-amz-crc32", Crc32(bytes).ToString(CultureInfo.InvariantCulture)));
        return response;
    }
}
