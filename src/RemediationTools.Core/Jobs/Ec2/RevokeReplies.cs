using System.Globalization;
using System.Net;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>
/// What a RevokeSecurityGroupIngress/Egress reply means when some of the rules asked for were not there. Outside a
/// default VPC EC2 fails the whole call with <c>InvalidPermission.NotFound</c> and revokes nothing; in a default VPC
/// it revokes what matched, answers <c>return</c> true and lists the rest in <c>unknownIpPermissionSet</c>. Both mean
/// the group changed since it was planned (a concurrent change): the reply with unknown permissions is turned into
/// the same <c>InvalidPermission.NotFound</c> failure, so the engine plans again from a fresh read instead of taking
/// a partial revoke for success.
/// </summary>
internal static class RevokeReplies
{
    /// <summary>The EC2 error code of a revoke of a rule that does not exist.</summary>
    public const string PermissionNotFound = "InvalidPermission.NotFound";

    /// <summary>Throws an <see cref="AwsCallException"/> with <see cref="PermissionNotFound"/> when <paramref name="unknown"/> lists rules.</summary>
    /// <param name="iamAction">The revoke's IAM action.</param>
    /// <param name="groupId">The group revoked from.</param>
    /// <param name="unknown">The reply's <c>unknownIpPermissionSet</c>.</param>
    /// <param name="requestId">The reply's request ID, for the error.</param>
    public static void ThrowIfUnknown(string iamAction, string groupId, IReadOnlyCollection<IpPermission>? unknown, string? requestId)
    {
        if (unknown is null || unknown.Count == 0)
        {
            return;
        }

        var message = string.Format(
            CultureInfo.InvariantCulture,
            "{0} of {1} found no rule matching {2} (unknownIpPermissionSet): the group changed since it was planned; the rules that matched were revoked.",
            unknown.Count == 1 ? "One permission" : unknown.Count.ToString(CultureInfo.InvariantCulture) + " permissions",
            groupId,
            string.Join("; ", unknown.Select(Describe)));
        var inner = new AmazonEC2Exception(message, ErrorType.Sender, PermissionNotFound, requestId, HttpStatusCode.OK);
        throw new AwsCallException(iamAction, groupId, inner);
    }

    private static string Describe(IpPermission permission)
    {
        var ports = permission.IpProtocol == "-1"
            ? "all traffic"
            : permission.FromPort == permission.ToPort
                ? permission.IpProtocol + " " + permission.FromPort?.ToString(CultureInfo.InvariantCulture)
                : permission.IpProtocol + " " + permission.FromPort?.ToString(CultureInfo.InvariantCulture) + "-" + permission.ToPort?.ToString(CultureInfo.InvariantCulture);
        var sources = (permission.Ipv4Ranges ?? new List<IpRange>()).Select(r => r.CidrIp)
            .Concat((permission.Ipv6Ranges ?? new List<Ipv6Range>()).Select(r => r.CidrIpv6))
            .Concat((permission.PrefixListIds ?? new List<PrefixListId>()).Select(p => p.Id))
            .Concat((permission.UserIdGroupPairs ?? new List<UserIdGroupPair>()).Select(g => g.GroupId))
            .Where(s => !string.IsNullOrEmpty(s))
            .ToList();
        return sources.Count == 0 ? ports : ports + " from " + string.Join(", ", sources);
    }
}
