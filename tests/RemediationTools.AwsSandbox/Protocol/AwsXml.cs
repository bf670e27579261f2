using System.Globalization;
using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>Builds the XML bodies of the EC2 and AWS Query protocols.</summary>
internal static class AwsXml
{
    public static readonly XNamespace Ec2 = "http://ec2.amazonaws.com/doc/2016-11-15/";
    public static readonly XNamespace Iam = "https://iam.amazonaws.com/doc/2010-05-08/";
    public static readonly XNamespace Sts = "https://sts.amazonaws.com/doc/2011-06-15/";

    public static string Render(XElement root) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + root.ToString(SaveOptions.DisableFormatting);

    /// <summary>EC2 success: <c>&lt;ActionResponse xmlns=ec2&gt;&lt;requestId/&gt;…</c>.</summary>
    public static string Ec2Response(string action, string requestId, IEnumerable<object?> content) =>
        Render(new XElement(Ec2 + (action + "Response"), new XElement(Ec2 + "requestId", requestId), content));

    /// <summary>EC2 error: <c>&lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;…&lt;/Errors&gt;&lt;RequestID/&gt;</c>.</summary>
    public static string Ec2Error(AwsServiceError error, string requestId) =>
        Render(new XElement(
            "Response",
            new XElement("Errors", new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message))),
            new XElement("RequestID", requestId)));

    /// <summary>AWS Query success: <c>&lt;XResponse&gt;&lt;XResult&gt;…&lt;/XResult&gt;&lt;ResponseMetadata/&gt;</c>.</summary>
    public static string QueryResponse(XNamespace ns, string action, string requestId, IEnumerable<object?> result) =>
        Render(new XElement(
            ns + (action + "Response"),
            new XElement(ns + (action + "Result"), result),
            new XElement(ns + "ResponseMetadata", new XElement(ns + "RequestId", requestId))));

    /// <summary>AWS Query error: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Type/&gt;&lt;Code/&gt;&lt;Message/&gt;…</c>.</summary>
    public static string QueryError(XNamespace ns, AwsServiceError error, string requestId) =>
        Render(new XElement(
            ns + "ErrorResponse",
            new XElement(ns + "Error", new XElement(ns + "Type", error.FaultType), new XElement(ns + "Code", error.Code), new XElement(ns + "Message", error.Message)),
            new XElement(ns + "RequestId", requestId)));

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string TimestampMillis(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
