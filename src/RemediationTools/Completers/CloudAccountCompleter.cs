using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using RemediationTools.Core.Stores;

namespace RemediationTools.Completers;

/// <summary>
/// Completes the cloud accounts of the worker groups in the store (-Store, else the default store), of the group named
/// by -WorkerGroup when the command line has one. For -CloudAccount the completion is the account as a hashtable
/// (<c>@{ AccountId = ...; RoleArn = ...; ExternalId = ... }</c>); for -AccountId it is the account ID. The word typed
/// so far matches the start of the account ID or of the role ARN.
/// </summary>
public sealed class CloudAccountCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        string? group = fakeBoundParameters?["WorkerGroup"] as string;
        bool asHashtable = !string.Equals(parameterName, "AccountId", StringComparison.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (RemediationWorkerGroup workerGroup in WorkerGroupListing.List(fakeBoundParameters)
            .Where(g => group is null || string.Equals(g.Name, group, StringComparison.OrdinalIgnoreCase))
            .OrderBy(g => g.Name, StringComparer.OrdinalIgnoreCase))
        {
            foreach (RemediationCloudAccount account in workerGroup.CloudAccounts.OrderBy(a => a.AccountId, StringComparer.Ordinal))
            {
                if (!account.AccountId.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                    && !account.RoleArn.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                string text = asHashtable
                    ? string.Format(CultureInfo.InvariantCulture, "@{{ AccountId = '{0}'; RoleArn = '{1}'; ExternalId = '{2}' }}", Quote(account.AccountId), Quote(account.RoleArn), Quote(account.ExternalId))
                    : account.AccountId;
                if (seen.Add(text))
                {
                    string tooltip = account.RoleArn + " (worker group " + workerGroup.Name + ")";
                    yield return new CompletionResult(text, account.AccountId + " " + workerGroup.Name, CompletionResultType.ParameterValue, tooltip);
                }
            }
        }
    }

    private static string Quote(string value) => value.Replace("'", "''");
}
