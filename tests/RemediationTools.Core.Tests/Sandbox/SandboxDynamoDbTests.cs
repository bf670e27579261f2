using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using RemediationTools.AwsSandbox;
using Av = Amazon.DynamoDBv2.Model.AttributeValue;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's DynamoDB, driven by the official AWSSDK.DynamoDBv2 client as the AWS store will drive it.</summary>
public sealed class SandboxDynamoDbTests : IDisposable
{
    private const string Table = "RemediationTools";
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonDynamoDBClient _ddb;

    public SandboxDynamoDbTests() => _ddb = Client(SandboxHarness.Credentials(_sandbox.Admin));

    public void Dispose()
    {
        _ddb.Dispose();
        _sandbox.Dispose();
    }

    private AmazonDynamoDBClient Client(AWSCredentials credentials, string region = SandboxHarness.Region) => new(credentials, new AmazonDynamoDBConfig
    {
        ServiceURL = _sandbox.Server.Endpoint.ToString(),
        AuthenticationRegion = region,
        MaxErrorRetry = 0,
    });

    private static CreateTableRequest CompositeTable(string name = Table) => new()
    {
        TableName = name,
        KeySchema = [new KeySchemaElement("pk", KeyType.HASH), new KeySchemaElement("sk", KeyType.RANGE)],
        AttributeDefinitions = [new AttributeDefinition("pk", ScalarAttributeType.S), new AttributeDefinition("sk", ScalarAttributeType.S)],
        BillingMode = BillingMode.PAY_PER_REQUEST,
        SSESpecification = new SSESpecification { Enabled = true },
    };

    private async Task CreateTableAsync(AmazonDynamoDBClient? client = null) => await (client ?? _ddb).CreateTableAsync(CompositeTable());

    private static Dictionary<string, Av> Key(string pk, string sk) => new() { ["pk"] = new Av { S = pk }, ["sk"] = new Av { S = sk } };

    private static Dictionary<string, Av> Row(string pk, string sk, params (string Name, Av Value)[] attributes)
    {
        var item = Key(pk, sk);
        foreach (var (name, value) in attributes)
        {
            item[name] = value;
        }

        return item;
    }

    private static Av N(decimal value) => new() { N = value.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    private static Av S(string value) => new() { S = value };

    private async Task PutAsync(Dictionary<string, Av> item) => await _ddb.PutItemAsync(new PutItemRequest { TableName = Table, Item = item });

    private async Task<Dictionary<string, Av>?> GetAsync(string pk, string sk)
    {
        var response = await _ddb.GetItemAsync(new GetItemRequest { TableName = Table, Key = Key(pk, sk), ConsistentRead = true });
        return response.Item is { Count: > 0 } item ? item : null;
    }

    [Fact]
    public async Task CreateTable_OnDemandEncryptedCompositeKey_AnswersCreatingThenDescribesActive()
    {
        var created = await _ddb.CreateTableAsync(CompositeTable());
        Assert.Equal(TableStatus.CREATING, created.TableDescription.TableStatus);
        Assert.Equal($"arn:aws:dynamodb:us-east-1:{_sandbox.AccountId}:table/{Table}", created.TableDescription.TableArn);

        var described = (await _ddb.DescribeTableAsync(Table)).Table;
        Assert.Equal(TableStatus.ACTIVE, described.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, described.BillingModeSummary.BillingMode);
        Assert.Equal(SSEStatus.ENABLED, described.SSEDescription.Status);
        Assert.Equal(SSEType.KMS, described.SSEDescription.SSEType);
        Assert.Equal(["pk:HASH", "sk:RANGE"], described.KeySchema.Select(k => k.AttributeName + ":" + k.KeyType.Value));
        Assert.Equal(0, described.ItemCount);
    }

    [Fact]
    public async Task CreateTable_Existing_ResourceInUse()
    {
        await CreateTableAsync();
        var error = await Assert.ThrowsAsync<ResourceInUseException>(() => _ddb.CreateTableAsync(CompositeTable()));
        Assert.Equal("Table already exists: " + Table, error.Message);
    }

    [Fact]
    public async Task CreateTable_InvalidDefinitions_ValidationNamingTheProblem()
    {
        var request = CompositeTable();
        request.AttributeDefinitions.Add(new AttributeDefinition("extra", ScalarAttributeType.S));
        var mismatch = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.CreateTableAsync(request));
        Assert.Equal("ValidationException", mismatch.ErrorCode);
        Assert.Contains("Number of attributes in KeySchema does not exactly match", mismatch.Message, StringComparison.Ordinal);

        var throughput = CompositeTable();
        throughput.ProvisionedThroughput = new ProvisionedThroughput(5, 5);
        var billing = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.CreateTableAsync(throughput));
        Assert.Contains("when BillingMode is PAY_PER_REQUEST", billing.Message, StringComparison.Ordinal);

