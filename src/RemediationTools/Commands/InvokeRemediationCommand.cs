using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Text.Json;
using RemediationTools.Completers;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Fixes security findings by running the matching remediation job: plan, apply, verify.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Remediation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = FindingSet)]
[OutputType(typeof(RemediationResult), typeof(RemediationRequest), typeof(RemediationRun))]
public sealed class InvokeRemediationCommand : AwsCmdletBase
{
    private const string FindingSet = "Finding";
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";
    private const string ResourceSet = "Resource";
    private const int ProgressActivityId = 0x5245;

    private readonly List<Finding> _findings = new();
    private readonly RemediationOptions _options = new();
    private HighImpactConfirmation? _confirmation;

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

    /// <summary>The job to run instead of the one serving the finding's rule ID; with -ResourceId, the job to run on it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResourceSet)]
    [Parameter(ParameterSetName = FindingSet)]
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string? Job { get; set; }

    /// <summary>The resource to fix with -Job: its ID, name or ARN. The region is -Region (else the ARN's, else the session's).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResourceSet)]
    [ValidateNotNullOrEmpty]
    public string? ResourceId { get; set; }

    /// <summary>The account of -ResourceId (12 digits); default: the account of the ARN, else the caller's own.</summary>
    [Parameter(ParameterSetName = ResourceSet)]
    [ValidatePattern(@"^\d{12}$")]
    public string? AccountId { get; set; }

    /// <summary>Cloud accounts with the role to assume in each: objects or hashtables with RoleArn, ExternalId and (optional) AccountId.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public object[]? CloudAccount { get; set; }

    /// <summary>Change at most this many findings; the rest are Skipped with the reason.</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int MaxChanges { get; set; } = -1;

    /// <summary>Run jobs marked disruptive (they stop instances or replace volumes).</summary>
    [Parameter]
    public SwitchParameter AllowDisruptive { get; set; }

    /// <summary>How many findings of the same account and region run at once (default: the smallest EC2 burst the jobs use).</summary>
    [Parameter]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = RemediationOptions.DefaultThrottleLimit;

    /// <summary>The role to assume in the finding's account.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? RoleArn { get; set; }

    /// <summary>The external ID the role's trust policy requires.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Queue the findings for this worker group's workers instead of running them here.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string? WorkerGroup { get; set; }

    /// <summary>With -WorkerGroup: wait for the runs and write them as they finish.</summary>
    [Parameter]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: stop waiting after this time (the requests stay queued).</summary>
    [Parameter]
    public TimeSpan? Timeout { get; set; }

    /// <summary>The store of worker groups: local (default), local:&lt;folder&gt;, aws or aws:&lt;name&gt; (with this cmdlet's AWS parameters); else REMEDIATION_STORE.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>
    /// Applies High-impact changes (jobs that delete something or cannot be undone exactly) without asking; -WhatIf
    /// still only plans, and -Confirm still asks.
    /// </summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Split a port range around the port, or remove the whole rule.</summary>
    [Parameter]
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>
    /// The KMS key (key ID, key ARN, alias name or alias ARN) with which s3-enable-default-encryption encrypts buckets
    /// that have no default encryption (SSE-KMS with an S3 bucket key; without it, SSE-S3) and kinesis-encrypt-stream
    /// encrypts unencrypted streams (without it, alias/aws/kinesis).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KmsKeyId { get; set; }

    /// <summary>
    /// The prefix of the logging buckets (&lt;prefix&gt;-&lt;account&gt;-&lt;region&gt;) that s3-enable-access-logging creates or
    /// reuses; the default is the replaced system's, so its buckets are reused.
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LoggingBucketPrefix { get; set; } = Core.Jobs.S3.LoggingTargetBucket.DefaultPrefix;

