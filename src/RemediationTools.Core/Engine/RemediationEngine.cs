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
    /// <summary>How the verbose line with the stack trace of an unexpected exception starts.</summary>
    public const string UnexpectedErrorPrefix = "Unexpected error on ";

    private const string AssumeRoleAction = "sts:AssumeRole";

    // How often a plan is made again under the lock because the resources it touches changed while it waited.
    private const int MaxLockRounds = 5;

    private readonly IAwsClientFactory clientFactory;
    private readonly JobCatalog catalog;
    private readonly IRemediationReporter reporter;
    private readonly ResourceLockTable locks;

    /// <summary>
    /// Creates the engine. Engines that share <paramref name="locks"/> (a worker's batches) never change one resource at
    /// the same time; by default the engine has a lock table of its own.
    /// </summary>
    public RemediationEngine(IAwsClientFactory clientFactory, JobCatalog? catalog = null, IRemediationReporter? reporter = null, ResourceLockTable? locks = null)
    {
        this.clientFactory = clientFactory ?? throw new ArgumentNullException(nameof(clientFactory));
        this.catalog = catalog ?? JobCatalog.Default;
        this.reporter = reporter ?? NullRemediationReporter.Instance;
        this.locks = locks ?? new ResourceLockTable();
    }

    /// <summary>The locks on the resources being changed.</summary>
    public ResourceLockTable Locks => locks;

    /// <summary>A read cache whose entries are stamped with this engine's change sequence.</summary>
    internal JobReadCache NewCache() => new(() => locks.Sequence);

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
    /// Runs findings as one batch (see RunBatchAsync) with a synchronous confirm callback; one result
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
        var plan = new RemediationPlan(finding, job, isUndo: false, startedAt, stopwatch) { DryRun = options.DryRun, ReadSequence = locks.Sequence };
        plan.Replan = token => PlanCoreAsync(finding, options, plan.Context?.Cache ?? cache, token);

        if (job is null)
        {
            var jobId = options.JobId ?? finding.JobId;
            plan.Outcome = Result(plan, RemediationStatus.Failed, jobId is not null
                ? "There is no job '" + jobId + "'. Get-RemediationJob lists the jobs."
                : "No job serves rule ID '" + finding.RuleId + "'" + (finding.RuleName is null ? "" : " (" + finding.RuleName + ")") + "; nothing was changed.");
            plan.Outcome.ErrorCode = jobId is not null ? FailureTranslator.UnknownJob : FailureTranslator.UnknownRule;
            return plan;
        }

        if (finding.ReportedCompliant)
        {
            plan.Outcome = Result(plan, RemediationStatus.AlreadyCompliant, "The finding reports compliance status PASSED; nothing was read or changed.");
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
            ReporterOf(finding, options).Verbose("Planning " + job.Info.Id + " on " + plan.Target + ".");
            var jobPlan = await job.PlanAsync(context, cancellationToken).ConfigureAwait(false);
            if (jobPlan.IsSkipped)
            {
                plan.Outcome = Result(plan, RemediationStatus.Skipped, jobPlan.SkipReason);
            }
            else if (jobPlan.IsCompliant)
            {
                plan.Outcome = Result(plan, RemediationStatus.AlreadyCompliant, jobPlan.Data is null ? "Nothing to change." : "Read only: nothing was changed.");
                plan.Outcome.Notes = jobPlan.Notes;
                plan.Outcome.Data = jobPlan.Data;
            }
            else
            {
                Accept(plan, jobPlan);
                foreach (var note in jobPlan.Notes.Where(context.Cache.FirstWarning))
                {
                    ReporterOf(finding, options).Warning(finding.ResourceId + ": " + note);
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            Fail(plan.Outcome, ex, null, ReporterOf(plan.Finding, options));
        }

        return plan;
    }

    // Takes a job plan with changes: records, per resource it touches, when its read of that resource started.
    private static void Accept(RemediationPlan plan, JobPlan jobPlan)
    {
        plan.JobPlan = jobPlan;
        var cache = plan.Context!.Cache;
        plan.ObservedAt = jobPlan.Touches.Distinct(StringComparer.Ordinal).ToDictionary(
            key => Scoped(plan, key),
            key => Math.Min(cache.ReadAt(key) ?? plan.ReadSequence, plan.ReadSequence),
            StringComparer.Ordinal);
    }

    // "acct/region/ec2:security-group:sg-1" -> "sg-1"
    private static string ResourceOf(string scopedKey) => scopedKey.Substring(scopedKey.LastIndexOf(':') + 1);

    private static string Scoped(RemediationPlan plan, string key) => ResourceLockTable.Scope(plan.Finding.AccountId, plan.Finding.Region, key);

    // An unexpected exception is a bug or an unknown condition: the result says InternalError, the stack trace goes to
    // the verbose stream (and so into a worker's run log), never into the result.
    private static void Fail(RemediationResult result, Exception exception, string? callAction, IRemediationReporter reporter)
    {
        FailureTranslator.Fill(result, exception, callAction);
        if (result.Unexpected)
        {
            reporter.Verbose(UnexpectedErrorPrefix + result.ResourceId + ": " + exception);
        }
    }

    // Where a finding's messages go: its own reporter when the options give one (a worker's run log), else the engine's.
    private IRemediationReporter ReporterOf(Finding finding, RemediationOptions options)
        => options.ReporterFor?.Invoke(finding) ?? reporter;

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

        for (var round = 1; ; round++)
        {
            var keys = plan.ObservedAt.Keys.ToList();
            ResourceLockTable.Hold hold;
            using (plan.Context?.Cache.Scope?.Hold())
            {
                // Waiting for a lock another finding holds while it waits for its batched read: count as waiting.
                hold = await locks.AcquireAsync(keys, cancellationToken).ConfigureAwait(false);
            }

            using var held = hold;
            var stale = keys.Where(key => locks.ChangedSince(key, plan.ObservedAt[key])).ToList();
            if (stale.Count > 0 && plan.Replan is not null)
            {
                // Another finding changed a resource of this plan after it was read: plan again, under the lock, from a
                // fresh read of what changed, so this finding makes (and records for undo) only what is still needed.
                plan.Context!.Reporter.Verbose(plan.Target + ": " + string.Join(", ", stale) + " changed after it was read; planning again.");
                foreach (var key in plan.JobPlan!.Touches)
                {
                    // A read made after the last change (the other finding's verify read) is fresh; older ones go.
                    var cache = plan.Context!.Cache;
                    if (cache.ReadAt(key) is not long readAt || locks.ChangedSince(Scoped(plan, key), readAt))
                    {
                        cache.Invalidate(key);
                    }
                }

                var fresh = await plan.Replan(cancellationToken).ConfigureAwait(false);
                if (!fresh.HasChanges)
                {
                    var outcome = fresh.Outcome!;
                    if (outcome.Status == RemediationStatus.AlreadyCompliant && !plan.IsUndo)
                    {
                        // The finding was open when planned; another finding of this run closed it first.
                        outcome.Status = RemediationStatus.Remediated;
                        outcome.Reason = "Fixed in this run by another finding's change to " + string.Join(", ", stale.Select(ResourceOf)) +
                                         "; nothing was left to change, so this finding has no changes and no undo record of its own.";
                    }

                    return Finish(fresh, outcome);
                }

                if (!hold.Covers(fresh.ObservedAt.Keys))
                {
                    if (round >= MaxLockRounds)
                    {
                        var busy = Result(fresh, RemediationStatus.Failed, "The resources of this finding kept changing while it waited for them; nothing was changed.");
                        busy.ErrorCode = FailureTranslator.ResourceBusy;
                        return Finish(fresh, busy);
                    }

                    plan = fresh;
                    continue;
                }

                plan = fresh;
            }

            return await ApplyHeldAsync(plan, cancellationToken).ConfigureAwait(false);
        }
    }

    // Applies and verifies a plan whose resources this call holds locked.
    private async Task<RemediationResult> ApplyHeldAsync(RemediationPlan plan, CancellationToken cancellationToken)
    {
        var job = plan.Job!;
        var context = plan.Context!;
        var jobPlan = plan.JobPlan!;
        var result = Result(plan, RemediationStatus.Remediated, null);
        result.Actions = jobPlan.Actions;
        result.Notes = jobPlan.Notes;
        result.UndoRecord = jobPlan.UndoRecord;
        try
        {
            context.Reporter.Verbose("Applying " + jobPlan.Actions.Count.ToString(CultureInfo.InvariantCulture) + " change(s) to " + plan.Target + ".");
            if (context.Options.BeforeApply is { } beforeApply)
            {
                // Write-ahead (a worker records the undo record with the request): a process killed during the calls
                // leaves what its redelivery needs to keep an exact undo record.
                await beforeApply(plan, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await job.ApplyAsync(context, jobPlan, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Stamped before the verify read, so that read (cached for later findings) counts as fresh.
                locks.MarkChanged(plan.ObservedAt.Keys);
                foreach (var key in jobPlan.Touches)
                {
                    context.Cache.Invalidate(key);
                }
            }

            var verification = await VerificationRetry.RunAsync(() => job.VerifyAsync(context, jobPlan, cancellationToken), context.Options, context.Reporter, cancellationToken).ConfigureAwait(false);
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
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The actions and undo record stay on the result: some changes may have been made before the failure.
            Fail(result, ex, null, context.Reporter);
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
        var plan = new RemediationPlan(finding, job, isUndo: true, DateTimeOffset.UtcNow, Stopwatch.StartNew()) { DryRun = options.DryRun, ReadSequence = locks.Sequence };
        plan.Replan = token => PlanUndoAsync(record, options, token);
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
                Accept(plan, jobPlan);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            Fail(plan.Outcome, ex, null, ReporterOf(plan.Finding, options));
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
            var findingReporter = ReporterOf(plan.Finding, options);
            findingReporter.Verbose(role is null
                ? "Using the caller's credentials for " + plan.Target + "."
                : "Using role " + role.RoleArn + " for " + plan.Target + ".");
            var clients = await clientFactory.ForAccountAsync(role, cancellationToken).ConfigureAwait(false);
            if (!plan.BindAccount(await clients.AccountIdAsync(cancellationToken).ConfigureAwait(false), role))
            {
                plan.Outcome = Result(plan, RemediationStatus.Failed, plan.AccountMismatch);
                plan.Outcome.ErrorCode = FailureTranslator.AccountMismatch;
                return null;
            }

            var context = new JobContext(plan.Finding, clients, options, findingReporter, cache ?? NewCache());
            plan.Context = context;
            return context;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            plan.Outcome = Result(plan, RemediationStatus.Failed, null);
            Fail(plan.Outcome, ex, role is null ? null : AssumeRoleAction, ReporterOf(plan.Finding, options));
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
        result.Elapsed = plan.Elapsed;
        if (plan.AccountNote is { } note && !result.Notes.Contains(note))
        {
            result.Notes = result.Notes.Concat(new[] { note }).ToList();
        }

        return result;
    }

    private static RemediationResult Result(RemediationPlan plan, RemediationStatus status, string? reason) => new()
    {
        FindingId = plan.Finding.FindingId,
        JobId = plan.Job?.Info.Id,
        RuleId = plan.Finding.RuleId,
        AccountId = plan.Finding.AccountId,
        Region = plan.Context?.ResourceRegion ?? plan.Finding.Region,
        ResourceId = plan.Finding.ResourceId,
        Status = status,
        Reason = reason,
        DryRun = plan.DryRun,
        IsUndo = plan.IsUndo,
        StartedAt = plan.StartedAt,
    };
}
