namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>One key attribute of a table: its name and scalar type (S, N or B).</summary>
internal sealed record KeyAttribute(string Name, string Type);

/// <summary>One DynamoDB table of one account in one region, with its items.</summary>
internal sealed class DynamoDbTable
{
    public required string Name { get; init; }

    public required string Arn { get; init; }

    public required string TableId { get; init; }

    public required DateTimeOffset CreationDateTime { get; init; }

    public required KeyAttribute HashKey { get; init; }

    public KeyAttribute? RangeKey { get; init; }

    /// <summary>PAY_PER_REQUEST or PROVISIONED.</summary>
    public required string BillingMode { get; init; }

    public long ReadCapacityUnits { get; init; }

    public long WriteCapacityUnits { get; init; }

    /// <summary>The KMS key ARN when SSESpecification enabled KMS encryption; null for the AWS owned key (the default).</summary>
    public string? KmsMasterKeyArn { get; init; }

    /// <summary>CREATING until <see cref="DescribesUntilActive"/> DescribeTable calls have seen it, then ACTIVE.</summary>
    public string Status { get; set; } = "CREATING";

    public int DescribesUntilActive { get; set; }

    public bool PointInTimeRecovery { get; set; }

    public DateTimeOffset? PointInTimeRecoveryEnabledAt { get; set; }

    public string? TimeToLiveAttribute { get; set; }

    public bool TimeToLiveEnabled { get; set; }

    /// <summary>Items by partition key (key text), then by sort key (key text; empty for a table without one).</summary>
    public Dictionary<string, Dictionary<string, Item>> Partitions { get; } = new(StringComparer.Ordinal);

    public IEnumerable<KeyAttribute> KeyAttributes => RangeKey is null ? [HashKey] : [HashKey, RangeKey];

    public int ItemCount => Partitions.Values.Sum(p => p.Count);

    public long SizeBytes => Partitions.Values.SelectMany(p => p.Values).Sum(i => (long)AttributeValue.ItemSize(i));

    public Item? Find(IReadOnlyDictionary<string, AttributeValue> key) =>
        Partitions.TryGetValue(key[HashKey.Name].KeyText(), out var partition) && partition.TryGetValue(SortText(key), out var item) ? item : null;

    public void Store(Item item)
    {
        var hash = item[HashKey.Name].KeyText();
        if (!Partitions.TryGetValue(hash, out var partition))
        {
            partition = new Dictionary<string, Item>(StringComparer.Ordinal);
            Partitions[hash] = partition;
        }

        partition[SortText(item)] = item;
    }

    public void Delete(IReadOnlyDictionary<string, AttributeValue> key)
    {
        var hash = key[HashKey.Name].KeyText();
        if (Partitions.TryGetValue(hash, out var partition) && partition.Remove(SortText(key)) && partition.Count == 0)
        {
            Partitions.Remove(hash);
        }
    }

    /// <summary>The key attributes of an item.</summary>
    public Item KeyOf(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var key = new Item();
        foreach (var attribute in KeyAttributes)
        {
            key[attribute.Name] = item[attribute.Name];
        }

        return key;
    }

    private string SortText(IReadOnlyDictionary<string, AttributeValue> key) => RangeKey is null ? string.Empty : key[RangeKey.Name].KeyText();
}

/// <summary>The DynamoDB tables of one account in one region, by name.</summary>
internal sealed class DynamoDbRegionState
{
    public Dictionary<string, DynamoDbTable> Tables { get; } = new(StringComparer.Ordinal);
}
