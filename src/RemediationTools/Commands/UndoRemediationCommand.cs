using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Results;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Restores the state a remediation recorded before it changed a resource.</para>
/// </summary>
[Cmdlet(VerbsCommon.Undo, "Remediation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
[OutputType(typeof(RemediationResult))]
public sealed class UndoRemediationCommand : AwsCmdletBase
{
    private const string InputObjectSet = "InputObject";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ProgressActivityId = 0x5246;

    private readonly RemediationResultInputReader _reader = new();
    private readonly RemediationOptions _options = new();
    private HighImpactConfirmation? _confirmation;

    /// <summary>Results of Invoke-Remediation (or the same read back from JSON, or JSON text) whose changes are undone.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    [RemediationResultInputTransformation]
    public RemediationResultInput? InputObject { get; set; }

    /// <summary>JSON files saved by Export-RemediationResult; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>JSON files saved by Export-RemediationResult, used as written; files piped from Get-ChildItem bind here by their PSPath.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The role to assume in the results' accounts.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RoleArn { get; set; }

    /// <summary>The external ID the role's trust policy requires.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Cloud accounts with the role to assume in each: New-RemediationAccountRole output, or objects or hashtables with RoleArn, ExternalId and (optional) AccountId.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [CloudAccountTransformation]
    [ArgumentCompleter(typeof(CloudAccountCompleter))]
    public RemediationCloudAccount[]? CloudAccount { get; set; }

    /// <summary>
    /// Applies High-impact undos (of jobs whose undo deletes something or cannot restore the state exactly) without
    /// asking; -WhatIf still only plans, and -Confirm still asks.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Checks the role parameters.</summary>
    protected override void BeginProcessing()
    {
        _confirmation = new HighImpactConfirmation(this, Force.IsPresent);
        try
        {
            _options.DefaultRole = CloudAccountRoles.DefaultRole(RoleArn, ExternalId);
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(UserMessages.ForUser(ex), ErrorIds.RoleArnInvalid, ErrorCategory.InvalidArgument, RoleArn ?? ExternalId));
        }

        CloudAccountBinder.AddAll(this, _options, CloudAccount);
    }

    /// <summary>Collects the results; one that cannot be read or has nothing to undo is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            object input = InputObject.Value;
            WriteErrors(input is string or PSObject { BaseObject: string } ? _reader.AddText(input.ToString()!, input) : _reader.Add(() => ResultBinder.Convert(input), input));
            return;
        }

        foreach (string file in ProviderPaths.ResolveFiles(this, (LiteralPath ?? Path)!, literal: LiteralPath is not null))
        {
            WriteErrors(_reader.Add(() => RemediationResultFile.Read(file), file));
        }
    }

    /// <summary>Undoes each result: plan the restore, ShouldProcess, apply, verify.</summary>
    protected override void EndProcessing()
    {
        WriteErrors(_reader.Complete());
        if (_reader.Results.Count == 0)
        {
            return;
        }

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var host = new UndoHost(this, dispatcher);
            await new RemediationUndoService(JobCatalog.Default).RunAsync(_reader.Results, _options, GetConnectionOptions(), host, cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    private static string? HighImpactReason(RemediationJobInfo? job) =>
        job is { UndoIrreversible: true } ? $"Undoing {job.Id} deletes something or cannot restore the state exactly: {job.Impact}" : null;

    private void WriteErrors(IReadOnlyList<ResultInputError> errors)
    {
        foreach (ResultInputError error in errors)
        {
            (string id, ErrorCategory category) = error.Kind switch
            {
                ResultInputErrorKind.ReadFailed => (ErrorIds.FileReadFailed, ErrorCategory.ReadError),
                ResultInputErrorKind.NoUndoRecord => (ErrorIds.UndoRecordMissing, ErrorCategory.InvalidArgument),
                _ => (ErrorIds.ResultInvalid, ErrorCategory.InvalidData),
            };
            Exception exception = error.Kind == ResultInputErrorKind.NoUndoRecord ? new InvalidOperationException(error.Message) : new InvalidDataException(error.Message, error.Cause);
            WriteError(new ErrorRecord(exception, id, category, error.Target));
        }
    }

    // Confirmations and writes on the pipeline thread; a failed undo is written as an object and as an error.
    private sealed class UndoHost : IRemediationUndoHost
    {
        private readonly UndoRemediationCommand cmdlet;
        private readonly PipelineDispatcher dispatcher;
        private readonly PipelineReporter reporter;

        public UndoHost(UndoRemediationCommand cmdlet, PipelineDispatcher dispatcher)
        {
            this.cmdlet = cmdlet;
            this.dispatcher = dispatcher;
            reporter = new PipelineReporter(cmdlet, dispatcher, ProgressActivityId);
        }

        public void Progress(RemediationProgress progress) => reporter.Progress(progress);

        public void Verbose(string message) => reporter.Verbose(message);

        public void Warning(string message) => reporter.Warning(message);

        public Task<bool> ConfirmAsync(RemediationPlan plan) =>
            dispatcher.InvokeAsync(() => cmdlet._confirmation!.Confirm(plan.Finding, plan.Target, plan.Operation, HighImpactReason(plan.Job?.Info), out _));

        public void Summary(string line) => dispatcher.Post(() => cmdlet.WriteInformation(line, new[] { RemediationSummary.Tag }));

        public void Completed(RemediationPlan plan, RemediationResult result, RemediationResult undone) => dispatcher.Post(() =>
        {
            if (plan.DryRun && cmdlet._confirmation!.Unconfirmed(plan.Finding) is { } unconfirmed)
            {
                result.Reason = unconfirmed;
                cmdlet.WriteError(new ErrorRecord(new InvalidOperationException($"{ResultErrors.Name(result, "Undo of ")}: {unconfirmed}"), ErrorIds.ConfirmationRequired, ErrorCategory.OperationStopped, result));
            }

            cmdlet.WriteObject(result);
            if (result.Status == RemediationStatus.Failed)
            {
                var (errorId, category) = ResultErrors.For(result);
                cmdlet.WriteError(new ErrorRecord(new InvalidOperationException(ResultErrors.Message(result, "Undo of ")), errorId, category, result));
            }
        });
    }
}
