using System.Net;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>
/// An AWS error answered to our Query-protocol client. It derives from <see cref="AmazonServiceException"/>, like
/// the official clients' exceptions, so callers handle both alike (ErrorCode, StatusCode, RequestId, ErrorType).
/// </summary>
internal sealed class AwsQueryServiceException : AmazonServiceException
{
    public AwsQueryServiceException(string message, ErrorType errorType, string errorCode, string? requestId, HttpStatusCode statusCode, string serviceName)
        : base(message, errorType, errorCode, requestId, statusCode)
    {
        ServiceName = serviceName;
    }

    /// <summary>The service that answered, e.g. "iam".</summary>
    public string ServiceName { get; }
}
