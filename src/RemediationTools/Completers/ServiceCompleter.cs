using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Completers;

/// <summary>Completes the AWS services of the catalog's jobs for -Service.</summary>
public sealed class ServiceCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(
            JobCatalog.Default.Jobs.Select(job => job.Info.Service).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(s => s, StringComparer.OrdinalIgnoreCase),
            wordToComplete);
}
