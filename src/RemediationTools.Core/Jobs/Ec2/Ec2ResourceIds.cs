using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>Checks that a finding's ObjectId is the kind of EC2 resource ID a job needs, before any AWS call.</summary>
internal static class Ec2ResourceIds
{
    /// <summary>The security group ID prefix.</summary>
    public const string SecurityGroup = "sg-";

    /// <summary>Returns <paramref name="resourceId"/> when it starts with <paramref name="prefix"/>; otherwise a FindingFormatException naming it.</summary>
    public static string Require(string resourceId, string prefix, string kind)
    {
        if (!resourceId.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new FindingFormatException(
                "The finding's ObjectId '" + resourceId + "' is not " + kind + " (" + prefix + "...), which this job needs.", "ObjectId");
        }

        return resourceId;
    }
}
