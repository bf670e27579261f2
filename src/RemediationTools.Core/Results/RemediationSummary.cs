using System.Globalization;
using System.Text;

namespace RemediationTools.Core.Results;

/// <summary>
/// The one-line summary of a batch, as <c>custodian report</c> gives it: how many findings, how many of each status
/// (in the order of <see cref="RemediationStatus"/>), and, when the batch spans several accounts, how many per account:
/// <c>12 findings: 9 Remediated, 2 AlreadyCompliant, 1 Failed (123456789012: 6, 210987654321: 6)</c>.
/// </summary>
internal static class RemediationSummary
{
    /// <summary>The information-stream tag the cmdlets write the summary with.</summary>
    public const string Tag = "RemediationSummary";

    /// <summary>The summary line of <paramref name="results"/>; null when there are none.</summary>
    public static string? Describe(IReadOnlyCollection<RemediationResult> results, string noun = "finding")
    {
        if (results is null)
        {
            throw new ArgumentNullException(nameof(results));
        }

        if (results.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder();
        text.Append(results.Count.ToString(CultureInfo.InvariantCulture)).Append(' ').Append(noun).Append(results.Count == 1 ? string.Empty : "s").Append(": ");
        text.Append(string.Join(", ", results
            .GroupBy(r => r.Status)
            .OrderBy(g => g.Key)
            .Select(g => g.Count().ToString(CultureInfo.InvariantCulture) + " " + g.Key)));
        var accounts = results
            .GroupBy(r => string.IsNullOrEmpty(r.AccountId) ? "(no account)" : r.AccountId!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (accounts.Count > 1)
        {
            text.Append(" (").Append(string.Join(", ", accounts.Select(g => g.Key + ": " + g.Count().ToString(CultureInfo.InvariantCulture)))).Append(')');
        }

        return text.ToString();
    }
}
