using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace RemediationTools.Completers;

/// <summary>Completes worker group names from the store named by -Store, else the default store.</summary>
public sealed class WorkerGroupNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        => CompletionHelper.Complete(WorkerGroupListing.List(fakeBoundParameters).Select(g => g.Name), wordToComplete);
}
