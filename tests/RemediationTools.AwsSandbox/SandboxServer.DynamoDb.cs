using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.DynamoDb;

namespace RemediationTools.AwsSandbox;

/// <summary>One stored DynamoDB item, as <see cref="SandboxServer.DumpDynamoDbItems"/> returns it.</summary>
/// <param name="AccountId">The account of the table.</param>
/// <param name="Region">The region of the table.</param>
/// <param name="TableName">The table.</param>
/// <param name="ItemJson">The item in DynamoDB's JSON form (<c>{"pk":{"S":"..."},...}</c>).</param>
public sealed record SandboxDynamoDbItem(string AccountId, string Region, string TableName, string ItemJson);

public sealed partial class SandboxServer
{
    /// <summary>
    /// How many DescribeTable calls a new table answers <c>CREATING</c> before one answers <c>ACTIVE</c>; until then item
    /// calls on it fail with ResourceNotFoundException, as in AWS. 0 (the default): the table is ACTIVE at once (the
    /// CreateTable response still says CREATING, as AWS's always does). Applies to tables created afterwards.
    /// </summary>
    public int DynamoDbCreatingDescribeCalls
    {
        get { lock (_state.Gate) { return _state.DynamoDbCreatingDescribeCalls; } }
        set { lock (_state.Gate) { _state.DynamoDbCreatingDescribeCalls = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The number of DescribeTable calls is 0 or more."); } }
    }

    /// <summary>Every item of every DynamoDB table of every account and region, for tests that scan the whole state (e.g. for secrets).</summary>
    public IReadOnlyList<SandboxDynamoDbItem> DumpDynamoDbItems()
    {
        lock (_state.Gate)
        {
            var result = new List<SandboxDynamoDbItem>();
            foreach (var (key, region) in _state.DynamoDbRegions.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                var parts = key.Split('/', 2);
                foreach (var table in region.Tables.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
                {
                    foreach (var item in table.Partitions.Values.SelectMany(p => p.Values))
                    {
                        result.Add(new SandboxDynamoDbItem(parts[0], parts[1], table.Name, ItemJson(item)));
                    }
                }
            }

            return result;
        }
    }

    /// <summary>
    /// Deletes now every item whose TTL attribute (a number of epoch seconds) is in the past, in tables with TTL enabled,
    /// as DynamoDB's background process does within a few days. The sandbox never does this by itself: expired items stay
    /// readable until this is called, as they may in AWS. Returns the number of items deleted.
    /// </summary>
    public int ExpireDynamoDbItems()
    {
        lock (_state.Gate)
        {
            var now = _state.Now.ToUnixTimeSeconds();
            var deleted = 0;
            foreach (var table in _state.DynamoDbRegions.Values.SelectMany(r => r.Tables.Values).Where(t => t.TimeToLiveEnabled))
            {
                var expired = table.Partitions.Values.SelectMany(p => p.Values)
                    .Where(i => i.TryGetValue(table.TimeToLiveAttribute!, out var ttl) && ttl.Type == "N" && ttl.Number < now)
                    .ToList();
                foreach (var item in expired)
                {
                    table.Delete(item);
                    deleted++;
                }
            }

            return deleted;
        }
    }

    private static string ItemJson(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            AttributeValue.WriteItem(writer, item);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The control API's view of <see cref="DumpDynamoDbItems"/>.</summary>
    internal string DumpDynamoDbItemsJson() =>
        "[" + string.Join(",", DumpDynamoDbItems().Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{{\"accountId\":{JsonSerializer.Serialize(i.AccountId)},\"region\":{JsonSerializer.Serialize(i.Region)},\"tableName\":{JsonSerializer.Serialize(i.TableName)},\"item\":{i.ItemJson}}}"))) + "]";
}
