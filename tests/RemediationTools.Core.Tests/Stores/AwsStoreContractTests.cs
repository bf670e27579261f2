using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using Amazon.SQS;
using Amazon.SQS.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Stores.Aws;

namespace RemediationTools.Core.Tests.Stores;

/// <summary>
/// The store contract on the AWS store, against the sandbox's SQS and DynamoDB; the sandbox and the store share the test
/// clock, so leases (visibility timeouts) expire when the test moves it. Each test has its own sandbox and installation.
/// </summary>
public sealed class AwsStoreContractTests : StoreContractTests
{
    private const string Region = "us-east-1";
    private readonly SandboxServer server = SandboxServer.Start();
    private readonly SandboxAccount admin;
    private readonly string name = "rt" + Guid.NewGuid().ToString("N")[..8];
    private readonly List<IDisposable> opened = new();

    public AwsStoreContractTests()
    {
        server.Clock = Clock.Read;
        var account = server.CreateAccount();
        admin = server.CreateUser(account.AccountId, "admin");
    }

    private protected override IRemediationStore OpenStore() => OpenAwsStore(0);

    private AwsStore OpenAwsStore(int maxErrorRetry)
    {
        var settings = new StoreAwsSettings
        {
            Connection = new AwsConnectionOptions
            {
                AccessKey = admin.AccessKeyId,
                SecretKey = admin.SecretAccessKey,
                Region = Region,
                EndpointUrl = server.Endpoint.ToString(),
                MaxErrorRetry = maxErrorRetry,
            },
            StoreOptions = new AwsStoreOptions
            {
                Clock = Clock.Read,
                DeadLetterSweepInterval = TimeSpan.Zero,
                TablePollInterval = TimeSpan.FromMilliseconds(10),
            },
        };
        var store = StoreFactory.CreateAsync("aws:" + name, settings, CancellationToken.None).GetAwaiter().GetResult();
        lock (opened)
        {
            opened.Add((IDisposable)store);
        }

        return (AwsStore)store;
    }

    private AmazonDynamoDBClient DynamoClient() => new(
        new BasicAWSCredentials(admin.AccessKeyId, admin.SecretAccessKey),
        new AmazonDynamoDBConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    private AmazonSQSClient SqsClient() => new(
        new BasicAWSCredentials(admin.AccessKeyId, admin.SecretAccessKey),
        new AmazonSQSConfig { ServiceURL = server.Endpoint.ToString(), AuthenticationRegion = Region, MaxErrorRetry = 0 });

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var store in opened)
            {
                store.Dispose();
            }

