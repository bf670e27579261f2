using System.Text;

namespace RemediationTools.AwsSandbox.Http;

/// <summary>A response to write back on the connection.</summary>
internal sealed class SandboxHttpResponse
{
    public SandboxHttpResponse(int statusCode, string contentType, byte[] body)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Body = body;
    }

    public int StatusCode { get; }

    public string ContentType { get; }

    public byte[] Body { get; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public static SandboxHttpResponse Xml(int statusCode, string xml) =>
        new(statusCode, "text/xml;charset=UTF-8", Encoding.UTF8.GetBytes(xml));

    public static SandboxHttpResponse Json(int statusCode, string json) =>
        new(statusCode, "application/json", Encoding.UTF8.GetBytes(json));

    public static SandboxHttpResponse Text(int statusCode, string text) =>
        new(statusCode, "text/plain;charset=UTF-8", Encoding.UTF8.GetBytes(text));
}
