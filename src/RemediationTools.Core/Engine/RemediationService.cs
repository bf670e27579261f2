using RemediationTools.Core.Aws;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Results;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Engine;

/// <summary>
/// What <c>Invoke-Remediation</c> runs: the findings read, the options, the AWS connection, and either nothing more (a
/// local run in this process) or the worker group to queue the findings for.
/// </summary>
internal sealed class RemediationInvocation
{
    /// <summary>The findings, in input order.</summary>
    public IReadOnlyList<Finding> Findings { get; set; } = Array.Empty<Finding>();

    /// <summary>The <c>-Job</c>/<c>-ResourceId</c> finding, read once the session's region is known; null for other input.</summary>
    public ResourceFindingInput? Resource { get; set; }

    /// <summary>The job options (and, for a local run, roles, limits and concurrency).</summary>
    public RemediationOptions Options { get; set; } = new();

    /// <summary>The AWS connection: for a local run the caller's credentials, for a dispatch the AWS store's.</summary>
    public AwsConnectionOptions Connection { get; set; } = new();

    /// <summary>The worker group to dispatch to; null runs the findings here.</summary>
    public WorkerGroupDispatch? WorkerGroup { get; set; }
}

/// <summary>The finding of <c>-Job</c>, <c>-ResourceId</c>, <c>-AccountId</c> and <c>-Region</c>.</summary>
internal sealed class ResourceFindingInput
{
    /// <summary>The job to run.</summary>
    public string JobId { get; set; } = string.Empty;

    /// <summary>The resource's ID, name or ARN.</summary>
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>The account; null: the ARN's, else the caller's own.</summary>
    public string? AccountId { get; set; }

    /// <summary>The region; null: the ARN's, else the session's.</summary>
    public string? Region { get; set; }
}

/// <summary>A dispatch to a worker group: <c>-WorkerGroup</c>, <c>-Store</c>, <c>-Wait</c>, <c>-Timeout</c>.</summary>
internal sealed class WorkerGroupDispatch
{
    /// <summary>The group's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The store (null: REMEDIATION_STORE, else the local default).</summary>
    public string? Store { get; set; }

    /// <summary>Wait for the runs.</summary>
    public bool Wait { get; set; }

    /// <summary>Stop waiting after this time; null waits until every run is final.</summary>
    public TimeSpan? Timeout { get; set; }
}

/// <summary>
/// Where <see cref="RemediationService"/> sends what the caller decides or shows. The calls come from any thread; the
/// cmdlet layer carries them to its pipeline thread.
/// </summary>
internal interface IRemediationInvocationHost : IRemediationReporter
{
    /// <summary>ShouldProcess for a plan with changes; false leaves it unapplied (set <see cref="RemediationPlan.DryRun"/> for a WhatIf).</summary>
    Task<bool> ConfirmAsync(RemediationPlan plan);

    /// <summary>ShouldProcess for queuing <paramref name="finding"/> for group <paramref name="groupName"/>.</summary>
    Task<bool> ConfirmQueueAsync(Finding finding, RemediationJobInfo? job, string groupName);

    /// <summary>An input that is no usable finding (a bad <c>-ResourceId</c>).</summary>
    void Rejected(FindingInputError error);

    /// <summary>The result of a finding run here, as soon as it is known.</summary>
    void Completed(Finding finding, RemediationResult result);

    /// <summary>The requests queued (without <c>-Wait</c>).</summary>
    void Queued(IReadOnlyList<RemediationRequest> requests);

    /// <summary>A final run found while waiting: the <paramref name="finished"/>th of <paramref name="total"/>.</summary>
    void RunFinished(RemediationRun run, int finished, int total);

    /// <summary>The one-line summary of the batch (<see cref="RemediationSummary"/>).</summary>
    void Summary(string line);
}

/// <summary>
/// Runs an <see cref="RemediationInvocation"/>: in this process through the <see cref="RemediationEngine"/> (one
/// client factory, one batch), or by queuing the findings for a worker group (all or none) and optionally waiting
/// for their runs. Either way it ends with the batch's summary line.
/// </summary>
internal sealed class RemediationService
{
    private readonly JobCatalog catalog;

    /// <summary>Creates the service over <paramref name="catalog"/> (default: the built-in catalog).</summary>
    public RemediationService(JobCatalog? catalog = null) => this.catalog = catalog ?? JobCatalog.Default;

    /// <summary>Runs <paramref name="invocation"/>, reporting to <paramref name="host"/>.</summary>
    public Task RunAsync(RemediationInvocation invocation, IRemediationInvocationHost host, CancellationToken cancellationToken)
    {
        if (invocation is null)
        {
            throw new ArgumentNullException(nameof(invocation));
        }

        if (host is null)
        {
            throw new ArgumentNullException(nameof(host));
        }

        return invocation.WorkerGroup is { } group
            ? DispatchAsync(invocation, group, host, cancellationToken)
            : RunHereAsync(invocation, host, cancellationToken);
    }

