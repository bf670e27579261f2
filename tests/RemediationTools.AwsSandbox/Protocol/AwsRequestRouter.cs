using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Iam;
using RemediationTools.AwsSandbox.Ssm;
using RemediationTools.AwsSandbox.Sts;

namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>
/// Turns one signed HTTP request into one AWS call: the service and region come from the SigV4
/// credential scope (one port serves every service), the action from the Query/EC2 parameters.
/// Order: count the call, add latency, inject faults, authenticate, handle.
/// </summary>
internal sealed class AwsRequestRouter
{
    private readonly SandboxState _state;
    private readonly SandboxFaults _faults;
    private readonly ConcurrentDictionary<string, int> _calls;
    private readonly Dictionary<string, IAwsService> _services = new(StringComparer.Ordinal)
    {
        ["ec2"] = new Ec2Service(),
        ["elasticloadbalancing"] = new Elb.ElasticLoadBalancingService(),
        ["iam"] = new IamService(),
        ["rds"] = new Rds.RdsService(),
        ["sts"] = new StsService(),
    };

    public AwsRequestRouter(SandboxState state, SandboxFaults faults, ConcurrentDictionary<string, int> calls)
    {
        _state = state;
        _faults = faults;
        _calls = calls;
    }

    public async Task<SandboxHttpResponse> HandleAsync(SandboxHttpRequest request)
    {
        var requestId = IdGenerator.RequestId();
        var authorization = SigV4Authorization.Parse(request.Header("Authorization"));
        if (authorization is null)
        {
            var error = request.Header("Authorization") is null
                ? new AwsServiceError(403, "MissingAuthenticationToken", "Request is missing Authentication Token")
                : new AwsServiceError(400, "IncompleteSignature", "Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters.");
            return ErrorResponse(string.Empty, error, requestId);
        }

        var service = authorization.Service;
        if (service == "dynamodb") { return await new DynamoDb.DynamoDbEndpoint(_state, _faults, _calls, Authenticate).HandleAsync(request, authorization, requestId).ConfigureAwait(false); }
        if (service is "ssm" or "cloudtrail" or "kms" or "kinesis")
        {
            return await HandleJsonAsync(request, authorization, requestId).ConfigureAwait(false);
        }

        if (service == "s3") { return await new S3.S3Endpoint(_state, _faults, _calls).HandleAsync(request, authorization, () => Authenticate(request, authorization)).ConfigureAwait(false); }

        if (service == "sqs") { return await new Sqs.SqsEndpoint(_state, _faults, _calls).HandleAsync(request, authorization.Region, requestId, () => Authenticate(request, authorization)).ConfigureAwait(false); }

        if (!_services.TryGetValue(service, out var handler))
        {
            return ErrorResponse(service, new AwsServiceError(400, "InvalidAction", $"The sandbox does not emulate the service '{service}'."), requestId);
        }

        var args = Arguments(request);
        var action = args.Get("Action");
        if (string.IsNullOrEmpty(action))
        {
            return ErrorResponse(service, new AwsServiceError(400, "MissingAction", "Missing Action"), requestId);
        }

        var fault = await _faults.EnterAsync(_calls, service + ":" + action).ConfigureAwait(false);
        if (fault != InjectedFault.None)
        {
            return ErrorResponse(service, InjectedError(service, fault), requestId);
        }

        try
        {
            string body;
            lock (_state.Gate)
            {
                var caller = Authenticate(request, authorization);
                if (service == "ec2")
                {
                    TakeEc2Tokens(caller.AccountId, authorization.Region, action, args);
                }

                var context = new AwsRequestContext
                {
                    State = _state,
                    Caller = caller,
                    Service = service,
                    Region = authorization.Region,
                    Action = action,
                    Args = args,
                    RequestId = requestId,
                };
                body = handler.Handle(context) ?? throw UnknownAction(service, action);
            }

            var response = SandboxHttpResponse.Xml(200, body);
            response.Headers.Add(new("x-amzn-RequestId", requestId));
            return response;
        }
        catch (AwsServiceError error)
        {
            return ErrorResponse(service, error, requestId);
        }
    }

