using Amazon.Runtime;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Roles;

/// <summary>Reads roles, their inline policies and attachments, following IAM's pages.</summary>
internal static class IamRoleReader
{
    /// <summary>The role, or null when IAM says NoSuchEntity.</summary>
    public static async Task<Role?> FindRoleAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        try
        {
            return (await iam.GetRoleAsync(new GetRoleRequest { RoleName = roleName }, cancellationToken).ConfigureAwait(false)).Role;
        }
        catch (AmazonServiceException ex) when (IsNoSuchEntity(ex))
        {
            return null;
        }
    }

    /// <summary>The instance profile, or null when IAM says NoSuchEntity.</summary>
    public static async Task<InstanceProfile?> FindInstanceProfileAsync(IIamClient iam, string name, CancellationToken cancellationToken)
    {
        try
        {
            return (await iam.GetInstanceProfileAsync(new GetInstanceProfileRequest { InstanceProfileName = name }, cancellationToken).ConfigureAwait(false)).InstanceProfile;
        }
        catch (AmazonServiceException ex) when (IsNoSuchEntity(ex))
        {
            return null;
        }
    }

    /// <summary>Whether the error is IAM's NoSuchEntity.</summary>
    public static bool IsNoSuchEntity(AmazonServiceException exception) =>
        string.Equals(exception.ErrorCode, "NoSuchEntity", StringComparison.Ordinal);

    /// <summary>The names of every inline policy of the role.</summary>
    public static async Task<IReadOnlyList<string>> InlinePolicyNamesAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? marker = null;
        do
        {
            var page = await iam.ListRolePoliciesAsync(new ListRolePoliciesRequest { RoleName = roleName, Marker = marker }, cancellationToken).ConfigureAwait(false);
            names.AddRange(page.PolicyNames);
            marker = page.IsTruncated ? page.Marker : null;
        }
        while (marker is not null);
        return names;
    }

    /// <summary>Every inline policy of the role, by name (documents decoded).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> InlinePoliciesAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        var policies = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in await InlinePolicyNamesAsync(iam, roleName, cancellationToken).ConfigureAwait(false))
        {
            var policy = await iam.GetRolePolicyAsync(new GetRolePolicyRequest { RoleName = roleName, PolicyName = name }, cancellationToken).ConfigureAwait(false);
            policies[name] = policy.PolicyDocument;
        }

        return policies;
    }

    /// <summary>The ARNs of every managed policy attached to the role.</summary>
    public static async Task<IReadOnlyList<string>> AttachedPolicyArnsAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        var arns = new List<string>();
        string? marker = null;
        do
        {
            var page = await iam.ListAttachedRolePoliciesAsync(new ListAttachedRolePoliciesRequest { RoleName = roleName, Marker = marker }, cancellationToken).ConfigureAwait(false);
            arns.AddRange(page.AttachedPolicies.Select(p => p.PolicyArn));
            marker = page.IsTruncated ? page.Marker : null;
        }
        while (marker is not null);
        return arns;
    }

    /// <summary>The names of every instance profile holding the role.</summary>
    public static async Task<IReadOnlyList<string>> InstanceProfileNamesAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        string? marker = null;
        do
        {
            var page = await iam.ListInstanceProfilesForRoleAsync(new ListInstanceProfilesForRoleRequest { RoleName = roleName, Marker = marker }, cancellationToken).ConfigureAwait(false);
            names.AddRange(page.InstanceProfiles.Select(p => p.InstanceProfileName));
            marker = page.IsTruncated ? page.Marker : null;
        }
        while (marker is not null);
        return names;
    }
}
