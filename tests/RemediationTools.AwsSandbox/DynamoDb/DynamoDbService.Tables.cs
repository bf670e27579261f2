using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>The table operations: CreateTable, DescribeTable, DeleteTable, continuous backups and time to live.</summary>
internal static partial class DynamoDbService
{
    private static string CreateTable(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        var arn = TableArn(context, name);
        Require(context, "CreateTable", arn, []);
        var keySchema = body.TryGetProperty("KeySchema", out var schema) && schema.ValueKind == JsonValueKind.Array ? schema.EnumerateArray().ToList() : [];
        if (keySchema.Count is < 1 or > 2)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'keySchema' failed to satisfy constraint: Member must have length between 1 and 2");
        }

        var definitions = body.TryGetProperty("AttributeDefinitions", out var defs) && defs.ValueKind == JsonValueKind.Array
            ? defs.EnumerateArray().ToDictionary(d => RequiredString(d, "AttributeName"), d => RequiredString(d, "AttributeType"), StringComparer.Ordinal)
            : [];
        var keyTypes = keySchema.Select(k => (Name: RequiredString(k, "AttributeName"), Type: RequiredString(k, "KeyType"))).ToList();
        if (keyTypes[0].Type != "HASH")
        {
            throw DynamoDbErrors.Validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
        }

        if (keyTypes.Count == 2 && (keyTypes[1].Type != "RANGE" || keyTypes[1].Name == keyTypes[0].Name))
        {
            throw DynamoDbErrors.Validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
        }

        if (definitions.Count != keyTypes.Count || keyTypes.Any(k => !definitions.ContainsKey(k.Name)))
        {
            throw DynamoDbErrors.Validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions");
        }

        foreach (var (attribute, type) in definitions)
        {
            if (type is not ("S" or "N" or "B"))
            {
                throw DynamoDbErrors.Validation("1 validation error detected: Value '" + type + "' at 'attributeDefinitions." + attribute + ".attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
            }
        }

        var billingMode = OptionalString(body, "BillingMode") ?? "PROVISIONED";
        var hasThroughput = body.TryGetProperty("ProvisionedThroughput", out var throughput) && throughput.ValueKind == JsonValueKind.Object;
        long read = 0, write = 0;
        switch (billingMode)
        {
            case "PAY_PER_REQUEST" when hasThroughput:
                throw DynamoDbErrors.Validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST");
            case "PAY_PER_REQUEST":
                break;
            case "PROVISIONED" when !hasThroughput:
                throw DynamoDbErrors.Validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
            case "PROVISIONED":
                read = throughput.TryGetProperty("ReadCapacityUnits", out var r) ? r.GetInt64() : 0;
                write = throughput.TryGetProperty("WriteCapacityUnits", out var w) ? w.GetInt64() : 0;
                if (read < 1 || write < 1)
                {
                    throw DynamoDbErrors.Validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED");
                }

                break;
            default:
                throw DynamoDbErrors.Validation("1 validation error detected: Value '" + billingMode + "' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]");
        }

        string? kmsKeyArn = null;
        if (body.TryGetProperty("SSESpecification", out var sse) && sse.ValueKind == JsonValueKind.Object
            && sse.TryGetProperty("Enabled", out var enabled) && enabled.ValueKind == JsonValueKind.True)
        {
            var sseType = OptionalString(sse, "SSEType") ?? "KMS";
            if (sseType != "KMS")
            {
                throw DynamoDbErrors.Validation("1 validation error detected: Value '" + sseType + "' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]");
            }

            var keyId = OptionalString(sse, "KMSMasterKeyId");
            kmsKeyArn = keyId is null
                ? "arn:aws:kms:" + context.Region + ":" + context.Caller.AccountId + ":key/" + AwsManagedDynamoDbKeyId
                : keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : "arn:aws:kms:" + context.Region + ":" + context.Caller.AccountId + ":key/" + keyId;
        }

        var region = context.State.DynamoDb(context.Caller.AccountId, context.Region);
        if (region.Tables.ContainsKey(name))
        {
            throw new AwsServiceError(400, "ResourceInUseException", "Table already exists: " + name);
        }

        var table = new DynamoDbTable
        {
            Name = name,
            Arn = arn,
            TableId = Guid.NewGuid().ToString(),
            CreationDateTime = context.Now,
            HashKey = new KeyAttribute(keyTypes[0].Name, definitions[keyTypes[0].Name]),
            RangeKey = keyTypes.Count == 2 ? new KeyAttribute(keyTypes[1].Name, definitions[keyTypes[1].Name]) : null,
            BillingMode = billingMode,
            ReadCapacityUnits = read,
            WriteCapacityUnits = write,
            KmsMasterKeyArn = kmsKeyArn,
            DescribesUntilActive = context.State.DynamoDbCreatingDescribeCalls,
            Status = context.State.DynamoDbCreatingDescribeCalls == 0 ? "ACTIVE" : "CREATING",
        };
        region.Tables[name] = table;

        // CreateTable is asynchronous in AWS: its answer always says CREATING, whatever DescribeTable says next.
        return Write(w => Property(w, "TableDescription", () => TableDescription(w, table, "CREATING")));
    }

