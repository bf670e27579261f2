using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>Query, Scan, BatchWriteItem, BatchGetItem and TransactWriteItems.</summary>
internal static partial class DynamoDbService
{
    private static string Query(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        if (OptionalString(body, "IndexName") is { } index)
        {
            Require(context, "Query", TableArn(context, name) + "/index/" + index, []);
            throw DynamoDbErrors.Validation("The table does not have the specified index: " + index);
        }

        if (body.TryGetProperty("KeyConditions", out _))
        {
            throw DynamoDbErrors.Validation("The sandbox supports KeyConditionExpression only, not the legacy KeyConditions parameter");
        }

        var scope = Scope(body);
        var keyText = OptionalString(body, "KeyConditionExpression")
            ?? throw DynamoDbErrors.Validation("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
        var keyCondition = ExpressionParser.ParseCondition(keyText, "KeyConditionExpression", scope);
        IReadOnlyList<DocumentPath> filterPaths = [];
        var filter = OptionalString(body, "FilterExpression") is { } f ? ExpressionParser.ParseCondition(f, "FilterExpression", scope, out filterPaths) : null;
        var projection = OptionalString(body, "ProjectionExpression") is { } p ? ExpressionParser.ParseProjection(p, scope) : null;
        scope.CheckAllUsed();

        // IAM before the table: the partition key value comes from the key condition, whatever the schema.
        var hashCondition = FirstComparison(keyCondition);
        var leading = hashCondition?.Right is ValueOperand v ? new List<string> { LeadingKey(v.Value) } : [];
        Require(context, "Query", TableArn(context, name), leading);
        var table = ActiveTable(context, name);
        var (hashValue, sortCondition) = SplitKeyCondition(table, keyCondition);
        if (filterPaths.FirstOrDefault(path => table.KeyAttributes.Any(a => a.Name == path.Root)) is { } keyPath)
        {
            throw DynamoDbErrors.Validation("Filter Expression can only contain non-primary key attributes: Primary key attribute: " + keyPath.Root);
        }

        var items = table.Partitions.TryGetValue(hashValue.KeyText(), out var partition)
            ? partition.Values.Where(i => sortCondition is null || sortCondition.Evaluate(i)).ToList()
            : [];
        if (table.RangeKey is { } range)
        {
            items.Sort((a, b) => a[range.Name].CompareTo(b[range.Name]) ?? 0);
        }

        var forward = !body.TryGetProperty("ScanIndexForward", out var direction) || direction.ValueKind != JsonValueKind.False;
        if (!forward)
        {
            items.Reverse();
        }

        return Page(table, body, items, filter, projection, forward);
    }

    private static string Scan(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var scope = Scope(body);
        var filter = OptionalString(body, "FilterExpression") is { } f ? ExpressionParser.ParseCondition(f, "FilterExpression", scope) : null;
        var projection = OptionalString(body, "ProjectionExpression") is { } p ? ExpressionParser.ParseProjection(p, scope) : null;
        scope.CheckAllUsed();
        Require(context, "Scan", TableArn(context, name), []);
        var table = ActiveTable(context, name);

        // A scan reads partitions in an order of DynamoDB's choosing (hash order); the sandbox uses key text order.
        var items = table.Partitions.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .SelectMany(pair => table.RangeKey is { } range
                ? pair.Value.Values.OrderBy(i => i, Comparer<Item>.Create((a, b) => a[range.Name].CompareTo(b[range.Name]) ?? 0))
                : pair.Value.Values.AsEnumerable())
            .ToList();
        return Page(table, body, items, filter, projection, forward: true);
    }

    /// <summary>One page of a Query or Scan: from after ExclusiveStartKey, at most Limit items read and 1 MB, then filtered.</summary>
    private static string Page(DynamoDbTable table, JsonElement body, List<Item> items, Condition? filter, IReadOnlyList<DocumentPath>? projection, bool forward)
    {
        var start = 0;
        if (body.TryGetProperty("ExclusiveStartKey", out var startJson) && startJson.ValueKind == JsonValueKind.Object)
        {
            var startKey = AttributeValue.ParseItem(startJson);
            if (startKey.Count != table.KeyAttributes.Count() || table.KeyAttributes.Any(a => !startKey.TryGetValue(a.Name, out var value) || value.Type != a.Type))
            {
                throw DynamoDbErrors.Validation("The provided starting key is invalid: The provided key element does not match the schema");
            }

            var position = items.FindIndex(i => table.KeyAttributes.All(a => i[a.Name].ValueEquals(startKey[a.Name])));
            if (position >= 0)
            {
                start = position + 1;
            }
            else
            {
                // The start item may have been deleted since: continue after where it would be.
                start = items.FindIndex(i => After(table, i, startKey, forward));
                start = start < 0 ? items.Count : start;
            }
        }

        int? limit = null;
        if (body.TryGetProperty("Limit", out var limitJson) && limitJson.ValueKind == JsonValueKind.Number)
        {
            limit = limitJson.GetInt32();
            if (limit < 1)
            {
                throw DynamoDbErrors.Validation("1 validation error detected: Value '" + limit.Value.ToString(CultureInfo.InvariantCulture) + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
            }
        }

        var select = OptionalString(body, "Select") ?? "ALL_ATTRIBUTES";
        if (select is not ("ALL_ATTRIBUTES" or "COUNT" or "SPECIFIC_ATTRIBUTES"))
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value '" + select + "' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
        }

        if (select == "COUNT" && projection is not null)
        {
            throw DynamoDbErrors.Validation("Cannot specify the AttributesToGet when choosing to get only the Count");
        }

        var scanned = 0;
        var bytes = 0;
        var matched = new List<Item>();
        Item? last = null;
        var stopped = false;
        for (var index = start; index < items.Count; index++)
        {
            var item = items[index];
            scanned++;
            bytes += AttributeValue.ItemSize(item);
            last = item;
            if (filter is null || filter.Evaluate(item))
            {
                matched.Add(item);
            }

            if ((limit is { } l && scanned >= l) || bytes >= MaxPageBytes)
            {
                // DynamoDB stops here and returns LastEvaluatedKey even when no item is left (the next page is empty).
                stopped = true;
                break;
            }
        }

        return Write(w =>
        {
            if (select != "COUNT")
            {
                w.WriteStartArray("Items");
                foreach (var item in matched)
                {
                    AttributeValue.WriteItem(w, Project(item, projection));
                }

                w.WriteEndArray();
            }

            w.WriteNumber("Count", matched.Count);
            w.WriteNumber("ScannedCount", scanned);
            if (stopped && last is not null)
            {
                WriteItemProperty(w, "LastEvaluatedKey", table.KeyOf(last));
            }
        });
    }

    private static bool After(DynamoDbTable table, Item item, Dictionary<string, AttributeValue> startKey, bool forward)
    {
        if (table.RangeKey is not { } range)
        {
            return string.CompareOrdinal(item[table.HashKey.Name].KeyText(), startKey[table.HashKey.Name].KeyText()) > 0;
        }

        var order = item[range.Name].CompareTo(startKey[range.Name]) ?? 0;
        return forward ? order > 0 : order < 0;
    }

    private static ComparisonCondition? FirstComparison(Condition condition) => condition switch
    {
        ComparisonCondition comparison => comparison,
        AndCondition and => FirstComparison(and.Left),
        _ => null,
    };

    /// <summary>Checks a KeyConditionExpression: <c>pk = :v</c>, optionally AND one sort key condition.</summary>
    private static (AttributeValue Hash, Condition? Sort) SplitKeyCondition(DynamoDbTable table, Condition condition)
    {
        var parts = new List<Condition>();
        Flatten(condition, parts);
        if (parts.Count > 2)
        {
            throw DynamoDbErrors.InvalidExpression("KeyConditionExpression", "The expression has redundant parentheses or more than two conditions;");
        }

        AttributeValue? hash = null;
        Condition? sort = null;
        foreach (var part in parts)
        {
            var (path, kind) = part switch
            {
                ComparisonCondition { Left: PathOperand l, Right: ValueOperand } c => (l.Path, c.Operator),
                BetweenCondition { Value: PathOperand l, Low: ValueOperand, High: ValueOperand } => (l.Path, "BETWEEN"),
                FunctionCondition { Name: "begins_with", Arguments: [PathOperand l, ValueOperand] } => (l.Path, "begins_with"),
                FunctionCondition fn => throw DynamoDbErrors.InvalidExpression("KeyConditionExpression", "Invalid operator used in KeyConditionExpression: " + fn.Name),
                _ => throw DynamoDbErrors.InvalidExpression("KeyConditionExpression", "Invalid operator used in KeyConditionExpression: " + OperatorName(part)),
            };
            if (path.Parts.Count != 1)
            {
                throw DynamoDbErrors.Validation("Query condition missed key schema element: " + table.HashKey.Name);
            }

            if (path.Root == table.HashKey.Name)
            {
                if (kind != "=" || hash is not null)
                {
                    throw DynamoDbErrors.Validation("Query key condition not supported");
                }

                hash = ((ValueOperand)((ComparisonCondition)part).Right).Value;
                CheckKeyValue(table.HashKey, hash);
            }
            else if (table.RangeKey is { } range && path.Root == range.Name && sort is null && kind != "<>")
            {
                var value = part switch
                {
                    ComparisonCondition { Right: ValueOperand r } => r.Value,
                    BetweenCondition { Low: ValueOperand lo } => lo.Value,
                    FunctionCondition { Arguments: [_, ValueOperand prefix] } => prefix.Value,
                    _ => null,
                };
                if (value is not null && value.Type != range.Type)
                {
                    throw DynamoDbErrors.Validation("One or more parameter values were invalid: Condition parameter type does not match schema type");
                }

                sort = part;
            }
            else
            {
                throw DynamoDbErrors.Validation(kind == "<>" ? "Query key condition not supported" : "Query condition missed key schema element: " + (table.RangeKey?.Name ?? table.HashKey.Name));
            }
        }

        return (hash ?? throw DynamoDbErrors.Validation("Query condition missed key schema element: " + table.HashKey.Name), sort);
    }

    private static void Flatten(Condition condition, List<Condition> parts)
    {
        if (condition is AndCondition and)
        {
            Flatten(and.Left, parts);
            Flatten(and.Right, parts);
        }
        else
        {
            parts.Add(condition);
        }
    }

    private static string OperatorName(Condition condition) => condition switch
    {
        OrCondition => "OR",
        NotCondition => "NOT",
        InCondition => "IN",
        _ => "?",
    };

    private static string BatchWriteItem(AwsRequestContext context, JsonElement body, Func<bool> throttleItem)
    {
        if (!body.TryGetProperty("RequestItems", out var requestItems) || requestItems.ValueKind != JsonValueKind.Object || !requestItems.EnumerateObject().Any())
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
        }

        var requests = new List<(string Table, JsonElement Request, bool IsPut, Item Data)>();
        foreach (var table in requestItems.EnumerateObject())
        {
            foreach (var request in table.Value.EnumerateArray())
            {
                var isPut = request.TryGetProperty("PutRequest", out var put);
                var data = isPut
                    ? new Item(AttributeValue.ParseItem(put.TryGetProperty("Item", out var i) ? i : default))
                    : request.TryGetProperty("DeleteRequest", out var delete)
                        ? new Item(AttributeValue.ParseItem(delete.TryGetProperty("Key", out var k) ? k : default))
                        : throw DynamoDbErrors.Validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
                requests.Add((table.Name, request, isPut, data));
            }
        }

        if (requests.Count > 25)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]");
        }

        foreach (var group in requests.GroupBy(r => r.Table, StringComparer.Ordinal))
        {
            var name = CheckTableName(group.Key);
            Require(context, "BatchWriteItem", TableArn(context, name), group.SelectMany(r => LeadingKeysOfItem(r.Data, context, name)).ToList());
        }

        var prepared = new List<(string Table, JsonElement Request, DynamoDbTable Target, Item Data, bool IsPut)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (tableName, request, isPut, data) in requests)
        {
            var table = ActiveTable(context, tableName);
            if (isPut)
            {
                CheckItemKey(table, data);
                if (AttributeValue.ItemSize(data) > MaxItemBytes)
                {
                    throw DynamoDbErrors.Validation("Item size has exceeded the maximum allowed size");
                }
            }
            else
            {
                CheckKey(table, data);
            }

            if (!seen.Add(tableName + "\n" + string.Join("\n", table.KeyAttributes.Select(a => data[a.Name].KeyText()))))
            {
                throw DynamoDbErrors.Validation("Provided list of item keys contains duplicates");
            }

            prepared.Add((tableName, request, table, data, isPut));
        }

        var unprocessed = new List<(string Table, JsonElement Request)>();
        foreach (var (tableName, request, table, data, isPut) in prepared)
        {
            if (throttleItem())
            {
                unprocessed.Add((tableName, request));
                continue;
            }

            if (isPut)
            {
                table.Store(data);
            }
            else
            {
                table.Delete(data);
            }
        }

        if (unprocessed.Count == prepared.Count)
        {
            throw Throughput();
        }

        return Write(w =>
        {
            w.WriteStartObject("UnprocessedItems");
            foreach (var group in unprocessed.GroupBy(u => u.Table, StringComparer.Ordinal))
            {
                w.WriteStartArray(group.Key);
                foreach (var (_, request) in group)
                {
                    request.WriteTo(w);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        });
    }

    private static string BatchGetItem(AwsRequestContext context, JsonElement body, Func<bool> throttleItem)
    {
        if (!body.TryGetProperty("RequestItems", out var requestItems) || requestItems.ValueKind != JsonValueKind.Object || !requestItems.EnumerateObject().Any())
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
        }

        var total = requestItems.EnumerateObject().Sum(t => t.Value.TryGetProperty("Keys", out var keys) ? keys.GetArrayLength() : 0);
        if (total > 100)
        {
            throw DynamoDbErrors.Validation("Too many items requested for the BatchGetItem call");
        }

        var responses = new Dictionary<string, List<IReadOnlyDictionary<string, AttributeValue>>>(StringComparer.Ordinal);
        var unprocessed = new Dictionary<string, (JsonElement Spec, List<Item> Keys)>(StringComparer.Ordinal);
        var tables = new List<(string Name, JsonElement Spec, DynamoDbTable Table, List<Item> Keys, IReadOnlyList<DocumentPath>? Projection)>();
        foreach (var entry in requestItems.EnumerateObject())
        {
            var keys = entry.Value.TryGetProperty("Keys", out var k) ? k.EnumerateArray().Select(key => new Item(AttributeValue.ParseItem(key))).ToList() : [];
            CheckTableName(entry.Name);
            Require(context, "BatchGetItem", TableArn(context, entry.Name), keys.SelectMany(key => LeadingKeysOfKey(key, context, entry.Name)).ToList());
            var table = ActiveTable(context, entry.Name);
            foreach (var key in keys)
            {
                CheckKey(table, key);
            }

            if (keys.Select(key => string.Join("\n", table.KeyAttributes.Select(a => key[a.Name].KeyText()))).Distinct(StringComparer.Ordinal).Count() != keys.Count)
            {
                throw DynamoDbErrors.Validation("Provided list of item keys contains duplicates");
            }

            var scope = Scope(entry.Value);
            var projection = OptionalString(entry.Value, "ProjectionExpression") is { } p ? ExpressionParser.ParseProjection(p, scope) : null;
            scope.CheckAllUsed();
            tables.Add((entry.Name, entry.Value, table, keys, projection));
        }

        foreach (var (name, spec, table, keys, projection) in tables)
        {
            var found = new List<IReadOnlyDictionary<string, AttributeValue>>();
            foreach (var key in keys)
            {
                if (throttleItem())
                {
                    if (!unprocessed.TryGetValue(name, out var pending))
                    {
                        pending = (spec, []);
                        unprocessed[name] = pending;
                    }

                    pending.Keys.Add(key);
                }
                else if (table.Find(key) is { } item)
                {
                    found.Add(Project(item, projection));
                }
            }

            responses[name] = found;
        }

        if (unprocessed.Values.Sum(u => u.Keys.Count) == total && total > 0)
        {
            throw Throughput();
        }

        return Write(w =>
        {
            w.WriteStartObject("Responses");
            foreach (var (name, items) in responses)
            {
                w.WriteStartArray(name);
                foreach (var item in items)
                {
                    AttributeValue.WriteItem(w, item);
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteStartObject("UnprocessedKeys");
            foreach (var (name, (spec, keys)) in unprocessed)
            {
                w.WriteStartObject(name);
                foreach (var property in spec.EnumerateObject().Where(p => p.Name != "Keys"))
                {
                    property.WriteTo(w);
                }

                w.WriteStartArray("Keys");
                foreach (var key in keys)
                {
                    AttributeValue.WriteItem(w, key);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndObject();
        });
    }

    private static string TransactWriteItems(AwsRequestContext context, JsonElement body)
    {
        var actions = body.TryGetProperty("TransactItems", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : [];
        if (actions.Count is < 1 or > 100)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100, Member must have length greater than or equal to 1");
        }

        var writes = new List<(DynamoDbTable Table, PendingWrite Write, bool ConditionOnly)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            var properties = action.EnumerateObject().ToList();
            if (properties.Count != 1)
            {
                throw DynamoDbErrors.Validation("TransactItems can only contain one of Check, Put, Update or Delete");
            }

            var (kind, spec) = (properties[0].Name, properties[0].Value);
            var name = TableName(spec);
            Item key;
            PendingWrite write;
            DynamoDbTable table;
            switch (kind)
            {
                case "Put":
                    var item = new Item(AttributeValue.ParseItem(spec.TryGetProperty("Item", out var i) ? i : default));
                    Require(context, "PutItem", TableArn(context, name), LeadingKeysOfItem(item, context, name));
                    table = ActiveTable(context, name);
                    write = PreparePut(table, spec, item);
                    break;
                case "Update":
                    key = new Item(AttributeValue.ParseItem(spec.TryGetProperty("Key", out var uk) ? uk : default));
                    Require(context, "UpdateItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
                    table = ActiveTable(context, name);
                    write = PrepareUpdate(table, spec, key);
                    break;
                case "Delete":
                    key = new Item(AttributeValue.ParseItem(spec.TryGetProperty("Key", out var dk) ? dk : default));
                    Require(context, "DeleteItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
                    table = ActiveTable(context, name);
                    write = PrepareDelete(table, spec, key);
                    break;
                case "ConditionCheck":
                    key = new Item(AttributeValue.ParseItem(spec.TryGetProperty("Key", out var ck) ? ck : default));
                    Require(context, "ConditionCheckItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
                    table = ActiveTable(context, name);
                    CheckKey(table, key);
                    if (OptionalString(spec, "ConditionExpression") is null)
                    {
                        throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null");
                    }

                    var (condition, returnOld) = PrepareCondition(spec, "ConditionCheck");
                    write = new PendingWrite { Key = key, Condition = condition, ReturnOldOnFailure = returnOld, Change = current => current };
                    break;
                default:
                    throw DynamoDbErrors.Validation("TransactItems can only contain one of Check, Put, Update or Delete");
            }

            if (!seen.Add(name + "\n" + string.Join("\n", table.KeyAttributes.Select(a => write.Key[a.Name].KeyText()))))
            {
                throw DynamoDbErrors.Validation("Transaction request cannot include multiple operations on one item");
            }

            writes.Add((table, write, kind == "ConditionCheck"));
        }

        var reasons = new List<(string Code, string? Message, IReadOnlyDictionary<string, AttributeValue>? Item)>();
        foreach (var (table, write, _) in writes)
        {
            try
            {
                write.Check(table);
                reasons.Add(("None", null, null));
            }
            catch (ConditionalCheckFailedError failed)
            {
                reasons.Add(("ConditionalCheckFailed", "The conditional request failed", failed.Item));
            }
        }

        if (reasons.Any(r => r.Code != "None"))
        {
            throw new TransactionCanceledError(reasons);
        }

        // All conditions hold; compute every new item before storing any, so a validation error changes nothing.
        var results = writes.Select(w => (w.Table, w.Write, w.ConditionOnly, Next: w.ConditionOnly ? null : w.Write.Change(w.Table.Find(w.Write.Key) is { } current ? new Item(current) : null))).ToList();
        foreach (var (table, write, conditionOnly, next) in results)
        {
            if (conditionOnly)
            {
                continue;
            }

            if (next is null)
            {
                table.Delete(write.Key);
            }
            else
            {
                table.Store(next);
            }
        }

        return "{}";
    }

    private static AwsServiceError Throughput() => new(400, "ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.");

    /// <summary>The message of ProvisionedThroughputExceededException, for the endpoint's injected throttling.</summary>
    public static AwsServiceError InjectedThrottle(string action) => IsControlPlane(action)
        ? new AwsServiceError(400, "ThrottlingException", "Rate of requests exceeds the allowed throughput.")
        : Throughput();

    /// <summary>A text for logs and dumps of an item's key.</summary>
    public static string KeyDescription(DynamoDbTable table, IReadOnlyDictionary<string, AttributeValue> item)
    {
        var text = new StringBuilder();
        foreach (var attribute in table.KeyAttributes)
        {
            text.Append(attribute.Name).Append('=').Append(item[attribute.Name].Scalar).Append(' ');
        }

        return text.ToString().TrimEnd();
    }
}