    /// <summary>
    /// The minimum password length aws-iam-password-policy-min-length raises the account password policy to (IAM's
    /// range 6 to 128); a longer minimum is never lowered.
    /// </summary>
    [Parameter]
    [ValidateRange(6, 128)]
    public int MinimumLength { get; set; } = RemediationOptions.DefaultMinimumPasswordLength;

    /// <summary>
    /// How many previous passwords aws-iam-password-reuse-prevention makes IAM users unable to reuse (IAM's range 1 to
    /// 24); a higher setting is never lowered.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 24)]
    public int ReusePrevention { get; set; } = RemediationOptions.DefaultPasswordReusePrevention;

    /// <summary>
    /// The backup retention in days rds-backup-retention-30-days raises DB instances (or their clusters) to (RDS's range
    /// 1 to 35); a longer retention is never lowered.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 35)]
    public int RetentionDays { get; set; } = RemediationOptions.DefaultBackupRetentionDays;

    /// <summary>Checks the parameters that do not depend on the input.</summary>
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

        if (WorkerGroup is not null && (RoleArn is not null || CloudAccount is not null))
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException($"-WorkerGroup takes the roles from worker group '{WorkerGroup}'; do not give -RoleArn or -CloudAccount with it."),
                ErrorIds.CloudAccountInvalid, ErrorCategory.InvalidArgument, WorkerGroup));
        }

        if ((Wait.IsPresent || Timeout is not null) && WorkerGroup is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ArgumentException("-Wait and -Timeout go with -WorkerGroup."), ErrorIds.WorkerGroupInvalid, ErrorCategory.InvalidArgument, null));
        }

        CloudAccountBinder.AddAll(this, _options, CloudAccount);
        if (Job is not null && JobCatalog.Default.FindById(Job) is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException($"There is no remediation job '{Job}'. Get-RemediationJob lists the jobs."),
                ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, Job));
        }

        _options.RangeMode = RangeMode;
        try
        {
            _options.KmsKeyId = KmsKeyId;
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.KmsKeyIdInvalid, ErrorCategory.InvalidArgument, KmsKeyId));
        }

        try
        {
            _options.LoggingBucketPrefix = LoggingBucketPrefix;
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.LoggingBucketPrefixInvalid, ErrorCategory.InvalidArgument, LoggingBucketPrefix));
        }

        _options.MinimumPasswordLength = MinimumLength;
        _options.PasswordReusePrevention = ReusePrevention;
        _options.BackupRetentionDays = RetentionDays;
        _options.JobId = Job;
        _options.AllowDisruptive = AllowDisruptive.IsPresent;
        _options.ThrottleLimit = ThrottleLimit;
        _options.MaxChanges = MaxChanges >= 0 ? MaxChanges : null;
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
            case ResourceSet:
                // Parsed in EndProcessing, where the session's region is known.
                break;
            default:
                AddFinding(Finding, "the pipeline");
                break;
        }
    }

    /// <summary>Runs the collected findings as one batch, writing each result as soon as it is known.</summary>
    protected override void EndProcessing()
    {
        if (_findings.Count == 0 && ParameterSetName != ResourceSet)
        {
            return;
        }

        if (WorkerGroup is not null)
        {
            DispatchToWorkerGroup(WorkerGroup);
            return;
        }

        RunOnPipeline(async (dispatcher, cancellationToken) =>
        {
            var reporter = new PipelineReporter(this, dispatcher, ProgressActivityId);
            var factoryOptions = new AwsClientFactoryOptions { Log = reporter.Verbose };
            using AwsClientFactory factory = await AwsClientFactory.CreateAsync(GetConnectionOptions(), factoryOptions, cancellationToken).ConfigureAwait(false);
            reporter.Verbose($"AWS credentials from {factory.Connection.CredentialSource}; region {factory.Connection.Region}.");
            if (ParameterSetName == ResourceSet && !TryAddResourceFinding(factory.Connection.Region, dispatcher))
            {
                return false;
            }

            var engine = new RemediationEngine(factory, JobCatalog.Default, reporter);
            await engine.RunBatchAsync(
                _findings,
                _options,
                plan => dispatcher.InvokeAsync(() => Confirm(plan)),
                (index, result) => dispatcher.Post(() => WriteResult(_findings[index], result)),
                cancellationToken).ConfigureAwait(false);
            return true;
        });
    }

    // Queues the findings (all or none: a finding for an account outside the group queues nothing), then
    // optionally waits for their runs. No AWS call is made here: the group's workers assume the roles.
    private void DispatchToWorkerGroup(string groupName)
    {
        if (ParameterSetName == ResourceSet && !TryAddResourceFinding(Region ?? string.Empty, null))
        {
            return;
        }

        IRemediationStore? store = null;
        try
        {
            store = RunOnPipeline((_, cancellationToken) => StoreFactory.CreateAsync(Store, new StoreAwsSettings { Connection = GetConnectionOptions() }, cancellationToken));
            RemediationWorkerGroup group = RunOnPipeline((_, cancellationToken) => new WorkerGroupService(store).GetAsync(groupName, cancellationToken));
            List<Finding> confirmed = _findings.Where(f => ConfirmQueued(f, group.Name)).ToList();
            if (confirmed.Count == 0)
            {
                return;
            }

            var dispatcher = new WorkerGroupDispatcher(store);
            IReadOnlyList<string> ids = RunOnPipeline((_, cancellationToken) => dispatcher.EnqueueAsync(group, confirmed, Job, RangeMode, _options.KmsKeyId, LoggingBucketPrefix, new PasswordPolicyTargets(MinimumLength, ReusePrevention), RetentionDays, cancellationToken));
            var requests = ids.Select((id, i) => new RemediationRequest
            {
                RequestId = id,
                WorkerGroup = group.Name,
                FindingId = confirmed[i].FindingId,
                JobId = Job ?? JobCatalog.Default.Resolve(confirmed[i])?.Info.Id,
                AccountId = confirmed[i].AccountId,
                Region = confirmed[i].Region,
                ResourceId = confirmed[i].ResourceId,
                Enqueued = DateTimeOffset.UtcNow,
            }).ToList();
            if (!Wait)
            {
                WriteObject(requests, enumerateCollection: true);
                return;
            }

            const string activity = "Waiting for worker group runs";
            int done = 0;
            try
            {
                IReadOnlyList<RemediationRun> runs = RunOnPipeline((pipeline, cancellationToken) => dispatcher.WaitAsync(
                    group.Name,
                    ids,
                    new InlineProgress<RemediationRun>(run => pipeline.Post(() =>
                    {
                        done++;
                        WriteProgress(new ProgressRecord(ProgressActivityId, activity, $"{done} of {ids.Count} finished") { PercentComplete = done * 100 / ids.Count });
                        WriteObject(run);
                    })),
                    Timeout,
                    cancellationToken));
                if (runs.Count < ids.Count)
                {
                    WriteWarning($"{ids.Count - runs.Count} of {ids.Count} request(s) had not finished after {Timeout}; they stay queued. Get-RemediationRun -WorkerGroup {group.Name} shows them later.");
                }
            }
            finally
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
        finally
        {
            (store as IDisposable)?.Dispose();
        }
    }

    // ShouldProcess once per resolved target, on the pipeline thread; -WhatIf and a "No" both leave the plan
    // unapplied and return it as a Planned result (a WhatIf is marked as a dry run, so it counts toward -MaxChanges).
    // An irreversible job's change is asked about as a High-impact change.
    private bool Confirm(RemediationPlan plan)
    {
        if (_confirmation!.Confirm(plan.Finding, plan.Target, plan.Operation, HighImpactReason(plan.Job?.Info), out bool whatIf))
        {
            return true;
        }

        plan.DryRun = whatIf;
        return false;
    }

    // Queuing is where the user decides for a worker group's run, so an irreversible job is asked about here.
    private bool ConfirmQueued(Finding finding, string groupName)
    {
        RemediationJobInfo? job = JobCatalog.Default.Resolve(finding, Job)?.Info;
        if (_confirmation!.Confirm(finding, finding.ToString(), $"Queue for worker group '{groupName}'" + (job is null ? string.Empty : " (" + job.Id + ")"), HighImpactReason(job), out _))
        {
            return true;
        }

        if (_confirmation.Unconfirmed(finding) is { } reason)
        {
            WriteConfirmationRequired(finding.ResourceId + ": " + reason, finding);
        }

        return false;
    }

    private static string? HighImpactReason(RemediationJobInfo? job) =>
        job is { Irreversible: true } ? $"{job.Id} deletes something or cannot be undone exactly: {job.Impact}" : null;

    private void WriteConfirmationRequired(string message, object target) =>
        WriteError(new ErrorRecord(new InvalidOperationException(message), ErrorIds.ConfirmationRequired, ErrorCategory.OperationStopped, target));

    private bool TryAddResourceFinding(string sessionRegion, PipelineDispatcher? dispatcher)
    {
        var plain = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Job"] = Job,
            ["ResourceId"] = ResourceId,
        };
        if (AccountId is not null)
        {
            plain["AccountId"] = AccountId;
        }

        // -Region is the AWS parameter and the finding's region; without it, an ARN's region, else the session's.
        bool arnHasRegion = ResourceId!.StartsWith("arn:", StringComparison.Ordinal) && ResourceId.Split(':').Length > 3 && ResourceId.Split(':')[3].Length > 0;
        if (Region is not null || !arnHasRegion)
        {
            plain["Region"] = Region ?? sessionRegion;
        }

        try
        {
            _findings.Add(FindingParser.ParseObject(plain));
            return true;
        }
        catch (FindingFormatException ex)
        {
            var error = new FindingFormatException($"-ResourceId '{ResourceId}' cannot be used: {ex.Message}", ex);
            if (dispatcher is null)
            {
                WriteFindingError(error, ResourceId);
            }
            else
            {
                dispatcher.Post(() => WriteFindingError(error, ResourceId));
            }

            return false;
        }
    }

    private void WriteResult(Finding finding, RemediationResult result)
    {
        if (result.Status == RemediationStatus.Planned && _confirmation!.Unconfirmed(finding) is { } unconfirmed)
        {
            result.Reason = unconfirmed;
            WriteObject(result);
            WriteConfirmationRequired($"{result.JobId} on {result.ResourceId} (account {result.AccountId}, {result.Region}): {unconfirmed}", result);
            return;
        }

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
        var (errorId, category) = ResultErrors.For(result);
        var message = $"{result.JobId} on {result.ResourceId} (account {result.AccountId}, {result.Region}) failed: {result.Reason}";
        WriteError(new ErrorRecord(new InvalidOperationException(message), errorId, category, result));
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
        if (plain is Dictionary<string, object?> map)
        {
            // Read as JSON, like a string, so that envelopes of several findings are found either way.
            plain = JsonSerializer.Serialize(map);
        }

        if (plain is string envelopeJson && envelopeJson.TrimStart().StartsWith("{", StringComparison.Ordinal) && TryAddEnvelope(envelopeJson, source))
        {
            return;
        }

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

    // A Security Hub envelope (an EventBridge event's detail.findings, or a Findings array) holds several findings.
    private bool TryAddEnvelope(string json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            IReadOnlyList<JsonElement>? findings = FindingParser.SecurityHubEnvelope(document.RootElement);
            if (findings is null)
            {
                return false;
            }

            foreach (JsonElement element in findings)
            {
                AddParsed(element.GetRawText(), source);
            }

            return true;
        }
        catch (JsonException)
        {
            // Not JSON: the parser reports it with the field and position.
            return false;
        }
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
}
