namespace RemediationTools.Core.Jobs;

/// <summary>
/// A job that can read the resources of many findings in few AWS calls. Before the findings of one account and
/// region are planned, the engine hands their contexts (which share one <see cref="JobReadCache"/>) to
/// <see cref="PrefetchAsync"/>, which fills the cache with batched describe calls; <see cref="IRemediationJob.PlanAsync"/>
/// then reads from the cache. A failed prefetch is not an error: the findings read one by one.
/// </summary>
internal interface IBatchPrefetchingJob
{
    /// <summary>Reads the resources of <paramref name="contexts"/> (same account, region and cache) into the cache.</summary>
    Task PrefetchAsync(IReadOnlyList<JobContext> contexts, CancellationToken cancellationToken);
}
