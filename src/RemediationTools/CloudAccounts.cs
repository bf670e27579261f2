using System.Management.Automation;
using RemediationTools.Core.Engine;

namespace RemediationTools;

/// <summary>
/// Reads worker-group cloud accounts (role ARN, external ID, account ID) from what a user passes:
/// New-RemediationAccountRole output, RemediationCloudAccount objects, hashtables or any object with RoleArn and
/// ExternalId properties. The ARN rules are those of <see cref="CloudAccountRoles"/>.
/// </summary>
internal static class CloudAccounts
{
    /// <summary>The account, or null when the role ARN is not an IAM role ARN or the external ID is blank.</summary>
    public static RemediationCloudAccount? FromRoleArn(string? roleArn, string? externalId)
    {
        if (string.IsNullOrWhiteSpace(externalId))
        {
            return null;
        }

        try
        {
            return new RemediationCloudAccount { AccountId = CloudAccountRoles.AccountOf(roleArn), RoleArn = roleArn!, ExternalId = externalId! };
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The account an object describes, or null when it has no usable RoleArn and ExternalId, or an AccountId that is not the role's.</summary>
    public static RemediationCloudAccount? FromObject(object? value)
    {
        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (bare is RemediationCloudAccount account)
        {
            // -CloudAccount converts any object by shape into this type, so its values are checked here too.
            RemediationCloudAccount? checkedAccount = FromRoleArn(account.RoleArn, account.ExternalId);
            return checkedAccount is not null && (string.IsNullOrEmpty(account.AccountId) || account.AccountId == checkedAccount.AccountId) ? checkedAccount : null;
        }

        if (value is null)
        {
            return null;
        }

        RemediationCloudAccount? parsed = FromRoleArn(CloudAccountBinder.Read(value, "RoleArn"), CloudAccountBinder.Read(value, "ExternalId"));
        string? declaredAccount = CloudAccountBinder.Read(value, "AccountId");
        return parsed is not null && declaredAccount is not null && declaredAccount != parsed.AccountId ? null : parsed;
    }
}
