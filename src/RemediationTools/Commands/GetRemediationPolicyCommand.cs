using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Roles;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Gets the least-privilege IAM permission policy of remediation jobs.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationPolicy")]
[OutputType(typeof(RemediationPolicy), typeof(string))]
public sealed class GetRemediationPolicyCommand : PSCmdlet
{
    private readonly List<string> _patterns = new();
    private bool _anyJobGiven;

    /// <summary>Job IDs or underscore aliases; wildcards allowed; every job when omitted. Binds Get-RemediationJob output by its Id.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Id", "Jobs")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[]? Job { get; set; }

    /// <summary>Also grants the actions only undoing the jobs' changes calls (Undo-Remediation through a role with this policy).</summary>
    [Parameter]
    public SwitchParameter IncludeUndo { get; set; }

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
            var jobs = RoleCmdletSupport.SelectJobs(_anyJobGiven ? _patterns : null);
            policy = JobPolicyFactory.Describe(jobs, MaxPolicySize, IncludeUndo.IsPresent);
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