        var badName = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.CreateTableAsync(CompositeTable("a!")));
        Assert.Contains("Value 'a!' at 'tableName'", badName.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTable_WithCreatingDescribeCalls_CreatingUntilThenActive()
    {
        _sandbox.Server.DynamoDbCreatingDescribeCalls = 2;
        await CreateTableAsync();
        Assert.Equal(TableStatus.CREATING, (await _ddb.DescribeTableAsync(Table)).Table.TableStatus);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => PutAsync(Row("g#a", "x")));
        await Assert.ThrowsAsync<ResourceInUseException>(() => _ddb.DeleteTableAsync(Table));
        Assert.Equal(TableStatus.CREATING, (await _ddb.DescribeTableAsync(Table)).Table.TableStatus);
        Assert.Equal(TableStatus.ACTIVE, (await _ddb.DescribeTableAsync(Table)).Table.TableStatus);
        await PutAsync(Row("g#a", "x"));
        Assert.NotNull(await GetAsync("g#a", "x"));
    }

    [Fact]
    public async Task DescribeAndDeleteTable_Missing_ResourceNotFound()
    {
        var error = await Assert.ThrowsAsync<ResourceNotFoundException>(() => _ddb.DescribeTableAsync("Nope"));
        Assert.Equal("Requested resource not found: Table: Nope not found", error.Message);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _ddb.DeleteTableAsync("Nope"));

        await CreateTableAsync();
        var deleted = await _ddb.DeleteTableAsync(Table);
        Assert.Equal(TableStatus.DELETING, deleted.TableDescription.TableStatus);
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => _ddb.DescribeTableAsync(Table));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => GetAsync("g#a", "x"));
    }

    [Fact]
    public async Task ContinuousBackups_EnablePointInTimeRecovery_DescribedEnabled()
    {
        await CreateTableAsync();
        var before = await _ddb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = Table });
        Assert.Equal(PointInTimeRecoveryStatus.DISABLED, before.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);

        var updated = await _ddb.UpdateContinuousBackupsAsync(new UpdateContinuousBackupsRequest
        {
            TableName = Table,
            PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true },
        });
        Assert.Equal(ContinuousBackupsStatus.ENABLED, updated.ContinuousBackupsDescription.ContinuousBackupsStatus);
        var after = await _ddb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = Table });
        Assert.Equal(PointInTimeRecoveryStatus.ENABLED, after.ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);

        var missing = await Assert.ThrowsAsync<TableNotFoundException>(() => _ddb.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = "Nope" }));
        Assert.Equal("Table not found: Nope", missing.Message);
    }

    [Fact]
    public async Task TimeToLive_Enabled_DescribedAndExpiredItemsStayUntilExpired()
    {
        await CreateTableAsync();
        Assert.Equal(TimeToLiveStatus.DISABLED, (await _ddb.DescribeTimeToLiveAsync(Table)).TimeToLiveDescription.TimeToLiveStatus);
        var spec = new TimeToLiveSpecification { AttributeName = "expiresAt", Enabled = true };
        var updated = await _ddb.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest { TableName = Table, TimeToLiveSpecification = spec });
        Assert.Equal("expiresAt", updated.TimeToLiveSpecification.AttributeName);
        var described = (await _ddb.DescribeTimeToLiveAsync(Table)).TimeToLiveDescription;
        Assert.Equal(TimeToLiveStatus.ENABLED, described.TimeToLiveStatus);
        Assert.Equal("expiresAt", described.AttributeName);
        var again = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.UpdateTimeToLiveAsync(new UpdateTimeToLiveRequest { TableName = Table, TimeToLiveSpecification = spec }));
        Assert.Equal("TimeToLive is already enabled", again.Message);

        var past = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds();
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        await PutAsync(Row("g#a", "old", ("expiresAt", N(past))));
        await PutAsync(Row("g#a", "new", ("expiresAt", N(future))));

        // As in AWS, which deletes expired items within days, an expired item is still read until it is deleted.
        Assert.NotNull(await GetAsync("g#a", "old"));
        Assert.Equal(1, _sandbox.Server.ExpireDynamoDbItems());
        Assert.Null(await GetAsync("g#a", "old"));
        Assert.NotNull(await GetAsync("g#a", "new"));
    }

    [Fact]
    public async Task PutItemGetItem_EveryAttributeType_RoundTrips()
    {
        await CreateTableAsync();
        var item = Row(
            "g#a",
            "all",
            ("s", S("text")),
            ("n", N(-12.50m)),
            ("b", new Av { B = new MemoryStream([1, 2, 3]) }),
            ("t", new Av { BOOL = true }),
            ("nothing", new Av { NULL = true }),
            ("m", new Av { M = new Dictionary<string, Av> { ["label"] = S("x"), ["deep"] = new Av { M = new Dictionary<string, Av> { ["n"] = N(1) } } } }),
            ("l", new Av { L = [S("a"), N(2), new Av { BOOL = false }] }),
            ("ss", new Av { SS = ["b", "a"] }),
            ("ns", new Av { NS = ["1", "2.5"] }),
            ("empty", S(string.Empty)));
        await PutAsync(item);

        var read = await GetAsync("g#a", "all");
        Assert.NotNull(read);
        Assert.Equal("text", read["s"].S);
        Assert.Equal("-12.5", read["n"].N);
        Assert.Equal(new byte[] { 1, 2, 3 }, read["b"].B.ToArray());
        Assert.True(read["t"].BOOL);
        Assert.True(read["nothing"].NULL);
        Assert.Equal("x", read["m"].M["label"].S);
        Assert.Equal("1", read["m"].M["deep"].M["n"].N);
        Assert.Equal(["a", "2"], read["l"].L.Take(2).Select(v => v.S ?? v.N));
        Assert.False(read["l"].L[2].BOOL);
        Assert.Equal(["a", "b"], read["ss"].SS.Order(StringComparer.Ordinal));
        Assert.Equal(["1", "2.5"], read["ns"].NS.Order(StringComparer.Ordinal));
        Assert.Equal(string.Empty, read["empty"].S);
        Assert.Null(await GetAsync("g#a", "missing"));

        var projected = await _ddb.GetItemAsync(new GetItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "all"),
            ProjectionExpression = "s, m.label, #n",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#n"] = "n" },
        });
        Assert.Equal(["m", "n", "s"], projected.Item.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["label"], projected.Item["m"].M.Keys);
    }

    [Fact]
    public async Task PutItem_BadKeysAndSizes_ValidationException()
    {
        await CreateTableAsync();
        var missing = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => PutAsync(new Dictionary<string, Av> { ["pk"] = S("g#a") }));
        Assert.Equal("ValidationException", missing.ErrorCode);
        Assert.Equal("One or more parameter values were invalid: Missing the key sk in the item", missing.Message);

        var type = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => PutAsync(new Dictionary<string, Av> { ["pk"] = S("g#a"), ["sk"] = N(1) }));
        Assert.Equal("One or more parameter values were invalid: Type mismatch for key sk expected: S actual: N", type.Message);

        var empty = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => PutAsync(Row(string.Empty, "x")));
        Assert.Contains("cannot contain an empty string value. Key: pk", empty.Message, StringComparison.Ordinal);

        var extraKey = Key("g#a", "x");
        extraKey["other"] = S("y");
        var schema = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.GetItemAsync(new GetItemRequest { TableName = Table, Key = extraKey }));
        Assert.Equal("The provided key element does not match the schema", schema.Message);

        var large = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => PutAsync(Row("g#a", "big", ("data", S(new string('x', 410 * 1024))))));
        Assert.Equal("Item size has exceeded the maximum allowed size", large.Message);
        await PutAsync(Row("g#a", "fits", ("data", S(new string('x', 390 * 1024)))));
    }

    [Fact]
    public async Task PutItem_AttributeNotExists_SecondPutFailsWithOldItemWhenAsked()
    {
        await CreateTableAsync();
        var first = new PutItemRequest { TableName = Table, Item = Row("g#a", "run#1", ("worker", S("w1"))), ConditionExpression = "attribute_not_exists(pk)" };
        await _ddb.PutItemAsync(first);
        var second = new PutItemRequest
        {
            TableName = Table,
            Item = Row("g#a", "run#1", ("worker", S("w2"))),
            ConditionExpression = "attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.ALL_OLD,
        };
        var error = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => _ddb.PutItemAsync(second));
        Assert.Equal("The conditional request failed", error.Message);
        Assert.Equal("w1", error.Item["worker"].S);
        Assert.Equal("w1", (await GetAsync("g#a", "run#1"))!["worker"].S);

        second.ReturnValuesOnConditionCheckFailure = ReturnValuesOnConditionCheckFailure.NONE;
        var bare = await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => _ddb.PutItemAsync(second));
        Assert.True(bare.Item is null || bare.Item.Count == 0);
    }

    [Fact]
    public async Task UpdateItem_EveryUpdateAction_AppliesAsDynamoDb()
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "grp", ("tags", new Av { SS = ["a"] }), ("gone", S("x")), ("cfg", new Av { M = new Dictionary<string, Av> { ["retries"] = N(1) } })));
        var response = await _ddb.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "grp"),
            UpdateExpression = "SET #v = if_not_exists(#v, :zero) + :one, attempts = :three - :one, #log = list_append(if_not_exists(#log, :empty), :entry), cfg.retries = :three REMOVE gone ADD hits :one, tags :more",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#v"] = "version", ["#log"] = "log" },
            ExpressionAttributeValues = new Dictionary<string, Av>
            {
                [":zero"] = N(0),
                [":one"] = N(1),
                [":three"] = N(3),
                [":empty"] = new Av { L = [] },
                [":entry"] = new Av { L = [S("created")] },
                [":more"] = new Av { SS = ["b"] },
            },
            ReturnValues = ReturnValue.ALL_NEW,
        });
        var item = response.Attributes;
        Assert.Equal("1", item["version"].N);
        Assert.Equal("2", item["attempts"].N);
        Assert.Equal(["created"], item["log"].L.Select(v => v.S));
        Assert.Equal("3", item["cfg"].M["retries"].N);
        Assert.False(item.ContainsKey("gone"));
        Assert.Equal("1", item["hits"].N);
        Assert.Equal(["a", "b"], item["tags"].SS.Order(StringComparer.Ordinal));

        // A versioned write: the second writer with the stale version loses.
        var bump = new UpdateItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "grp"),
            UpdateExpression = "SET #v = :next",
            ConditionExpression = "#v = :expected",
            ExpressionAttributeNames = new Dictionary<string, string> { ["#v"] = "version" },
            ExpressionAttributeValues = new Dictionary<string, Av> { [":next"] = N(2), [":expected"] = N(1) },
            ReturnValues = ReturnValue.UPDATED_OLD,
        };
        var old = await _ddb.UpdateItemAsync(bump);
        Assert.Equal(["version"], old.Attributes.Keys);
        Assert.Equal("1", old.Attributes["version"].N);
        await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => _ddb.UpdateItemAsync(bump));

        // An update of a missing item creates it from the key.
        await _ddb.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "new"),
            UpdateExpression = "SET heartbeat = :t",
            ExpressionAttributeValues = new Dictionary<string, Av> { [":t"] = N(5) },
        });
        Assert.Equal("5", (await GetAsync("g#a", "new"))!["heartbeat"].N);
    }

    [Theory]
    [InlineData("attribute_exists(worker)", true)]
    [InlineData("attribute_not_exists(worker)", false)]
    [InlineData("attribute_not_exists(absent)", true)]
    [InlineData("worker = :w1", true)]
    [InlineData("worker <> :w1", false)]
    [InlineData("absent <> :w1", true)]
    [InlineData("attempts < :three AND attempts >= :two", true)]
    [InlineData("attempts > :three OR worker = :w1", true)]
    [InlineData("NOT (attempts > :three OR worker = :w1)", false)]
    [InlineData("(attempts = :two) AND NOT begins_with(worker, :w)", false)]
    [InlineData("begins_with(worker, :w)", true)]
    [InlineData("attempts BETWEEN :two AND :three", true)]
    [InlineData("worker IN (:w2, :w1)", true)]
    [InlineData("size(worker) = :two", true)]
    [InlineData("contains(tags, :tag)", true)]
    [InlineData("attribute_type(attempts, :ntype)", true)]
    [InlineData("info.#state = :w1", true)]
    public async Task ConditionExpression_Grammar_EvaluatesAsDynamoDb(string expression, bool holds)
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "x", ("worker", S("w1")), ("attempts", N(2)), ("tags", new Av { SS = ["p"] }), ("info", new Av { M = new Dictionary<string, Av> { ["state"] = S("w1") } })));
        var values = new Dictionary<string, Av>
        {
            [":w1"] = S("w1"), [":w2"] = S("w2"), [":w"] = S("w"), [":two"] = N(2), [":three"] = N(3), [":tag"] = S("p"), [":ntype"] = S("N"),
        };
        var request = new DeleteItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "x"),
            ConditionExpression = expression,
            ExpressionAttributeValues = System.Text.RegularExpressions.Regex.Matches(expression, ":[a-z0-9]+").Select(m => m.Value).Distinct().ToDictionary(v => v, v => values[v]),
        };
        if (expression.Contains("#state", StringComparison.Ordinal))
        {
            request.ExpressionAttributeNames = new Dictionary<string, string> { ["#state"] = "state" };
        }

        if (request.ExpressionAttributeValues.Count == 0)
        {
            request.ExpressionAttributeValues = null;
        }

        if (holds)
        {
            await _ddb.DeleteItemAsync(request);
            Assert.Null(await GetAsync("g#a", "x"));
        }
        else
        {
            await Assert.ThrowsAsync<ConditionalCheckFailedException>(() => _ddb.DeleteItemAsync(request));
            Assert.NotNull(await GetAsync("g#a", "x"));
        }
    }

    [Theory]
    [InlineData("SET a = :v", "attribute_exists(pk) AND", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\"")]
    [InlineData("SET a = :v", "attribute_exists(pk) AND :v = :undefined", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :undefined")]
    [InlineData("SET status = :v", null, "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status")]
    [InlineData("SET #missing = :v", null, "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #missing")]
    [InlineData("SET sk = :v", null, "One or more parameter values were invalid: Cannot update attribute sk. This attribute is part of the key")]
    [InlineData("SET a = :v, a = :v", null, "Invalid UpdateExpression: Two document paths overlap with each other")]
    [InlineData("SET a = a + :v", null, "The provided expression refers to an attribute that does not exist in the item")]
    [InlineData("SET a = :v", "begins_with(pk, :v)", "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: NUMBER")]
    [InlineData("SET a = :v, :v", null, "Invalid UpdateExpression: Syntax error; token: \":v\"")]
    public async Task UpdateItem_BadExpression_ValidationException(string update, string? condition, string message)
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "x"));
        var request = new UpdateItemRequest
        {
            TableName = Table,
            Key = Key("g#a", "x"),
            UpdateExpression = update,
            ConditionExpression = condition,
            ExpressionAttributeValues = new Dictionary<string, Av> { [":v"] = N(1) },
        };

        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.UpdateItemAsync(request));
        Assert.Equal("ValidationException", error.ErrorCode);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Empty(Row("g#a", "x").Keys.Except((await GetAsync("g#a", "x"))!.Keys));
        Assert.False((await GetAsync("g#a", "x"))!.ContainsKey("a"));
    }

    [Fact]
    public async Task PutItem_UnusedPlaceholder_ValidationException()
    {
        await CreateTableAsync();
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.PutItemAsync(new PutItemRequest
        {
            TableName = Table,
            Item = Row("g#a", "x"),
            ConditionExpression = "attribute_not_exists(pk)",
            ExpressionAttributeValues = new Dictionary<string, Av> { [":unused"] = N(1) },
        }));
        Assert.Equal("Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}", error.Message);
        Assert.Null(await GetAsync("g#a", "x"));
    }

    [Fact]
    public async Task DeleteItem_ReturnAllOld_ReturnsTheDeletedItem()
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "x", ("v", N(7))));
        var deleted = await _ddb.DeleteItemAsync(new DeleteItemRequest { TableName = Table, Key = Key("g#a", "x"), ReturnValues = ReturnValue.ALL_OLD });
        Assert.Equal("7", deleted.Attributes["v"].N);
        Assert.Null(await GetAsync("g#a", "x"));
        var again = await _ddb.DeleteItemAsync(new DeleteItemRequest { TableName = Table, Key = Key("g#a", "x"), ReturnValues = ReturnValue.ALL_OLD });
        Assert.True(again.Attributes is null || again.Attributes.Count == 0);
    }

    private async Task SeedRunsAsync()
    {
        await CreateTableAsync();
        for (var i = 0; i < 10; i++)
        {
            await PutAsync(Row("g#a", "run#" + i.ToString("00", System.Globalization.CultureInfo.InvariantCulture), ("status", S(i % 2 == 0 ? "Completed" : "Queued")), ("n", N(i))));
        }

        await PutAsync(Row("g#a", "worker#1", ("n", N(100))));
        await PutAsync(Row("g#b", "run#00", ("n", N(0))));
    }

    private Task<QueryResponse> QueryAsync(string keyCondition, Dictionary<string, Av> values, Action<QueryRequest>? configure = null)
    {
        var request = new QueryRequest { TableName = Table, KeyConditionExpression = keyCondition, ExpressionAttributeValues = values };
        configure?.Invoke(request);
        return _ddb.QueryAsync(request);
    }

    [Fact]
    public async Task Query_KeyConditions_ReturnThePartitionInSortOrder()
    {
        await SeedRunsAsync();
        var all = await QueryAsync("pk = :g", new() { [":g"] = S("g#a") });
        Assert.Equal(11, all.Count);
        Assert.Equal("run#00", all.Items[0]["sk"].S);
        Assert.Equal("worker#1", all.Items[^1]["sk"].S);

        var runs = await QueryAsync("pk = :g AND begins_with(sk, :p)", new() { [":g"] = S("g#a"), [":p"] = S("run#") }, r => r.ScanIndexForward = false);
        Assert.Equal(10, runs.Count);
        Assert.Equal("run#09", runs.Items[0]["sk"].S);

        var range = await QueryAsync("pk = :g AND sk BETWEEN :lo AND :hi", new() { [":g"] = S("g#a"), [":lo"] = S("run#03"), [":hi"] = S("run#05") });
        Assert.Equal(["run#03", "run#04", "run#05"], range.Items.Select(i => i["sk"].S));

        var after = await QueryAsync("pk = :g AND sk > :s", new() { [":g"] = S("g#a"), [":s"] = S("run#08") });
        Assert.Equal(["run#09", "worker#1"], after.Items.Select(i => i["sk"].S));

        var filtered = await QueryAsync("pk = :g AND begins_with(sk, :p)", new() { [":g"] = S("g#a"), [":p"] = S("run#"), [":q"] = S("Queued") }, r =>
        {
            r.FilterExpression = "#s = :q";
            r.ExpressionAttributeNames = new Dictionary<string, string> { ["#s"] = "status" };
        });
        Assert.Equal(5, filtered.Count);
        Assert.Equal(10, filtered.ScannedCount);

        var counted = await QueryAsync("pk = :g", new() { [":g"] = S("g#a") }, r => r.Select = Select.COUNT);
        Assert.Equal(11, counted.Count);
        Assert.True(counted.Items is null || counted.Items.Count == 0);
    }

    [Fact]
    public async Task Query_BadKeyConditions_ValidationException()
    {
        await SeedRunsAsync();
        var noHash = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => QueryAsync("sk = :s", new() { [":s"] = S("x") }));
        Assert.Equal("Query condition missed key schema element: pk", noHash.Message);
        var other = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => QueryAsync("pk = :g AND n = :n", new() { [":g"] = S("g#a"), [":n"] = N(1) }));
        Assert.Equal("ValidationException", other.ErrorCode);
        var or = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => QueryAsync("pk = :g OR sk = :s", new() { [":g"] = S("g#a"), [":s"] = S("x") }));
        Assert.Equal("Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR", or.Message);
        var filterOnKey = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => QueryAsync("pk = :g", new() { [":g"] = S("g#a"), [":p"] = S("run#") }, r => r.FilterExpression = "begins_with(sk, :p)"));
        Assert.Equal("Filter Expression can only contain non-primary key attributes: Primary key attribute: sk", filterOnKey.Message);
    }

    [Fact]
    public async Task Query_LimitAndExclusiveStartKey_PagesThroughEveryItemOnce()
    {
        await SeedRunsAsync();
        var seen = new List<string>();
        Dictionary<string, Av>? start = null;
        var pages = 0;
        do
        {
            var page = await QueryAsync("pk = :g", new() { [":g"] = S("g#a") }, r =>
            {
                r.Limit = 4;
                r.ExclusiveStartKey = start;
            });
            seen.AddRange(page.Items.Select(i => i["sk"].S));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            pages++;
        }
        while (start is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(11, seen.Count);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
    }

    [Fact]
    public async Task Query_MoreThanOneMegabyte_StopsWithLastEvaluatedKey()
    {
        await CreateTableAsync();
        var payload = new string('x', 300 * 1024);
        for (var i = 0; i < 7; i++)
        {
            await PutAsync(Row("g#a", "big#" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), ("data", S(payload))));
        }

        var first = await QueryAsync("pk = :g", new() { [":g"] = S("g#a") });
        Assert.Equal(4, first.Count);
        Assert.Equal("big#3", first.LastEvaluatedKey["sk"].S);
        var second = await QueryAsync("pk = :g", new() { [":g"] = S("g#a") }, r => r.ExclusiveStartKey = first.LastEvaluatedKey);
        Assert.Equal(["big#4", "big#5", "big#6"], second.Items.Select(i => i["sk"].S));
        Assert.True(second.LastEvaluatedKey is null || second.LastEvaluatedKey.Count == 0);
    }

    [Fact]
    public async Task BatchWriteItem_MoreThan25_ValidationAndUpTo25Stored()
    {
        await CreateTableAsync();
        List<WriteRequest> Puts(int count) => Enumerable.Range(0, count).Select(i => new WriteRequest(new PutRequest(Row("g#a", "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToList();
        var tooMany = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>> { [Table] = Puts(26) }));
        Assert.Equal("ValidationException", tooMany.ErrorCode);
        Assert.Contains("less than or equal to 25", tooMany.Message, StringComparison.Ordinal);

        var written = await _ddb.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>> { [Table] = Puts(25) });
        Assert.True(written.UnprocessedItems is null || written.UnprocessedItems.Count == 0);
        Assert.Equal(25, (await QueryAsync("pk = :g", new() { [":g"] = S("g#a") })).Count);

        var deletes = Enumerable.Range(0, 5).Select(i => new WriteRequest(new DeleteRequest(Key("g#a", "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToList();
        await _ddb.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>> { [Table] = deletes });
        Assert.Equal(20, (await QueryAsync("pk = :g", new() { [":g"] = S("g#a") })).Count);

        var duplicate = Puts(2);
        duplicate.Add(duplicate[0]);
        var dup = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.BatchWriteItemAsync(new Dictionary<string, List<WriteRequest>> { [Table] = duplicate }));
        Assert.Equal("Provided list of item keys contains duplicates", dup.Message);
    }

    [Fact]
    public async Task BatchWriteItem_InjectedThrottling_ReturnsUnprocessedItemsThatARetryStores()
    {
        await CreateTableAsync();
        _sandbox.Server.Faults.Seed = 7;
        _sandbox.Server.Faults.ThrottleRate = 0.4;
        var pending = new Dictionary<string, List<WriteRequest>>
        {
            [Table] = Enumerable.Range(0, 25).Select(i => new WriteRequest(new PutRequest(Row("g#a", "r" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))))).ToList(),
        };
        var sawUnprocessed = false;
        var sawThrottled = false;
        for (var attempt = 0; attempt < 50 && pending.Count > 0; attempt++)
        {
            try
            {
                var response = await _ddb.BatchWriteItemAsync(pending);
                sawUnprocessed |= response.UnprocessedItems is { Count: > 0 };
                pending = response.UnprocessedItems ?? [];
            }
            catch (ProvisionedThroughputExceededException)
            {
                sawThrottled = true;
            }
        }

        Assert.True(sawUnprocessed);
        Assert.True(sawThrottled);
        Assert.Empty(pending);
        _sandbox.Server.Faults.ThrottleRate = 0;
        Assert.Equal(25, (await QueryAsync("pk = :g", new() { [":g"] = S("g#a") })).Count);
    }

    [Fact]
    public async Task BatchGetItem_Keys_ReturnsTheItemsThatExist()
    {
        await SeedRunsAsync();
        var response = await _ddb.BatchGetItemAsync(new Dictionary<string, KeysAndAttributes>
        {
            [Table] = new KeysAndAttributes { Keys = [Key("g#a", "run#01"), Key("g#b", "run#00"), Key("g#a", "none")] },
        });
        Assert.Equal(["g#a/run#01", "g#b/run#00"], response.Responses[Table].Select(i => i["pk"].S + "/" + i["sk"].S).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task TransactWriteItems_FailingCondition_CancelsEveryActionWithReasons()
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "group", ("version", N(1))));
        TransactWriteItemsRequest Transaction(decimal expected) => new()
        {
            TransactItems =
            [
                new TransactWriteItem
                {
                    Update = new Update
                    {
                        TableName = Table,
                        Key = Key("g#a", "group"),
                        UpdateExpression = "SET version = :next",
                        ConditionExpression = "version = :expected",
                        ExpressionAttributeValues = new Dictionary<string, Av> { [":next"] = N(expected + 1), [":expected"] = N(expected) },
                    },
                },
                new TransactWriteItem
                {
                    Put = new Put { TableName = Table, Item = Row("g#a", "run#1"), ConditionExpression = "attribute_not_exists(pk)" },
                },
            ],
        };

        var error = await Assert.ThrowsAsync<TransactionCanceledException>(() => _ddb.TransactWriteItemsAsync(Transaction(5)));
        Assert.Equal(["ConditionalCheckFailed", "None"], error.CancellationReasons.Select(r => r.Code));
        Assert.Null(await GetAsync("g#a", "run#1"));

        await _ddb.TransactWriteItemsAsync(Transaction(1));
        Assert.Equal("2", (await GetAsync("g#a", "group"))!["version"].N);
        Assert.NotNull(await GetAsync("g#a", "run#1"));

        var retry = await Assert.ThrowsAsync<TransactionCanceledException>(() => _ddb.TransactWriteItemsAsync(Transaction(2)));
        Assert.Equal(["None", "ConditionalCheckFailed"], retry.CancellationReasons.Select(r => r.Code));
        Assert.Equal("2", (await GetAsync("g#a", "group"))!["version"].N);
    }

    [Fact]
    public async Task PutItem_ManyConcurrentConditionalPuts_ExactlyOneWins()
    {
        await CreateTableAsync();
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            try
            {
                await _ddb.PutItemAsync(new PutItemRequest
                {
                    TableName = Table,
                    Item = Row("g#a", "final#req1", ("worker", S("w" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))),
                    ConditionExpression = "attribute_not_exists(pk)",
                });
                return true;
            }
            catch (ConditionalCheckFailedException)
            {
                return false;
            }
        }));

        Assert.Equal(1, outcomes.Count(o => o));
        var winner = "w" + Array.IndexOf(outcomes, true).ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(winner, (await GetAsync("g#a", "final#req1"))!["worker"].S);
    }

    [Fact]
    public async Task UpdateItem_ConcurrentVersionedUpdates_NoLostUpdate()
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "group", ("version", N(0)), ("members", new Av { L = [] })));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async worker =>
        {
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var current = await GetAsync("g#a", "group");
                var version = decimal.Parse(current!["version"].N, System.Globalization.CultureInfo.InvariantCulture);
                try
                {
                    await _ddb.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = Table,
                        Key = Key("g#a", "group"),
                        UpdateExpression = "SET version = :next, members = list_append(members, :me)",
                        ConditionExpression = "version = :seen",
                        ExpressionAttributeValues = new Dictionary<string, Av> { [":next"] = N(version + 1), [":seen"] = N(version), [":me"] = new Av { L = [N(worker)] } },
                    });
                    return;
                }
                catch (ConditionalCheckFailedException)
                {
                    // Lost the race: read again and retry.
                }
            }
        }));

        var group = await GetAsync("g#a", "group");
        Assert.Equal("8", group!["version"].N);
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), group["members"].L.Select(v => v.N).Order(StringComparer.Ordinal));
    }

    private static string LeadingKeysPolicy(string tableArn, string op, params string[] keys) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"dynamodb:GetItem\",\"dynamodb:PutItem\",\"dynamodb:UpdateItem\",\"dynamodb:DeleteItem\",\"dynamodb:Query\",\"dynamodb:BatchWriteItem\",\"dynamodb:ConditionCheckItem\"],"
        + "\"Resource\":\"" + tableArn + "\",\"Condition\":{\"" + op + "\":{\"dynamodb:LeadingKeys\":[" + string.Join(",", keys.Select(k => "\"" + k + "\"")) + "]}}},"
        + "{\"Effect\":\"Allow\",\"Action\":\"dynamodb:DescribeTable\",\"Resource\":\"" + tableArn + "\"}]}";

    [Theory]
    [InlineData("ForAllValues:StringEquals", "group#prod")]
    [InlineData("ForAllValues:StringLike", "group#prod*")]
    public async Task LeadingKeys_WorkerPolicy_AllowsItsPartitionOnlyAndDeniesAnother(string op, string allowed)
    {
        await CreateTableAsync();
        var tableArn = $"arn:aws:dynamodb:us-east-1:{_sandbox.AccountId}:table/{Table}";
        var worker = _sandbox.Server.CreateUser(_sandbox.AccountId, "worker", LeadingKeysPolicy(tableArn, op, allowed));
        using var client = Client(SandboxHarness.Credentials(worker));

        await client.DescribeTableAsync(Table);
        await client.PutItemAsync(new PutItemRequest { TableName = Table, Item = Row("group#prod", "hb#w1") });
        await client.GetItemAsync(new GetItemRequest { TableName = Table, Key = Key("group#prod", "hb#w1") });
        await client.QueryAsync(new QueryRequest { TableName = Table, KeyConditionExpression = "pk = :g", ExpressionAttributeValues = new() { [":g"] = S("group#prod") } });

        var denied = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.PutItemAsync(new PutItemRequest { TableName = Table, Item = Row("group#dev", "hb#w1") }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Equal($"User: arn:aws:iam::{_sandbox.AccountId}:user/worker is not authorized to perform: dynamodb:PutItem on resource: {tableArn} because no identity-based policy allows the dynamodb:PutItem action", denied.Message);
        await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.QueryAsync(new QueryRequest { TableName = Table, KeyConditionExpression = "pk = :g", ExpressionAttributeValues = new() { [":g"] = S("group#dev") } }));

        // One foreign partition in a batch denies the whole batch.
        var mixed = new Dictionary<string, List<WriteRequest>> { [Table] = [new WriteRequest(new PutRequest(Row("group#prod", "a"))), new WriteRequest(new PutRequest(Row("group#dev", "a")))] };
        var batch = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.BatchWriteItemAsync(mixed));
        Assert.Equal("AccessDeniedException", batch.ErrorCode);
        Assert.Null(await GetAsync("group#prod", "a"));
        Assert.Null(await GetAsync("group#dev", "hb#w1"));

        // Not allowed at all: another table, or an action the policy does not name.
        await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.CreateTableAsync(CompositeTable("Other")));
    }

    [Fact]
    public async Task Faults_InjectedThrottlingAndServerErrors_AnswerAsDynamoDb()
    {
        await CreateTableAsync();
        _sandbox.Server.Faults.ThrottleRate = 1;
        await Assert.ThrowsAsync<ProvisionedThroughputExceededException>(() => PutAsync(Row("g#a", "x")));
        var control = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => _ddb.DescribeTableAsync(Table));
        Assert.Equal("ThrottlingException", control.ErrorCode);
        _sandbox.Server.Faults.ThrottleRate = 0;
        _sandbox.Server.Faults.ServerErrorRate = 1;
        var server = await Assert.ThrowsAsync<InternalServerErrorException>(() => PutAsync(Row("g#a", "x")));
        Assert.Equal(HttpStatusCode.InternalServerError, server.StatusCode);
        _sandbox.Server.Faults.ServerErrorRate = 0;
        Assert.Null(await GetAsync("g#a", "x"));
    }

    [Fact]
    public async Task CallCountsAndState_PerActionAndPerAccountAndRegion()
    {
        await CreateTableAsync();
        _sandbox.Server.ResetCallCounts();
        await PutAsync(Row("g#a", "x"));
        await PutAsync(Row("g#a", "y"));
        await GetAsync("g#a", "x");
        Assert.Equal(2, _sandbox.Server.CallCounts["dynamodb:PutItem"]);
        Assert.Equal(1, _sandbox.Server.CallCounts["dynamodb:GetItem"]);

        using var otherRegion = Client(SandboxHarness.Credentials(_sandbox.Admin), "eu-west-1");
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => otherRegion.DescribeTableAsync(Table));
        var otherAccount = _sandbox.Server.CreateAccount();
        using var foreign = Client(SandboxHarness.Credentials(otherAccount));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => foreign.DescribeTableAsync(Table));
        await CreateTableAsync(foreign);
        Assert.Equal(2, _sandbox.Server.DumpDynamoDbItems().Count);
    }

    [Fact]
    public async Task Authentication_UnknownKeyOrNoPermission_RefusedAsDynamoDb()
    {
        using var unknown = Client(new BasicAWSCredentials("AKIAUNKNOWNUNKNOWN00", "secret"));
        var error = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => unknown.DescribeTableAsync(Table));
        Assert.Equal("UnrecognizedClientException", error.ErrorCode);

        var reader = _sandbox.Server.CreateUser(_sandbox.AccountId, "reader", SandboxHarness.AllowPolicy("dynamodb:DescribeTable"));
        using var client = Client(SandboxHarness.Credentials(reader));
        await CreateTableAsync();
        await client.DescribeTableAsync(Table);
        var denied = await Assert.ThrowsAsync<AmazonDynamoDBException>(() => client.PutItemAsync(new PutItemRequest { TableName = Table, Item = Row("g#a", "x") }));
        Assert.Equal("AccessDeniedException", denied.ErrorCode);
    }

    [Fact]
    public async Task DumpDynamoDbItems_ControlApiAndInProcess_ShowEveryStoredValue()
    {
        await CreateTableAsync();
        await PutAsync(Row("g#a", "group", ("secretHash", S("pbkdf2$salt$hash")), ("nested", new Av { M = new Dictionary<string, Av> { ["note"] = S("needle-42") } })));
        var dump = _sandbox.Server.DumpDynamoDbItems();
        var entry = Assert.Single(dump);
        Assert.Equal(Table, entry.TableName);
        Assert.Equal(_sandbox.AccountId, entry.AccountId);
        Assert.Contains("needle-42", entry.ItemJson, StringComparison.Ordinal);

        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/dynamodb/items"));
        using var document = JsonDocument.Parse(json);
        var item = Assert.Single(document.RootElement.EnumerateArray());
        Assert.Equal("needle-42", item.GetProperty("item").GetProperty("nested").GetProperty("M").GetProperty("note").GetProperty("S").GetString());

        using var content = new StringContent("{\"creatingDescribeCalls\":3}", Encoding.UTF8, "application/json");
        using var set = await http.PutAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/dynamodb"), content);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        Assert.Equal(3, _sandbox.Server.DynamoDbCreatingDescribeCalls);
    }
}
