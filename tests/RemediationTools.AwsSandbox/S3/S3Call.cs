using System.Text;
using System.Xml;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Http;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>One authenticated S3 call being handled (always under the state lock).</summary>
internal sealed class S3Call
{
    public static readonly XNamespace Ns = "http://s3.amazonaws.com/doc/2006-03-01/";

    public required SandboxState State { get; init; }

    public required CallerPrincipal Caller { get; init; }

    public required SandboxHttpRequest Request { get; init; }

    public required S3Address Address { get; init; }

    public required S3Operation Operation { get; init; }

    /// <summary>The region the request is signed for.</summary>
    public required string SigningRegion { get; init; }

    /// <summary>The region of the endpoint the request reached (the host's, or the signing region for the sandbox's own host).</summary>
    public required string EndpointRegion { get; init; }

    /// <summary>The decoded body (aws-chunked removed).</summary>
    public required byte[] Body { get; init; }

    /// <summary>Counts a further IAM action the call needs (CreateBucket with an ACL or ownership header) and authorizes it.</summary>
    public required Action<string> RequireAlso { get; init; }

    public S3State S3 => State.S3;

    public string BucketName => Address.Bucket ?? throw new InvalidOperationException("The call has no bucket.");

    /// <summary>The body as XML; MalformedXML when it is empty or not well-formed.</summary>
    public XElement BodyXml()
    {
        if (Body.Length == 0)
        {
            throw S3Error.MalformedXml();
        }

        try
        {
            return XElement.Parse(Encoding.UTF8.GetString(Body));
        }
        catch (XmlException)
        {
            throw S3Error.MalformedXml();
        }
    }

    /// <summary>The one child element of that local name (any namespace), or null.</summary>
    public static XElement? Child(XElement parent, string name) => parent.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static IEnumerable<XElement> Children(XElement parent, string name) => parent.Elements().Where(e => e.Name.LocalName == name);

    public static S3Response Xml(XElement root) => new(200, "application/xml", Encoding.UTF8.GetBytes(AwsXml.Render(root)));

    public static S3Response NoContent() => new(204, "application/xml", []);

    public static S3Response Ok() => new(200, "application/xml", []);
}

/// <summary>A successful S3 response.</summary>
internal sealed record S3Response(int StatusCode, string ContentType, byte[] Body)
{
    public List<KeyValuePair<string, string>> Headers { get; } = [];
}
