using System.Text.RegularExpressions;

namespace RemediationTools.Core.Stores;

/// <summary>Validation of worker group names, organization IDs and cloud account roles; errors name the bad value.</summary>
internal static class WorkerGroupNames
{
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", RegexOptions.CultureInvariant);
    private static readonly Regex OrganizationPattern = new("^o-[a-z0-9]{10,32}$", RegexOptions.CultureInvariant);
    private static readonly Regex RoleArnPattern = new("^arn:aws(-[a-z]+)*:iam::([0-9]{12}):role/([\\w+=,.@-]+/)*[\\w+=,.@-]{1,64}$", RegexOptions.CultureInvariant);

    /// <summary>Throws <see cref="StoreError.InvalidInput"/> unless <paramref name="name"/> is a valid group name.</summary>
    public static void Validate(string? name)
    {
        if (name is null || !NamePattern.IsMatch(name))
        {
            throw Invalid(name, "The worker group name '" + name + "' is not valid: use 1 to 64 letters, digits, '-' and '_', starting with a letter or digit.");
        }
    }

    /// <summary>Throws unless <paramref name="organizationId"/> has the AWS Organizations form <c>o-</c> + 10 to 32 lower-case letters or digits.</summary>
    public static void ValidateOrganizationId(string? organizationId)
    {
        if (organizationId is null || !OrganizationPattern.IsMatch(organizationId))
        {
            throw Invalid(organizationId, "The organization ID '" + organizationId + "' is not valid: expected 'o-' followed by 10 to 32 lower-case letters or digits.");
        }
    }

    /// <summary>
    /// A validated copy of <paramref name="account"/>: the account ID comes from the role ARN (and must match one
    /// given); an empty external ID becomes the organization ID; any other external ID must equal it.
    /// </summary>
    public static RemediationCloudAccount Account(RemediationCloudAccount? account, string organizationId)
    {
        if (account is null)
        {
            throw Invalid(null, "A cloud account is null.");
        }

        var match = account.RoleArn is null ? Match.Empty : RoleArnPattern.Match(account.RoleArn);
        if (!match.Success)
        {
            throw Invalid(account.RoleArn, "The role ARN '" + account.RoleArn + "' is not valid: expected arn:aws:iam::<12-digit account>:role/<name>.");
        }

        var accountId = match.Groups[2].Value;
        if (!string.IsNullOrEmpty(account.AccountId) && account.AccountId != accountId)
        {
            throw Invalid(account.AccountId, "The account ID '" + account.AccountId + "' does not match the role ARN '" + account.RoleArn + "', which is in account " + accountId + ".");
        }

        var externalId = string.IsNullOrEmpty(account.ExternalId) ? organizationId : account.ExternalId;
        if (!string.Equals(externalId, organizationId, StringComparison.Ordinal))
        {
            throw Invalid(externalId, "The external ID '" + externalId + "' of role '" + account.RoleArn + "' is not the organization ID '" + organizationId + "': every cloud account's external ID must equal it.");
        }

        return new RemediationCloudAccount { AccountId = accountId, RoleArn = account.RoleArn!, ExternalId = externalId };
    }

    private static RemediationStoreException Invalid(object? target, string message) => new(StoreError.InvalidInput, message) { Target = target };
}
