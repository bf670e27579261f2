using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Stores.Aws;

/// <summary>
/// The AWS store: one DynamoDB table per installation, one SQS standard queue and its dead-letter
/// queue per group. Every item of a group is in the group's partition (partition key = the group's name in lower case),
/// so an IAM policy can hold a worker to its group with <c>dynamodb:LeadingKeys</c>.
/// <code>
/// pk           sk                                   what
/// &lt;group&gt;      group                                the group (body: its record with the secret's hash; ver: its version)
/// &lt;group&gt;      worker#&lt;worker&gt;                      registration and heartbeats (TTL)
/// &lt;group&gt;      run#&lt;request&gt;                        the final run, put only if absent: one per request (TTL)
/// &lt;group&gt;      run#&lt;request&gt;-a&lt;attempt&gt;             a failed attempt (TTL)
/// &lt;group&gt;      applied#&lt;request&gt;#&lt;ticks&gt;#&lt;guid&gt;     write-ahead undo record of a delivery (TTL as a backstop)
/// &lt;group&gt;      lease#&lt;request&gt;                      who holds the last attempt (for the dead letter's reason)
/// &lt;group&gt;      dead#&lt;request&gt;                       a dead-lettered request
/// #groups      &lt;group&gt;                              the list of groups (written before, deleted after, the group item)
/// </code>
/// The dead-letter queue is where SQS's redrive puts a request whose last lease expired; a receiver that finds the
/// group's queue empty sweeps it into <c>dead#</c> items with a final DeadLettered run, which are the dead-letter area.
/// </summary>
internal sealed partial class AwsStore : IRemediationStore, IDisposable
{
    private const string PartitionKey = "pk";
    private const string SortKey = "sk";
    private const string BodyAttribute = "body";
    private const string VersionAttribute = "ver";
    private const string ExpiresAttribute = "expires";
    private const string GroupListPartition = "#groups";
    private const string GroupSort = "group";

    private readonly IAmazonDynamoDB dynamo;
    private readonly IAmazonSQS sqs;
    private readonly AwsStoreOptions options;
    private readonly IDisposable? owner;
    private readonly SemaphoreSlim tableGate = new(1, 1);
    private bool tableReady;

