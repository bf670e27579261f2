using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Fixes security findings by running the matching remediation job: plan, apply, verify.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Remediation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = FindingSet)]
[OutputType(typeof(RemediationResult))]
public sealed class InvokeRemediationCommand : AwsCmdletBase
{
    private const string FindingSet = "Finding";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const int ProgressActivityId = 0x5245;

    private static readonly Regex RoleArnPattern = new(@"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$", RegexOptions.CultureInvariant);

    private readonly List<Finding> _findings = new();

    /// <summary>A finding: a JSON string or an object of the payload format.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = FindingSet)]
    [ValidateNotNull]
    public object? Finding { get; set; }

    /// <summary>JSON files with findings; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>JSON files with findings, used as written.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The job to run instead of the one serving the finding's rule ID.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string? Job { get; set; }

    /// <summary>The role to assume in the finding's account.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RoleArn { get; set; }

    /// <summary>The external ID the role's trust policy requires.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Split a port range around the port, or remove the whole rule.</summary>
    [Parameter]
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>Checks the parameters that do not depend on the input.</summary>
    protected override void BeginProcessing()
    {
        if (RoleArn is not null && !RoleArnPattern.IsMatch(RoleArn))
        {
            ThrowParameterError($"'{RoleArn}' is not an IAM role ARN (arn:aws:iam::<account>:role/<name>).", RoleArn);
        }

        if ((RoleArn is null) != (ExternalId is null))
        {
            ThrowParameterError("-RoleArn and -ExternalId go together: the account role trusts the caller only with the external ID.", RoleArn ?? ExternalId);
        }

        if (Job is not null && JobCatalog.Default.FindById(Job) is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException($"There is no remediation job '{Job}'. Get-RemediationJob lists the jobs."),
                ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, Job));
        }
    }

    /// <summary>Reads and validates each input finding; a bad one is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case PathSet:
                foreach (string file in ResolvePaths(Path!, literal: false))
                {
                    AddFromFile(file);
                }

                break;
            case LiteralPathSet:
                foreach (string file in ResolvePaths(LiteralPath!, literal: true))
                {
                    AddFromFile(file);
                }

                break;
            default:
                AddFinding(Finding, "the pipeline");
                break;
        }
    }

    /// <summary>Runs the collected findings, writing each result as soon as it is known.</summary>
    protected override void EndProcessing()
    {
        if (_findings.Count == 0)
        {
            return;
        }

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            var factoryOptions = new AwsClientFactoryOptions { Log = reporter.Verbose };
            using AwsClientFactory factory = await AwsClientFactory.CreateAsync(GetConnectionOptions(), factoryOptions, cancellationToken).ConfigureAwait(false);
            reporter.Verbose($"AWS credentials from {factory.Connection.CredentialSource}; region {factory.Connection.Region}.");
            var engine = new RemediationEngine(factory, JobCatalog.Default, reporter);
            var options = new RemediationOptions { RangeMode = RangeMode, JobId = Job };
            if (RoleArn is not null)
            {
                options.DefaultRole = new AccountRole(RoleArn, ExternalId!);
            }

            const string activity = "Remediating findings";
            try
            {
                for (int i = 0; i < _findings.Count; i++)
                {
                    Finding finding = _findings[i];
                    reporter.Progress(new RemediationProgress(
                        activity,
                        string.Format(CultureInfo.InvariantCulture, "{0} of {1}: {2}", i + 1, _findings.Count, finding),
                        i * 100 / _findings.Count,
                        completed: false));
                    await RunOneAsync(engine, finding, options, dispatcher, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                reporter.Progress(new RemediationProgress(activity, "Done", 100, completed: true));
            }

            return true;
        });
    }

    private async Task RunOneAsync(RemediationEngine engine, Finding finding, RemediationOptions options, PipelineDispatcher dispatcher, CancellationToken cancellationToken)
    {
        RemediationPlan plan = await engine.PlanAsync(finding, options, cancellationToken).ConfigureAwait(false);
        if (plan.HasChanges)
        {
            // ShouldProcess once per resolved target, on the pipeline thread; -WhatIf and a "No" both leave the
            // plan unapplied and return it as a Planned result.
            bool confirmed = await dispatcher.InvokeAsync(() => ShouldProcess(plan.Target, plan.Operation)).ConfigureAwait(false);
            if (!confirmed)
            {
                plan.DryRun = true;
            }
        }

        RemediationResult result = await engine.ApplyAsync(plan, cancellationToken).ConfigureAwait(false);
        dispatcher.Post(() => WriteResult(result));
    }

    private void WriteResult(RemediationResult result)
    {
        if (result.Status != RemediationStatus.Failed)
        {
            WriteObject(result);
            return;
        }

        switch (result.ErrorCode)
        {
            case FailureTranslator.UnknownRule:
            case FailureTranslator.UnknownJob:
                // Nothing was touched: the finding itself is the problem, so it is an error, not a result.
                WriteError(new ErrorRecord(new ItemNotFoundException(result.Reason), ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, result.RuleId ?? result.JobId));
                return;
            case FailureTranslator.InvalidFinding:
                WriteError(new ErrorRecord(new FindingFormatException(result.Reason ?? "The finding is invalid."), ErrorIds.FindingInvalid, ErrorCategory.InvalidData, result.FindingId));
                return;
        }

        WriteObject(result);
        bool assumeRoleRefused = result.ErrorCode == FailureTranslator.AssumeRoleDenied;
        var message = $"{result.JobId} on {result.ResourceId} (account {result.AccountId}, {result.Region}) failed: {result.Reason}";
        WriteError(new ErrorRecord(
            new InvalidOperationException(message),
            assumeRoleRefused ? ErrorIds.AssumeRoleDenied : ErrorIds.RemediationFailed,
            assumeRoleRefused ? ErrorCategory.PermissionDenied : ErrorCategory.InvalidResult,
            result));
    }

    private void AddFromFile(string file)
    {
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.FileReadFailed, ErrorCategory.ReadError, file));
            return;
        }

        AddFinding(text, file);
    }

    private void AddFinding(object? input, string source)
    {
        object? plain = input is string ? input : PlainObjectConverter.ToPlain(input);
        if (plain is string json && json.TrimStart().StartsWith("[", StringComparison.Ordinal))
        {
            // A file or string may hold an array of findings.
            try
            {
                using var document = JsonDocument.Parse(json);
                foreach (JsonElement element in document.RootElement.EnumerateArray())
                {
                    AddParsed(element.GetRawText(), source);
                }
            }
            catch (JsonException ex)
            {
                WriteFindingError(new FindingFormatException($"The findings from {source} are not valid JSON: {ex.Message}", ex), input);
            }

            return;
        }

        if (plain is List<object?> list)
        {
            foreach (object? item in list)
            {
                AddParsed(item, source);
            }

            return;
        }

        AddParsed(plain, source);
    }

    private void AddParsed(object? graph, string source)
    {
        try
        {
            _findings.Add(FindingParser.ParseObject(graph));
        }
        catch (FindingFormatException ex)
        {
            WriteFindingError(new FindingFormatException($"A finding from {source} is invalid: {ex.Message}", ex), graph);
        }
    }

    private void WriteFindingError(Exception exception, object? target) =>
        WriteError(new ErrorRecord(exception, ErrorIds.FindingInvalid, ErrorCategory.InvalidData, target));

    private List<string> ResolvePaths(IEnumerable<string> paths, bool literal)
    {
        var files = new List<string>();
        foreach (string path in paths)
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

                    files.Add(file);
                }
                else
                {
                    Collection<string> resolved = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo _);
                    files.AddRange(resolved.Where(File.Exists));
                }
            }
            catch (ItemNotFoundException ex)
            {
                WriteError(new ErrorRecord(ex, ErrorIds.PathNotFound, ErrorCategory.ObjectNotFound, path));
            }
        }

        return files;
    }

    private void ThrowParameterError(string message, object? target) =>
        ThrowTerminatingError(new ErrorRecord(new ArgumentException(message), ErrorIds.RoleArnInvalid, ErrorCategory.InvalidArgument, target));
}