    private static string DescribeTable(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "DescribeTable", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw DynamoDbErrors.ResourceNotFound(name);
        if (table.Status == "CREATING")
        {
            if (table.DescribesUntilActive <= 0)
            {
                table.Status = "ACTIVE";
            }
            else
            {
                table.DescribesUntilActive--;
            }
        }

        return Write(w => Property(w, "Table", () => TableDescription(w, table, table.Status)));
    }

    private static string DeleteTable(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "DeleteTable", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw DynamoDbErrors.ResourceNotFound(name);
        if (table.Status == "CREATING")
        {
            throw new AwsServiceError(400, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: " + name);
        }

        context.State.DynamoDb(context.Caller.AccountId, context.Region).Tables.Remove(name);
        return Write(w => Property(w, "TableDescription", () => TableDescription(w, table, "DELETING")));
    }

    private static string UpdateContinuousBackups(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "UpdateContinuousBackups", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw new AwsServiceError(400, "TableNotFoundException", "Table not found: " + name);
        if (!body.TryGetProperty("PointInTimeRecoverySpecification", out var specification) || specification.ValueKind != JsonValueKind.Object
            || !specification.TryGetProperty("PointInTimeRecoveryEnabled", out var enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null");
        }

        if (table.Status != "ACTIVE")
        {
            throw new AwsServiceError(400, "ContinuousBackupsUnavailableException", "Backups are being enabled for the table: " + name + ". Please retry later");
        }

        table.PointInTimeRecovery = enabled.GetBoolean();
        table.PointInTimeRecoveryEnabledAt = table.PointInTimeRecovery ? context.Now : null;
        return Write(w => Property(w, "ContinuousBackupsDescription", () => ContinuousBackups(w, table, context.Now)));
    }

    private static string DescribeContinuousBackups(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "DescribeContinuousBackups", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw new AwsServiceError(400, "TableNotFoundException", "Table not found: " + name);
        return Write(w => Property(w, "ContinuousBackupsDescription", () => ContinuousBackups(w, table, context.Now)));
    }

    private static string UpdateTimeToLive(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "UpdateTimeToLive", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw DynamoDbErrors.ResourceNotFound(name);
        if (!body.TryGetProperty("TimeToLiveSpecification", out var specification) || specification.ValueKind != JsonValueKind.Object)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
        }

        var attribute = OptionalString(specification, "AttributeName");
        if (string.IsNullOrEmpty(attribute) || attribute.Length > 255)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value '" + attribute + "' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length between 1 and 255");
        }

        var enable = specification.TryGetProperty("Enabled", out var enabled) && enabled.ValueKind == JsonValueKind.True;
        if (table.Status == "CREATING")
        {
            throw new AwsServiceError(400, "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: " + name);
        }

        if (enable && table.TimeToLiveEnabled)
        {
            throw DynamoDbErrors.Validation("TimeToLive is already enabled");
        }

        if (!enable && !table.TimeToLiveEnabled)
        {
            throw DynamoDbErrors.Validation("TimeToLive is already disabled");
        }

        if (!enable && attribute != table.TimeToLiveAttribute)
        {
            throw DynamoDbErrors.Validation("TimeToLive attribute name " + attribute + " does not match the enabled attribute " + table.TimeToLiveAttribute);
        }

        // AWS passes through ENABLING/DISABLING for up to an hour; the sandbox switches at once.
        table.TimeToLiveEnabled = enable;
        table.TimeToLiveAttribute = enable ? attribute : null;
        return Write(w => Property(w, "TimeToLiveSpecification", () =>
        {
            w.WriteStartObject();
            w.WriteString("AttributeName", attribute);
            w.WriteBoolean("Enabled", enable);
            w.WriteEndObject();
        }));
    }

    private static string DescribeTimeToLive(AwsRequestContext context, JsonElement body)
    {
        var name = TableName(body);
        Require(context, "DescribeTimeToLive", TableArn(context, name), []);
        var table = FindTable(context, name) ?? throw DynamoDbErrors.ResourceNotFound(name);
        return Write(w => Property(w, "TimeToLiveDescription", () =>
        {
            w.WriteStartObject();
            if (table.TimeToLiveAttribute is { } attribute)
            {
                w.WriteString("AttributeName", attribute);
            }

            w.WriteString("TimeToLiveStatus", table.TimeToLiveEnabled ? "ENABLED" : "DISABLED");
            w.WriteEndObject();
        }));
    }

