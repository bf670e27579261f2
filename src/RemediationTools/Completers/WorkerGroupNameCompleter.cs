using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using RemediationTools.Core.Aws;
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
            groups = Task.Run(async () =>
            {
                // The AWS store with the profile and region typed so far, else the SDK chain.
                var aws = new StoreAwsSettings
                {
                    Connection = new AwsConnectionOptions
                    {
                        ProfileName = fakeBoundParameters?["ProfileName"] as string,
                        Region = fakeBoundParameters?["Region"] as string,
                        EndpointUrl = fakeBoundParameters?["EndpointUrl"] as string,
                        MaxErrorRetry = 0,
                    },
                };
                IRemediationStore opened = await StoreFactory.CreateAsync(store, aws, timeout.Token).ConfigureAwait(false);
                try
                {
                    return await new WorkerGroupService(opened).ListAsync(timeout.Token).ConfigureAwait(false);
                }
                finally
                {
                    (opened as IDisposable)?.Dispose();
                }
            }).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is RemediationStoreException or AwsConfigurationException)
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
