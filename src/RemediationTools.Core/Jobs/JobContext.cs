using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Jobs;

/// <summary>Everything a job needs to run on one resource: the finding, the account's clients and the options.</summary>
internal sealed class JobContext
{
    /// <summary>Creates the context.</summary>
    public JobContext(Finding finding, IAwsClients clients, RemediationOptions options, IRemediationReporter reporter, JobReadCache? cache = null)
    {
        Cache = cache ?? new JobReadCache();
        Finding = finding ?? throw new ArgumentNullException(nameof(finding));
        Clients = clients ?? throw new ArgumentNullException(nameof(clients));
        Options = options ?? throw new ArgumentNullException(nameof(options));
        Reporter = reporter ?? throw new ArgumentNullException(nameof(reporter));
    }

    /// <summary>The finding being fixed (for an undo: a finding built from the undo record).</summary>
    public Finding Finding { get; }

    /// <summary>AWS clients for the finding's account.</summary>
    public IAwsClients Clients { get; }

    /// <summary>The run's options.</summary>
    public RemediationOptions Options { get; }

    /// <summary>Where verbose text and warnings go.</summary>
    public IRemediationReporter Reporter { get; }

    /// <summary>
    /// Reads shared with the other findings of the same account and region in this batch (a cache of its own outside
    /// a batch). Read through it in planning; invalidate what a change touched; verify with a fresh read.
    /// </summary>
    public JobReadCache Cache { get; }

    /// <summary>The finding's region.</summary>
    public string Region => Finding.Region;

    /// <summary>
    /// The resource's real region when a job found it elsewhere than the finding says (an S3 bucket's redirect); null
    /// otherwise. The result reports it as its region.
    /// </summary>
    public string? ResourceRegion { get; set; }

    /// <summary>The finding's resource.</summary>
    public string ResourceId => Finding.ResourceId;
}
