using System.Xml.Linq;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Iam;

/// <summary>XML shapes of IAM entities (awsQuery, API version 2010-05-08).</summary>
internal static class IamXml
{
    public static readonly XNamespace Ns = AwsXml.Iam;

    public static XElement E(string name, params object?[] content) => new(Ns + name, content);

    /// <summary>IAM returns policy documents percent-encoded (RFC 3986).</summary>
    public static string EncodePolicy(string document) => Uri.EscapeDataString(document);

    public static XElement Role(IamRole role, bool withTags) => E(
        "Role",
        E("Path", role.Path),
        E("RoleName", role.Name),
        E("RoleId", role.RoleId),
        E("Arn", role.Arn),
        E("CreateDate", AwsXml.Timestamp(role.CreateDate)),
        E("AssumeRolePolicyDocument", EncodePolicy(role.TrustPolicy)),
        role.Description is null ? null : E("Description", role.Description),
        E("MaxSessionDuration", AwsXml.Int(role.MaxSessionDuration)),
        withTags && role.Tags.Count > 0 ? Tags(role.Tags) : null,
        E("RoleLastUsed"));

    public static XElement InstanceProfile(IamInstanceProfile profile, IamRole? role) => E(
        "InstanceProfile",
        E("Path", profile.Path),
        E("InstanceProfileName", profile.Name),
        E("InstanceProfileId", profile.InstanceProfileId),
        E("Arn", profile.Arn),
        E("CreateDate", AwsXml.Timestamp(profile.CreateDate)),
        E("Roles", role is null ? null : MemberOf(Role(role, withTags: false))),
        profile.Tags.Count > 0 ? Tags(profile.Tags) : null);

    public static XElement Tags(IEnumerable<KeyValuePair<string, string>> tags) =>
        E("Tags", tags.Select(t => E("member", E("Key", t.Key), E("Value", t.Value))));

    /// <summary>Renames an element to <c>member</c>, keeping its content (list items in awsQuery).</summary>
    public static XElement MemberOf(XElement element) => E("member", element.Elements());
}
