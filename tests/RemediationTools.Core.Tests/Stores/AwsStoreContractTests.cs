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

    private protected override IRemediationStore OpenStore()
    {
        var settings = new StoreAwsSettings
        {
            Connection = new AwsConnectionOptions
            {
                AccessKey = admin.AccessKeyId,
                SecretKey = admin.SecretAccessKey,
                Region = Region,
                EndpointUrl = server.Endpoint.ToString(),
                MaxErrorRetry = 0,
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

        return store;
    }

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
}
