using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Stores;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Fixes security findings by running the matching remediation job: plan, apply, verify.</para>
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "Remediation", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = FindingSet)]
[OutputType(typeof(RemediationResult), typeof(RemediationRequest), typeof(RemediationRun))]
public sealed class InvokeRemediationCommand : AwsCmdletBase
{
    // Four input sets (a finding, -Path, -LiteralPath, -Job with -ResourceId), each run here (the role parameters)
    // or dispatched to a worker group (-WorkerGroup, -Wait, -Timeout, -Store).
    private const string FindingSet = "Finding", PathSet = "Path", LiteralPathSet = "LiteralPath", ResourceSet = "Resource";
    private const string FindingGroupSet = "FindingWorkerGroup", PathGroupSet = "PathWorkerGroup", LiteralPathGroupSet = "LiteralPathWorkerGroup", ResourceGroupSet = "ResourceWorkerGroup";
    private const int ProgressActivityId = 0x5245;

    private readonly RemediationOptions _options = new();
    private FindingInputReader? _reader;
    private HighImpactConfirmation? _confirmation;

    /// <summary>A finding: JSON text (a whole document or one line of it) or an object of the payload format.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = FindingSet)]
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ParameterSetName = FindingGroupSet)]
    [ValidateNotNull]
    [FindingInputTransformation]
    public FindingInput? Finding { get; set; }

    /// <summary>JSON files with findings; wildcards allowed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PathSet), Parameter(Mandatory = true, ParameterSetName = PathGroupSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>JSON files with findings, used as written; files piped from Get-ChildItem bind here by their PSPath.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathGroupSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[]? LiteralPath { get; set; }

    /// <summary>The job to run instead of the one serving the finding's rule ID; with -ResourceId, the job to run on it.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResourceSet), Parameter(Mandatory = true, ParameterSetName = ResourceGroupSet)]
    [Parameter(ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = LiteralPathSet)]
    [Parameter(ParameterSetName = FindingGroupSet), Parameter(ParameterSetName = PathGroupSet), Parameter(ParameterSetName = LiteralPathGroupSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string? Job { get; set; }

    /// <summary>The resource to fix with -Job: its ID, name or ARN. The region is -Region (else the ARN's, else the session's).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ResourceSet), Parameter(Mandatory = true, ParameterSetName = ResourceGroupSet)]
    [ValidateNotNullOrEmpty]
    public string? ResourceId { get; set; }

    /// <summary>The account of -ResourceId (12 digits); default: the account of the ARN, else the caller's own.</summary>
    [Parameter(ParameterSetName = ResourceSet), Parameter(ParameterSetName = ResourceGroupSet)]
    [ValidatePattern(@"^\d{12}$")]
    public string? AccountId { get; set; }

    /// <summary>Cloud accounts with the role to assume in each: New-RemediationAccountRole output, or objects or hashtables with RoleArn, ExternalId and (optional) AccountId.</summary>
    [Parameter(ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    [ValidateNotNullOrEmpty]
    [CloudAccountTransformation]
    [ArgumentCompleter(typeof(CloudAccountCompleter))]
    public RemediationCloudAccount[]? CloudAccount { get; set; }

    /// <summary>The role to assume in the finding's account.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    [ValidateNotNullOrEmpty]
    public string? RoleArn { get; set; }

    /// <summary>The external ID the role's trust policy requires.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet)]
    [Parameter(ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    [ValidateNotNullOrEmpty]
    public string? ExternalId { get; set; }

    /// <summary>Change at most this many findings; the rest are Skipped with the reason.</summary>
    [Parameter(ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    [ValidateRange(0, int.MaxValue)]
    public int MaxChanges { get; set; }

    /// <summary>Run jobs marked disruptive (they stop instances or replace volumes).</summary>
    [Parameter(ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    public SwitchParameter AllowDisruptive { get; set; }

    /// <summary>How many findings of the same account and region run at once (default: the smallest EC2 burst the jobs use).</summary>
    [Parameter(ParameterSetName = FindingSet), Parameter(ParameterSetName = PathSet), Parameter(ParameterSetName = LiteralPathSet), Parameter(ParameterSetName = ResourceSet)]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = RemediationOptions.DefaultThrottleLimit;

    /// <summary>Queue the findings for this worker group's workers instead of running them here.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FindingGroupSet), Parameter(Mandatory = true, ParameterSetName = PathGroupSet)]
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathGroupSet), Parameter(Mandatory = true, ParameterSetName = ResourceGroupSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string? WorkerGroup { get; set; }

    /// <summary>With -WorkerGroup: wait for the runs and write them as they finish.</summary>
    [Parameter(ParameterSetName = FindingGroupSet), Parameter(ParameterSetName = PathGroupSet), Parameter(ParameterSetName = LiteralPathGroupSet), Parameter(ParameterSetName = ResourceGroupSet)]
    public SwitchParameter Wait { get; set; }

    /// <summary>With -Wait: stop waiting after this time (the requests stay queued); default: wait until every run is final.</summary>
    [Parameter(ParameterSetName = FindingGroupSet), Parameter(ParameterSetName = PathGroupSet), Parameter(ParameterSetName = LiteralPathGroupSet), Parameter(ParameterSetName = ResourceGroupSet)]
    [ValidatePositiveTimeSpan]
    public TimeSpan Timeout { get; set; }

    /// <summary>The store of worker groups: local (default), local:&lt;folder&gt;, aws or aws:&lt;name&gt; (with this cmdlet's AWS parameters); else REMEDIATION_STORE.</summary>
    [Parameter(ParameterSetName = FindingGroupSet), Parameter(ParameterSetName = PathGroupSet), Parameter(ParameterSetName = LiteralPathGroupSet), Parameter(ParameterSetName = ResourceGroupSet)]
    [ValidateNotNullOrEmpty]
    public string? Store { get; set; }

    /// <summary>Applies High-impact changes (jobs that delete something or cannot be undone exactly) without asking; -WhatIf still only plans, and -Confirm still asks.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Split a port range around the port, or remove the whole rule.</summary>
    [Parameter]
    public RangeMode RangeMode { get; set; } = RangeMode.Split;

    /// <summary>The KMS key (key ID, key ARN, alias name or alias ARN) for s3-enable-default-encryption (SSE-KMS with a bucket key; without it, SSE-S3) and kinesis-encrypt-stream (without it, alias/aws/kinesis).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KmsKeyId { get; set; }

    /// <summary>The prefix of the logging buckets (&lt;prefix&gt;-&lt;account&gt;-&lt;region&gt;) that s3-enable-access-logging creates or reuses; the default is the replaced system's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string LoggingBucketPrefix { get; set; } = Core.Jobs.S3.LoggingTargetBucket.DefaultPrefix;

    /// <summary>The minimum password length aws-iam-password-policy-min-length raises the account password policy to (6 to 128); never lowered.</summary>
    [Parameter]
    [ValidateRange(6, 128)]
    public int MinimumLength { get; set; } = RemediationOptions.DefaultMinimumPasswordLength;

    /// <summary>How many previous passwords aws-iam-password-reuse-prevention makes unusable (1 to 24); never lowered.</summary>
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
        _reader = new FindingInputReader(Region);
        Check(() => _options.DefaultRole = CloudAccountRoles.DefaultRole(RoleArn, ExternalId), ErrorIds.RoleArnInvalid, RoleArn ?? ExternalId);
        CloudAccountBinder.AddAll(this, _options, CloudAccount);
        if (Job is not null && JobCatalog.Default.FindById(Job) is null)
        {
            ThrowTerminatingError(new ErrorRecord(
                new ItemNotFoundException($"There is no remediation job '{Job}'. Get-RemediationJob lists the jobs."), ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, Job));
        }

        Check(() => _options.KmsKeyId = KmsKeyId, ErrorIds.KmsKeyIdInvalid, KmsKeyId);
        Check(() => _options.LoggingBucketPrefix = LoggingBucketPrefix, ErrorIds.LoggingBucketPrefixInvalid, LoggingBucketPrefix);
        _options.RangeMode = RangeMode;
        _options.MinimumPasswordLength = MinimumLength;
        _options.PasswordReusePrevention = ReusePrevention;
        _options.BackupRetentionDays = RetentionDays;
        _options.JobId = Job;
        _options.AllowDisruptive = AllowDisruptive.IsPresent;
        _options.ThrottleLimit = ThrottleLimit;
        _options.MaxChanges = MyInvocation.BoundParameters.ContainsKey(nameof(MaxChanges)) ? MaxChanges : null;
    }

    /// <summary>Reads each input item; a bad one is an error and the others go on.</summary>
    protected override void ProcessRecord()
    {
        if (Finding is not null)
        {
            WriteErrors(_reader!.AddObject(Finding.Value, "the pipeline", Finding.Original));
            return;
        }

        string[]? paths = LiteralPath ?? Path;
        foreach (string file in paths is null ? Array.Empty<string>() : ProviderPaths.ResolveFiles(this, paths, literal: LiteralPath is not null))
        {
            try
            {
                WriteErrors(_reader!.AddFile(File.ReadAllText(file), file));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(new IOException($"Cannot read the file '{file}': {ex.Message}", ex), ErrorIds.FileReadFailed, ErrorCategory.ReadError, file));
            }
        }
    }

    /// <summary>Runs the collected findings as one batch (here, or queued for the worker group), writing each result as soon as it is known.</summary>
    protected override void EndProcessing()
    {
        WriteErrors(_reader!.Complete());
        var invocation = new RemediationInvocation
        {
            Findings = _reader.Findings,
            Resource = ResourceId is null ? null : new ResourceFindingInput { JobId = Job!, ResourceId = ResourceId, AccountId = AccountId, Region = Region },
            Options = _options,
            Connection = GetConnectionOptions(),
            WorkerGroup = WorkerGroup is null ? null : new WorkerGroupDispatch
            {
                Name = WorkerGroup, Store = Store, Wait = Wait.IsPresent, Timeout = MyInvocation.BoundParameters.ContainsKey(nameof(Timeout)) ? Timeout : null,
            },
        };
        if (invocation.Findings.Count == 0 && invocation.Resource is null)
        {
            return;
        }

        try
        {
            RunOnPipeline(async (dispatcher, cancellationToken) =>
            {
                var host = new InvokeRemediationHost(this, dispatcher, _confirmation!, ProgressActivityId);
                await new RemediationService(JobCatalog.Default).RunAsync(invocation, host, cancellationToken).ConfigureAwait(false);
                return true;
            });
        }
        catch (RemediationStoreException ex)
        {
            ThrowTerminatingError(StoreErrors.ToErrorRecord(ex));
        }
    }

    private void WriteErrors(IReadOnlyList<FindingInputError> errors)
    {
        foreach (FindingInputError error in errors)
        {
            InvokeRemediationHost.WriteFindingError(this, error);
        }
    }

    private void Check(Action apply, string errorId, object? target)
    {
        try
        {
            apply();
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(UserMessages.ForUser(ex), errorId, ErrorCategory.InvalidArgument, target));
        }
    }
}
