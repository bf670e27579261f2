using System.Text.RegularExpressions;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>Bucket ACLs on the wire: canned ACLs (<c>x-amz-acl</c>), grant headers (<c>x-amz-grant-*</c>) and the AccessControlPolicy XML.</summary>
internal static partial class S3Acl
{
    public static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    private static readonly (string Header, string Permission)[] GrantHeaders =
    [
        ("x-amz-grant-full-control", "FULL_CONTROL"),
        ("x-amz-grant-write", "WRITE"),
        ("x-amz-grant-write-acp", "WRITE_ACP"),
        ("x-amz-grant-read", "READ"),
        ("x-amz-grant-read-acp", "READ_ACP"),
    ];

    /// <summary>The canned ACLs a bucket accepts, as the S3 "Canned ACL" table defines them.</summary>
    public static readonly IReadOnlyList<string> CannedAcls =
        ["private", "public-read", "public-read-write", "authenticated-read", "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write"];

    /// <summary>The owner's FULL_CONTROL alone: a new bucket's ACL, and what <c>private</c> means.</summary>
    public static List<S3Grant> OwnerOnly(string ownerAccountId) => [new(S3GranteeType.CanonicalUser, S3State.CanonicalId(ownerAccountId), "FULL_CONTROL")];

    /// <summary>The grants of a canned ACL (the owner always keeps FULL_CONTROL); null for an unknown name.</summary>
    public static List<S3Grant>? Canned(string name, string ownerAccountId)
    {
        var grants = OwnerOnly(ownerAccountId);
        switch (name)
        {
            case "private" or "bucket-owner-read" or "bucket-owner-full-control":
                break;
            case "public-read":
                grants.Add(new(S3GranteeType.Group, S3Grant.AllUsers, "READ"));
                break;
            case "public-read-write":
                grants.Add(new(S3GranteeType.Group, S3Grant.AllUsers, "READ"));
                grants.Add(new(S3GranteeType.Group, S3Grant.AllUsers, "WRITE"));
                break;
            case "authenticated-read":
                grants.Add(new(S3GranteeType.Group, S3Grant.AuthenticatedUsers, "READ"));
                break;
            case "aws-exec-read":
                // The EC2 service's canonical user reads AMI bundles.
                grants.Add(new(S3GranteeType.CanonicalUser, "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c", "READ"));
                break;
            case "log-delivery-write":
                grants.Add(new(S3GranteeType.Group, S3Grant.LogDelivery, "WRITE"));
                grants.Add(new(S3GranteeType.Group, S3Grant.LogDelivery, "READ_ACP"));
                break;
            default:
                return null;
        }

        return grants;
    }

    /// <summary>True when any x-amz-grant-* header is present.</summary>
    public static bool HasGrantHeaders(SandboxHttpRequest request) => GrantHeaders.Any(h => request.Header(h.Header) is not null);

    /// <summary>The grants of the x-amz-grant-* headers (<c>id="…"</c>, <c>uri="…"</c>, <c>emailAddress="…"</c>, comma-separated).</summary>
    public static List<S3Grant> FromGrantHeaders(SandboxHttpRequest request)
    {
        var grants = new List<S3Grant>();
        foreach (var (header, permission) in GrantHeaders)
        {
            if (request.Header(header) is not { } value)
            {
                continue;
            }

            foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var match = GranteeSpec().Match(part);
                if (!match.Success)
                {
                    throw S3Error.InvalidArgument("Invalid grantee in " + header + ".", header, value);
                }

                var kind = match.Groups["kind"].Value.ToLowerInvariant();
                var target = match.Groups["value"].Value;
                grants.Add(kind switch
                {
                    "id" => new S3Grant(S3GranteeType.CanonicalUser, CheckId(target), permission),
                    "uri" => new S3Grant(S3GranteeType.Group, CheckGroup(target), permission),
                    _ => new S3Grant(S3GranteeType.AmazonCustomerByEmail, target, permission),
                });
            }
        }

        return grants;
    }

    /// <summary>Parses an AccessControlPolicy document (Owner, AccessControlList/Grant).</summary>
    public static (string? OwnerId, List<S3Grant> Grants) FromXml(XElement root)
    {
        if (root.Name.LocalName != "AccessControlPolicy")
        {
            throw S3Error.MalformedXml();
        }

        var ownerId = root.Elements().FirstOrDefault(e => e.Name.LocalName == "Owner")?.Elements().FirstOrDefault(e => e.Name.LocalName == "ID")?.Value;
        var list = root.Elements().FirstOrDefault(e => e.Name.LocalName == "AccessControlList");
        var grants = new List<S3Grant>();
        foreach (var grant in list?.Elements().Where(e => e.Name.LocalName == "Grant") ?? [])
        {
            var grantee = grant.Elements().FirstOrDefault(e => e.Name.LocalName == "Grantee") ?? throw S3Error.MalformedXml();
            var permission = grant.Elements().FirstOrDefault(e => e.Name.LocalName == "Permission")?.Value ?? throw S3Error.MalformedXml();
            if (!S3Grant.Permissions.Contains(permission))
            {
                throw S3Error.MalformedXml();
            }

            var type = grantee.Attribute(Xsi + "type")?.Value ?? throw S3Error.MalformedXml();
            string Child(string name) => grantee.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value ?? throw S3Error.MalformedXml();
            grants.Add(type switch
            {
                "CanonicalUser" => new S3Grant(S3GranteeType.CanonicalUser, CheckId(Child("ID")), permission),
                "Group" => new S3Grant(S3GranteeType.Group, CheckGroup(Child("URI")), permission),
                "AmazonCustomerByEmail" => new S3Grant(S3GranteeType.AmazonCustomerByEmail, Child("EmailAddress"), permission),
                _ => throw S3Error.MalformedXml(),
            });
        }

        return (ownerId, grants);
    }

    /// <summary>The AccessControlPolicy GetBucketAcl returns.</summary>
    public static XElement ToXml(XNamespace ns, string ownerAccountId, IEnumerable<S3Grant> grants) =>
        new(
            ns + "AccessControlPolicy",
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi.NamespaceName),
            new XElement(ns + "Owner", new XElement(ns + "ID", S3State.CanonicalId(ownerAccountId))),
            new XElement(ns + "AccessControlList", grants.Select(g => new XElement(
                ns + "Grant",
                new XElement(
                    ns + "Grantee",
                    new XAttribute(Xsi + "type", g.Type.ToString()),
                    g.Type switch
                    {
                        S3GranteeType.CanonicalUser => new XElement(ns + "ID", g.Grantee),
                        S3GranteeType.Group => new XElement(ns + "URI", g.Grantee),
                        _ => new XElement(ns + "EmailAddress", g.Grantee),
                    }),
                new XElement(ns + "Permission", g.Permission)))));

    private static string CheckId(string id) =>
        id.Length == 64 && id.All(Uri.IsHexDigit) ? id.ToLowerInvariant() : throw S3Error.InvalidArgument("Invalid id", "CanonicalUser/ID", id);

    private static string CheckGroup(string uri) =>
        uri is S3Grant.AllUsers or S3Grant.AuthenticatedUsers or S3Grant.LogDelivery
            ? uri
            : throw S3Error.InvalidArgument("Invalid group uri", "Group/URI", uri);

    [GeneratedRegex("^(?<kind>id|uri|emailAddress)=\"(?<value>[^\"]+)\"$", RegexOptions.IgnoreCase)]
    private static partial Regex GranteeSpec();
}
