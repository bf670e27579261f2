using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>The sandbox's SQS, driven by the official AWSSDK.SQS 4 client (which also checks the MD5 digests of what it gets back).</summary>
public sealed class SandboxSqsTests : IDisposable
{
    private readonly SandboxHarness _sandbox = new();
    private readonly AmazonSQSClient _sqs;
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public SandboxSqsTests()
    {
        _sandbox.Server.Clock = () => _now;
        _sqs = Client(_sandbox.Admin);
    }

    public void Dispose()
    {
        _sqs.Dispose();
        _sandbox.Dispose();
    }

    private AmazonSQSClient Client(SandboxAccount account, int maxErrorRetry = 0) => new(SandboxHarness.Credentials(account), new AmazonSQSConfig
    {
        ServiceURL = _sandbox.Server.Endpoint.ToString(),
        AuthenticationRegion = SandboxHarness.Region,
        MaxErrorRetry = maxErrorRetry,
    });

    private string Arn(string name) => "arn:aws:sqs:" + SandboxHarness.Region + ":" + _sandbox.AccountId + ":" + name;

    private async Task<string> CreateAsync(string name, Dictionary<string, string>? attributes = null) =>
        (await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = name, Attributes = attributes ?? [] })).QueueUrl;

    private async Task<Message> ReceiveOneAsync(string url, int? visibilityTimeout = null)
    {
        var request = new ReceiveMessageRequest { QueueUrl = url, MessageSystemAttributeNames = ["All"], MessageAttributeNames = ["All"] };
        if (visibilityTimeout is { } seconds)
        {
            request.VisibilityTimeout = seconds;
        }

        var response = await _sqs.ReceiveMessageAsync(request);
        return Assert.Single(response.Messages);
    }

    private async Task AssertEmptyAsync(string url)
    {
        var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 0 });
        Assert.True(response.Messages is null || response.Messages.Count == 0);
    }

    [Fact]
    public async Task SqsClient_SendMessage_SendsAwsJson10ToTheEndpointRoot()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var endpoint = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
            using var client = new AmazonSQSClient(new BasicAWSCredentials("AKIAEXAMPLEEXAMPLE00", "secret"), new AmazonSQSConfig { ServiceURL = endpoint, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
            var sending = client.SendMessageAsync(new SendMessageRequest { QueueUrl = endpoint + "123456789012/q1", MessageBody = "hello" });
            using var connection = await listener.AcceptTcpClientAsync();
            var stream = connection.GetStream();
            var buffer = new byte[65536];
            var text = new StringBuilder();
            while (!text.ToString().Contains("\"hello\"", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            var request = text.ToString();
            Assert.StartsWith("POST / HTTP/1.1", request, StringComparison.Ordinal);
            Assert.Contains("X-Amz-Target: AmazonSQS.SendMessage", request, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("Content-Type: application/x-amz-json-1.0", request, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("\"QueueUrl\":\"" + endpoint + "123456789012/q1\"", request, StringComparison.Ordinal);
            Assert.Contains("\"MessageBody\":\"hello\"", request, StringComparison.Ordinal);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task CreateQueue_SameNameAndAttributes_ReturnsTheSameUrl()
    {
        var url = await CreateAsync("jobs", new() { ["VisibilityTimeout"] = "60" });
        Assert.Equal(_sandbox.Server.Endpoint + _sandbox.AccountId + "/jobs", url);
        Assert.Equal(url, await CreateAsync("jobs", new() { ["VisibilityTimeout"] = "60" }));
        Assert.Equal(url, await CreateAsync("jobs"));
        Assert.Equal(url, (await _sqs.GetQueueUrlAsync("jobs")).QueueUrl);
    }

    [Fact]
    public async Task CreateQueue_SameNameOtherAttributes_QueueNameExists()
    {
        await CreateAsync("jobs", new() { ["VisibilityTimeout"] = "60" });
        var error = await Assert.ThrowsAsync<QueueNameExistsException>(() => CreateAsync("jobs", new() { ["VisibilityTimeout"] = "30" }));
        Assert.Equal("QueueAlreadyExists", error.ErrorCode);
        Assert.Contains("VisibilityTimeout", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
    }

    [Fact]
    public async Task CreateQueue_InvalidNameOrAttribute_IsRefused()
    {
        var name = await Assert.ThrowsAsync<AmazonSQSException>(() => CreateAsync("bad name"));
        Assert.Equal("InvalidParameterValue", name.ErrorCode);
        var attribute = await Assert.ThrowsAsync<InvalidAttributeNameException>(() => CreateAsync("q", new() { ["Colour"] = "blue" }));
        Assert.Contains("Colour", attribute.Message, StringComparison.Ordinal);
        var value = await Assert.ThrowsAsync<InvalidAttributeValueException>(() => CreateAsync("q", new() { ["VisibilityTimeout"] = "43201" }));
        Assert.Contains("VisibilityTimeout", value.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetQueueUrl_UnknownQueue_QueueDoesNotExist()
    {
        var error = await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.GetQueueUrlAsync("missing"));
        Assert.Equal("AWS.SimpleQueueService.NonExistentQueue", error.ErrorCode);
        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.SendMessageAsync(_sandbox.Server.Endpoint + _sandbox.AccountId + "/missing", "x"));
    }

    [Fact]
    public async Task GetQueueAttributes_All_ReturnsDefaultsCountsAndArn()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(url, "a");
        await _sqs.SendMessageAsync(new SendMessageRequest { QueueUrl = url, MessageBody = "later", DelaySeconds = 60 });
        await ReceiveOneAsync(url);
        await _sqs.SendMessageAsync(url, "b");
        var attributes = (await _sqs.GetQueueAttributesAsync(url, ["All"])).Attributes;
        Assert.Equal("30", attributes["VisibilityTimeout"]);
        Assert.Equal("345600", attributes["MessageRetentionPeriod"]);
        Assert.Equal("262144", attributes["MaximumMessageSize"]);
        Assert.Equal("0", attributes["ReceiveMessageWaitTimeSeconds"]);
        Assert.Equal("true", attributes["SqsManagedSseEnabled"]);
        Assert.Equal(Arn("jobs"), attributes["QueueArn"]);
        Assert.Equal("1", attributes["ApproximateNumberOfMessages"]);
        Assert.Equal("1", attributes["ApproximateNumberOfMessagesNotVisible"]);
        Assert.Equal("1", attributes["ApproximateNumberOfMessagesDelayed"]);
        Assert.Equal(_now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), attributes["CreatedTimestamp"]);
        Assert.False(attributes.ContainsKey("Policy"));
        var one = (await _sqs.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes;
        Assert.Equal([Arn("jobs")], one.Values);
        await Assert.ThrowsAsync<InvalidAttributeNameException>(() => _sqs.GetQueueAttributesAsync(url, ["Nope"]));
    }

    [Fact]
    public async Task SetQueueAttributes_EncryptionRetentionAndPolicy_AreStoredAndReturned()
    {
        var url = await CreateAsync("jobs");
        var policy = TlsOnlyPolicy(Arn("jobs"));
        await _sqs.SetQueueAttributesAsync(url, new() { ["KmsMasterKeyId"] = "alias/aws/sqs", ["MessageRetentionPeriod"] = "1209600", ["Policy"] = policy });
        var attributes = (await _sqs.GetQueueAttributesAsync(url, ["All"])).Attributes;
        Assert.Equal("alias/aws/sqs", attributes["KmsMasterKeyId"]);
        Assert.Equal("false", attributes["SqsManagedSseEnabled"]);
        Assert.Equal("300", attributes["KmsDataKeyReusePeriodSeconds"]);
        Assert.Equal("1209600", attributes["MessageRetentionPeriod"]);
        Assert.Equal(policy, attributes["Policy"]);

        await _sqs.SetQueueAttributesAsync(url, new() { ["SqsManagedSseEnabled"] = "true" });
        attributes = (await _sqs.GetQueueAttributesAsync(url, ["All"])).Attributes;
        Assert.Equal("true", attributes["SqsManagedSseEnabled"]);
        Assert.False(attributes.ContainsKey("KmsMasterKeyId"));

        await Assert.ThrowsAsync<InvalidAttributeValueException>(() => _sqs.SetQueueAttributesAsync(url, new() { ["Policy"] = "{not json" }));
        await Assert.ThrowsAsync<InvalidAttributeValueException>(() => _sqs.SetQueueAttributesAsync(url, new() { ["MessageRetentionPeriod"] = "59" }));
        await Assert.ThrowsAsync<InvalidAttributeNameException>(() => _sqs.SetQueueAttributesAsync(url, new() { ["QueueArn"] = "x" }));
    }

    [Fact]
    public async Task DeleteQueue_ThenRecreate_WaitsSixtySeconds()
    {
        var url = await CreateAsync("jobs");
        await _sqs.DeleteQueueAsync(url);
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.GetQueueUrlAsync("jobs"));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => _sqs.DeleteQueueAsync(url));
        var error = await Assert.ThrowsAsync<QueueDeletedRecentlyException>(() => CreateAsync("jobs"));
        Assert.Equal("AWS.SimpleQueueService.QueueDeletedRecently", error.ErrorCode);
        _now += TimeSpan.FromSeconds(61);
        Assert.Equal(url, await CreateAsync("jobs"));
    }

    [Fact]
    public async Task ListQueues_Prefix_ListsMatchingQueuesInPages()
    {
        foreach (var name in new[] { "app-b", "app-a", "app-c", "other" })
        {
            await CreateAsync(name);
        }

        var all = await _sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "app-" });
        Assert.Equal(["app-a", "app-b", "app-c"], all.QueueUrls.Select(u => u.Split('/')[^1]));
        Assert.Null(all.NextToken);
        var first = await _sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "app-", MaxResults = 2 });
        Assert.Equal(2, first.QueueUrls.Count);
        var second = await _sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "app-", MaxResults = 2, NextToken = first.NextToken });
        Assert.Equal(["app-c"], second.QueueUrls.Select(u => u.Split('/')[^1]));
        var none = await _sqs.ListQueuesAsync(new ListQueuesRequest { QueueNamePrefix = "zzz" });
        Assert.True(none.QueueUrls is null || none.QueueUrls.Count == 0);
    }

    [Fact]
    public async Task SendAndReceive_WithAttributes_ReturnsBodyAttributesAndSystemAttributes()
    {
        var url = await CreateAsync("jobs");
        var sent = await _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "{\"finding\":1}",
            MessageAttributes = new()
            {
                ["kind"] = new MessageAttributeValue { DataType = "String", StringValue = "remediation" },
                ["attempt"] = new MessageAttributeValue { DataType = "Number", StringValue = "1" },
                ["blob"] = new MessageAttributeValue { DataType = "Binary", BinaryValue = new MemoryStream([1, 2, 3]) },
            },
        });
        Assert.NotNull(sent.MD5OfMessageAttributes);
        var sentAt = _now;
        _now += TimeSpan.FromSeconds(5);
        var message = await ReceiveOneAsync(url);
        Assert.Equal(sent.MessageId, message.MessageId);
        Assert.Equal("{\"finding\":1}", message.Body);
        Assert.Equal("remediation", message.MessageAttributes["kind"].StringValue);
        Assert.Equal("1", message.MessageAttributes["attempt"].StringValue);
        Assert.Equal([1, 2, 3], message.MessageAttributes["blob"].BinaryValue.ToArray());
        Assert.Equal("1", message.Attributes["ApproximateReceiveCount"]);
        Assert.Equal(sentAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), message.Attributes["SentTimestamp"]);
        Assert.Equal(_now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), message.Attributes["ApproximateFirstReceiveTimestamp"]);
        Assert.False(string.IsNullOrEmpty(message.ReceiptHandle));
    }

    [Fact]
    public async Task ReceiveMessage_VisibilityTimeout_HidesUntilItEndsThenCountsTheReceive()
    {
        var url = await CreateAsync("jobs", new() { ["VisibilityTimeout"] = "30" });
        await _sqs.SendMessageAsync(url, "work");
        var first = await ReceiveOneAsync(url);
        _now += TimeSpan.FromSeconds(29);
        await AssertEmptyAsync(url);
        _now += TimeSpan.FromSeconds(2);
        var second = await ReceiveOneAsync(url, visibilityTimeout: 100);
        Assert.Equal(first.MessageId, second.MessageId);
        Assert.NotEqual(first.ReceiptHandle, second.ReceiptHandle);
        Assert.Equal("2", second.Attributes["ApproximateReceiveCount"]);
        Assert.Equal(first.Attributes["ApproximateFirstReceiveTimestamp"], second.Attributes["ApproximateFirstReceiveTimestamp"]);
        _now += TimeSpan.FromSeconds(99);
        await AssertEmptyAsync(url);
        _now += TimeSpan.FromSeconds(1);
        Assert.Equal("3", (await ReceiveOneAsync(url)).Attributes["ApproximateReceiveCount"]);
    }

    [Fact]
    public async Task ChangeMessageVisibility_InFlight_ExtendsOrReleasesTheLease()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(url, "work");
        var message = await ReceiveOneAsync(url);
        await _sqs.ChangeMessageVisibilityAsync(url, message.ReceiptHandle, 300);
        _now += TimeSpan.FromSeconds(299);
        await AssertEmptyAsync(url);
        await _sqs.ChangeMessageVisibilityAsync(url, message.ReceiptHandle, 0);
        Assert.Equal(message.MessageId, (await ReceiveOneAsync(url)).MessageId);
    }

    [Fact]
    public async Task ChangeMessageVisibility_ExpiredOrUnknownHandle_IsRefused()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(url, "work");
        var message = await ReceiveOneAsync(url);
        _now += TimeSpan.FromSeconds(31);
        var expired = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.ChangeMessageVisibilityAsync(url, message.ReceiptHandle, 60));
        Assert.Equal("InvalidParameterValue", expired.ErrorCode);
        Assert.Contains("is not available for visibility timeout change", expired.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<ReceiptHandleIsInvalidException>(() => _sqs.ChangeMessageVisibilityAsync(url, "not-a-handle", 60));
        Assert.Contains("not-a-handle", invalid.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ReceiptHandleIsInvalidException>(() => _sqs.DeleteMessageAsync(url, "not-a-handle"));
        var tooLong = await Assert.ThrowsAsync<AmazonSQSException>(async () =>
        {
            var again = await ReceiveOneAsync(url);
            await _sqs.ChangeMessageVisibilityAsync(url, again.ReceiptHandle, 43_201);
        });
        Assert.Equal("InvalidParameterValue", tooLong.ErrorCode);
    }

    [Fact]
    public async Task DeleteMessageAndBatch_RemoveMessages_ReportPerEntryFailures()
    {
        var url = await CreateAsync("jobs");
        foreach (var body in new[] { "a", "b", "c" })
        {
            await _sqs.SendMessageAsync(url, body);
        }

        var received = (await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10 })).Messages;
        Assert.Equal(["a", "b", "c"], received.Select(m => m.Body));
        await _sqs.DeleteMessageAsync(url, received[0].ReceiptHandle);
        await _sqs.DeleteMessageAsync(url, received[0].ReceiptHandle);
        var batch = await _sqs.DeleteMessageBatchAsync(url,
        [
            new DeleteMessageBatchRequestEntry("b", received[1].ReceiptHandle),
            new DeleteMessageBatchRequestEntry("c", received[2].ReceiptHandle),
            new DeleteMessageBatchRequestEntry("bad", "garbage"),
        ]);
        Assert.Equal(["b", "c"], batch.Successful.Select(s => s.Id).Order());
        var failure = Assert.Single(batch.Failed);
        Assert.Equal(("bad", "ReceiptHandleIsInvalid", true), (failure.Id, failure.Code, failure.SenderFault));
        _now += TimeSpan.FromSeconds(31);
        await AssertEmptyAsync(url);
    }

    [Fact]
    public async Task SendMessageBatch_TenEntries_SendsAllAndReportsInvalidEntries()
    {
        var url = await CreateAsync("jobs");
        var entries = Enumerable.Range(0, 9).Select(i => new SendMessageBatchRequestEntry("e" + i, "body" + i)).ToList();
        entries.Add(new SendMessageBatchRequestEntry("late", "x") { DelaySeconds = 901 });
        var result = await _sqs.SendMessageBatchAsync(url, entries);
        Assert.Equal(9, result.Successful.Count);
        var failure = Assert.Single(result.Failed);
        Assert.Equal(("late", "InvalidParameterValue", true), (failure.Id, failure.Code, failure.SenderFault));
        var received = (await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10 })).Messages;
        Assert.Equal(Enumerable.Range(0, 9).Select(i => "body" + i), received.Select(m => m.Body));
    }

    [Fact]
    public async Task SendMessageBatch_BadBatches_AreRefusedWhole()
    {
        var url = await CreateAsync("jobs");
        var eleven = Enumerable.Range(0, 11).Select(i => new SendMessageBatchRequestEntry("e" + i, "b")).ToList();
        var tooMany = await Assert.ThrowsAsync<TooManyEntriesInBatchRequestException>(() => _sqs.SendMessageBatchAsync(url, eleven));
        Assert.Equal("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", tooMany.ErrorCode);
        var duplicate = await Assert.ThrowsAsync<BatchEntryIdsNotDistinctException>(() => _sqs.SendMessageBatchAsync(url, [new("same", "a"), new("same", "b")]));
        Assert.Contains("same", duplicate.Message, StringComparison.Ordinal);
        var big = new string('x', 100_000);
        var tooLong = await Assert.ThrowsAsync<BatchRequestTooLongException>(() => _sqs.SendMessageBatchAsync(url, [new("a", big), new("b", big), new("c", big)]));
        Assert.Contains("300000", tooLong.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidBatchEntryIdException>(() => _sqs.SendMessageBatchAsync(url, [new("bad id!", "a")]));
        await Assert.ThrowsAsync<EmptyBatchRequestException>(() => _sqs.SendMessageBatchAsync(url, []));
        await AssertEmptyAsync(url);
    }

    [Fact]
    public async Task SendMessage_OverTheSizeLimit_InvalidParameterValue()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(url, new string('x', 262_144));
        var error = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SendMessageAsync(url, new string('x', 262_145)));
        Assert.Equal("InvalidParameterValue", error.ErrorCode);
        Assert.Contains("262144", error.Message, StringComparison.Ordinal);
        var withAttribute = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = new string('x', 262_140),
            MessageAttributes = new() { ["k"] = new MessageAttributeValue { DataType = "String", StringValue = "v" } },
        }));
        Assert.Equal("InvalidParameterValue", withAttribute.ErrorCode);
    }

    [Fact]
    public async Task ReceiveMessage_OutOfRangeParameters_InvalidParameterValue()
    {
        var url = await CreateAsync("jobs");
        var count = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 11 }));
        Assert.Equal("InvalidParameterValue", count.ErrorCode);
        Assert.Contains("MaxNumberOfMessages", count.Message, StringComparison.Ordinal);
        var wait = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 21 }));
        Assert.Contains("WaitTimeSeconds", wait.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedrivePolicy_MessageOverMaxReceiveCount_MovesToTheDeadLetterQueueOnTheNextReceive()
    {
        var dlqUrl = await CreateAsync("jobs-dlq");
        var redrive = "{\"deadLetterTargetArn\":\"" + Arn("jobs-dlq") + "\",\"maxReceiveCount\":\"2\"}";
        var url = await CreateAsync("jobs", new() { ["RedrivePolicy"] = redrive });
        Assert.Equal("{\"deadLetterTargetArn\":\"" + Arn("jobs-dlq") + "\",\"maxReceiveCount\":2}", (await _sqs.GetQueueAttributesAsync(url, ["RedrivePolicy"])).Attributes["RedrivePolicy"]);
        var sent = await _sqs.SendMessageAsync(url, "poison");
        Assert.Equal("1", (await ReceiveOneAsync(url, visibilityTimeout: 0)).Attributes["ApproximateReceiveCount"]);
        Assert.Equal("2", (await ReceiveOneAsync(url, visibilityTimeout: 0)).Attributes["ApproximateReceiveCount"]);
        await AssertEmptyAsync(url);
        var dead = await ReceiveOneAsync(dlqUrl);
        Assert.Equal((sent.MessageId, "poison"), (dead.MessageId, dead.Body));
        Assert.Equal("1", dead.Attributes["ApproximateReceiveCount"]);

        var missingTarget = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SetQueueAttributesAsync(url, new()
        {
            ["RedrivePolicy"] = "{\"deadLetterTargetArn\":\"" + Arn("nowhere") + "\",\"maxReceiveCount\":3}",
        }));
        Assert.Equal("InvalidParameterValue", missingTarget.ErrorCode);
        Assert.Contains("Dead letter target does not exist", missingTarget.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessageRetentionPeriod_Elapsed_DropsTheMessage()
    {
        var url = await CreateAsync("jobs", new() { ["MessageRetentionPeriod"] = "60" });
        await _sqs.SendMessageAsync(url, "old");
        _now += TimeSpan.FromSeconds(59);
        await _sqs.SendMessageAsync(url, "new");
        _now += TimeSpan.FromSeconds(1);
        Assert.Equal("new", (await ReceiveOneAsync(url)).Body);
        await AssertEmptyAsync(url);
    }

    [Fact]
    public async Task PurgeQueue_RemovesEveryMessage_OncePerMinute()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(url, "a");
        await _sqs.SendMessageAsync(url, "b");
        await ReceiveOneAsync(url);
        await _sqs.PurgeQueueAsync(url);
        _now += TimeSpan.FromSeconds(31);
        await AssertEmptyAsync(url);
        var error = await Assert.ThrowsAsync<PurgeQueueInProgressException>(() => _sqs.PurgeQueueAsync(url));
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        _now += TimeSpan.FromSeconds(30);
        await _sqs.PurgeQueueAsync(url);
    }

    [Fact]
    public async Task ReceiveMessage_LongPoll_WakesUpWhenAMessageIsSent()
    {
        var url = await CreateAsync("jobs");
        var receiving = _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 20 });
        for (var i = 0; i < 1000 && _sandbox.Server.SqsWaitingReceives == 0; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal(1, _sandbox.Server.SqsWaitingReceives);
        Assert.False(receiving.IsCompleted);
        await _sqs.SendMessageAsync(url, "wake up");
        var response = await receiving;
        Assert.Equal("wake up", Assert.Single(response.Messages).Body);
        Assert.Equal(1, _sandbox.Server.SqsReceivesWokenByArrival);
        Assert.Equal(0, _sandbox.Server.SqsWaitingReceives);
    }

    [Fact]
    public async Task ReceiveMessage_LongPollWithNothingSent_ReturnsEmptyAtTheEndOfItsWait()
    {
        var url = await CreateAsync("jobs");
        var response = await _sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, WaitTimeSeconds = 1 });
        Assert.True(response.Messages is null || response.Messages.Count == 0);
        Assert.Equal(0, _sandbox.Server.SqsReceivesWokenByArrival);
    }

    [Fact]
    public async Task IdentityPolicy_LeastPrivilege_DeniesActionsItDoesNotAllow()
    {
        var url = await CreateAsync("jobs");
        await CreateAsync("other");
        var sender = _sandbox.Server.CreateUser(_sandbox.AccountId, "sender",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[\"sqs:SendMessage\",\"sqs:GetQueueUrl\"],\"Resource\":\"" + Arn("jobs") + "\"}]}");
        using var client = Client(sender);
        Assert.Equal(url, (await client.GetQueueUrlAsync("jobs")).QueueUrl);
        await client.SendMessageBatchAsync(url, [new("a", "batched")]);
        var receive = await Assert.ThrowsAsync<AmazonSQSException>(() => client.ReceiveMessageAsync(url));
        Assert.Equal(("AccessDenied", HttpStatusCode.Forbidden), (receive.ErrorCode, receive.StatusCode));
        Assert.Contains("sqs:receivemessage on resource: " + Arn("jobs"), receive.Message, StringComparison.Ordinal);
        var otherQueue = await Assert.ThrowsAsync<AmazonSQSException>(() => client.SendMessageAsync(_sandbox.Server.Endpoint + _sandbox.AccountId + "/other", "x"));
        Assert.Equal("AccessDenied", otherQueue.ErrorCode);
        await Assert.ThrowsAsync<AmazonSQSException>(() => client.CreateQueueAsync("new-queue"));
    }

    [Fact]
    public async Task QueuePolicy_DenyWithoutSecureTransport_DeniesOnlyRequestsMarkedInsecure()
    {
        var url = await CreateAsync("jobs", new() { ["Policy"] = TlsOnlyPolicy(Arn("jobs")) });
        await _sqs.SendMessageAsync(url, "over tls");
        using var rootClient = Client(_sandbox.Root);
        rootClient.BeforeRequestEvent += (_, e) => ((WebServiceRequestEventArgs)e).Headers[SandboxServer.SqsInsecureTransportHeader] = "true";
        var error = await Assert.ThrowsAsync<AmazonSQSException>(() => rootClient.SendMessageAsync(url, "plain http"));
        Assert.Equal("AccessDenied", error.ErrorCode);
        Assert.Contains("explicit deny in a resource-based policy", error.Message, StringComparison.Ordinal);
        Assert.Equal("over tls", (await ReceiveOneAsync(url)).Body);
    }

    [Fact]
    public async Task Faults_Throttling_IsRequestThrottledAndRetriedBySdk()
    {
        var url = await CreateAsync("jobs");
        _sandbox.Server.ResetCallCounts();
        _sandbox.Server.Faults.ThrottleRate = 1;
        var throttled = await Assert.ThrowsAsync<RequestThrottledException>(() => _sqs.SendMessageAsync(url, "x"));
        Assert.Equal("RequestThrottled", throttled.ErrorCode);
        using var retrying = Client(_sandbox.Admin, maxErrorRetry: 2);
        await Assert.ThrowsAsync<RequestThrottledException>(() => retrying.SendMessageAsync(url, "x"));
        Assert.Equal(4, _sandbox.Server.CallCounts["sqs:SendMessage"]);
        _sandbox.Server.Faults.ThrottleRate = 0;
        _sandbox.Server.Faults.ServerErrorRate = 1;
        var failure = await Assert.ThrowsAsync<AmazonSQSException>(() => _sqs.SendMessageAsync(url, "x"));
        Assert.Equal(HttpStatusCode.InternalServerError, failure.StatusCode);
        _sandbox.Server.Faults.ServerErrorRate = 0;
        await _sqs.SendMessageAsync(url, "x");
        Assert.Equal(6, _sandbox.Server.CallCounts["sqs:SendMessage"]);
        Assert.Equal("x", (await ReceiveOneAsync(url)).Body);
    }

    [Fact]
    public async Task Authentication_WrongSecretOrUnknownKey_IsRefused()
    {
        var url = await CreateAsync("jobs");
        using var wrongSecret = Client(_sandbox.Admin with { SecretAccessKey = "wrong" });
        var signature = await Assert.ThrowsAsync<AmazonSQSException>(() => wrongSecret.SendMessageAsync(url, "x"));
        Assert.Equal(("SignatureDoesNotMatch", HttpStatusCode.Forbidden), (signature.ErrorCode, signature.StatusCode));
        using var unknownKey = Client(_sandbox.Admin with { AccessKeyId = "AKIAUNKNOWNUNKNOWN00" });
        var key = await Assert.ThrowsAsync<AmazonSQSException>(() => unknownKey.SendMessageAsync(url, "x"));
        Assert.Equal("InvalidClientTokenId", key.ErrorCode);
        await AssertEmptyAsync(url);
    }

    [Fact]
    public async Task TagQueue_TagsAndUntags()
    {
        var url = (await _sqs.CreateQueueAsync(new CreateQueueRequest { QueueName = "jobs", Tags = new() { ["team"] = "sec" } })).QueueUrl;
        await _sqs.TagQueueAsync(new TagQueueRequest { QueueUrl = url, Tags = new() { ["env"] = "prod" } });
        Assert.Equal(new Dictionary<string, string> { ["team"] = "sec", ["env"] = "prod" }, (await _sqs.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url })).Tags);
        await _sqs.UntagQueueAsync(new UntagQueueRequest { QueueUrl = url, TagKeys = ["team"] });
        Assert.Equal(["env"], (await _sqs.ListQueueTagsAsync(new ListQueueTagsRequest { QueueUrl = url })).Tags.Keys);
    }

    [Fact]
    public async Task DumpSqsState_ContainsBodiesAndAttributes()
    {
        var url = await CreateAsync("jobs");
        await _sqs.SendMessageAsync(new SendMessageRequest
        {
            QueueUrl = url,
            MessageBody = "body-marker",
            MessageAttributes = new() { ["k"] = new MessageAttributeValue { DataType = "String", StringValue = "attribute-marker" } },
        });
        using var http = new HttpClient();
        foreach (var dump in new[] { _sandbox.Server.DumpSqsState(), await http.GetStringAsync(new Uri(_sandbox.Server.Endpoint, "_sandbox/sqs")) })
        {
            Assert.Contains("body-marker", dump, StringComparison.Ordinal);
            Assert.Contains("attribute-marker", dump, StringComparison.Ordinal);
            Assert.Contains(Arn("jobs"), dump, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Queues_ArePerAccountAndRegion()
    {
        var url = await CreateAsync("jobs");
        using var west = new AmazonSQSClient(SandboxHarness.Credentials(_sandbox.Admin), new AmazonSQSConfig
        {
            ServiceURL = _sandbox.Server.Endpoint.ToString(),
            AuthenticationRegion = "eu-west-1",
            MaxErrorRetry = 0,
        });
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => west.GetQueueUrlAsync("jobs"));
        await west.CreateQueueAsync("jobs");
        Assert.Equal("arn:aws:sqs:eu-west-1:" + _sandbox.AccountId + ":jobs", (await west.GetQueueAttributesAsync(url, ["QueueArn"])).Attributes["QueueArn"]);

        var other = _sandbox.Server.CreateAccount();
        using var otherClient = Client(_sandbox.Server.CreateUser(other.AccountId, "admin"));
        await Assert.ThrowsAsync<QueueDoesNotExistException>(() => otherClient.GetQueueUrlAsync("jobs"));
        var crossAccount = await Assert.ThrowsAsync<AmazonSQSException>(() => otherClient.SendMessageAsync(url, "x"));
        Assert.Equal("AccessDenied", crossAccount.ErrorCode);
        await _sqs.SetQueueAttributesAsync(url, new()
        {
            ["Policy"] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + other.AccountId + "\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + Arn("jobs") + "\"}]}",
        });
        await otherClient.SendMessageAsync(url, "from another account");
        Assert.Equal("from another account", (await ReceiveOneAsync(url)).Body);
    }

    private static string TlsOnlyPolicy(string queueArn) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"sqs:*\",\"Resource\":\""
        + queueArn + "\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}";
}