    private async Task RunHereAsync(RemediationInvocation invocation, IRemediationInvocationHost host, CancellationToken cancellationToken)
    {
        var factoryOptions = new AwsClientFactoryOptions { Log = host.Verbose };
        using AwsClientFactory factory = await AwsClientFactory.CreateAsync(invocation.Connection, factoryOptions, cancellationToken).ConfigureAwait(false);
        host.Verbose($"AWS credentials from {factory.Connection.CredentialSource}; region {factory.Connection.Region}.");
        if (!TryAddResource(invocation, factory.Connection.Region, host, out IReadOnlyList<Finding> findings) || findings.Count == 0)
        {
            return;
        }

        var engine = new RemediationEngine(factory, catalog, host);
        IReadOnlyList<RemediationResult> results = await engine.RunBatchAsync(
            findings,
            invocation.Options,
            host.ConfirmAsync,
            (index, result) => host.Completed(findings[index], result),
            cancellationToken).ConfigureAwait(false);
        ReportSummary(results, host);
    }

    // Queues the findings (all or none: a finding for an account outside the group queues nothing), then optionally
    // waits for their runs. No AWS call is made for the findings here: the group's workers assume the roles.
    private async Task DispatchAsync(RemediationInvocation invocation, WorkerGroupDispatch target, IRemediationInvocationHost host, CancellationToken cancellationToken)
    {
        if (!TryAddResource(invocation, invocation.Connection.Region, host, out IReadOnlyList<Finding> findings) || findings.Count == 0)
        {
            return;
        }

        IRemediationStore store = await StoreFactory.CreateAsync(target.Store, new StoreAwsSettings { Connection = invocation.Connection }, cancellationToken).ConfigureAwait(false);
        try
        {
            RemediationWorkerGroup group = await new WorkerGroupService(store).GetAsync(target.Name, cancellationToken).ConfigureAwait(false);
            var confirmed = new List<Finding>();
            foreach (Finding finding in findings)
            {
                if (await host.ConfirmQueueAsync(finding, catalog.Resolve(finding, invocation.Options.JobId)?.Info, group.Name).ConfigureAwait(false))
                {
                    confirmed.Add(finding);
                }
            }

            if (confirmed.Count == 0)
            {
                return;
            }

            RemediationOptions options = invocation.Options;
            var dispatcher = new WorkerGroupDispatcher(store);
            IReadOnlyList<string> ids = await dispatcher.EnqueueAsync(group, confirmed, options, cancellationToken).ConfigureAwait(false);
            if (!target.Wait)
            {
                host.Queued(ids.Select((id, i) => new RemediationRequest
                {
                    RequestId = id,
                    WorkerGroup = group.Name,
                    FindingId = confirmed[i].FindingId,
                    JobId = options.JobId ?? catalog.Resolve(confirmed[i])?.Info.Id,
                    AccountId = confirmed[i].AccountId,
                    Region = confirmed[i].Region,
                    ResourceId = confirmed[i].ResourceId,
                    Enqueued = DateTimeOffset.UtcNow,
                }).ToList());
                return;
            }

            const string activity = "Waiting for worker group runs";
            int done = 0;
            try
            {
                IReadOnlyList<RemediationRun> runs = await dispatcher.WaitAsync(
                    group.Name,
                    ids,
                    new CallbackProgress<RemediationRun>(run =>
                    {
                        int finished = Interlocked.Increment(ref done);
                        host.Progress(new RemediationProgress(activity, $"{finished} of {ids.Count} finished", finished * 100 / ids.Count, completed: false));
                        host.RunFinished(run, finished, ids.Count);
                    }),
                    target.Timeout,
                    cancellationToken).ConfigureAwait(false);
                if (runs.Count < ids.Count)
                {
                    host.Warning($"{ids.Count - runs.Count} of {ids.Count} request(s) had not finished after {target.Timeout}; they stay queued. Get-RemediationRun -WorkerGroup {group.Name} shows them later.");
                }

                ReportSummary(runs.Where(r => r.Result is not null).Select(r => r.Result!).ToList(), host);
            }
            finally
            {
                host.Progress(new RemediationProgress(activity, "Done", 100, completed: true));
            }
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    private static bool TryAddResource(RemediationInvocation invocation, string? sessionRegion, IRemediationInvocationHost host, out IReadOnlyList<Finding> findings)
    {
        findings = invocation.Findings;
        if (invocation.Resource is not { } resource)
        {
            return true;
        }

        var reader = new FindingInputReader();
        if (reader.AddResource(resource.JobId, resource.ResourceId, resource.AccountId, resource.Region, sessionRegion) is { } error)
        {
            host.Rejected(error);
            return false;
        }

        findings = invocation.Findings.Concat(reader.Findings).ToList();
        return true;
    }

    private static void ReportSummary(IReadOnlyCollection<RemediationResult> results, IRemediationInvocationHost host)
    {
        if (RemediationSummary.Describe(results) is { } line)
        {
            host.Summary(line);
        }
    }

    // Reports on the calling thread, in order (Progress<T> would post to the thread pool).
    private sealed class CallbackProgress<T> : IProgress<T>
    {
        private readonly Action<T> report;

        public CallbackProgress(Action<T> report) => this.report = report;

        public void Report(T value) => report(value);
    }
}
