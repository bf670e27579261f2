using RemediationTools.AwsSandbox.CloudTrail;
using RemediationTools.AwsSandbox.Elb;

namespace RemediationTools.AwsSandbox;

internal sealed partial class SandboxState
{
    /// <summary>Classic and v2 load balancers, per (account, region).</summary>
    public Dictionary<(string AccountId, string Region), ElbRegionState> ElbRegions { get; } = new();

    /// <summary>CloudTrail trails per account (each with its home region).</summary>
    public Dictionary<string, List<SandboxTrail>> Trails { get; } = new(StringComparer.Ordinal);

    public ElbRegionState Elb(string accountId, string region)
    {
        Account(accountId);
        if (!ElbRegions.TryGetValue((accountId, region), out var state))
        {
            state = new ElbRegionState();
            ElbRegions[(accountId, region)] = state;
        }

        return state;
    }

    public List<SandboxTrail> TrailsOf(string accountId)
    {
        Account(accountId);
        if (!Trails.TryGetValue(accountId, out var trails))
        {
            trails = new List<SandboxTrail>();
            Trails[accountId] = trails;
        }

        return trails;
    }
}
