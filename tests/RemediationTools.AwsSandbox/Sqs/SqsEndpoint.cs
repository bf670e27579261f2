using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>
/// The HTTP side of SQS: AWS JSON 1.0 as AWSSDK.SQS 4 sends it (POST /, <c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>,
/// <c>Content-Type: application/x-amz-json-1.0</c>). Order as for every service: count the call, add latency, inject
/// faults (RequestThrottled, InternalFailure), authenticate, handle. ReceiveMessage long-polls outside the state lock,
/// woken by the queue's arrival signal (a send, a visibility reset, a redrive) or when the next hidden message becomes
/// visible, and returns at the end of its wait time.
/// </summary>
internal sealed class SqsEndpoint
{
    public const string ContentType = "application/x-amz-json-1.0";

    /// <summary>A request carrying this header with the value <c>true</c> counts as sent without TLS (<c>aws:SecureTransport</c> false).</summary>
    public const string InsecureTransportHeader = "X-Sandbox-Insecure-Transport";

    private readonly SandboxState _state;
    private readonly SandboxFaults _faults;
    private readonly ConcurrentDictionary<string, int> _calls;

    public SqsEndpoint(SandboxState state, SandboxFaults faults, ConcurrentDictionary<string, int> calls)
    {
        _state = state;
        _faults = faults;
        _calls = calls;
    }

    /// <param name="request">The signed request.</param>
    /// <param name="region">The region of the SigV4 credential scope.</param>
    /// <param name="requestId">The request ID for the response.</param>
    /// <param name="authenticate">Verifies the signature and returns the caller (the router's check, run under the state lock); its
    /// InvalidClientTokenId, SignatureDoesNotMatch and ExpiredToken become SQS's JSON errors with those query codes.</param>
    public async Task<SandboxHttpResponse> HandleAsync(SandboxHttpRequest request, string region, string requestId, Func<CallerPrincipal> authenticate)
    {
        var target = request.Header("X-Amz-Target") ?? string.Empty;
        if (!target.StartsWith(SqsService.TargetPrefix, StringComparison.Ordinal))
        {
            return SqsErrors.Response(new AwsServiceError(400, "InvalidAction", "The action or operation requested is invalid. Verify that the action is typed correctly."), requestId);
        }

        var action = target[SqsService.TargetPrefix.Length..];
        var fault = await _faults.EnterAsync(_calls, "sqs:" + action).ConfigureAwait(false);
        if (fault != InjectedFault.None)
        {
            return SqsErrors.Response(fault == InjectedFault.Throttle ? SqsErrors.Throttled() : SqsErrors.InternalFailure(), requestId);
        }

        try
        {
            using var body = JsonDocument.Parse(request.Body.Length == 0 ? "{}"u8.ToArray() : request.Body);
            var secure = !string.Equals(request.Header(InsecureTransportHeader), "true", StringComparison.OrdinalIgnoreCase);
            var host = request.Header("Host") ?? "localhost";
            SqsCall Call() => new()
            {
                Context = new AwsRequestContext
                {
                    State = _state,
                    Caller = authenticate(),
                    Service = "sqs",
                    Region = region,
                    Action = action,
                    Args = new QueryArgs(new Dictionary<string, string>(StringComparer.Ordinal)),
                    RequestId = requestId,
                },
                Body = body.RootElement,
                Host = host,
                SecureTransport = secure,
            };

            string json;
            if (action == "ReceiveMessage")
            {
                json = await ReceiveAsync(Call).ConfigureAwait(false);
            }
            else
            {
                lock (_state.Gate)
                {
                    json = SqsService.Handle(Call()) ?? throw new AwsServiceError(400, "InvalidAction", "The action " + action + " is not valid for this endpoint.");
                }
            }

            var response = new SandboxHttpResponse(200, ContentType, Encoding.UTF8.GetBytes(json));
            response.Headers.Add(new("x-amzn-RequestId", requestId));
            return response;
        }
        catch (JsonException)
        {
            return SqsErrors.Response(new AwsServiceError(400, "SerializationException", "The request body is not valid JSON."), requestId);
        }
        catch (AwsServiceError error)
        {
            return SqsErrors.Response(error, requestId);
        }
    }

    private async Task<string> ReceiveAsync(Func<SqsCall> call)
    {
        var waited = Stopwatch.StartNew();
        SqsReceiveAttempt attempt;
        lock (_state.Gate)
        {
            attempt = SqsService.Receive(call(), final: false);
        }

        if (attempt.Json is { } immediate)
        {
            return immediate;
        }

        var sqs = SqsState.For(_state);
        var deadline = TimeSpan.FromSeconds(attempt.WaitSeconds);
        lock (_state.Gate)
        {
            sqs.WaitingReceives++;
        }

        try
        {
            while (true)
            {
                var remaining = deadline - waited.Elapsed;
                if (remaining <= TimeSpan.Zero)
                {
                    lock (_state.Gate)
                    {
                        return SqsService.Receive(call(), final: true).Json!;
                    }
                }

                // Wake on an arrival, or when a hidden message's timeout ends (sandbox time, at least 1 ms), or at the deadline.
                var wake = attempt.NextVisibleIn is { } next && next < remaining ? (next > TimeSpan.Zero ? next : TimeSpan.FromMilliseconds(1)) : remaining;
                using var timer = new CancellationTokenSource();
                var delay = Task.Delay(wake, timer.Token);
                var woken = await Task.WhenAny(attempt.Arrival, delay).ConfigureAwait(false) == attempt.Arrival;
                await timer.CancelAsync().ConfigureAwait(false);
                lock (_state.Gate)
                {
                    attempt = SqsService.Receive(call(), final: false);
                    if (attempt.Json is { } json)
                    {
                        if (woken)
                        {
                            sqs.ReceivesWokenByArrival++;
                        }

                        return json;
                    }
                }
            }
        }
        finally
        {
            lock (_state.Gate)
            {
                sqs.WaitingReceives--;
            }
        }
    }
}
