namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>An AWS error response: the code, message and HTTP status AWS documents for it.</summary>
internal sealed class AwsServiceError : Exception
{
    public AwsServiceError(int statusCode, string code, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
    }

    public AwsServiceError()
        : this(500, "InternalError", "An internal error has occurred")
    {
    }

    public AwsServiceError(string message)
        : this(400, "InvalidParameterValue", message)
    {
    }

    public AwsServiceError(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Code = "InternalError";
    }

    public int StatusCode { get; }

    public string Code { get; }

    /// <summary>awsQuery error type: Sender for 4xx, Receiver for 5xx.</summary>
    public string FaultType => StatusCode >= 500 ? "Receiver" : "Sender";
}
