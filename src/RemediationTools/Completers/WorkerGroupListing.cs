using System.Collections;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;

namespace RemediationTools.Completers;

/// <summary>The worker groups of the store the command line names so far (-Store, -ProfileName, -Region, -EndpointUrl), for completers.</summary>
internal static class WorkerGroupListing
{
    /// <summary>The groups, or none when the store cannot be read within two seconds (completion never fails).</summary>
    internal static IReadOnlyList<RemediationWorkerGroup> List(IDictionary? fakeBoundParameters)
    {
        try
        {
            string? store = fakeBoundParameters?["Store"] as string;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            return Task.Run(async () =>
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
        catch (Exception ex) when (ex is RemediationStoreException or AwsConfigurationException or OperationCanceledException)
        {
            return Array.Empty<RemediationWorkerGroup>();
        }
    }
}
