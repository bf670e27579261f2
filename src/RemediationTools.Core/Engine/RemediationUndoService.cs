using System.Globalization;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Engine;

/// <summary>Where <see cref="RemediationUndoService"/> reports; calls come from any thread.</summary>
internal interface IRemediationUndoHost : IRemediationReporter
{
    /// <summary>ShouldProcess for an undo plan with changes; false leaves it unapplied.</summary>
    Task<bool> ConfirmAsync(RemediationPlan plan);

    /// <summary>The result of one undo, with the result it undoes.</summary>
    void Completed(RemediationPlan plan, RemediationResult result, RemediationResult undone);

    /// <summary>The one-line summary of the undos (<see cref="RemediationSummary"/>).</summary>
    void Summary(string line);
}

/// <summary>
/// Undoes remediation results with one client factory: for each undo record (a worker request interrupted before
/// carries the earlier changes too, newest first) plan the restore, confirm, apply, verify.
/// </summary>
internal sealed class RemediationUndoService
{
    private const string Activity = "Undoing remediations";
    private readonly JobCatalog catalog;

    /// <summary>Creates the service over <paramref name="catalog"/> (default: the built-in catalog).</summary>
    public RemediationUndoService(JobCatalog? catalog = null) => this.catalog = catalog ?? JobCatalog.Default;

    /// <summary>Undoes <paramref name="results"/> (each with an undo record), reporting to <paramref name="host"/>.</summary>
    public async Task RunAsync(IReadOnlyList<RemediationResult> results, RemediationOptions options, AwsConnectionOptions connection, IRemediationUndoHost host, CancellationToken cancellationToken)
    {
        if (results is null || options is null || connection is null || host is null)
        {
            throw new ArgumentNullException(results is null ? nameof(results) : options is null ? nameof(options) : connection is null ? nameof(connection) : nameof(host));
        }

        using AwsClientFactory factory = await AwsClientFactory.CreateAsync(connection, new AwsClientFactoryOptions { Log = host.Verbose }, cancellationToken).ConfigureAwait(false);
        var engine = new RemediationEngine(factory, catalog, host);
        var done = new List<RemediationResult>();
        try
        {
            for (int i = 0; i < results.Count; i++)
            {
                RemediationResult undone = results[i];
                foreach (RemediationUndoRecord record in (undone.UndoRecord ?? throw new ArgumentException("A result has no undo record.", nameof(results))).InUndoOrder())
                {
                    host.Progress(new RemediationProgress(Activity, string.Format(CultureInfo.InvariantCulture, "{0} of {1}: {2} {3}", i + 1, results.Count, record.JobId, record.ResourceId), i * 100 / results.Count, completed: false));
                    RemediationPlan plan = await engine.PlanUndoAsync(record, options, cancellationToken).ConfigureAwait(false);
                    if (plan.HasChanges && !await host.ConfirmAsync(plan).ConfigureAwait(false))
                    {
                        plan.DryRun = true;
                    }

                    RemediationResult result = await engine.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
                    result.FindingId = undone.FindingId;
                    result.RuleId = undone.RuleId;
                    done.Add(result);
                    host.Completed(plan, result, undone);
                }
            }
        }
        finally
        {
            host.Progress(new RemediationProgress(Activity, "Done", 100, completed: true));
        }

        if (RemediationSummary.Describe(done, "undo") is { } line)
        {
            host.Summary(line);
        }
    }
}
