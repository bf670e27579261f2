using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RemediationTools.Core.Stores;

namespace RemediationTools.Completers;

/// <summary>Completes worker group names from the store named by -Store, else the default store.</summary>
public sealed class WorkerGroupNameCompleter : IArgumentCompleter
{
    /// <inheritdoc/>
    public IEnumerable<CompletionResult> CompleteArgument(
        string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        IReadOnlyList<RemediationWorkerGroup> groups;
        try
        {
            string? store = fakeBoundParameters?["Store"] as string;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            groups = Task.Run(() => new WorkerGroupService(StoreFactory.Create(store)).ListAsync(timeout.Token)).GetAwaiter().GetResult();
        }
        catch (RemediationStoreException)
        {
            return Array.Empty<CompletionResult>();
        }
        catch (OperationCanceledException)
        {
            return Array.Empty<CompletionResult>();
        }

        return CompletionHelper.Complete(groups.Select(g => g.Name), wordToComplete);
    }
}
