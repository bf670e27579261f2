using System.Text.Json;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>The single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.</summary>
internal static partial class DynamoDbService
{
    private static string PutItem(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var item = new Item(AttributeValue.ParseItem(body.TryGetProperty("Item", out var i) ? i : default));
        Require(context, "PutItem", TableArn(context, name), LeadingKeysOfItem(item, context, name));
        var table = ActiveTable(context, name);
        var write = PreparePut(table, body, item);
        var old = write.Check(table);
        write.Apply(table);
        return Write(w => WriteReturnValues(w, OptionalString(body, "ReturnValues") ?? "NONE", old, null, "PutItem"));
    }

    private static string GetItem(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var keyJson = body.TryGetProperty("Key", out var k) ? k : default;
        var key = AttributeValue.ParseItem(keyJson);
        Require(context, "GetItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
        var table = ActiveTable(context, name);
        CheckKey(table, key);
        OptionalBool(body, "ConsistentRead");
        var scope = Scope(body);
        var projection = OptionalString(body, "ProjectionExpression") is { } p ? ExpressionParser.ParseProjection(p, scope) : null;
        scope.CheckAllUsed();
        var item = table.Find(key);
        return Write(w =>
        {
            if (item is not null)
            {
                WriteItemProperty(w, "Item", Project(item, projection));
            }
        });
    }

    private static string UpdateItem(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var key = AttributeValue.ParseItem(body.TryGetProperty("Key", out var k) ? k : default);
        Require(context, "UpdateItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
        var table = ActiveTable(context, name);
        var write = PrepareUpdate(table, body, key);
        var old = write.Check(table);
        var updated = write.Apply(table);
        var returnValues = OptionalString(body, "ReturnValues") ?? "NONE";
        return Write(w => WriteReturnValues(w, returnValues, old, updated, "UpdateItem"));
    }

    private static string DeleteItem(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var key = AttributeValue.ParseItem(body.TryGetProperty("Key", out var k) ? k : default);
        Require(context, "DeleteItem", TableArn(context, name), LeadingKeysOfKey(key, context, name));
        var table = ActiveTable(context, name);
        var write = PrepareDelete(table, body, key);
        var old = write.Check(table);
        write.Apply(table);
        return Write(w => WriteReturnValues(w, OptionalString(body, "ReturnValues") ?? "NONE", old, null, "DeleteItem"));
    }

    /// <summary>A validated write of one item: its condition is checked, then it is applied, both under the state lock.</summary>
    private sealed class PendingWrite
    {
        public required Item Key { get; init; }

        public Condition? Condition { get; init; }

        public bool ReturnOldOnFailure { get; init; }

        /// <summary>Computes the new item from the old one (null: delete).</summary>
        public required Func<Item?, Item?> Change { get; init; }

        /// <summary>Returns the current item, or throws ConditionalCheckFailedException when the condition does not hold.</summary>
        public Item? Check(DynamoDbTable table)
        {
            var current = table.Find(Key);
            if (Condition is not null && !Condition.Evaluate(current))
            {
                throw new ConditionalCheckFailedError(ReturnOldOnFailure ? current : null);
            }

            return current;
        }

        public Item? Apply(DynamoDbTable table)
        {
            var current = table.Find(Key);
            var next = Change(current is null ? null : new Item(current));
            if (next is null)
            {
                table.Delete(Key);
            }
            else
            {
                table.Store(next);
            }

            return next;
        }
    }

    private static PendingWrite PreparePut(DynamoDbTable table, JsonElement body, Item item)
    {
        CheckItemKey(table, item);
        if (AttributeValue.ItemSize(item) > MaxItemBytes)
        {
            throw DynamoDbErrors.Validation("Item size has exceeded the maximum allowed size");
        }

        var (condition, returnOld) = PrepareCondition(body, "PutItem");
        return new PendingWrite { Key = table.KeyOf(item), Condition = condition, ReturnOldOnFailure = returnOld, Change = _ => item };
    }

    private static PendingWrite PrepareDelete(DynamoDbTable table, JsonElement body, IReadOnlyDictionary<string, AttributeValue> key)
    {
        CheckKey(table, key);
        var (condition, returnOld) = PrepareCondition(body, "DeleteItem");
        return new PendingWrite { Key = new Item(key), Condition = condition, ReturnOldOnFailure = returnOld, Change = _ => null };
    }

    private static PendingWrite PrepareUpdate(DynamoDbTable table, JsonElement body, IReadOnlyDictionary<string, AttributeValue> key)
    {
        CheckKey(table, key);
        if (body.TryGetProperty("AttributeUpdates", out _))
        {
            throw DynamoDbErrors.Validation("The sandbox supports UpdateExpression only, not the legacy AttributeUpdates parameter");
        }

        var scope = Scope(body);
        var plan = OptionalString(body, "UpdateExpression") is { } text ? ExpressionParser.ParseUpdate(text, scope) : null;
        var condition = OptionalString(body, "ConditionExpression") is { } c ? ExpressionParser.ParseCondition(c, "ConditionExpression", scope) : null;
        scope.CheckAllUsed();
        var keyNames = table.KeyAttributes.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        if (plan?.Paths.FirstOrDefault(p => keyNames.Contains(p.Root)) is { } keyPath)
        {
            throw DynamoDbErrors.Validation("One or more parameter values were invalid: Cannot update attribute " + keyPath.Root + ". This attribute is part of the key");
        }

        var returnOld = ReturnOldOnFailure(body);
        var keyItem = new Item(key);
        return new PendingWrite
        {
            Key = keyItem,
            Condition = condition,
            ReturnOldOnFailure = returnOld,
            Change = current =>
            {
                var item = current ?? new Item(keyItem);
                plan?.Apply(item);
                if (AttributeValue.ItemSize(item) > MaxItemBytes)
                {
                    throw DynamoDbErrors.Validation("Item size to update has exceeded the maximum allowed size");
                }

                return item;
            },
        };
    }

    private static (Condition? Condition, bool ReturnOld) PrepareCondition(JsonElement body, string operation)
    {
        if (body.TryGetProperty("Expected", out _))
        {
            throw DynamoDbErrors.Validation("The sandbox supports ConditionExpression only, not the legacy Expected parameter of " + operation);
        }

        var scope = Scope(body);
        var condition = OptionalString(body, "ConditionExpression") is { } c ? ExpressionParser.ParseCondition(c, "ConditionExpression", scope) : null;
        scope.CheckAllUsed();
        return (condition, ReturnOldOnFailure(body));
    }

    private static bool ReturnOldOnFailure(JsonElement body) => OptionalString(body, "ReturnValuesOnConditionCheckFailure") switch
    {
        null or "NONE" => false,
        "ALL_OLD" => true,
        var other => throw DynamoDbErrors.Validation("1 validation error detected: Value '" + other + "' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"),
    };

    private static void WriteReturnValues(Utf8JsonWriter w, string returnValues, Item? old, Item? updated, string operation)
    {
        var allowed = operation == "UpdateItem" ? new[] { "NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW" } : ["NONE", "ALL_OLD"];
        if (!allowed.Contains(returnValues, StringComparer.Ordinal))
        {
            throw DynamoDbErrors.Validation("Return values set to invalid value");
        }

        IReadOnlyDictionary<string, AttributeValue>? attributes = returnValues switch
        {
            "ALL_OLD" => old,
            "ALL_NEW" => updated,
            "UPDATED_OLD" => old is null ? null : Changed(old, updated, old),
            "UPDATED_NEW" => updated is null ? null : Changed(old, updated, updated),
            _ => null,
        };
        if (attributes is { Count: > 0 })
        {
            WriteItemProperty(w, "Attributes", attributes);
        }
    }

    /// <summary>The attributes of <paramref name="side"/> whose top-level value differs between old and new.</summary>
    private static Item Changed(Item? old, Item? updated, Item side)
    {
        var result = new Item();
        foreach (var (name, value) in side)
        {
            var before = old is not null && old.TryGetValue(name, out var b) ? b : null;
            var after = updated is not null && updated.TryGetValue(name, out var a) ? a : null;
            if (before is null || after is null || !before.ValueEquals(after))
            {
                result[name] = value;
            }
        }

        return result;
    }

    /// <summary>An item must hold every key attribute with the declared type and, for strings and binaries, not empty.</summary>
    private static void CheckItemKey(DynamoDbTable table, Item item)
    {
        foreach (var attribute in table.KeyAttributes)
        {
            if (!item.TryGetValue(attribute.Name, out var value))
            {
                throw DynamoDbErrors.Validation("One or more parameter values were invalid: Missing the key " + attribute.Name + " in the item");
            }

            CheckKeyValue(attribute, value);
        }
    }

    /// <summary>A key must hold exactly the key attributes.</summary>
    private static void CheckKey(DynamoDbTable table, IReadOnlyDictionary<string, AttributeValue> key)
    {
        if (key.Count != table.KeyAttributes.Count() || table.KeyAttributes.Any(a => !key.ContainsKey(a.Name)))
        {
            throw DynamoDbErrors.Validation("The provided key element does not match the schema");
        }

        foreach (var attribute in table.KeyAttributes)
        {
            CheckKeyValue(attribute, key[attribute.Name]);
        }
    }

    private static void CheckKeyValue(KeyAttribute attribute, AttributeValue value)
    {
        if (value.Type != attribute.Type)
        {
            throw DynamoDbErrors.Validation("One or more parameter values were invalid: Type mismatch for key " + attribute.Name + " expected: " + attribute.Type + " actual: " + value.Type);
        }

        if (value.Type is "S" or "B" && value.Scalar!.Length == 0)
        {
            throw DynamoDbErrors.Validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: " + attribute.Name);
        }
    }

    /// <summary>The partition key value of an item or key for IAM, before the table is looked up (IAM comes first).</summary>
    private static List<string> LeadingKeysOfItem(IReadOnlyDictionary<string, AttributeValue> item, AwsRequestContext context, string tableName) =>
        FindTable(context, tableName) is { } table && item.TryGetValue(table.HashKey.Name, out var value) ? [LeadingKey(value)] : [];

    private static List<string> LeadingKeysOfKey(IReadOnlyDictionary<string, AttributeValue> key, AwsRequestContext context, string tableName) =>
        LeadingKeysOfItem(key, context, tableName);

    private static Item Project(Item item, IReadOnlyList<DocumentPath>? projection)
    {
        if (projection is null)
        {
            return item;
        }


        var result = new Item();
        foreach (var path in projection)
        {
            if (path.Resolve(item) is not { } value)
            {
                continue;
            }

            if (path.Parts.Count == 1)
            {
                result[path.Root] = value;
                continue;
            }

            // A nested path keeps the maps above it; list elements are kept as one-element lists.
            var nested = value;
            for (var index = path.Parts.Count - 1; index >= 1; index--)
            {
                var part = path.Parts[index];
                nested = part.Name is { } key
                    ? AttributeValue.OfMap(new Dictionary<string, AttributeValue>(StringComparer.Ordinal) { [key] = nested })
                    : AttributeValue.OfList([nested]);
            }

            result[path.Root] = result.TryGetValue(path.Root, out var existing) && existing.Type == "M" && nested.Type == "M"
                ? AttributeValue.OfMap(existing.Map!.Concat(nested.Map!.Where(p => !existing.Map!.ContainsKey(p.Key))).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal))
                : nested;
        }

        return result;
    }
}
