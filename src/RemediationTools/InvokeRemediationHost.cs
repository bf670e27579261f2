using System.Management.Automation;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Results;

namespace RemediationTools;

/// <summary>
/// Where <see cref="RemediationService"/> reports for <c>Invoke-Remediation</c>: confirmations (ShouldProcess and the
/// High-impact question) and every write happen on the cmdlet's pipeline thread. A failed result is written as an
/// object and as an error; a finding that is itself the problem (unknown rule or job, invalid) as an error only.
/// </summary>
internal sealed class InvokeRemediationHost : IRemediationInvocationHost
{
    private readonly PSCmdlet cmdlet;
    private readonly PipelineDispatcher dispatcher;
    private readonly PipelineReporter reporter;
    private readonly HighImpactConfirmation confirmation;

    public InvokeRemediationHost(PSCmdlet cmdlet, PipelineDispatcher dispatcher, HighImpactConfirmation confirmation, int progressActivityId)
    {
        this.cmdlet = cmdlet;
        this.dispatcher = dispatcher;
        this.confirmation = confirmation;
        reporter = new PipelineReporter(cmdlet, dispatcher, progressActivityId);
    }

    public void Progress(RemediationProgress progress) => reporter.Progress(progress);

    public void Verbose(string message) => reporter.Verbose(message);

    public void Warning(string message) => reporter.Warning(message);

    // -WhatIf and a "No" both leave the plan unapplied and return it as a Planned result (a WhatIf is marked as a dry
    // run, so it counts toward -MaxChanges). An irreversible job's change is asked about as a High-impact change.
    public Task<bool> ConfirmAsync(RemediationPlan plan) => dispatcher.InvokeAsync(() =>
    {
        if (confirmation.Confirm(plan.Finding, plan.Target, plan.Operation, HighImpactReason(plan.Job?.Info), out bool whatIf))
        {
            return true;
        }

        plan.DryRun = whatIf;
        return false;
    });

    // Queuing is where the user decides for a worker group's run, so an irreversible job is asked about here.
    public Task<bool> ConfirmQueueAsync(Finding finding, RemediationJobInfo? job, string groupName) => dispatcher.InvokeAsync(() =>
    {
        string operation = $"Queue for worker group '{groupName}'" + (job is null ? string.Empty : " (" + job.Id + ")");
        if (confirmation.Confirm(finding, finding.ToString(), operation, HighImpactReason(job), out _))
        {
            return true;
        }

        if (confirmation.Unconfirmed(finding) is { } reason)
        {
            WriteConfirmationRequired(Describe(finding) + ": " + reason, finding);
        }

        return false;
    });

    public void Rejected(FindingInputError error) => dispatcher.Post(() => WriteFindingError(cmdlet, error));

    public void Completed(Finding finding, RemediationResult result) => dispatcher.Post(() => WriteResult(finding, result));

    public void Queued(IReadOnlyList<RemediationRequest> requests) => dispatcher.Post(() => cmdlet.WriteObject(requests, enumerateCollection: true));

    public void RunFinished(RemediationRun run, int finished, int total) => dispatcher.Post(() => cmdlet.WriteObject(run));

    public void Summary(string line) => dispatcher.Post(() => cmdlet.WriteInformation(line, new[] { RemediationSummary.Tag }));

    /// <summary>Writes a finding that cannot be read, with the input item as target.</summary>
    public static void WriteFindingError(Cmdlet cmdlet, FindingInputError error) =>
        cmdlet.WriteError(new ErrorRecord(error.ToException(), ErrorIds.FindingInvalid, ErrorCategory.InvalidData, error.Target));

    private static string? HighImpactReason(RemediationJobInfo? job) =>
        job is { Irreversible: true } ? $"{job.Id} deletes something or cannot be undone exactly: {job.Impact}" : null;

    private static string Describe(Finding finding) =>
        (finding.FindingId is null ? string.Empty : $"Finding '{finding.FindingId}' ") + $"{finding.ResourceId} (account {finding.AccountId}, {finding.Region})";

    private void WriteConfirmationRequired(string message, object target) =>
        cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.ConfirmationRequired, ErrorCategory.OperationStopped, target));

    private void WriteResult(Finding finding, RemediationResult result)
    {
        if (result.Status == RemediationStatus.Planned && confirmation.Unconfirmed(finding) is { } unconfirmed)
        {
            result.Reason = unconfirmed;
            cmdlet.WriteObject(result);
            WriteConfirmationRequired($"{ResultErrors.Name(result)}: {unconfirmed}", result);
            return;
        }

        if (result.Status != RemediationStatus.Failed)
        {
            cmdlet.WriteObject(result);
            return;
        }

        switch (result.ErrorCode)
        {
            case FailureTranslator.UnknownRule:
            case FailureTranslator.UnknownJob:
                // Nothing was touched: the finding itself is the problem, so it is an error, not a result.
                cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException(WithFinding(result, result.Reason)), ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, finding));
                return;
            case FailureTranslator.InvalidFinding:
                cmdlet.WriteError(new ErrorRecord(new FindingFormatException(WithFinding(result, result.Reason ?? "The finding is invalid.")), ErrorIds.FindingInvalid, ErrorCategory.InvalidData, finding));
                return;
        }

        cmdlet.WriteObject(result);
        var (errorId, category) = ResultErrors.For(result);
        cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(ResultErrors.Message(result)), errorId, category, result));
    }

    private static string WithFinding(RemediationResult result, string? message) =>
        result.FindingId is null || (message?.Contains(result.FindingId) ?? false) ? message ?? string.Empty : $"Finding '{result.FindingId}': {message}";
}
