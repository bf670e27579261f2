using System.Collections.Concurrent;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.SQS.Model;
using ResourceNotFoundException = Amazon.DynamoDBv2.Model.ResourceNotFoundException;

namespace RemediationTools.Core.Stores.Aws;

/// <summary>The resources of <see cref="AwsStore"/>: the table (created on first use) and each group's two queues.</summary>
internal sealed partial class AwsStore
{
    private const int RetentionSeconds = 14 * 24 * 3600;
    private const int LongPollSeconds = 20;
    private readonly ConcurrentDictionary<string, string> queueUrls = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes sure the table exists, is ACTIVE, and has its TTL attribute and point-in-time recovery on: created on demand
    /// billing with server-side encryption when missing; another process creating it at the same time (ResourceInUse)
    /// is waited for. Done once per store object, by the operations that create groups.
    /// </summary>
    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (tableReady)
        {
            return;
        }

        await tableGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (tableReady)
            {
                return;
            }

            if (await TableStatusAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await CallAsync("DynamoDB CreateTable", () => dynamo.CreateTableAsync(
                        new CreateTableRequest
                        {
                            TableName = TableName,
                            AttributeDefinitions = new List<AttributeDefinition>
                            {
                                new() { AttributeName = PartitionKey, AttributeType = ScalarAttributeType.S },
                                new() { AttributeName = SortKey, AttributeType = ScalarAttributeType.S },
                            },
                            KeySchema = new List<KeySchemaElement>
                            {
                                new() { AttributeName = PartitionKey, KeyType = KeyType.HASH },
                                new() { AttributeName = SortKey, KeyType = KeyType.RANGE },
                            },
                            BillingMode = BillingMode.PAY_PER_REQUEST,
                            SSESpecification = new SSESpecification { Enabled = true },
                        },
                        cancellationToken)).ConfigureAwait(false);
                }
                catch (ResourceInUseException)
                {
                    // Someone else is creating it: wait for it below like for our own.
                }
            }

            var deadline = options.Clock() + options.TableWaitLimit;
            while (await TableStatusAsync(cancellationToken).ConfigureAwait(false) != TableStatus.ACTIVE)
            {
                if (options.Clock() >= deadline)
                {
                    throw new RemediationStoreException(
                        StoreError.StorageFailed,
                        "The DynamoDB table '" + TableName + "' of " + Description + " did not become ACTIVE within " +
                        options.TableWaitLimit.TotalSeconds.ToString("0", CultureInfo.InvariantCulture) + " s.")
                    {
                        Target = TableName,
                    };
                }

                await Task.Delay(options.TablePollInterval, cancellationToken).ConfigureAwait(false);
            }

            await EnsureTimeToLiveAsync(cancellationToken).ConfigureAwait(false);
            await EnsurePointInTimeRecoveryAsync(cancellationToken).ConfigureAwait(false);
            tableReady = true;
        }
        finally
        {
            tableGate.Release();
        }
    }

    private async Task<TableStatus?> TableStatusAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await CallAsync("DynamoDB DescribeTable", () => dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = TableName }, cancellationToken)).ConfigureAwait(false);
            return response.Table?.TableStatus ?? TableStatus.CREATING;
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
    }

    private async Task EnsureTimeToLiveAsync(CancellationToken cancellationToken)
    {
        if (await TimeToLiveOnAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await CallAsync("DynamoDB UpdateTimeToLive", () => dynamo.UpdateTimeToLiveAsync(
                new UpdateTimeToLiveRequest
                {
                    TableName = TableName,
                    TimeToLiveSpecification = new TimeToLiveSpecification { AttributeName = ExpiresAttribute, Enabled = true },
                },
                cancellationToken)).ConfigureAwait(false);
        }
        catch (RemediationStoreException)
        {
            // Another process may have turned it on between our look and our change ("TimeToLive is already enabled").
            if (!await TimeToLiveOnAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    private async Task<bool> TimeToLiveOnAsync(CancellationToken cancellationToken)
    {
        var described = await CallAsync("DynamoDB DescribeTimeToLive", () => dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = TableName }, cancellationToken)).ConfigureAwait(false);
        var status = described.TimeToLiveDescription?.TimeToLiveStatus;
        return status == TimeToLiveStatus.ENABLED || status == TimeToLiveStatus.ENABLING;
    }

    private async Task EnsurePointInTimeRecoveryAsync(CancellationToken cancellationToken)
    {
        if (await PointInTimeRecoveryOnAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            await CallAsync("DynamoDB UpdateContinuousBackups", () => dynamo.UpdateContinuousBackupsAsync(
                new UpdateContinuousBackupsRequest
                {
                    TableName = TableName,
                    PointInTimeRecoverySpecification = new PointInTimeRecoverySpecification { PointInTimeRecoveryEnabled = true },
                },
                cancellationToken)).ConfigureAwait(false);
        }
        catch (RemediationStoreException)
        {
            // Another process may have turned it on meanwhile.
            if (!await PointInTimeRecoveryOnAsync(cancellationToken).ConfigureAwait(false))
            {
                throw;
            }
        }
    }

    private async Task<bool> PointInTimeRecoveryOnAsync(CancellationToken cancellationToken)
    {
        var described = await CallAsync("DynamoDB DescribeContinuousBackups", () => dynamo.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = TableName }, cancellationToken)).ConfigureAwait(false);
        return described.ContinuousBackupsDescription?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus == PointInTimeRecoveryStatus.ENABLED;
    }

    /// <summary>The group's queue name, <c>&lt;name&gt;-&lt;group&gt;</c>; the dead-letter queue adds <c>-dlq</c>.</summary>
    internal string QueueName(string group)
    {
        var name = options.Name + "-" + Key(group);
        if (name.Length + "-dlq".Length > AwsStoreOptions.MaxQueueNameLength)
        {
            throw new RemediationStoreException(
                StoreError.InvalidInput,
                "The worker group name '" + group + "' is too long for " + Description + ": its dead-letter queue '" + name + "-dlq' would have " +
                (name.Length + 4).ToString(CultureInfo.InvariantCulture) + " characters, and SQS allows " +
                AwsStoreOptions.MaxQueueNameLength.ToString(CultureInfo.InvariantCulture) + ". Use a name of at most " +
                (AwsStoreOptions.MaxQueueNameLength - options.Name.Length - 5).ToString(CultureInfo.InvariantCulture) + " characters.")
            {
                Target = group,
            };
        }

        return name;
    }

    private async Task CreateQueuesAsync(string group, string queueName, CancellationToken cancellationToken)
    {
        var common = new Dictionary<string, string>
        {
            ["SqsManagedSseEnabled"] = "true",
            ["MessageRetentionPeriod"] = RetentionSeconds.ToString(CultureInfo.InvariantCulture),
            ["ReceiveMessageWaitTimeSeconds"] = LongPollSeconds.ToString(CultureInfo.InvariantCulture),
            ["VisibilityTimeout"] = Seconds(options.DefaultLease).ToString(CultureInfo.InvariantCulture),
        };

        var deadLetterUrl = await CreateQueueAsync(group, queueName + "-dlq", common, cancellationToken).ConfigureAwait(false);
        var attributes = await CallAsync("SQS GetQueueAttributes", () => sqs.GetQueueAttributesAsync(
            new GetQueueAttributesRequest { QueueUrl = deadLetterUrl, AttributeNames = new List<string> { "QueueArn" } },
            cancellationToken)).ConfigureAwait(false);
        var deadLetterArn = attributes.Attributes is { } values && values.TryGetValue("QueueArn", out var arn) ? arn : null;
        if (string.IsNullOrEmpty(deadLetterArn) || deadLetterArn!.LastIndexOf(':') < 0)
        {
            throw new RemediationStoreException(StoreError.StorageFailed, "SQS returned no ARN for the queue '" + queueName + "-dlq' of " + Description + ".") { Target = group };
        }

        await CallAsync("SQS SetQueueAttributes", () => sqs.SetQueueAttributesAsync(
            new SetQueueAttributesRequest { QueueUrl = deadLetterUrl, Attributes = new Dictionary<string, string> { ["Policy"] = TlsOnlyPolicy(deadLetterArn) } },
            cancellationToken)).ConfigureAwait(false);

        var queueArn = deadLetterArn.Substring(0, deadLetterArn.LastIndexOf(':') + 1) + queueName;
        var main = new Dictionary<string, string>(common)
        {
            ["RedrivePolicy"] = "{\"deadLetterTargetArn\":\"" + deadLetterArn + "\",\"maxReceiveCount\":\"" + options.MaxAttempts.ToString(CultureInfo.InvariantCulture) + "\"}",
            ["Policy"] = TlsOnlyPolicy(queueArn),
        };
        queueUrls[queueName] = await CreateQueueAsync(group, queueName, main, cancellationToken).ConfigureAwait(false);
        queueUrls[queueName + "-dlq"] = deadLetterUrl;
    }

    private async Task<string> CreateQueueAsync(string group, string name, Dictionary<string, string> attributes, CancellationToken cancellationToken)
    {
        try
        {
            var created = await CallAsync("SQS CreateQueue", () => sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes }, cancellationToken)).ConfigureAwait(false);
            return created.QueueUrl;
        }
        catch (QueueNameExistsException)
        {
            // Left by an earlier group of that name (a delete that did not finish) with other attributes: set ours.
            var url = (await CallAsync("SQS GetQueueUrl", () => sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken)).ConfigureAwait(false)).QueueUrl;
            await CallAsync("SQS SetQueueAttributes", () => sqs.SetQueueAttributesAsync(new SetQueueAttributesRequest { QueueUrl = url, Attributes = attributes }, cancellationToken)).ConfigureAwait(false);
            return url;
        }
        catch (QueueDeletedRecentlyException ex)
        {
            throw new RemediationStoreException(
                StoreError.StorageFailed,
                "The queue '" + name + "' of worker group '" + group + "' was deleted less than 60 seconds ago, and SQS creates a queue of that name again only after 60 seconds: try again in a minute.",
                ex)
            {
                Target = group,
            };
        }
    }

    private async Task DeleteQueuesAsync(string group, CancellationToken cancellationToken)
    {
        var queueName = QueueName(group);
        foreach (var name in new[] { queueName, queueName + "-dlq" })
        {
            queueUrls.TryRemove(name, out _);
            try
            {
                var url = (await CallAsync("SQS GetQueueUrl", () => sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken)).ConfigureAwait(false)).QueueUrl;
                await CallAsync("SQS DeleteQueue", () => sqs.DeleteQueueAsync(new DeleteQueueRequest { QueueUrl = url }, cancellationToken)).ConfigureAwait(false);
            }
            catch (RemediationStoreException ex) when (ex.InnerException is QueueDoesNotExistException)
            {
                // Already gone.
            }
        }
    }

    /// <summary>The URL of the group's queue (or dead-letter queue), looked up once; <see cref="StoreError.GroupNotFound"/> when it does not exist.</summary>
    private async Task<string> QueueUrlAsync(string group, bool deadLetter, CancellationToken cancellationToken)
    {
        var name = QueueName(group) + (deadLetter ? "-dlq" : string.Empty);
        if (queueUrls.TryGetValue(name, out var cached))
        {
            return cached;
        }

        try
        {
            var url = (await CallAsync("SQS GetQueueUrl", () => sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name }, cancellationToken)).ConfigureAwait(false)).QueueUrl;
            queueUrls[name] = url;
            return url;
        }
        catch (RemediationStoreException ex) when (ex.InnerException is QueueDoesNotExistException)
        {
            throw new RemediationStoreException(StoreError.GroupNotFound, "There is no worker group named '" + group + "' in " + Description + " (its queue '" + name + "' does not exist).", ex.InnerException)
            {
                Target = group,
            };
        }
    }

    private static string TlsOnlyPolicy(string queueArn)
        => "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\"" +
           queueArn + "\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";

    /// <summary>Whole seconds, rounded up, within SQS's 0 to 12 hours.</summary>
    private static int Seconds(TimeSpan time) => (int)Math.Min(43200, Math.Max(0, Math.Ceiling(time.TotalSeconds)));
}
