using RemediationTools.AwsSandbox.DynamoDb;

namespace RemediationTools.AwsSandbox;

internal sealed partial class SandboxState
{
    /// <summary>DynamoDB state per account and region ("account/region").</summary>
    public Dictionary<string, DynamoDbRegionState> DynamoDbRegions { get; } = new(StringComparer.Ordinal);

    /// <summary>How many DescribeTable calls a new table answers CREATING before it is ACTIVE (0: ACTIVE at the first).</summary>
    public int DynamoDbCreatingDescribeCalls { get; set; }

    public DynamoDbRegionState DynamoDb(string accountId, string region)
    {
        Account(accountId);
        var key = accountId + "/" + region;
        if (!DynamoDbRegions.TryGetValue(key, out var state))
        {
            state = new DynamoDbRegionState();
            DynamoDbRegions[key] = state;
        }

        return state;
    }
}
