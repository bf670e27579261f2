using System.Text.RegularExpressions;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Engine;

/// <summary>
/// Validates the roles a run assumes: <c>-RoleArn</c>/<c>-ExternalId</c> for every account, and <c>-CloudAccount</c>
/// entries (account ID, role ARN, external ID) per account. The account ID of an entry may be left out: it is the
/// account in the role ARN. Every problem is an <see cref="ArgumentException"/> naming the bad value.
/// </summary>
internal static class CloudAccountRoles
{
    private static readonly Regex RoleArnPattern = new(@"^arn:aws(-[a-z]+)*:iam::(?<account>\d{12}):role/[\w+=,.@/-]{1,512}$", RegexOptions.CultureInvariant);
    private static readonly Regex AccountIdPattern = new(@"^\d{12}$", RegexOptions.CultureInvariant);

    /// <summary>The account ID in <paramref name="roleArn"/>; throws when it is not an IAM role ARN.</summary>
    public static string AccountOf(string? roleArn)
    {
        var match = roleArn is null ? Match.Empty : RoleArnPattern.Match(roleArn);
        if (!match.Success)
        {
            // No ParamName here and below: these messages reach the user as they are, without .NET's " (Parameter 'roleArn')".
            throw new ArgumentException("'" + roleArn + "' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).");
        }

        return match.Groups["account"].Value;
    }

    /// <summary>The role for every account (<c>-RoleArn</c> with <c>-ExternalId</c>); both or neither.</summary>
    public static AccountRole? DefaultRole(string? roleArn, string? externalId)
    {
        if (roleArn is null && externalId is null)
        {
            return null;
        }

        if (roleArn is null || externalId is null)
        {
            throw new ArgumentException("-RoleArn and -ExternalId go together: the account role trusts the caller only with the external ID.");
        }

        AccountOf(roleArn);
        return new AccountRole(roleArn, externalId);
    }

    /// <summary>
    /// Adds one cloud account to <paramref name="options"/>. <paramref name="accountId"/> may be null (taken from the
    /// role ARN); when given it must match the ARN's account. An account given twice with different roles is an error.
    /// </summary>
    public static void Add(RemediationOptions options, string? accountId, string? roleArn, string? externalId)
    {
        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        if (string.IsNullOrWhiteSpace(roleArn))
        {
            throw new ArgumentException("A cloud account" + (accountId is null ? string.Empty : " (" + accountId + ")") + " has no RoleArn.");
        }

        var arnAccount = AccountOf(roleArn);
        if (string.IsNullOrWhiteSpace(externalId))
        {
            throw new ArgumentException("The cloud account with role " + roleArn + " has no ExternalId; the account role trusts the caller only with it.");
        }

        if (!string.IsNullOrWhiteSpace(accountId))
        {
            if (!AccountIdPattern.IsMatch(accountId!))
            {
                throw new ArgumentException("'" + accountId + "' is not an AWS account ID (12 digits).");
            }

            if (!string.Equals(accountId, arnAccount, StringComparison.Ordinal))
            {
                throw new ArgumentException("The cloud account " + accountId + " names the role " + roleArn + ", which is in account " + arnAccount + ".");
            }
        }

        if (options.AccountRoles.TryGetValue(arnAccount, out var existing)
            && (existing.RoleArn != roleArn || existing.ExternalId != externalId))
        {
            throw new ArgumentException("The cloud account " + arnAccount + " is given twice with different roles (" + existing.RoleArn + ", " + roleArn + ").");
        }

        options.AccountRoles[arnAccount] = new AccountRole(roleArn!, externalId!);
    }
}
