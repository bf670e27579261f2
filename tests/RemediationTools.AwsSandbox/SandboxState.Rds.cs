using RemediationTools.AwsSandbox.Rds;

namespace RemediationTools.AwsSandbox;

internal sealed partial class SandboxState
{
    /// <summary>RDS instances, clusters and snapshots, per (account, region).</summary>
    public Dictionary<(string AccountId, string Region), RdsRegionState> RdsRegions { get; } = new();

    public RdsRegionState Rds(string accountId, string region)
    {
        Account(accountId);
        if (!RdsRegions.TryGetValue((accountId, region), out var state))
        {
            state = new RdsRegionState();
            RdsRegions[(accountId, region)] = state;
        }

        return state;
    }
}