    private static void TableDescription(Utf8JsonWriter w, DynamoDbTable table, string status)
    {
        w.WriteStartObject();
        w.WriteStartArray("AttributeDefinitions");
        foreach (var attribute in table.KeyAttributes)
        {
            w.WriteStartObject();
            w.WriteString("AttributeName", attribute.Name);
            w.WriteString("AttributeType", attribute.Type);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("KeySchema");
        foreach (var (attribute, keyType) in table.RangeKey is null ? [(table.HashKey, "HASH")] : new[] { (table.HashKey, "HASH"), (table.RangeKey, "RANGE") })
        {
            w.WriteStartObject();
            w.WriteString("AttributeName", attribute.Name);
            w.WriteString("KeyType", keyType);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("TableName", table.Name);
        w.WriteString("TableStatus", status);
        w.WriteNumber("CreationDateTime", table.CreationDateTime.ToUnixTimeMilliseconds() / 1000.0);
        w.WriteStartObject("ProvisionedThroughput");
        w.WriteNumber("NumberOfDecreasesToday", 0);
        w.WriteNumber("ReadCapacityUnits", table.ReadCapacityUnits);
        w.WriteNumber("WriteCapacityUnits", table.WriteCapacityUnits);
        w.WriteEndObject();
        w.WriteNumber("TableSizeBytes", status == "CREATING" ? 0 : table.SizeBytes);
        w.WriteNumber("ItemCount", status == "CREATING" ? 0 : table.ItemCount);
        w.WriteString("TableArn", table.Arn);
        w.WriteString("TableId", table.TableId);
        if (table.BillingMode == "PAY_PER_REQUEST")
        {
            w.WriteStartObject("BillingModeSummary");
            w.WriteString("BillingMode", table.BillingMode);
            w.WriteNumber("LastUpdateToPayPerRequestDateTime", table.CreationDateTime.ToUnixTimeMilliseconds() / 1000.0);
            w.WriteEndObject();
        }

        if (table.KmsMasterKeyArn is { } key)
        {
            w.WriteStartObject("SSEDescription");
            w.WriteString("Status", "ENABLED");
            w.WriteString("SSEType", "KMS");
            w.WriteString("KMSMasterKeyArn", key);
            w.WriteEndObject();
        }

        w.WriteBoolean("DeletionProtectionEnabled", false);
        w.WriteEndObject();
    }

    private static void ContinuousBackups(Utf8JsonWriter w, DynamoDbTable table, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("ContinuousBackupsStatus", "ENABLED");
        w.WriteStartObject("PointInTimeRecoveryDescription");
        w.WriteString("PointInTimeRecoveryStatus", table.PointInTimeRecovery ? "ENABLED" : "DISABLED");
        if (table.PointInTimeRecoveryEnabledAt is { } since)
        {
            w.WriteNumber("EarliestRestorableDateTime", since.ToUnixTimeMilliseconds() / 1000.0);
            w.WriteNumber("LatestRestorableDateTime", (now - TimeSpan.FromMinutes(5) > since ? now - TimeSpan.FromMinutes(5) : since).ToUnixTimeMilliseconds() / 1000.0);
            w.WriteNumber("RecoveryPeriodInDays", 35);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The table name (or table ARN) of a request, validated as DynamoDB does.</summary>
    private static string TableName(JsonElement body, string property = "TableName")
    {
        return CheckTableName(OptionalString(body, property));
    }

    private static string CheckTableName(string? name)
    {
        if (name is null)
        {
            throw DynamoDbErrors.Validation("1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null");
        }

        if (name.StartsWith("arn:aws:dynamodb:", StringComparison.Ordinal))
        {
            var marker = name.IndexOf(":table/", StringComparison.Ordinal);
            name = marker < 0 ? name : name[(marker + ":table/".Length)..];
        }

        if (name.Length is < 3 or > 255 || !TableNamePattern().IsMatch(name))
        {
            throw DynamoDbErrors.Validation(string.Format(CultureInfo.InvariantCulture,
                "1 validation error detected: Value '{0}' at 'tableName' failed to satisfy constraint: {1}", name,
                name.Length < 3 ? "Member must have length greater than or equal to 3" : name.Length > 255 ? "Member must have length less than or equal to 255" : "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"));
        }

        return name;
    }

    private static DynamoDbTable? FindTable(AwsRequestContext context, string name) =>
        context.State.DynamoDb(context.Caller.AccountId, context.Region).Tables.TryGetValue(name, out var table) ? table : null;

    /// <summary>The table of a data-plane call: a missing table and one still CREATING are both ResourceNotFoundException.</summary>
    private static DynamoDbTable ActiveTable(AwsRequestContext context, string name) =>
        FindTable(context, name) is { Status: "ACTIVE" } table
            ? table
            : throw DynamoDbErrors.ResourceNotFound();

    [GeneratedRegex("^[a-zA-Z0-9_.-]+$")]
    private static partial Regex TableNamePattern();
}
