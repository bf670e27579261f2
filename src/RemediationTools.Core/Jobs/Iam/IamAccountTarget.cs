using System.Text.RegularExpressions;

namespace RemediationTools.Core.Jobs.Iam;

/// <summary>
/// The account an account-wide IAM finding is about (an account-wide finding's <c>ObjectId</c> is the account ID). Also
/// accepted: Security Hub's account resource ID <c>AWS::::Account:&lt;id&gt;</c> and the root user's ARN
/// <c>arn:&lt;partition&gt;:iam::&lt;id&gt;:root</c>.
/// </summary>
internal static class IamAccountTarget
{
    private const string SecurityHubAccountPrefix = "AWS::::Account:";

    private static readonly Regex AccountIdPattern = new("^[0-9]{12}$", RegexOptions.CultureInvariant);

    /// <summary>The account ID the finding names; a FindingFormatException naming the value when it names none, or another account than the finding's.</summary>
    public static string Resolve(Finding finding)
    {
        var objectId = finding.ResourceId?.Trim() ?? string.Empty;
        string? accountId = null;
        if (AccountIdPattern.IsMatch(objectId))
        {
            accountId = objectId;
        }
        else if (objectId.StartsWith(SecurityHubAccountPrefix, StringComparison.OrdinalIgnoreCase)
                 && AccountIdPattern.IsMatch(objectId.Substring(SecurityHubAccountPrefix.Length)))
        {
            accountId = objectId.Substring(SecurityHubAccountPrefix.Length);
        }
        else if (finding.ResourceArn is { } arn && string.Equals(objectId, "root", StringComparison.Ordinal))
        {
            var parts = arn.Split(':');
            accountId = parts.Length == 6 && AccountIdPattern.IsMatch(parts[4]) ? parts[4] : null;
        }

        if (accountId is null)
        {
            throw new FindingFormatException(
                "The ObjectId '" + objectId + "' is not an AWS account ID (12 digits): an account-wide IAM finding names the account it is about.",
                "ObjectId");
        }

        if (finding.AccountId is { Length: > 0 } findingAccount && !string.Equals(findingAccount, accountId, StringComparison.Ordinal))
        {
            throw new FindingFormatException(
                "The ObjectId names account " + accountId + ", but the finding is of account " + findingAccount + "; nothing was changed.",
                "ObjectId")
            {
                ErrorCode = Findings.FindingParser.AccountMismatchErrorCode,
            };
        }

        return accountId;
    }
}
