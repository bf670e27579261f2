using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// The HTTP side of S3 (REST-XML): the operation from the method, the bucket (virtual-hosted or path-style) and the
/// subresource; then, as for every service, count the call (under the IAM action that authorizes it), add latency,
/// inject faults (503 SlowDown, 500 InternalError), authenticate (S3's SigV4: the path encoded once, the mandatory
/// <c>x-amz-content-sha256</c>), check the region (AuthorizationHeaderMalformed for a scope that is not the
/// endpoint's, PermanentRedirect for a bucket of another region), decode and check the body, authorize, handle.
/// Errors are S3's XML (Code, Message, BucketName, RequestId, HostId); HEAD responses have no body.
/// </summary>
internal sealed class S3Endpoint
{
    private readonly SandboxState _state;
    private readonly SandboxFaults _faults;
    private readonly ConcurrentDictionary<string, int> _calls;

    public S3Endpoint(SandboxState state, SandboxFaults faults, ConcurrentDictionary<string, int> calls)
    {
        _state = state;
        _faults = faults;
        _calls = calls;
    }

    /// <param name="request">The signed request.</param>
    /// <param name="authorization">Its parsed Authorization header (scope service s3).</param>
    /// <param name="authenticate">The router's signature and credential check (run under the state lock).</param>
    public async Task<SandboxHttpResponse> HandleAsync(SandboxHttpRequest request, SigV4Authorization authorization, Func<CallerPrincipal> authenticate)
    {
        var requestId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var hostId = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var address = S3Address.Parse(request);
        var operation = S3Operation.Of(request.Method, address);
        if (operation is null)
        {
            return Error(request, S3Error.NotImplemented(request.Method + " " + request.RawPath + (request.RawQuery.Length > 0 ? "?" + request.RawQuery : string.Empty)), requestId, hostId);
        }

        var fault = await _faults.EnterAsync(_calls, operation.IamAction).ConfigureAwait(false);
        if (fault != InjectedFault.None)
        {
            return Error(request, fault == InjectedFault.Throttle
                ? new S3Error(503, "SlowDown", "Please reduce your request rate.")
                : new S3Error(), requestId, hostId);
        }

        try
        {
            S3Response response;
            lock (_state.Gate)
            {
                response = Handle(request, authorization, authenticate, address, operation);
            }

            var http = new SandboxHttpResponse(response.StatusCode, response.ContentType, request.Method == "HEAD" ? [] : response.Body);
            http.Headers.AddRange(response.Headers);
            http.Headers.Add(new("x-amz-request-id", requestId));
            http.Headers.Add(new("x-amz-id-2", hostId));
            return http;
        }
        catch (S3Error error)
        {
            return Error(request, error, requestId, hostId);
        }
        catch (AwsServiceError error)
        {
            return Error(request, new S3Error(error.StatusCode, error.Code, error.Message), requestId, hostId);
        }
    }

