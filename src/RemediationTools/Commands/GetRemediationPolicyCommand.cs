using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Gets the least-privilege IAM permission policy of remediation jobs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationPolicy", DefaultParameterSetName = "Jobs")]
[OutputType(typeof(RemediationPolicy), typeof(string))]
public sealed class GetRemediationPolicyCommand : PSCmdlet
{
    private readonly List<string> _patterns = new();
    private bool _anyJobGiven;

    /// <summary>Job IDs or underscore aliases; wildcards allowed; every job when omitted. Binds Get-RemediationJob output by its Id.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Jobs")]
    [Alias("Id", "Jobs")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[]? Job { get; set; }

    /// <summary>Also grants the actions only undoing the jobs' changes calls (Undo-Remediation through a role with this policy).</summary>
    [Parameter(ParameterSetName = "Jobs")]
    public SwitchParameter IncludeUndo { get; set; }

    /// <summary>
    /// Instead of the jobs' policy: the worker role's policy for these worker groups on the AWS store (their queues, and
    /// their partition of the table). Needs -AccountId and -Region of the hosting account.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = "WorkerGroup")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(WorkerGroupNameCompleter))]
    public string[]? WorkerGroup { get; set; }

    /// <summary>The AWS store of the worker groups: aws (installation RemediationTools) or aws:&lt;name&gt;.</summary>
    [Parameter(ParameterSetName = "WorkerGroup")]
    [ValidateNotNullOrEmpty]
    public string Store { get; set; } = "aws";

    /// <summary>The hosting account that holds the store's queues and table.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "WorkerGroup")]
    [ValidatePattern(@"^\d{12}$")]
    public string? AccountId { get; set; }

    /// <summary>The region of the store's queues and table.</summary>
    [Parameter(Mandatory = true, ParameterSetName = "WorkerGroup")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RegionCompleter))]
    public string? Region { get; set; }

    /// <summary>Writes the IAM policy JSON documents (strings) instead of the policy object.</summary>
    [Parameter]
    public SwitchParameter AsJson { get; set; }

    /// <summary>The largest document, in characters IAM counts (whitespace excluded); larger policies are split.</summary>
    [Parameter]
    [ValidateRange(256, IamPolicyBuilder.MaxRoleInlinePolicyCharacters)]
    public int MaxPolicySize { get; set; } = IamPolicyBuilder.MaxRoleInlinePolicyCharacters;

    /// <summary>Collects the job patterns of each pipeline item.</summary>
    protected override void ProcessRecord()
    {
        if (Job is not null)
        {
            _anyJobGiven = true;
            _patterns.AddRange(Job);
        }
    }

    /// <summary>Writes the policy of the union of the jobs.</summary>
    protected override void EndProcessing()
    {
        RemediationPolicy policy;
        try
        {
            if (WorkerGroup is not null)
            {
                var installation = WorkerGroupStorePolicy.InstallationOf(Store)
                    ?? throw new ArgumentException("-Store '" + Store + "' is not an AWS store (aws or aws:<name>): only workers on the AWS store need a store policy.");
                policy = WorkerGroupStorePolicy.Describe(WorkerGroup, installation, AccountId!, Region!);
            }
            else
            {
                var jobs = RoleCmdletSupport.SelectJobs(_anyJobGiven ? _patterns : null);
                policy = JobPolicyFactory.Describe(jobs, MaxPolicySize, IncludeUndo.IsPresent);
            }
        }
        catch (Exception ex) when (RoleCmdletSupport.ToErrorRecord(ex, string.Join(",", _patterns)) is { } record)
        {
            WriteError(record);
            return;
        }

        if (AsJson)
        {
            foreach (string document in policy.Documents)
            {
                WriteObject(document);
            }

            return;
        }

        WriteObject(policy);
    }
}
