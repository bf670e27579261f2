using System.Diagnostics;
using System.Globalization;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Engine;

/// <summary>
/// Runs findings through their jobs: finding, job, account clients, plan, (confirm), apply, verify, result.
/// Planning and applying are separate steps (<see cref="PlanAsync"/>, <see cref="ApplyAsync"/>) so that a cmdlet can
/// call ShouldProcess on its own thread in between; <see cref="RunAsync(Finding, RemediationOptions, Func{RemediationPlan, bool}?, CancellationToken)"/>
/// does all steps with an optional confirm callback. Nothing but a failed or cancelled call escapes as an exception:
/// every problem with an input becomes a <see cref="RemediationStatus.Failed"/> result naming it.
/// </summary>
internal sealed partial class RemediationEngine
{
    private const string AssumeRoleAction = "sts:AssumeRole";
    private readonly IAwsClientFactory clientFactory;
    private readonly JobCatalog catalog;
    private readonly IRemediationReporter reporter;

    /// <summary>Creates the engine.</summary>
    public RemediationEngine(IAwsClientFactory clientFactory, JobCatalog? catalog = null, IRemediationReporter? reporter = null)
    {
        this.clientFactory = clientFactory ?? throw new ArgumentNullException(nameof(clientFactory));
        this.catalog = catalog ?? JobCatalog.Default;
        this.reporter = reporter ?? NullRemediationReporter.Instance;
    }

    /// <summary>The job catalog the engine uses.</summary>
    public JobCatalog Catalog => catalog;

