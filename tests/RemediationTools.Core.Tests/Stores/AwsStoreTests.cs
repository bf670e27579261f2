using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Amazon.SQS;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Stores.Aws;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>
/// What the AWS store decides before or around its SQS calls (size limit, batching, names), over an HTTP handler that
/// records each call and answers the few SQS actions involved. The store's behaviour against SQS and DynamoDB
/// themselves is <see cref="StoreContractTests"/> on the sandbox.
/// </summary>
public sealed class AwsStoreTests
{
    private const string Group = "prod";

    private static QueuedRequest Request(string resource, int payloadBytes = 0) => new()
    {
        Id = QueuedRequest.NewId(),
        Finding = new Finding
        {
            FindingId = "finding-" + resource,
            AccountId = "111122223333",
            Region = "us-east-1",
            ResourceId = resource,
            RuleId = "r",
            RawPayload = payloadBytes == 0 ? null : new string('x', payloadBytes),
        },
    };

    [Fact]
    public async Task Enqueue_RequestOver256KiB_RefusedNamingTheFindingBeforeAnyCall()
    {
        var sqs = new RecordingSqs();
        using var store = sqs.Store();
        var requests = new[] { Request("sg-small"), Request("sg-large", 300 * 1024) };

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => store.EnqueueAsync(Group, requests, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains("'finding-sg-large'", error.Message, StringComparison.Ordinal);
        Assert.Contains("262,144 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal("finding-sg-large", error.Target);
        Assert.Empty(sqs.Calls);
    }

    [Fact]
    public async Task Enqueue_25Requests_SendMessageBatchOf10And10And5()
    {
        var sqs = new RecordingSqs();
        using var store = sqs.Store();

        await store.EnqueueAsync(Group, Enumerable.Range(0, 25).Select(i => Request("sg-" + i)).ToList(), CancellationToken.None);

        Assert.Equal(new[] { "GetQueueUrl", "SendMessageBatch", "SendMessageBatch", "SendMessageBatch", "BatchWriteItem" }, sqs.Calls.Select(c => c.Action));
        var records = sqs.Calls[4].Body["RequestItems"]!["RemediationTools"]!.AsArray();
        Assert.Equal(25, records.Count);
        Assert.StartsWith("request#", records[0]!["PutRequest"]!["Item"]!["sk"]!["S"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(new[] { 10, 10, 5 }, sqs.Batches.Select(b => b.Count));
        Assert.Equal("RemediationTools-prod", sqs.Calls[0].Body["QueueName"]!.GetValue<string>());
        var first = RemediationTools.Core.Results.RemediationJson.Deserialize<QueuedRequest>(sqs.Batches[0][0]);
        Assert.Equal("sg-0", first.Finding.ResourceId);
        Assert.Equal(Group, first.WorkerGroup);
    }

    [Fact]
    public async Task Enqueue_LargeRequests_NoBatchOver256KiB()
    {
        var sqs = new RecordingSqs();
        using var store = sqs.Store();

        await store.EnqueueAsync(Group, Enumerable.Range(0, 3).Select(i => Request("sg-" + i, 100 * 1024)).ToList(), CancellationToken.None);

        Assert.Equal(new[] { 2, 1 }, sqs.Batches.Select(b => b.Count));
        Assert.All(sqs.Batches, b => Assert.True(b.Sum(m => Encoding.UTF8.GetByteCount(m)) <= 256 * 1024));
    }

    [Fact]
    public async Task Enqueue_EntryFailedWithoutSenderFault_OnlyThatEntrySentAgain()
    {
        var sqs = new RecordingSqs { FailOnce = "3" };
        using var store = sqs.Store();
        var requests = Enumerable.Range(0, 5).Select(i => Request("sg-" + i)).ToList();

        await store.EnqueueAsync(Group, requests, CancellationToken.None);

        Assert.Equal(new[] { 5, 1 }, sqs.Batches.Select(b => b.Count));
        Assert.Equal(requests[3].Id, RemediationTools.Core.Results.RemediationJson.Deserialize<QueuedRequest>(sqs.Batches[1][0]).Id);
    }

    [Fact]
    public async Task CreateGroup_NameTooLongForItsQueueName_InvalidInputNamingItBeforeAnyCall()
    {
        var sqs = new RecordingSqs();
        using var store = sqs.Store();
        var name = new string('g', 64);
        var record = new WorkerGroupRecord { Group = new RemediationWorkerGroup { Name = name, ClientId = "id", OrganizationId = "o-abcdefghij" }, SecretHash = "h" };

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => store.CreateGroupAsync(record, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains("'" + name + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains("80", error.Message, StringComparison.Ordinal);
        Assert.Empty(sqs.Calls);
    }

    [Theory]
    [InlineData("bad.name")]
    [InlineData("-leading")]
    [InlineData("a23456789012345678901234567890123456789012")]
    public void Constructor_BadInstallationName_StoreNotAvailableNamingIt(string name)
    {
        var sqs = new RecordingSqs();

        var error = Assert.Throws<RemediationStoreException>(() => sqs.Store(new AwsStoreOptions { Name = name }));

        Assert.Equal(StoreError.StoreNotAvailable, error.Error);
        Assert.Contains("'" + name + "'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers GetQueueUrl and SendMessageBatch in AWS JSON 1.0 as SQS does; records every call; any other call fails the test.</summary>
    private sealed class RecordingSqs : HttpMessageHandler
    {
        private readonly ConcurrentQueue<(string Action, JsonObject Body)> calls = new();
        private int failures;

        /// <summary>An entry ID the first SendMessageBatch reports as failed (SenderFault false).</summary>
        public string? FailOnce { get; set; }

        public List<(string Action, JsonObject Body)> Calls => calls.ToList();

        public List<List<string>> Batches => Calls.Where(c => c.Action == "SendMessageBatch")
            .Select(c => c.Body["Entries"]!.AsArray().Select(e => e!["MessageBody"]!.GetValue<string>()).ToList()).ToList();

        public AwsStore Store(AwsStoreOptions? options = null)
        {
            var credentials = new BasicAWSCredentials("AKIDEXAMPLE", "secret");
            var sqs = new AmazonSQSClient(credentials, new AmazonSQSConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, HttpClientFactory = new RemediationTools.Core.Aws.HandlerHttpClientFactory(() => this) });
            var dynamo = new AmazonDynamoDBClient(credentials, new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1/", AuthenticationRegion = "us-east-1", MaxErrorRetry = 0, HttpClientFactory = new RemediationTools.Core.Aws.HandlerHttpClientFactory(() => this) });
            return new AwsStore(dynamo, sqs, options, new Owner(sqs, dynamo));
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.Single() : string.Empty;
            var action = target.Substring(target.IndexOf('.', StringComparison.Ordinal) + 1);
            var body = JsonNode.Parse(await request.Content!.ReadAsStringAsync(cancellationToken))!.AsObject();
            calls.Enqueue((action, body));
            JsonObject answer;
            switch (target)
            {
                case "AmazonSQS.GetQueueUrl":
                    answer = new JsonObject { ["QueueUrl"] = "http://127.0.0.1:1/111122223333/" + body["QueueName"]!.GetValue<string>() };
                    break;
                case "AmazonSQS.SendMessageBatch":
                    var successful = new JsonArray();
                    var failed = new JsonArray();
                    foreach (var entry in body["Entries"]!.AsArray())
                    {
                        var id = entry!["Id"]!.GetValue<string>();
                        if (id == FailOnce && Interlocked.Increment(ref failures) == 1)
                        {
                            failed.Add(new JsonObject { ["Id"] = id, ["Code"] = "InternalError", ["Message"] = "try again", ["SenderFault"] = false });
                            continue;
                        }

#pragma warning disable CA5351 // SQS's wire protocol checks message bodies with MD5.
                        var md5 = Convert.ToHexString(MD5.HashData(Encoding.UTF8.GetBytes(entry["MessageBody"]!.GetValue<string>()))).ToLowerInvariant();
#pragma warning restore CA5351
                        successful.Add(new JsonObject { ["Id"] = id, ["MessageId"] = Guid.NewGuid().ToString(), ["MD5OfMessageBody"] = md5 });
                    }

                    answer = new JsonObject { ["Successful"] = successful, ["Failed"] = failed };
                    break;
                case "DynamoDB_20120810.BatchWriteItem":
                    // The Queued records of the enqueued requests (what Get-RemediationRun lists): all processed.
                    answer = new JsonObject { ["UnprocessedItems"] = new JsonObject() };
                    break;
                default:
                    return new HttpResponseMessage(HttpStatusCode.BadRequest)
                    {
                        Content = new StringContent("{\"__type\":\"com.amazonaws.sqs#UnsupportedOperation\",\"message\":\"not in this test: " + target + "\"}", Encoding.UTF8, "application/x-amz-json-1.0"),
                    };
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer.ToJsonString(), Encoding.UTF8, "application/x-amz-json-1.0") };
        }

        private sealed class Owner : IDisposable
        {
            private readonly IDisposable[] clients;

            public Owner(params IDisposable[] clients) => this.clients = clients;

            public void Dispose()
            {
                foreach (var client in clients)
                {
                    client.Dispose();
                }
            }
        }
    }
}