    /// <summary>Creates the store over the given clients.</summary>
    /// <param name="dynamo">The DynamoDB client.</param>
    /// <param name="sqs">The SQS client.</param>
    /// <param name="options">The installation's name and tuning.</param>
    /// <param name="owner">Disposed with the store (the clients' owner), or null.</param>
    public AwsStore(IAmazonDynamoDB dynamo, IAmazonSQS sqs, AwsStoreOptions? options = null, IDisposable? owner = null)
    {
        this.dynamo = dynamo ?? throw new ArgumentNullException(nameof(dynamo));
        this.sqs = sqs ?? throw new ArgumentNullException(nameof(sqs));
        this.options = options ?? new AwsStoreOptions();
        AwsStoreOptions.ValidateName(this.options.Name, "the AWS store's options");
        if (this.options.MaxAttempts < 1 || this.options.MaxAttempts > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), this.options.MaxAttempts, "MaxAttempts must be 1 to 1000 (SQS's maxReceiveCount).");
        }

        this.owner = owner;
    }

    /// <summary>The DynamoDB table's name (the installation name).</summary>
    public string TableName => options.Name;

    /// <inheritdoc />
    public string Description => "aws:" + options.Name;

    /// <inheritdoc />
    public int MaxAttempts => options.MaxAttempts;

    /// <summary>
    /// Opens the store <paramref name="options"/> names with the clients of <paramref name="connection"/>: endpoints from
    /// <c>-EndpointUrl</c>, else <c>AWS_ENDPOINT_URL_SQS</c> / <c>AWS_ENDPOINT_URL_DYNAMODB</c>, else <c>AWS_ENDPOINT_URL</c>.
    /// </summary>
    public static AwsStore Create(AwsConnection connection, AwsStoreOptions options, Func<HttpMessageHandler>? httpHandler = null)
    {
        if (connection is null)
        {
            throw new ArgumentNullException(nameof(connection));
        }

        var dynamoClient = new AmazonDynamoDBClient(
            connection.Credentials,
            AwsClientFactory.Configure(new AmazonDynamoDBConfig(), "DynamoDB", connection.Region, connection, httpHandler));
        var sqsClient = new AmazonSQSClient(
            connection.Credentials,
            AwsClientFactory.Configure(new AmazonSQSConfig(), "SQS", connection.Region, connection, httpHandler));
        return new AwsStore(dynamoClient, sqsClient, options, new ClientOwner(dynamoClient, sqsClient));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        owner?.Dispose();
        tableGate.Dispose();
    }

    // ----- groups -----

    /// <inheritdoc />
    public async Task<WorkerGroupRecord?> GetGroupAsync(string name, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(Key(name), GroupSort, cancellationToken).ConfigureAwait(false);
        return item is null ? null : ReadGroup(item);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<WorkerGroupRecord>> ListGroupsAsync(CancellationToken cancellationToken)
    {
        var groups = new List<WorkerGroupRecord>();
        foreach (var entry in await QueryAsync(GroupListPartition, string.Empty, cancellationToken).ConfigureAwait(false))
        {
            // An entry whose group item is missing is a creation that did not finish or a deletion that did not: no group.
            if (await GetGroupAsync(entry[SortKey].S, cancellationToken).ConfigureAwait(false) is { } group)
            {
                groups.Add(group);
            }
        }

        return groups.OrderBy(g => g.Group.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <inheritdoc />
    public async Task<WorkerGroupRecord> CreateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken)
    {
        if (group is null)
        {
            throw new ArgumentNullException(nameof(group));
        }

        var key = Key(group.Group.Name);
        var queueName = QueueName(group.Group.Name);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        if (await GetItemAsync(key, GroupSort, cancellationToken).ConfigureAwait(false) is not null)
        {
            throw GroupExists(group.Group.Name);
        }

        // Queues first (idempotent), then the list entry, then the group item, created only if absent: a process killed
        // before the last step leaves no group, and a retry finishes the creation.
        await CreateQueuesAsync(group.Group.Name, queueName, cancellationToken).ConfigureAwait(false);
        await PutAsync(new Dictionary<string, AttributeValue> { [PartitionKey] = S(GroupListPartition), [SortKey] = S(key) }, null, cancellationToken).ConfigureAwait(false);
        var item = GroupItem(group, 1);
        try
        {
            await PutAsync(item, "attribute_not_exists(" + PartitionKey + ")", cancellationToken).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            // A retried put whose first try was written is ours; anything else is another creator's group.
            if (await GetItemAsync(key, GroupSort, cancellationToken).ConfigureAwait(false) is not { } stored || stored[BodyAttribute].S != item[BodyAttribute].S)
            {
                throw GroupExists(group.Group.Name);
            }
        }

        return ReadGroup(item);
    }

    /// <inheritdoc />
    public async Task<WorkerGroupRecord> UpdateGroupAsync(WorkerGroupRecord group, CancellationToken cancellationToken)
    {
        if (group is null)
        {
            throw new ArgumentNullException(nameof(group));
        }

        var key = Key(group.Group.Name);
        var item = GroupItem(group, group.Version + 1);
        try
        {
            await PutAsync(
                item,
                "#v = :expected",
                cancellationToken,
                new Dictionary<string, string> { ["#v"] = VersionAttribute },
                new Dictionary<string, AttributeValue> { [":expected"] = N(group.Version) }).ConfigureAwait(false);
        }
        catch (ConditionalCheckFailedException)
        {
            var stored = await GetItemAsync(key, GroupSort, cancellationToken).ConfigureAwait(false)
                ?? throw new RemediationStoreException(StoreError.GroupNotFound, "There is no worker group named '" + group.Group.Name + "' in " + Description + ".") { Target = group.Group.Name };
            if (stored[BodyAttribute].S != item[BodyAttribute].S)
            {
                throw new RemediationStoreException(
                    StoreError.ConcurrencyConflict,
                    "Worker group '" + group.Group.Name + "' was changed by someone else since it was read (version " +
                    group.Version.ToString(CultureInfo.InvariantCulture) + "); read it again and retry.")
                {
                    Target = group.Group.Name,
                };
            }
        }

        return ReadGroup(item);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteGroupAsync(string name, CancellationToken cancellationToken)
    {
        var key = Key(name);

        // Deleting the group item is the one step that deletes the group; the queues and the other items are clean-up
        // that a later delete of a group of that name finishes.
        try
        {
            await CallAsync(
                "DynamoDB DeleteItem",
                () => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = ItemKey(key, GroupSort), ConditionExpression = "attribute_exists(" + PartitionKey + ")" }, cancellationToken)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConditionalCheckFailedException or ResourceNotFoundException)
        {
            return false;
        }

        await DeleteQueuesAsync(name, cancellationToken).ConfigureAwait(false);
        var sortKeys = (await QueryAsync(key, string.Empty, cancellationToken).ConfigureAwait(false)).Select(i => i[SortKey].S).ToList();
        for (var start = 0; start < sortKeys.Count; start += 25)
        {
            await DeleteBatchAsync(key, sortKeys.Skip(start).Take(25).ToList(), cancellationToken).ConfigureAwait(false);
        }

        await DeleteItemAsync(GroupListPartition, key, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static Dictionary<string, AttributeValue> GroupItem(WorkerGroupRecord group, long version)
    {
        var copy = new WorkerGroupRecord { Group = group.Group, SecretHash = group.SecretHash, Version = version };
        return new Dictionary<string, AttributeValue>
        {
            [PartitionKey] = S(Key(group.Group.Name)),
            [SortKey] = S(GroupSort),
            [VersionAttribute] = N(version),
            [BodyAttribute] = S(RemediationJson.Serialize(copy)),
        };
    }

    private static WorkerGroupRecord ReadGroup(Dictionary<string, AttributeValue> item)
    {
        var record = Body<WorkerGroupRecord>(item);
        record.Version = long.Parse(item[VersionAttribute].N, NumberStyles.None, CultureInfo.InvariantCulture);
        record.Group.Version = record.Version;
        return record;
    }

    private RemediationStoreException GroupExists(string name) => new(StoreError.GroupExists, "A worker group named '" + name + "' already exists in " + Description + ".")
    {
        Target = name,
    };

    // ----- workers -----

    /// <inheritdoc />
    public Task SaveWorkerAsync(RemediationWorkerInfo worker, CancellationToken cancellationToken)
    {
        if (worker is null)
        {
            throw new ArgumentNullException(nameof(worker));
        }

        var item = Item(Key(worker.WorkerGroup), "worker#" + SafeId(worker.WorkerId, "worker ID"), RemediationJson.Serialize(worker));
        item[ExpiresAttribute] = Expires(worker.LastHeartbeat + options.WorkerRetention);
        return PutAsync(item, null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RemediationWorkerInfo>> ListWorkersAsync(string? group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var keys = group is null
            ? (await QueryAsync(GroupListPartition, string.Empty, cancellationToken).ConfigureAwait(false)).Select(i => i[SortKey].S).ToList()
            : new List<string> { Key(group) };
        var workers = new List<RemediationWorkerInfo>();
        foreach (var key in keys)
        {
            foreach (var item in await QueryAsync(key, "worker#", cancellationToken).ConfigureAwait(false))
            {
                var worker = Body<RemediationWorkerInfo>(item);
                WorkerHealth.Apply(worker, now);
                workers.Add(worker);
            }
        }

        return workers.OrderBy(w => w.WorkerGroup, StringComparer.OrdinalIgnoreCase).ThenBy(w => w.Started).ToList();
    }

    // ----- runs -----

    /// <inheritdoc />
    public Task RecordRunAsync(RemediationRun run, CancellationToken cancellationToken)
    {
        if (run is null)
        {
            throw new ArgumentNullException(nameof(run));
        }

        return PutAsync(RunItem(run), null, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<RemediationRun>> GetRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        if (query is null)
        {
            throw new ArgumentNullException(nameof(query));
        }

        var prefix = "run#" + (query.Id is null ? string.Empty : SafeId(query.Id, "run ID"));
        var runs = new List<RemediationRun>();
        var finalRunIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in await QueryAsync(Key(query.WorkerGroup), prefix, cancellationToken).ConfigureAwait(false))
        {
            var run = Body<RemediationRun>(item);
            if (run.Status is RemediationRunStatus.Completed or RemediationRunStatus.DeadLettered)
            {
                finalRunIds.Add(run.Id);
            }

            if (query.Matches(run))
            {
                runs.Add(run);
            }
        }

        var ordered = runs.OrderBy(r => r.Finished).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
        if (query.IncludePending)
        {
            ordered.AddRange((await ListPendingAsync(query.WorkerGroup, finalRunIds, cancellationToken).ConfigureAwait(false)).Where(query.Matches));
        }

        return ordered;
    }

    /// <inheritdoc />
    public async Task<RemediationRun?> GetFinalRunAsync(string group, string requestId, CancellationToken cancellationToken)
    {
        var item = await GetItemAsync(Key(group), "run#" + SafeId(requestId, "request ID"), cancellationToken).ConfigureAwait(false);
        return item is null ? null : Body<RemediationRun>(item);
    }

    /// <summary>Puts a final run only if the request has none; true when this one was recorded.</summary>
    private async Task<bool> PutFinalRunAsync(RemediationRun run, CancellationToken cancellationToken)
    {
        var item = RunItem(run);
        try
        {
            await PutAsync(item, "attribute_not_exists(" + PartitionKey + ")", cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            // A retried put whose first try was written finds its own record.
            var stored = await GetItemAsync(item[PartitionKey].S, item[SortKey].S, cancellationToken).ConfigureAwait(false);
            return stored is not null && stored[BodyAttribute].S == item[BodyAttribute].S;
        }
    }

    private Dictionary<string, AttributeValue> RunItem(RemediationRun run)
    {
        var body = RemediationJson.Serialize(run);
        if (System.Text.Encoding.UTF8.GetByteCount(body) > MaxItemBodyBytes && run.LogLines.Count > 0)
        {
            // DynamoDB items hold at most 400 KB: keep the end of a very long log, where the failure is, and say so.
            var kept = new List<string>();
            var size = 0;
            foreach (var line in run.LogLines.Reverse())
            {
                size += System.Text.Encoding.UTF8.GetByteCount(line) + 8;
                if (size > MaxItemBodyBytes / 2)
                {
                    break;
                }

                kept.Insert(0, line);
            }

            kept.Insert(0, "(" + (run.LogLines.Count - kept.Count).ToString(CultureInfo.InvariantCulture) + " earlier log lines left out: a run record holds at most 400 KB)");
            run.LogLines = kept;
            body = RemediationJson.Serialize(run);
        }

        var item = Item(Key(run.WorkerGroup), "run#" + SafeId(run.Id, "run ID"), body);
        item[ExpiresAttribute] = Expires(run.Finished + options.RunRetention);
        return item;
    }

    private const int MaxItemBodyBytes = 350 * 1024;

    // ----- DynamoDB helpers -----

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync(
                "DynamoDB GetItem",
                () => dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = ItemKey(pk, sk), ConsistentRead = true }, cancellationToken)).ConfigureAwait(false);
            return response.Item is { Count: > 0 } item ? item : null;
        }
        catch (ResourceNotFoundException)
        {
            // No table yet: nothing was ever stored.
            return null;
        }
    }

    private async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(string pk, string sortPrefix, CancellationToken cancellationToken)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var request = new QueryRequest
            {
                TableName = TableName,
                ConsistentRead = true,
                KeyConditionExpression = sortPrefix.Length == 0 ? "#pk = :pk" : "#pk = :pk AND begins_with(#sk, :prefix)",
                ExpressionAttributeNames = sortPrefix.Length == 0
                    ? new Dictionary<string, string> { ["#pk"] = PartitionKey }
                    : new Dictionary<string, string> { ["#pk"] = PartitionKey, ["#sk"] = SortKey },
                ExpressionAttributeValues = sortPrefix.Length == 0
                    ? new Dictionary<string, AttributeValue> { [":pk"] = S(pk) }
                    : new Dictionary<string, AttributeValue> { [":pk"] = S(pk), [":prefix"] = S(sortPrefix) },
                ExclusiveStartKey = start,
            };
            QueryResponse response;
            try
            {
                response = await CallAsync("DynamoDB Query", () => dynamo.QueryAsync(request, cancellationToken)).ConfigureAwait(false);
            }
            catch (ResourceNotFoundException)
            {
                return items;
            }

            items.AddRange(response.Items ?? new List<Dictionary<string, AttributeValue>>());
            start = response.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return items;
    }

    private async Task<PutItemResponse> PutAsync(
        Dictionary<string, AttributeValue> item,
        string? condition,
        CancellationToken cancellationToken,
        Dictionary<string, string>? names = null,
        Dictionary<string, AttributeValue>? values = null)
    {
        try
        {
            return await CallAsync("DynamoDB PutItem", () => dynamo.PutItemAsync(
                new PutItemRequest
                {
                    TableName = TableName,
                    Item = item,
                    ConditionExpression = condition,
                    ExpressionAttributeNames = names,
                    ExpressionAttributeValues = values,
                },
                cancellationToken)).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException ex)
        {
            var group = item[PartitionKey].S;
            throw new RemediationStoreException(
                StoreError.GroupNotFound,
                "There is no worker group named '" + group + "' in " + Description + ": its DynamoDB table '" + TableName +
                "' does not exist (New-RemediationWorkerGroup -Store " + Description + " creates it).",
                ex)
            {
                Target = group,
            };
        }
    }

    private async Task DeleteItemAsync(string pk, string sk, CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync("DynamoDB DeleteItem", () => dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = ItemKey(pk, sk) }, cancellationToken)).ConfigureAwait(false);
        }
        catch (ResourceNotFoundException)
        {
            // No table: nothing to delete.
        }
    }

    /// <summary>Puts items with BatchWriteItem, 25 a call, sending what DynamoDB left unprocessed again.</summary>
    private async Task PutBatchAsync(List<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        for (var offset = 0; offset < items.Count; offset += 25)
        {
            var pending = new Dictionary<string, List<WriteRequest>>
            {
                [TableName] = items.Skip(offset).Take(25).Select(item => new WriteRequest { PutRequest = new PutRequest { Item = item } }).ToList(),
            };
            for (var round = 0; pending.Values.Any(v => v.Count > 0); round++)
            {
                if (round > 0)
                {
                    // Unprocessed items mean the table is throttled: back off before sending them again.
                    await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Min(round, 20)), cancellationToken).ConfigureAwait(false);
                }

                if (round >= 30)
                {
                    throw new RemediationStoreException(StoreError.StorageFailed, "DynamoDB left the queued requests' records unprocessed 30 times in " + Description + "; the requests are queued, Get-RemediationRun shows them once a worker claims them.");
                }

                var request = new BatchWriteItemRequest { RequestItems = pending };
                var response = await CallAsync("DynamoDB BatchWriteItem", () => dynamo.BatchWriteItemAsync(request, cancellationToken)).ConfigureAwait(false);
                pending = response.UnprocessedItems ?? new Dictionary<string, List<WriteRequest>>();
            }
        }
    }

    /// <summary>Deletes up to 25 items of a partition with BatchWriteItem, sending what DynamoDB left unprocessed again.</summary>
    private async Task DeleteBatchAsync(string pk, List<string> sortKeys, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>>
        {
            [TableName] = sortKeys.Select(sk => new WriteRequest { DeleteRequest = new DeleteRequest { Key = ItemKey(pk, sk) } }).ToList(),
        };
        for (var round = 0; pending.Count > 0 && pending.Values.Any(v => v.Count > 0); round++)
        {
            if (round > 0)
            {
                // Unprocessed items mean the table is throttled: back off before sending them again.
                await Task.Delay(TimeSpan.FromMilliseconds(50 * Math.Min(round, 20)), cancellationToken).ConfigureAwait(false);
            }

            if (round >= 30)
            {
                throw new RemediationStoreException(StoreError.StorageFailed, "DynamoDB left items of worker group '" + pk + "' in " + Description + " unprocessed 30 times; delete the group again.") { Target = pk };
            }

            var request = new BatchWriteItemRequest { RequestItems = pending };
            var response = await CallAsync("DynamoDB BatchWriteItem", () => dynamo.BatchWriteItemAsync(request, cancellationToken)).ConfigureAwait(false);
            pending = response.UnprocessedItems ?? new Dictionary<string, List<WriteRequest>>();
        }
    }

    /// <summary>
    /// Runs one AWS call; the conditions the store acts on (conditional check, missing table or queue, lost receipt
    /// handle) pass through, every other AWS failure becomes <see cref="StoreError.StorageFailed"/> naming the call.
    /// </summary>
    private async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConditionalCheckFailedException or ResourceNotFoundException or ResourceInUseException
            or Amazon.SQS.Model.ReceiptHandleIsInvalidException or Amazon.SQS.Model.MessageNotInflightException
            or Amazon.SQS.Model.QueueNameExistsException or Amazon.SQS.Model.QueueDeletedRecentlyException)
        {
            throw;
        }
        catch (Amazon.SQS.Model.QueueDoesNotExistException ex)
        {
            // The group was deleted (its queues with it) since its queue URL was looked up.
            queueUrls.Clear();
            throw new RemediationStoreException(StoreError.GroupNotFound, operation + " on " + Description + " failed: the queue does not exist (the worker group was deleted).", ex);
        }
        catch (AmazonServiceException ex)
        {
            throw new RemediationStoreException(
                StoreError.StorageFailed,
                operation + " on " + Description + " failed: " + ex.ErrorCode + ": " + AwsSecretRedactor.Redact(ex.Message),
                ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or IOException)
        {
            throw new RemediationStoreException(StoreError.StorageFailed, operation + " on " + Description + " failed: " + AwsSecretRedactor.Redact(ex.Message), ex);
        }
        catch (AwsConfigurationException ex)
        {
            throw new RemediationStoreException(StoreError.StoreNotAvailable, "The AWS store '" + Description + "' cannot be used: " + ex.Message, ex) { Target = Description };
        }
    }

    private static Dictionary<string, AttributeValue> ItemKey(string pk, string sk) => new() { [PartitionKey] = S(pk), [SortKey] = S(sk) };

    private static Dictionary<string, AttributeValue> Item(string pk, string sk, string body) => new()
    {
        [PartitionKey] = S(pk),
        [SortKey] = S(sk),
        [BodyAttribute] = S(body),
    };

    private static AttributeValue S(string value) => new() { S = value };

    private static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Expires(DateTimeOffset time) => N(time.ToUnixTimeSeconds());

    private static T Body<T>(Dictionary<string, AttributeValue> item)
        where T : class
    {
        var sk = item.TryGetValue(SortKey, out var sortKey) ? sortKey.S : "?";
        if (!item.TryGetValue(BodyAttribute, out var body) || body.S is null)
        {
            throw new RemediationStoreException(StoreError.StorageFailed, "The store item '" + sk + "' has no body.");
        }

        try
        {
            return RemediationJson.Deserialize<T>(body.S);
        }
        catch (JsonException ex)
        {
            throw new RemediationStoreException(StoreError.StorageFailed, "The store item '" + sk + "' is not valid: " + ex.Message, ex);
        }
    }

    /// <summary>The partition of a group: its name in lower case (names compare without regard to case).</summary>
    internal static string Key(string name) => StoreKeys.Group(name);

    private static string SafeId(string id, string what) => StoreKeys.SafeId(id, what);

    /// <summary>Disposes the two SDK clients of a store made by <see cref="Create"/>.</summary>
    private sealed class ClientOwner : IDisposable
    {
        private readonly IDisposable[] clients;

        public ClientOwner(params IDisposable[] clients) => this.clients = clients;

        public void Dispose()
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