    /// <summary>
    /// Runs one finding. A dry run, or a <paramref name="confirm"/> that returns false, stops after the plan with a
    /// <see cref="RemediationStatus.Planned"/> result. <paramref name="confirm"/> runs on whatever thread the engine is
    /// on; a cmdlet that must call ShouldProcess on its pipeline thread uses <see cref="PlanAsync"/> and <see cref="ApplyAsync"/>.
    /// </summary>
    public async Task<RemediationResult> RunAsync(Finding finding, RemediationOptions options, Func<RemediationPlan, bool>? confirm = null, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(finding, options, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(plan, confirm, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs findings as one batch (see <see cref="RunBatchAsync"/>) with a synchronous confirm callback; one result
    /// per finding, in input order.
    /// </summary>
    public Task<IReadOnlyList<RemediationResult>> RunAsync(IReadOnlyList<Finding> findings, RemediationOptions options, Func<RemediationPlan, bool>? confirm = null, CancellationToken cancellationToken = default)
        => RunBatchAsync(findings, options, confirm is null ? null : plan => Task.FromResult(confirm(plan)), null, cancellationToken);

    /// <summary>
    /// Chooses the job, gets the account's clients and plans: read-only. The plan either has changes to apply or
    /// already holds the outcome (Failed, Skipped, AlreadyCompliant).
    /// </summary>
    public Task<RemediationPlan> PlanAsync(Finding finding, RemediationOptions options, CancellationToken cancellationToken = default)
        => PlanCoreAsync(finding, options, null, cancellationToken);

    private async Task<RemediationPlan> PlanCoreAsync(Finding finding, RemediationOptions options, JobReadCache? cache, CancellationToken cancellationToken)
    {
        if (finding is null)
        {
            throw new ArgumentNullException(nameof(finding));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        var startedAt = DateTimeOffset.UtcNow;
        var stopwatch = Stopwatch.StartNew();
        var job = catalog.Resolve(finding, options.JobId);
        var plan = new RemediationPlan(finding, job, isUndo: false, startedAt, stopwatch) { DryRun = options.DryRun };

        if (job is null)
        {
            var jobId = options.JobId ?? finding.JobId;
            plan.Outcome = Result(plan, RemediationStatus.Failed, jobId is not null
                ? "There is no job '" + jobId + "'. Get-RemediationJob lists the jobs."
                : "No job serves rule ID '" + finding.RuleId + "'" + (finding.RuleName is null ? "" : " (" + finding.RuleName + ")") + "; nothing was changed.");
            plan.Outcome.ErrorCode = jobId is not null ? FailureTranslator.UnknownJob : FailureTranslator.UnknownRule;
            return plan;
        }

        if (job.Info.Disruptive && !options.AllowDisruptive)
        {
            plan.Outcome = Result(plan, RemediationStatus.Skipped, job.Info.Id + " is disruptive (" + job.Info.Impact + "); it runs only when disruptive jobs are allowed (-AllowDisruptive).");
            return plan;
        }

        var context = await ContextAsync(plan, options, cache, cancellationToken).ConfigureAwait(false);
        if (context is null)
        {
            return plan;
        }

        try
        {
            reporter.Verbose("Planning " + job.Info.Id + " on " + plan.Target + ".");
            var jobPlan = await job.PlanAsync(context, cancellationToken).ConfigureAwait(false);
            if (jobPlan.IsSkipped)
            {
                plan.Outcome = Result(plan, RemediationStatus.Skipped, jobPlan.SkipReason);
            }
            else if (jobPlan.IsCompliant)
            {
                plan.Outcome = Result(plan, RemediationStatus.AlreadyCompliant, "Nothing to change.");
                plan.Outcome.Notes = jobPlan.Notes;
            }
            else
            {
                plan.JobPlan = jobPlan;
                foreach (var note in jobPlan.Notes)
                {
                    reporter.Warning(finding.ResourceId + ": " + note);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            FailureTranslator.Fill(plan.Outcome, ex, null);
        }

        return plan;
    }

    /// <summary>
    /// Applies a plan made by <see cref="PlanAsync"/> or <see cref="PlanUndoAsync"/>, then verifies it. A plan that
    /// holds an outcome returns it; a dry-run plan returns <see cref="RemediationStatus.Planned"/>.
    /// </summary>
    public async Task<RemediationResult> ApplyAsync(RemediationPlan plan, CancellationToken cancellationToken = default)
    {
        if (plan is null)
        {
            throw new ArgumentNullException(nameof(plan));
        }

        if (!plan.HasChanges)
        {
            return Finish(plan, plan.Outcome!);
        }

        if (plan.DryRun)
        {
            return Planned(plan, "Dry run: nothing was changed.");
        }

        var job = plan.Job!;
        var context = plan.Context!;
        var jobPlan = plan.JobPlan!;
        var result = Result(plan, RemediationStatus.Remediated, null);
        result.Actions = jobPlan.Actions;
        result.Notes = jobPlan.Notes;
        result.UndoRecord = jobPlan.UndoRecord;
        try
        {
            reporter.Verbose("Applying " + jobPlan.Actions.Count.ToString(CultureInfo.InvariantCulture) + " change(s) to " + plan.Target + ".");
            await job.ApplyAsync(context, jobPlan, cancellationToken).ConfigureAwait(false);
            var verification = await VerificationRetry.RunAsync(() => job.VerifyAsync(context, jobPlan, cancellationToken), context.Options, reporter, cancellationToken).ConfigureAwait(false);
            if (!verification.Succeeded)
            {
                result.Status = RemediationStatus.Failed;
                result.ErrorCode = FailureTranslator.VerificationFailed;
                result.Reason = verification.Reason;
            }
            else if (plan.IsUndo)
            {
                result.Reason = "Restored the recorded state.";
                result.UndoRecord = null;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The actions and undo record stay on the result: some changes may have been made before the failure.
            FailureTranslator.Fill(result, ex, null);
        }

        return Finish(plan, result);
    }

    /// <summary>Plans the undo of a recorded remediation (read-only).</summary>
    public async Task<RemediationPlan> PlanUndoAsync(RemediationUndoRecord record, RemediationOptions options, CancellationToken cancellationToken = default)
    {
        if (record is null)
        {
            throw new ArgumentNullException(nameof(record));
        }

        if (options is null)
        {
            throw new ArgumentNullException(nameof(options));
        }

        var finding = new Finding
        {
            JobId = record.JobId,
            AccountId = record.AccountId,
            Region = record.Region,
            ResourceId = record.ResourceId,
        };
        var job = catalog.FindById(record.JobId);
        var plan = new RemediationPlan(finding, job, isUndo: true, DateTimeOffset.UtcNow, Stopwatch.StartNew()) { DryRun = options.DryRun };
        if (job is null)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, "The undo record names the job '" + record.JobId + "', which does not exist.");
            plan.Outcome.ErrorCode = FailureTranslator.UnknownJob;
            return plan;
        }

        var context = await ContextAsync(plan, options, null, cancellationToken).ConfigureAwait(false);
        if (context is null)
        {
            return plan;
        }

        try
        {
            var jobPlan = await job.PlanUndoAsync(context, record, cancellationToken).ConfigureAwait(false);
            if (jobPlan.IsCompliant)
            {
                plan.Outcome = Result(plan, RemediationStatus.AlreadyCompliant, "The recorded state is already in place.");
                plan.Outcome.Notes = jobPlan.Notes;
            }
            else if (jobPlan.IsSkipped)
            {
                plan.Outcome = Result(plan, RemediationStatus.Skipped, jobPlan.SkipReason);
            }
            else
            {
                plan.JobPlan = jobPlan;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            FailureTranslator.Fill(plan.Outcome, ex, null);
        }

        return plan;
    }

    /// <summary>Undoes a recorded remediation: plan, confirm, apply, verify.</summary>
    public async Task<RemediationResult> UndoAsync(RemediationUndoRecord record, RemediationOptions options, Func<RemediationPlan, bool>? confirm = null, CancellationToken cancellationToken = default)
    {
        var plan = await PlanUndoAsync(record, options, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(plan, confirm, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RemediationResult> FinishAsync(RemediationPlan plan, Func<RemediationPlan, bool>? confirm, CancellationToken cancellationToken)
    {
        if (plan.HasChanges && !plan.DryRun && confirm is not null && !confirm(plan))
        {
            return Planned(plan, "Not applied: the change was not confirmed (WhatIf or Confirm).");
        }

        return await ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JobContext?> ContextAsync(RemediationPlan plan, RemediationOptions options, JobReadCache? cache, CancellationToken cancellationToken)
    {
        var role = options.RoleFor(plan.Finding.AccountId);
        try
        {
            reporter.Verbose(role is null
                ? "Using the caller's credentials for " + plan.Target + "."
                : "Using role " + role.RoleArn + " for " + plan.Target + ".");
            var clients = await clientFactory.ForAccountAsync(role, cancellationToken).ConfigureAwait(false);
            var context = new JobContext(plan.Finding, clients, options, reporter, cache);
            plan.Context = context;
            return context;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            FailureTranslator.Fill(plan.Outcome, ex, role is null ? null : AssumeRoleAction);
            return null;
        }
    }

    private static RemediationResult Planned(RemediationPlan plan, string reason)
    {
        var jobPlan = plan.JobPlan!;
        var result = Result(plan, RemediationStatus.Planned, reason);
        result.Actions = jobPlan.Actions;
        result.Notes = jobPlan.Notes;
        return Finish(plan, result);
    }

    private static RemediationResult Finish(RemediationPlan plan, RemediationResult result)
    {
        result.Duration = plan.Elapsed;
        return result;
    }

    private static RemediationResult Result(RemediationPlan plan, RemediationStatus status, string? reason) => new()
    {
        FindingId = plan.Finding.FindingId,
        JobId = plan.Job?.Info.Id,
        RuleId = plan.Finding.RuleId,
        AccountId = plan.Finding.AccountId,
        Region = plan.Finding.Region,
        ResourceId = plan.Finding.ResourceId,
        Status = status,
        Reason = reason,
        DryRun = plan.DryRun,
        IsUndo = plan.IsUndo,
        StartedAt = plan.StartedAt,
    };
}
