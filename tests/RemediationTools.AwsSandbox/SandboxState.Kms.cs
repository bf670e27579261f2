using RemediationTools.AwsSandbox.Kms;

namespace RemediationTools.AwsSandbox;

internal sealed partial class SandboxState
{
    /// <summary>KMS keys and aliases per (account, region).</summary>
    public Dictionary<(string AccountId, string Region), KmsRegionState> KmsRegions { get; } = new();

    public KmsRegionState Kms(string accountId, string region)
    {
        Account(accountId);
        if (!KmsRegions.TryGetValue((accountId, region), out var state))
        {
            state = new KmsRegionState();
            KmsRegions[(accountId, region)] = state;
        }

        return state;
    }
}
