using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using RemediationTools.Core.Aws;
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

    private readonly List<RemediationResult> _results = new();
    private readonly RemediationOptions _options = new();
    private HighImpactConfirmation? _confirmation;

    /// <summary>Results of Invoke-Remediation (or the same read back from JSON) whose changes are undone.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
    [ValidateNotNull]
    public object? InputObject { get; set; }

    /// <summary>JSON files saved by Export-RemediationResult; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>JSON files saved by Export-RemediationResult, used as written.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
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

    /// <summary>Cloud accounts with the role to assume in each: objects or hashtables with RoleArn, ExternalId and (optional) AccountId.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? CloudAccount { get; set; }

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
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.RoleArnInvalid, ErrorCategory.InvalidArgument, RoleArn ?? ExternalId));
        }

        CloudAccountBinder.AddAll(this, _options, CloudAccount);
    }

    /// <summary>Collects the results; one that cannot be read or has nothing to undo is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == InputObjectSet)
        {
            Collect(() => ResultBinder.Convert(InputObject), InputObject);
            return;
        }

        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string path in (literal ? LiteralPath : Path)!)
        {
            foreach (string file in Resolve(path, literal))
            {
                Collect(() => RemediationResultFile.Read(file), file);
            }
        }
    }

    /// <summary>Undoes each result: plan the restore, ShouldProcess, apply, verify.</summary>
    protected override void EndProcessing()
    {
        if (_results.Count == 0)
        {
            return;
        }

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            using AwsClientFactory factory = await AwsClientFactory.CreateAsync(GetConnectionOptions(), new AwsClientFactoryOptions { Log = reporter.Verbose }, cancellationToken).ConfigureAwait(false);
            var engine = new RemediationEngine(factory, JobCatalog.Default, reporter);
            const string activity = "Undoing remediations";
            try
            {
                for (int i = 0; i < _results.Count; i++)
                {
                    // A worker request whose earlier attempt was interrupted carries the earlier changes too: newest first.
                    foreach (RemediationUndoRecord record in _results[i].UndoRecord!.InUndoOrder())
                    {
                        reporter.Progress(new RemediationProgress(activity, string.Format(CultureInfo.InvariantCulture, "{0} of {1}: {2} {3}", i + 1, _results.Count, record.JobId, record.ResourceId), i * 100 / _results.Count, completed: false));
                        RemediationPlan plan = await engine.PlanUndoAsync(record, _options, cancellationToken).ConfigureAwait(false);
                        if (plan.HasChanges && !await dispatcher.InvokeAsync(() => _confirmation!.Confirm(plan.Finding, plan.Target, plan.Operation, HighImpactReason(plan.Job?.Info), out _)).ConfigureAwait(false))
                        {
                            plan.DryRun = true;
                        }

                        RemediationResult result = await engine.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
                        if (plan.DryRun && _confirmation!.Unconfirmed(plan.Finding) is { } unconfirmed)
                        {
                            result.Reason = unconfirmed;
                            dispatcher.Post(() => WriteError(new ErrorRecord(
                                new InvalidOperationException($"Undo of {result.JobId} on {result.ResourceId} (account {result.AccountId}, {result.Region}): {unconfirmed}"),
                                ErrorIds.ConfirmationRequired, ErrorCategory.OperationStopped, result)));
                        }

                        result.FindingId = _results[i].FindingId;
                        result.RuleId = _results[i].RuleId;
                        dispatcher.Post(() => WriteResult(result));
                    }
                }
            }
            finally
            {
                reporter.Progress(new RemediationProgress(activity, "Done", 100, completed: true));
            }

            return true;
        });
    }

    private static string? HighImpactReason(RemediationJobInfo? job) =>
        job is { UndoIrreversible: true } ? $"Undoing {job.Id} deletes something or cannot restore the state exactly: {job.Impact}" : null;

    private void Collect(Func<IReadOnlyList<RemediationResult>> read, object? source)
    {
        IReadOnlyList<RemediationResult> results;
        try
        {
            results = read();
        }
        catch (InvalidDataException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.ResultInvalid, ErrorCategory.InvalidData, source));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.FileReadFailed, ErrorCategory.ReadError, source));
            return;
        }

        foreach (RemediationResult result in results)
        {
            if (result.UndoRecord is null)
            {
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"The result for {result.ResourceId} ({result.JobId}, {result.Status}) has no undo record: {(result.IsUndo ? "it is itself an undo" : "nothing was changed")}, so there is nothing to undo."),
                    ErrorIds.UndoRecordMissing, ErrorCategory.InvalidArgument, result));
                continue;
            }

            _results.Add(result);
        }
    }

    private void WriteResult(RemediationResult result)
    {
        WriteObject(result);
        if (result.Status == RemediationStatus.Failed)
        {
            var (errorId, category) = ResultErrors.For(result);
            WriteError(new ErrorRecord(
                new InvalidOperationException($"Undo of {result.JobId} on {result.ResourceId} (account {result.AccountId}, {result.Region}) failed: {result.Reason}"),
                errorId,
                category,
                result));
        }
    }

    private IEnumerable<string> Resolve(string path, bool literal)
    {
        try
        {
            if (literal)
            {
                string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                if (!File.Exists(file))
                {
                    throw new ItemNotFoundException($"Cannot find the file '{path}'.");
                }

                return new[] { file };
            }

            Collection<string> resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo _);
            return resolved.Where(File.Exists).ToList();
        }
        catch (ItemNotFoundException ex)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path));
            return Array.Empty<string>();
        }
    }
}
