using System.Management.Automation;
using System.Text.RegularExpressions;

namespace RemediationTools;

/// <summary>
/// Reads cloud accounts (role ARN, external ID, account ID) from what a user passes: New-RemediationAccountRole
/// output, RemediationCloudAccount objects, hashtables or any object with RoleArn and ExternalId properties.
/// </summary>
internal static class CloudAccounts
{
    private static readonly Regex RoleArnPattern = new(@"^arn:aws(-[a-z]+)*:iam::(?<account>\d{12}):role/[\w+=,.@/-]{1,512}$", RegexOptions.CultureInvariant);

    /// <summary>The account of a role ARN, or null when the text is not an IAM role ARN.</summary>
    public static string? AccountOf(string? roleArn)
    {
        Match match = RoleArnPattern.Match(roleArn ?? string.Empty);
        return match.Success ? match.Groups["account"].Value : null;
    }

    public static RemediationCloudAccount? FromRoleArn(string? roleArn, string? externalId)
    {
        string? account = AccountOf(roleArn);
        return account is null || string.IsNullOrWhiteSpace(externalId)
            ? null
            : new RemediationCloudAccount { AccountId = account, RoleArn = roleArn!, ExternalId = externalId! };
    }

    public static RemediationCloudAccount? FromObject(object? value)
    {
        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        if (bare is RemediationCloudAccount account)
        {
            return account;
        }

        string? Get(string name)
        {
            if (bare is System.Collections.IDictionary dictionary)
            {
                foreach (System.Collections.DictionaryEntry entry in dictionary)
                {
                    if (string.Equals(entry.Key?.ToString(), name, StringComparison.OrdinalIgnoreCase))
                    {
                        return entry.Value?.ToString();
                    }
                }

                return null;
            }

            return bare is null ? null : PSObject.AsPSObject(value).Properties[name]?.Value?.ToString();
        }

        RemediationCloudAccount? parsed = FromRoleArn(Get("RoleArn"), Get("ExternalId"));
        string? declaredAccount = Get("AccountId");
        return parsed is not null && declaredAccount is not null && declaredAccount != parsed.AccountId ? null : parsed;
    }
}