    private S3Response Handle(SandboxHttpRequest request, SigV4Authorization authorization, Func<CallerPrincipal> authenticate, S3Address address, S3Operation operation)
    {
        S3Payload.CheckContentSha256(request);
        if (_state.Credentials.TryGetValue(authorization.AccessKeyId, out var credential) && credential.SessionToken is not null
            && request.Header("X-Amz-Security-Token") != credential.SessionToken)
        {
            throw new S3Error(400, "InvalidToken", "The provided token is malformed or otherwise invalid.");
        }

        var caller = Authenticate(authenticate);
        var signingKey = SigV4Signature.SigningKey(authorization, _state.Credentials[authorization.AccessKeyId].SecretAccessKey);
        var signingRegion = authorization.Region;
        S3Bucket? bucket = null;
        if (address.Bucket is not null)
        {
            _state.S3.Buckets.TryGetValue(address.Bucket, out bucket);
        }

        // A virtual-hosted request to the global host reaches the bucket's own region (DNS routes it there); a regional
        // host, or the global host path-style (us-east-1), is the region it names; the sandbox's own host is the region
        // the request is signed for.
        var hostRegion = address.VirtualHosted && address.GlobalHost && bucket is not null ? bucket.Region : address.HostRegion;
        if (hostRegion is not null && hostRegion != signingRegion)
        {
            var error = new S3Error(400, "AuthorizationHeaderMalformed", $"The authorization header is malformed; the region '{signingRegion}' is wrong; expecting '{hostRegion}'")
                .With("Region", hostRegion);
            throw bucket is null ? error : error.WithHeader("x-amz-bucket-region", bucket.Region);
        }

        var endpointRegion = hostRegion ?? signingRegion;
        if (address.Bucket is not null && operation.Name != "CreateBucket")
        {
            if (bucket is null)
            {
                throw S3Error.NoSuchBucket(address.Bucket);
            }

            if (bucket.Region != endpointRegion && !operation.AnyRegion)
            {
                throw new S3Error(301, "PermanentRedirect", "The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint.")
                    .With("Bucket", bucket.Name)
                    .With("Endpoint", bucket.Region == "us-east-1" ? bucket.Name + ".s3.amazonaws.com" : bucket.Name + ".s3." + bucket.Region + (Partition(bucket.Region) == "aws-cn" ? ".amazonaws.com.cn" : ".amazonaws.com"))
                    .WithHeader("x-amz-bucket-region", bucket.Region);
            }
        }

        if (request.Header("x-amz-expected-bucket-owner") is { } expectedOwner && bucket is not null && operation.Name != "CreateBucket" && expectedOwner != bucket.OwnerAccountId)
        {
            throw S3Error.AccessDenied();
        }

        var body = S3Payload.Decode(request, authorization, signingKey, operation.IntegrityRequired);
        var resource = address.Bucket is null ? "*" : "arn:" + Partition(bucket?.Region ?? endpointRegion) + ":s3:::" + address.Bucket;
        // CreateBucket is the caller's own business (a taken name is BucketAlreadyExists, not AccessDenied).
        var policyBucket = OwnerBypassesPolicy(operation, caller, bucket) || operation.Name == "CreateBucket" ? null : bucket;
        try
        {
            S3Access.Require(_state, caller, operation.IamAction, resource, policyBucket);
        }
        catch (S3Error denied) when (bucket is not null && operation.Name == "HeadBucket")
        {
            throw denied.WithHeader("x-amz-bucket-region", bucket.Region);
        }

        // The bucket policy operations belong to the bucket owner's account: anyone else who is allowed gets 405.
        if (bucket is not null && caller.AccountId != bucket.OwnerAccountId && operation.Name is "GetBucketPolicy" or "PutBucketPolicy" or "DeleteBucketPolicy")
        {
            throw new S3Error(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
                .With("Method", request.Method).With("ResourceType", "BUCKETPOLICY");
        }

        var call = new S3Call
        {
            State = _state,
            Caller = caller,
            Request = request,
            Address = address,
            Operation = operation,
            SigningRegion = signingRegion,
            EndpointRegion = endpointRegion,
            Body = body,
            RequireAlso = action =>
            {
                _faults.Count(_calls, action);
                S3Access.Require(_state, caller, action, resource, policyBucket);
            },
        };
        return S3Service.Handle(call);
    }

    /// <summary>The ARN partition of a region: aws-cn for the China regions, aws-us-gov for GovCloud, else aws.</summary>
    public static string Partition(string region) =>
        region.StartsWith("cn-", StringComparison.Ordinal) ? "aws-cn" : region.StartsWith("us-gov-", StringComparison.Ordinal) ? "aws-us-gov" : "aws";

    /// <summary>The bucket owner's root may always read, replace and delete the bucket policy, whatever the policy says.</summary>
    private static bool OwnerBypassesPolicy(S3Operation operation, CallerPrincipal caller, S3Bucket? bucket) =>
        bucket is not null && caller.Kind == PrincipalKind.Root && caller.AccountId == bucket.OwnerAccountId
        && operation.Name is "GetBucketPolicy" or "PutBucketPolicy" or "DeleteBucketPolicy";

    /// <summary>The router's check, with S3's codes: InvalidAccessKeyId, SignatureDoesNotMatch, ExpiredToken.</summary>
    private static CallerPrincipal Authenticate(Func<CallerPrincipal> authenticate)
    {
        try
        {
            return authenticate();
        }
        catch (AwsServiceError error)
        {
            throw error.Code switch
            {
                "InvalidClientTokenId" => new S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
                "ExpiredToken" => new S3Error(400, "ExpiredToken", "The provided token has expired."),
                "SignatureDoesNotMatch" => new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method."),
                _ => new S3Error(error.StatusCode, error.Code, error.Message),
            };
        }
    }

    private static SandboxHttpResponse Error(SandboxHttpRequest request, S3Error error, string requestId, string hostId)
    {
        var body = request.Method == "HEAD" ? [] : Encoding.UTF8.GetBytes(error.Render(requestId, hostId));
        var response = new SandboxHttpResponse(error.StatusCode, "application/xml", body);
        response.Headers.AddRange(error.Headers);
        response.Headers.Add(new("x-amz-request-id", requestId));
        response.Headers.Add(new("x-amz-id-2", hostId));
        return response;
    }
}
