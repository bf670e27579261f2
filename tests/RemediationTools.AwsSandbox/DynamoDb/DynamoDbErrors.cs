using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>
/// DynamoDB's errors. The <c>__type</c> on the wire is namespaced as DynamoDB sends it: its own exceptions under
/// <c>com.amazonaws.dynamodb.v20120810#</c>, the front end's (validation, authentication, throttling) under
/// <c>com.amazon.coral.*#</c>; the SDK keeps the part after <c>#</c> as the error code.
/// </summary>
internal static class DynamoDbErrors
{
    public const string ServiceNamespace = "com.amazonaws.dynamodb.v20120810#";

    /// <summary>The namespace of an error code on the wire.</summary>
    public static string Namespace(string code) => code switch
    {
        "ValidationException" => "com.amazon.coral.validate#",
        "UnrecognizedClientException" or "InvalidSignatureException" or "AccessDeniedException" or "SerializationException"
            or "UnknownOperationException" or "MissingAuthenticationTokenException" or "IncompleteSignatureException"
            or "ExpiredTokenException" => "com.amazon.coral.service#",
        "ThrottlingException" => "com.amazon.coral.availability#",
        _ => ServiceNamespace,
    };

    public static AwsServiceError Validation(string message) => new(400, "ValidationException", message);

    public static AwsServiceError Serialization() => new(400, "SerializationException", "Start of structure or map found where not expected");

    public static AwsServiceError ResourceNotFound(string? table = null) =>
        new(400, "ResourceNotFoundException", table is null ? "Requested resource not found" : "Requested resource not found: Table: " + table + " not found");

    public static AwsServiceError ConditionalCheckFailed() => new(400, "ConditionalCheckFailedException", "The conditional request failed");

    public static AwsServiceError InvalidExpression(string kind, string detail) =>
        Validation("Invalid " + kind + ": " + detail);
}

/// <summary>A ConditionalCheckFailedException that carries the item (ReturnValuesOnConditionCheckFailure ALL_OLD).</summary>
internal sealed class ConditionalCheckFailedError : Exception
{
    public ConditionalCheckFailedError(IReadOnlyDictionary<string, AttributeValue>? item)
        : base("The conditional request failed") => Item = item;

    public ConditionalCheckFailedError()
        : this((IReadOnlyDictionary<string, AttributeValue>?)null)
    {
    }

    public ConditionalCheckFailedError(string message)
        : base(message)
    {
    }

    public ConditionalCheckFailedError(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public IReadOnlyDictionary<string, AttributeValue>? Item { get; }
}

/// <summary>A TransactionCanceledException with one cancellation reason per action of the request.</summary>
internal sealed class TransactionCanceledError : Exception
{
    public TransactionCanceledError(IReadOnlyList<(string Code, string? Message, IReadOnlyDictionary<string, AttributeValue>? Item)> reasons)
        : base("Transaction cancelled, please refer cancellation reasons for specific reasons [" + string.Join(", ", reasons.Select(r => r.Code)) + "]")
        => Reasons = reasons;

    public TransactionCanceledError()
        : this([])
    {
    }

    public TransactionCanceledError(string message)
        : base(message) => Reasons = [];

    public TransactionCanceledError(string message, Exception innerException)
        : base(message, innerException) => Reasons = [];

    public IReadOnlyList<(string Code, string? Message, IReadOnlyDictionary<string, AttributeValue>? Item)> Reasons { get; }
}