    /// <summary>
    /// An AWS JSON 1.1 call (Systems Manager): the action from <c>X-Amz-Target</c>, the input from the JSON body, errors
    /// as <c>{"__type","message"}</c> with the codes JSON services use (UnrecognizedClientException, ThrottlingException, ...).
    /// </summary>
    private async Task<SandboxHttpResponse> HandleJsonAsync(SandboxHttpRequest request, SigV4Authorization authorization, string requestId)
    {
        var service = authorization.Service;
        var (prefix, handle) = service switch
        {
            "cloudtrail" => (CloudTrail.CloudTrailService.TargetPrefix, (Func<AwsRequestContext, JsonElement, string?>)CloudTrail.CloudTrailService.Handle),
            "kms" => (Kms.KmsService.TargetPrefix, Kms.KmsService.Handle),
            "kinesis" => (Kinesis.KinesisService.TargetPrefix, Kinesis.KinesisService.Handle),
            _ => (SsmService.TargetPrefix, (Func<AwsRequestContext, JsonElement, string?>)SsmService.Handle),
        };
        var target = request.Header("X-Amz-Target") ?? string.Empty;
        if (!target.StartsWith(prefix, StringComparison.Ordinal))
        {
            return JsonError(new AwsServiceError(400, "UnknownOperationException", string.Empty), requestId);
        }

        var action = target.Substring(prefix.Length);
        var fault = await _faults.EnterAsync(_calls, service + ":" + action).ConfigureAwait(false);
        if (fault != InjectedFault.None)
        {
            return JsonError(fault == InjectedFault.Throttle
                ? new AwsServiceError(400, "ThrottlingException", "Rate exceeded")
                : new AwsServiceError(500, "InternalServerError", "An internal error has occurred"), requestId);
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
                    caller = Authenticate(request, authorization);
                }
                catch (AwsServiceError error) when (error.Code is "InvalidClientTokenId" or "SignatureDoesNotMatch")
                {
                    throw error.Code == "InvalidClientTokenId"
                        ? new AwsServiceError(400, "UnrecognizedClientException", "The security token included in the request is invalid.")
                        : new AwsServiceError(400, "InvalidSignatureException", error.Message);
                }

                var context = new AwsRequestContext
                {
                    State = _state,
                    Caller = caller,
                    Service = service,
                    Region = authorization.Region,
                    Action = action,
                    Args = new QueryArgs(new Dictionary<string, string>(StringComparer.Ordinal)),
                    RequestId = requestId,
                };
                json = handle(context, body.RootElement) ?? throw (service == "ssm"
                    ? new AwsServiceError(400, "InvalidAction", "Could not find operation " + action + " for version 2014-11-06")
                    : new AwsServiceError(400, "UnknownOperationException", "Could not find operation " + action));
            }

