using System.Management.Automation;
using RemediationTools.Completers;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the remediation jobs in the catalog.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "RemediationJob")]
[OutputType(typeof(RemediationJobInfo))]
public sealed class GetRemediationJobCommand : PSCmdlet
{
    private readonly HashSet<string> _written = new(StringComparer.Ordinal);

    /// <summary>Job IDs or underscore aliases; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(JobIdCompleter))]
    public string[]? Id { get; set; }

    /// <summary>Rule IDs of finding payloads.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string[]? RuleId { get; set; }

    /// <summary>AWS services; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(ServiceCompleter))]
    public string[]? Service { get; set; }

    /// <summary>Writes the matching jobs, each once.</summary>
    protected override void ProcessRecord()
    {
        IEnumerable<IRemediationJob> jobs = JobCatalog.Default.Jobs;
        if (Id is not null)
        {
            jobs = jobs.Where(job => Id.Any(pattern => Matches(job.Info.Id, pattern) || Matches(job.Info.Id.Replace('-', '_'), pattern))).ToList();
            foreach (string exact in Id.Where(id => !WildcardPattern.ContainsWildcardCharacters(id)))
            {
                if (JobCatalog.Default.FindById(exact) is null)
                {
                    WriteJobNotFound($"There is no remediation job '{exact}'. Get-RemediationJob lists the jobs.", exact);
                }
            }
        }

        if (RuleId is not null)
        {
            var byRule = new List<IRemediationJob>();
            foreach (string ruleId in RuleId)
            {
                IRemediationJob? job = JobCatalog.Default.FindByRuleId(ruleId);
                if (job is null)
                {
                    WriteJobNotFound($"No remediation job serves rule ID '{ruleId}'.", ruleId);
                }
                else
                {
                    byRule.Add(job);
                }
            }

            jobs = jobs.Where(byRule.Contains).ToList();
        }

        if (Service is not null)
        {
            jobs = jobs.Where(job => Service.Any(pattern => Matches(job.Info.Service, pattern)));
        }

        foreach (IRemediationJob job in jobs)
        {
            if (_written.Add(job.Info.Id))
            {
                WriteObject(job.Info);
            }
        }
    }

    private static bool Matches(string value, string pattern) =>
        WildcardPattern.Get(pattern, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(value);

    private void WriteJobNotFound(string message, string target) =>
        WriteError(new ErrorRecord(new ItemNotFoundException(message), ErrorIds.JobNotFound, ErrorCategory.ObjectNotFound, target));
}
