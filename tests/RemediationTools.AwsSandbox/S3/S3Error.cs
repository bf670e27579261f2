using System.Xml.Linq;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// An S3 error response: status, code and message as the S3 API reference's error list gives them, plus the extra
/// elements some codes carry (BucketName, Endpoint, Region, ...) and the response headers of a redirect.
/// </summary>
internal sealed class S3Error : Exception
{
    public S3Error(int statusCode, string code, string message, string? bucketName = null)
        : base(message)
    {
        StatusCode = statusCode;
        Code = code;
        if (bucketName is not null)
        {
            Elements.Add(new("BucketName", bucketName));
        }
    }

    public S3Error()
        : this(500, "InternalError", "We encountered an internal error. Please try again.")
    {
    }

    public S3Error(string message)
        : this(400, "InvalidArgument", message)
    {
    }

    public S3Error(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 500;
        Code = "InternalError";
    }

    public int StatusCode { get; }

    public string Code { get; }

    /// <summary>Extra child elements of &lt;Error&gt;, in order.</summary>
    public List<KeyValuePair<string, string>> Elements { get; } = [];

    /// <summary>Extra response headers (x-amz-bucket-region on redirects).</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public S3Error With(string element, string value)
    {
        Elements.Add(new(element, value));
        return this;
    }

    public S3Error WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    /// <summary>S3's XML error body: Code, Message, the extra elements, RequestId, HostId (no namespace).</summary>
    public string Render(string requestId, string hostId) =>
        AwsXml.Render(new XElement(
            "Error",
            new XElement("Code", Code),
            new XElement("Message", Message),
            Elements.Select(e => new XElement(e.Key, e.Value)),
            new XElement("RequestId", requestId),
            new XElement("HostId", hostId)));

    public static S3Error NoSuchBucket(string bucket) => new(404, "NoSuchBucket", "The specified bucket does not exist", bucket);

    public static S3Error MalformedXml() => new(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");

    public static S3Error AccessDenied() => new(403, "AccessDenied", "Access Denied");

    public static S3Error InvalidArgument(string message, string name, string value) =>
        new S3Error(400, "InvalidArgument", message).With("ArgumentName", name).With("ArgumentValue", value);

    public static S3Error InvalidRequest(string message) => new(400, "InvalidRequest", message);

    public static S3Error NotImplemented(string what) =>
        new S3Error(501, "NotImplemented", "A header you provided implies functionality that is not implemented").With("Header", what);
}