            var response = new SandboxHttpResponse(200, "application/x-amz-json-1.1", Encoding.UTF8.GetBytes(json));
            response.Headers.Add(new("x-amzn-RequestId", requestId));
            return response;
        }
        catch (JsonException)
        {
            return JsonError(new AwsServiceError(400, "SerializationException", "The request body is not valid JSON."), requestId);
        }
        catch (AwsServiceError error) when (error.Code == "AccessDenied")
        {
            // JSON services name IAM refusals AccessDeniedException.
            return JsonError(new AwsServiceError(400, "AccessDeniedException", error.Message), requestId);
        }
        catch (AwsServiceError error)
        {
            return JsonError(error, requestId);
        }
    }

    private static SandboxHttpResponse JsonError(AwsServiceError error, string requestId)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = error.Code, ["message"] = error.Message });
        var response = new SandboxHttpResponse(error.StatusCode, "application/x-amz-json-1.1", Encoding.UTF8.GetBytes(body));
        response.Headers.Add(new("x-amzn-RequestId", requestId));
        response.Headers.Add(new("x-amzn-ErrorType", error.Code));
        return response;
    }

    /// <summary>
    /// Runs an action as the root of an account without a signature, for seeding and inspection from
    /// the control API. Not counted and never faulted.
    /// </summary>
    public SandboxHttpResponse InvokeAsRoot(string accountId, string region, string service, string action, IReadOnlyDictionary<string, string> parameters)
    {
        var requestId = IdGenerator.RequestId();
        if (!_services.TryGetValue(service, out var handler))
        {
            return ErrorResponse(service, new AwsServiceError(400, "InvalidAction", $"The sandbox does not emulate the service '{service}'."), requestId);
        }

        var values = new Dictionary<string, string>(parameters, StringComparer.Ordinal) { ["Action"] = action };
        try
        {
            string body;
            lock (_state.Gate)
            {
                var account = _state.Account(accountId);
                var root = new CallerPrincipal(account.AccountId, PrincipalKind.Root, $"arn:aws:iam::{account.AccountId}:root", account.AccountId, null, $"arn:aws:iam::{account.AccountId}:root", null);
                var context = new AwsRequestContext
                {
                    State = _state,
                    Caller = root,
                    Service = service,
                    Region = region,
                    Action = action,
                    Args = new QueryArgs(values),
                    RequestId = requestId,
                    IsControl = true,
                };
                body = handler.Handle(context) ?? throw UnknownAction(service, action);
            }

            return SandboxHttpResponse.Xml(200, body);
        }
        catch (AwsServiceError error)
        {
            return ErrorResponse(service, error, requestId);
        }
    }

    private static QueryArgs Arguments(SandboxHttpRequest request)
    {
        var text = request.RawQuery;
        var contentType = request.Header("Content-Type") ?? string.Empty;
        if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) && request.Body.Length > 0)
        {
            var form = Encoding.UTF8.GetString(request.Body);
            text = text.Length == 0 ? form : text + "&" + form;
        }

        return QueryArgs.ParseForm(text);
    }

    private CallerPrincipal Authenticate(SandboxHttpRequest request, SigV4Authorization authorization)
    {
        var service = authorization.Service;
        if (!_state.Credentials.TryGetValue(authorization.AccessKeyId, out var credential)
            || (credential.SessionToken is not null && request.Header("X-Amz-Security-Token") != credential.SessionToken))
        {
            throw service == "ec2"
                ? new AwsServiceError(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
                : new AwsServiceError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        }

        var amzDate = request.Header("X-Amz-Date") ?? string.Empty;
        if (!amzDate.StartsWith(authorization.Date, StringComparison.Ordinal))
        {
            throw new AwsServiceError(403, "SignatureDoesNotMatch", $"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{authorization.Date}' != '{amzDate}'");
        }

        var expected = SigV4Signature.Compute(request, authorization, credential.SecretAccessKey);
        if (SigV4Signature.DeclaredPayloadHashIsWrong(request) || !string.Equals(expected, authorization.Signature, StringComparison.Ordinal))
        {
            throw new AwsServiceError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
        }

        if (credential.Expiration is { } expiration && _state.Now >= expiration)
        {
            throw service == "ec2"
                ? new AwsServiceError(400, "RequestExpired", "Request has expired.")
                : new AwsServiceError(403, "ExpiredToken", "The security token included in the request is expired");
        }

        return credential.Principal;
    }

    /// <summary>
    /// EC2's request-rate throttling, after authentication (the buckets are the caller's account's) and before the
    /// action: a call whose bucket is empty fails with RequestLimitExceeded (503), takes no token and changes nothing.
    /// Every call takes its tokens, whatever its outcome (AWS counts requests, not successes).
    /// </summary>
    private void TakeEc2Tokens(string accountId, string region, string action, QueryArgs args)
    {
        if (_state.Ec2RateLimiter is { } limiter && !limiter.TryAcquire(accountId, region, action, args, _state.Now))
        {
            var key = "ec2:" + action;
            _state.Ec2ThrottledCalls[key] = _state.Ec2ThrottledCalls.GetValueOrDefault(key) + 1;
            throw RequestLimitExceeded();
        }
    }

    private static AwsServiceError RequestLimitExceeded() => new(503, "RequestLimitExceeded", "Request limit exceeded.");

    private static AwsServiceError UnknownAction(string service, string action) => service == "ec2"
        ? new AwsServiceError(400, "InvalidAction", $"The action {action} is not valid for this web service.")
        : new AwsServiceError(400, "InvalidAction", $"Could not find operation {action} for version {(service == "iam" ? "2010-05-08" : "2011-06-15")}");

    private static AwsServiceError InjectedError(string service, InjectedFault fault) => (service, fault) switch
    {
        ("ec2", InjectedFault.Throttle) => RequestLimitExceeded(),
        ("ec2", _) => new AwsServiceError(500, "InternalError", "An internal error has occurred"),
        (_, InjectedFault.Throttle) => new AwsServiceError(400, "Throttling", "Rate exceeded"),
        _ => new AwsServiceError(503, "ServiceUnavailable", "Service is unable to handle request."),
    };

    private static SandboxHttpResponse ErrorResponse(string service, AwsServiceError error, string requestId)
    {
        string body = service switch
        {
            "ec2" => AwsXml.Ec2Error(error, requestId),
            "iam" => AwsXml.QueryError(AwsXml.Iam, error, requestId),
            "sts" => AwsXml.QueryError(AwsXml.Sts, error, requestId),
            "rds" => AwsXml.QueryError(Rds.RdsService.Ns, error, requestId),
            _ => AwsXml.QueryError(XNamespace.None, error, requestId),
        };
        var response = SandboxHttpResponse.Xml(error.StatusCode, body);
        response.Headers.Add(new("x-amzn-RequestId", requestId));
        return response;
    }
}