            server.Dispose();
        }

        base.Dispose(disposing);
    }

    [Fact]
    public async Task CreateGroup_FirstUse_TableOnDemandEncryptedWithTtlAndPitrAndQueuesWithRedriveSseAndTlsPolicy()
    {
        var store = (AwsStore)await GroupStoreAsync();
        var calls = server.CallCounts;

        Assert.Equal(1, calls.GetValueOrDefault("dynamodb:CreateTable"));
        Assert.Equal(1, calls.GetValueOrDefault("dynamodb:UpdateTimeToLive"));
        Assert.Equal(1, calls.GetValueOrDefault("dynamodb:UpdateContinuousBackups"));
        Assert.Equal(2, calls.GetValueOrDefault("sqs:CreateQueue"));
        Assert.Equal(name + "-prod", store.QueueName(Group));
    }

    [Fact]
    public async Task CreateGroup_TwoStoresAtOnceOnAFreshInstallation_OneTableBothGroups()
    {
        var first = OpenStore();
        var second = OpenStore();

        await Task.WhenAll(
            Task.Run(() => first.CreateGroupAsync(Record("dev"), CancellationToken.None)),
            Task.Run(() => second.CreateGroupAsync(Record("staging"), CancellationToken.None)));

        Assert.Equal(new[] { "dev", "staging" }, (await OpenStore().ListGroupsAsync(CancellationToken.None)).Select(g => g.Group.Name));
    }

    [Fact]
    public async Task Enqueue_25Requests_ThreeSendMessageBatchCalls()
    {
        var store = await GroupStoreAsync();
        server.ResetCallCounts();

        await EnqueueAsync(store, 25);

        Assert.Equal(3, server.CallCounts.GetValueOrDefault("sqs:SendMessageBatch"));
        Assert.Equal(25, (await store.CountAsync(Group, CancellationToken.None)).Waiting);
    }

    [Fact]
    public async Task Enqueue_RequestOver256KiB_RefusedNamingTheFindingAndNothingQueued()
    {
        var store = await GroupStoreAsync();
        var small = Request("sg-small");
        var large = Request("sg-large");
        large.Finding.FindingId = "finding-too-large";
        large.Finding.RawPayload = new string('x', 300 * 1024);

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => store.EnqueueAsync(Group, new[] { small, large }, CancellationToken.None));

        Assert.Equal(StoreError.InvalidInput, error.Error);
        Assert.Contains("'finding-too-large'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await store.CountAsync(Group, CancellationToken.None)).Waiting);
    }
    [Fact]
    public async Task CreateGroup_FirstUse_TableAndQueuesConfiguredAsDesigned()
    {
        await GroupStoreAsync();
        using var dynamo = DynamoClient();
        using var sqs = SqsClient();

        var table = (await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = name })).Table;
        var ttl = (await dynamo.DescribeTimeToLiveAsync(new DescribeTimeToLiveRequest { TableName = name })).TimeToLiveDescription;
        var backups = (await dynamo.DescribeContinuousBackupsAsync(new DescribeContinuousBackupsRequest { TableName = name })).ContinuousBackupsDescription;
        var queueUrl = (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name + "-prod" })).QueueUrl;
        var deadUrl = (await sqs.GetQueueUrlAsync(new GetQueueUrlRequest { QueueName = name + "-prod-dlq" })).QueueUrl;
        var queue = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = queueUrl, AttributeNames = new List<string> { "All" } })).Attributes;
        var dead = (await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = deadUrl, AttributeNames = new List<string> { "All" } })).Attributes;

        Assert.Equal(TableStatus.ACTIVE, table.TableStatus);
        Assert.Equal(BillingMode.PAY_PER_REQUEST, table.BillingModeSummary.BillingMode);
        Assert.Equal(SSEStatus.ENABLED, table.SSEDescription.Status);
        Assert.Equal(new[] { "pk HASH", "sk RANGE" }, table.KeySchema.Select(k => k.AttributeName + " " + k.KeyType.Value));
        Assert.Equal("expires", ttl.AttributeName);
        Assert.Equal(TimeToLiveStatus.ENABLED, ttl.TimeToLiveStatus);
        Assert.Equal(PointInTimeRecoveryStatus.ENABLED, backups.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus);
        foreach (var attributes in new[] { queue, dead })
        {
            Assert.Equal("true", attributes["SqsManagedSseEnabled"]);
            Assert.Equal("1209600", attributes["MessageRetentionPeriod"]);
            Assert.Equal("20", attributes["ReceiveMessageWaitTimeSeconds"]);
            Assert.Equal("60", attributes["VisibilityTimeout"]);
            Assert.Contains("\"aws:SecureTransport\":\"false\"", attributes["Policy"], StringComparison.Ordinal);
            Assert.Contains("\"Effect\":\"Deny\"", attributes["Policy"], StringComparison.Ordinal);
        }

        using var redrive = System.Text.Json.JsonDocument.Parse(queue["RedrivePolicy"]);
        Assert.Equal(dead["QueueArn"], redrive.RootElement.GetProperty("deadLetterTargetArn").GetString());
        Assert.Equal("3", redrive.RootElement.GetProperty("maxReceiveCount").ToString());
        Assert.False(dead.ContainsKey("RedrivePolicy"));
    }

    [Fact]
    public async Task CreateGroup_TableStillCreating_WaitsUntilActive()
    {
        server.DynamoDbCreatingDescribeCalls = 3;

        await GroupStoreAsync();

        Assert.True(server.CallCounts.GetValueOrDefault("dynamodb:DescribeTable") >= 4);
        Assert.Equal(Group, Assert.Single(await OpenStore().ListGroupsAsync(CancellationToken.None)).Group.Name);
    }

    [Fact]
    public async Task CreateGroup_SecretHash_OnlyInTheGroupItemAndInNoMessage()
    {
        var store = OpenStore();
        var record = Record();
        record.SecretHash = "pbkdf2-hash-marker-7f3a";
        await store.CreateGroupAsync(record, CancellationToken.None);
        await EnqueueAsync(store, 3);
        var lease = (await store.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None)).Single();
        await store.CompleteAsync(lease, Run(lease), CancellationToken.None);
        await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = "w1", WorkerGroup = Group, LastHeartbeat = Clock.Now }, CancellationToken.None);

        var holding = server.DumpDynamoDbItems().Where(i => i.ItemJson.Contains("pbkdf2-hash-marker-7f3a", StringComparison.Ordinal)).ToList();

        Assert.Contains("\"sk\":{\"S\":\"group\"}", Assert.Single(holding).ItemJson, StringComparison.Ordinal);
        Assert.DoesNotContain("pbkdf2-hash-marker-7f3a", server.DumpSqsState(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveWorker_HeartbeatOlderThanTheRetention_ExpiredByTtl()
    {
        var store = await GroupStoreAsync();
        await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = "old", WorkerGroup = Group, LastHeartbeat = Clock.Now, HeartbeatPeriod = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        Advance(TimeSpan.FromDays(6));
        await store.SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = "recent", WorkerGroup = Group, LastHeartbeat = Clock.Now, HeartbeatPeriod = TimeSpan.FromSeconds(10) }, CancellationToken.None);
        Advance(TimeSpan.FromDays(2));

        server.ExpireDynamoDbItems();

        Assert.Equal("recent", Assert.Single(await store.ListWorkersAsync(Group, Clock.Now, CancellationToken.None)).WorkerId);
    }

    [Fact]
    public async Task Workers_ThrottlingAndServerErrorsOnOneCallInFive_EveryRequestOneFinalRun()
    {
        var setup = await GroupStoreAsync();
        var ids = await EnqueueAsync(setup, 40);
        server.Faults.Seed = 7;
        server.Faults.ThrottleRate = 0.1;
        server.Faults.ServerErrorRate = 0.1;

        await Task.WhenAll(Enumerable.Range(0, 3).Select(worker => Task.Run(async () =>
        {
            var store = OpenAwsStore(10);
            while (true)
            {
                var leases = await store.ReceiveAsync(Group, "w" + worker, 5, TimeSpan.FromMinutes(5), TimeSpan.Zero, CancellationToken.None);
                if (leases.Count == 0 && (await store.CountAsync(Group, CancellationToken.None)) is { Waiting: 0 })
                {
                    return;
                }

                foreach (var lease in leases)
                {
                    await store.CompleteAsync(lease, Run(lease), CancellationToken.None);
                }
            }
        })));
        server.Faults.ThrottleRate = 0;
        server.Faults.ServerErrorRate = 0;

        var finals = await setup.GetRunsAsync(new RunQuery { WorkerGroup = Group, FinalOnly = true }, CancellationToken.None);
        Assert.Equal(ids.Order(StringComparer.Ordinal), finals.Select(r => r.RequestId).Order(StringComparer.Ordinal));
        var counts = await setup.CountAsync(Group, CancellationToken.None);
        Assert.Equal((0, 0, 0), (counts.Waiting, counts.Leased, counts.DeadLettered));
    }
    [Fact]
    public async Task Receive_GroupDeletedByAnotherProcess_GroupNotFoundNotAnSdkException()
    {
        var worker = await GroupStoreAsync();
        await EnqueueAsync(worker, 1);
        Assert.Single(await worker.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        Assert.True(await OpenStore().DeleteGroupAsync(Group, CancellationToken.None));
        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => worker.ReceiveAsync(Group, "w1", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(StoreError.GroupNotFound, error.Error);
    }

    [Fact]
    public async Task SaveWorker_NoTableYet_GroupNotFoundNamingTheGroup()
    {
        var error = await Assert.ThrowsAsync<RemediationStoreException>(() => OpenStore().SaveWorkerAsync(new RemediationWorkerInfo { WorkerId = "w1", WorkerGroup = "Prod" }, CancellationToken.None));

        Assert.Equal(StoreError.GroupNotFound, error.Error);
        Assert.Contains("'prod'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'" + name + "' does not exist", error.Message, StringComparison.Ordinal);
    }
    [Fact]
    public async Task FullCycle_WithUndoRecords_AtMostSevenCallsPerRequestAndOnlyRunsLeft()
    {
        var store = await GroupStoreAsync();
        server.ResetCallCounts();

        await EnqueueAsync(store, 20);
        while ((await store.ReceiveAsync(Group, "w1", 4, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None)) is { Count: > 0 } leases)
        {
            foreach (var lease in leases)
            {
                await store.RecordAppliedAsync(lease, new RemediationUndoRecord { JobId = "job" }, CancellationToken.None);
                Assert.True(await store.CompleteAsync(lease, Run(lease), CancellationToken.None));
            }
        }

        var calls = server.CallCounts.Where(c => c.Key.StartsWith("sqs:", StringComparison.Ordinal) || c.Key.StartsWith("dynamodb:", StringComparison.Ordinal)).Sum(c => c.Value);
        var keys = server.DumpDynamoDbItems().Where(i => i.TableName == name).Select(i => System.Text.Json.JsonDocument.Parse(i.ItemJson).RootElement)
            .Select(e => (Pk: e.GetProperty("pk").GetProperty("S").GetString()!, Sk: e.GetProperty("sk").GetProperty("S").GetString()!)).ToList();
        var sortKeys = keys.Where(k => k.Pk == Group).Select(k => k.Sk).ToList();
        Assert.Equal(new[] { ("#groups", Group) }, keys.Where(k => k.Pk != Group));
        // Five for the request itself (receive, undo record and its deletion, final run, message deletion) and two for the
        // record that lets Get-RemediationRun show it Queued and Running (SQS cannot list its messages): marked Running
        // at the claim and deleted at the end; the Queued records of the enqueue are written 25 a call.
        Assert.InRange(calls, 20, 7 * 20);
        Assert.Equal(20, sortKeys.Count(k => k.StartsWith("run#", StringComparison.Ordinal)));
        Assert.Equal(new[] { "group" }, sortKeys.Where(k => !k.StartsWith("run#", StringComparison.Ordinal)).Distinct());
    }
    [Fact]
    public async Task DeleteGroup_ManyItems_DeletedInBatchesOf25WithTheQueues()
    {
        var store = await GroupStoreAsync();
        for (var i = 0; i < 60; i++)
        {
            await store.RecordRunAsync(new RemediationRun { Id = "r" + i, RequestId = "r" + i, WorkerGroup = Group, Status = RemediationRunStatus.Completed }, CancellationToken.None);
        }

        server.ResetCallCounts();
        Assert.True(await store.DeleteGroupAsync(Group, CancellationToken.None));

        Assert.Equal(3, server.CallCounts.GetValueOrDefault("dynamodb:BatchWriteItem"));
        Assert.Equal(2, server.CallCounts.GetValueOrDefault("sqs:DeleteQueue"));
        Assert.DoesNotContain(server.DumpDynamoDbItems(), i => i.TableName == name);
    }
}
