using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Completers;

/// <summary>Completes remediation job IDs for -Id and -Job.</summary>
public sealed class JobIdCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(JobCatalog.Default.Jobs.Select(job => job.Info.Id), wordToComplete);
}
