using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>
/// SQS errors as the AWS JSON protocol returns them: <c>{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":...}</c>
/// plus the <c>x-amzn-query-error: &lt;query code&gt;;Sender|Receiver</c> header that carries the code the Query protocol used
/// (the SQS model is awsQueryCompatible). Codes, query codes and status codes are those of the SQS API reference.
/// </summary>
internal static class SqsErrors
{
    /// <summary>Error shape (the <see cref="AwsServiceError.Code"/>) to its <c>__type</c> and query-compatible code.</summary>
    private static readonly Dictionary<string, (string Type, string QueryCode)> Shapes = new(StringComparer.Ordinal)
    {
        ["QueueDoesNotExist"] = ("com.amazonaws.sqs#QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue"),
        ["QueueNameExists"] = ("com.amazonaws.sqs#QueueNameExists", "QueueAlreadyExists"),
        ["QueueDeletedRecently"] = ("com.amazonaws.sqs#QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently"),
        ["ReceiptHandleIsInvalid"] = ("com.amazonaws.sqs#ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"),
        ["TooManyEntriesInBatchRequest"] = ("com.amazonaws.sqs#TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
        ["BatchEntryIdsNotDistinct"] = ("com.amazonaws.sqs#BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
        ["BatchRequestTooLong"] = ("com.amazonaws.sqs#BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong"),
        ["EmptyBatchRequest"] = ("com.amazonaws.sqs#EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest"),
        ["InvalidBatchEntryId"] = ("com.amazonaws.sqs#InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId"),
        ["PurgeQueueInProgress"] = ("com.amazonaws.sqs#PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress"),
        ["InvalidAttributeName"] = ("com.amazonaws.sqs#InvalidAttributeName", "InvalidAttributeName"),
        ["InvalidAttributeValue"] = ("com.amazonaws.sqs#InvalidAttributeValue", "InvalidAttributeValue"),
        ["InvalidMessageContents"] = ("com.amazonaws.sqs#InvalidMessageContents", "InvalidMessageContents"),
        ["InvalidAddress"] = ("com.amazonaws.sqs#InvalidAddress", "InvalidAddress"),
        ["RequestThrottled"] = ("com.amazonaws.sqs#RequestThrottled", "RequestThrottled"),
        ["InvalidParameterValue"] = ("com.amazonaws.sqs#InvalidParameterValueException", "InvalidParameterValue"),
        ["MissingParameter"] = ("com.amazonaws.sqs#MissingRequiredParameterException", "MissingParameter"),
        ["AccessDenied"] = ("com.amazon.coral.service#AccessDeniedException", "AccessDenied"),
        ["InvalidClientTokenId"] = ("com.amazon.coral.service#UnrecognizedClientException", "InvalidClientTokenId"),
        ["SignatureDoesNotMatch"] = ("com.amazon.coral.service#InvalidSignatureException", "SignatureDoesNotMatch"),
        ["ExpiredToken"] = ("com.amazon.coral.service#ExpiredTokenException", "ExpiredToken"),
        ["InvalidAction"] = ("com.amazon.coral.service#UnknownOperationException", "InvalidAction"),
        ["SerializationException"] = ("com.amazon.coral.service#SerializationException", "SerializationException"),
        ["InternalFailure"] = ("com.amazon.coral.service#InternalFailure", "InternalFailure"),
    };

    public static AwsServiceError QueueDoesNotExist() => new(400, "QueueDoesNotExist", "The specified queue does not exist.");

    public static AwsServiceError InvalidParameterValue(string message) => new(400, "InvalidParameterValue", message);

    public static AwsServiceError InvalidParameter(string parameter, string value, string reason) =>
        InvalidParameterValue("Value " + value + " for parameter " + parameter + " is invalid. Reason: " + reason);

    public static AwsServiceError InvalidAttributeValue(string name) => new(400, "InvalidAttributeValue", "Invalid value for the parameter " + name + ".");

    public static AwsServiceError InvalidAttributeName(string name) => new(400, "InvalidAttributeName", "Unknown Attribute " + name + ".");

    public static AwsServiceError MissingParameter(string name) => new(400, "MissingParameter", "The request must contain the parameter " + name + ".");

    public static AwsServiceError Throttled() => new(403, "RequestThrottled", "Request is throttled.");

    public static AwsServiceError InternalFailure() => new(500, "InternalFailure", "We encountered an internal error. Please try again.");

    /// <summary>The JSON error response of <paramref name="error"/>.</summary>
    public static SandboxHttpResponse Response(AwsServiceError error, string requestId)
    {
        var (type, queryCode) = Shapes.TryGetValue(error.Code, out var shape) ? shape : ("com.amazonaws.sqs#" + error.Code, error.Code);
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["__type"] = type, ["message"] = error.Message });
        var response = new SandboxHttpResponse(error.StatusCode, SqsEndpoint.ContentType, Encoding.UTF8.GetBytes(body));
        response.Headers.Add(new("x-amzn-RequestId", requestId));
        response.Headers.Add(new("x-amzn-query-error", queryCode + ";" + error.FaultType));
        return response;
    }
}
