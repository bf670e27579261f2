using RemediationTools.Core.Jobs.Ec2;

namespace RemediationTools.Core.Jobs;

/// <summary>
/// All remediation jobs, in the order of the catalog. A job is found by its ID (kebab-case), by the same name with
/// underscores, or by a rule ID; a rule ID served by two jobs maps to the first one listed.
/// </summary>
internal sealed class JobCatalog
{
    private readonly List<IRemediationJob> jobs;
    private readonly Dictionary<string, IRemediationJob> byId = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, IRemediationJob> byRuleId = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Creates a catalog of <paramref name="jobs"/>, in that order.</summary>
    public JobCatalog(IEnumerable<IRemediationJob> jobs)
    {
        this.jobs = (jobs ?? throw new ArgumentNullException(nameof(jobs))).ToList();
        foreach (var job in this.jobs)
        {
            var id = NormalizeId(job.Info.Id);
            if (byId.ContainsKey(id))
            {
                throw new ArgumentException("Two jobs have the ID " + job.Info.Id + ".", nameof(jobs));
            }

            byId[id] = job;
            foreach (var ruleId in job.Info.RuleIds)
            {
                if (!byRuleId.ContainsKey(ruleId.Trim()))
                {
                    byRuleId[ruleId.Trim()] = job;
                }
            }
        }
    }

    /// <summary>The catalog of every job the module ships.</summary>
    public static JobCatalog Default { get; } = new(CreateShippedJobs());

    /// <summary>The jobs, in catalog order.</summary>
    public IReadOnlyList<IRemediationJob> Jobs => jobs;

    /// <summary>The jobs' descriptions, in catalog order.</summary>
    public IReadOnlyList<RemediationJobInfo> Describe() => jobs.Select(j => j.Info).ToList();

    /// <summary>The job with ID or alias <paramref name="idOrAlias"/> (case-insensitive, underscores or hyphens); null when none.</summary>
    public IRemediationJob? FindById(string? idOrAlias)
        => string.IsNullOrWhiteSpace(idOrAlias) ? null : byId.TryGetValue(NormalizeId(idOrAlias!), out var job) ? job : null;

    /// <summary>The first job serving <paramref name="ruleId"/>; null when none.</summary>
    public IRemediationJob? FindByRuleId(string? ruleId)
        => string.IsNullOrWhiteSpace(ruleId) ? null : byRuleId.TryGetValue(ruleId!.Trim(), out var job) ? job : null;

    /// <summary>The job for a finding: <paramref name="explicitJobId"/>, else the finding's own job, else by its rule ID.</summary>
    public IRemediationJob? Resolve(Finding finding, string? explicitJobId = null)
    {
        var jobId = explicitJobId ?? finding.JobId;
        return jobId is not null ? FindById(jobId) : FindByRuleId(finding.RuleId);
    }

    private static string NormalizeId(string id) => id.Trim().Replace('_', '-');

    private static IEnumerable<IRemediationJob> CreateShippedJobs()
    {
        yield return SecurityGroupClosePortJob.Create("security-group-close-port-5432", "5c8c25f07a550e1fb6560bc6", "tcp", 5432);
        yield return new EbsPrivateSnapshotJob();
        yield return new SecurityGroupNotAttachedDeleteJob();
        yield return new EbsEncryptVolumeJob();
    }
}
