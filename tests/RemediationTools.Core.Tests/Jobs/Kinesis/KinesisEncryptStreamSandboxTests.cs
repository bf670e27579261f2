using RemediationTools.Core.Tests.Sandbox;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed.Kinesis;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.Kinesis;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Tests.Jobs.Kinesis;

/// <summary>kinesis-encrypt-stream against the sandbox: encrypted or not, UPDATING and ACTIVE, keys, tags, undo.</summary>
public sealed class KinesisEncryptStreamSandboxTests : IDisposable
{
    private const string Region = "eu-west-1";
    private const string RuleId = "ce603728-d631-4bae-8657-c22da6e5944e";
    private readonly SandboxServer server = SandboxEc2.StartForJobs();
    private readonly SandboxAccount account;
    private readonly AwsClientFactory factory;

    public KinesisEncryptStreamSandboxTests()
    {
        account = SandboxEc2.JobAccount(server);
        factory = SandboxEc2.JobFactory(server, account, Region);
    }

    public void Dispose()
    {
        factory.Dispose();
        server.Dispose();
    }

    // Polls every few milliseconds so that a stream UPDATING for a moment is waited for without slowing the tests.
    private RemediationEngine Engine(TimeSpan? timeout = null) =>
        new(factory, new JobCatalog(new IRemediationJob[] { new KinesisEncryptStreamJob(TimeSpan.FromMilliseconds(5), timeout ?? TimeSpan.FromMinutes(1)) }));

    private Finding Finding(string resourceId, IReadOnlyDictionary<string, string>? tags = null) => new()
    {
        FindingId = "f-" + resourceId,
        RuleId = RuleId,
        AccountId = account.AccountId,
        Region = Region,
        ResourceId = resourceId,
        Tags = tags ?? new Dictionary<string, string>(),
    };

    private (string Status, string EncryptionType, string? KeyId) State(string name) => server.KinesisStreamState(account.AccountId, Region, name)!.Value;

    private int Calls(string action) => server.CallCounts.TryGetValue(action, out var count) ? count : 0;

    private async Task<IKinesisClient> ClientAsync() => (await factory.ForAccountAsync(null, CancellationToken.None)).Kinesis(Region);

    [Fact]
    public async Task Run_Unencrypted_EncryptsWithTheAwsManagedKeyAndIsCompliantTheSecondTime()
    {
        server.AddKinesisStream(account.AccountId, Region, "clicks");

        var result = await Engine().RunAsync(Finding("clicks"), new RemediationOptions());

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(("ACTIVE", "KMS", (string?)"alias/aws/kinesis"), State("clicks"));
        var action = Assert.Single(result.Actions);
        Assert.Equal("kinesis:StartStreamEncryption", action.Operation);
        Assert.Equal("EncryptionType NONE", action.Before);

        var second = await Engine().RunAsync(Finding("clicks"), new RemediationOptions());
        Assert.Equal(RemediationStatus.AlreadyCompliant, second.Status);
    }

    [Fact]
    public async Task Run_StreamUpdatingAfterTheChange_WaitsUntilActiveThenVerifies()
    {
        server.AddKinesisStream(account.AccountId, Region, "slow");
        var clock = new SandboxManualClock(server);
        server.TransitionDelay = TimeSpan.FromMinutes(5);

        var run = Engine().RunAsync(Finding("slow"), new RemediationOptions());
        // The plan's read and two of the wait's, which saw UPDATING: the stream is ACTIVE only once time moves.
        await server.WhenCalledAsync("kinesis:DescribeStreamSummary", 3).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(run.IsCompleted);
        clock.Advance(TimeSpan.FromMinutes(5));
        var result = await run;

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(("ACTIVE", "KMS", (string?)"alias/aws/kinesis"), State("slow"));
        // Then the read that saw ACTIVE, then verify's.
        Assert.True(Calls("kinesis:DescribeStreamSummary") >= 5, "DescribeStreamSummary was called " + Calls("kinesis:DescribeStreamSummary") + " times.");
    }

    [Fact]
    public async Task Run_StreamStaysUpdatingPastTheWait_FailedStreamNotActive()
    {
        server.AddKinesisStream(account.AccountId, Region, "stuck");
        server.TransitionDelay = TimeSpan.FromHours(1);

        var result = await Engine(TimeSpan.FromMilliseconds(50)).RunAsync(Finding("stuck"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(KinesisEncryptStreamJob.StreamNotActiveErrorCode, result.ErrorCode);
        Assert.Contains("UPDATING", result.Reason, StringComparison.Ordinal);
        Assert.Equal("UPDATING", State("stuck").Status);
    }

    [Fact]
    public async Task Plan_StreamUpdatingFromAnotherChange_WaitsAndPlansFromTheSettledState()
    {
        server.AddKinesisStream(account.AccountId, Region, "busy");
        server.TransitionDelay = TimeSpan.FromMilliseconds(100);
        await (await ClientAsync()).StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "busy", KeyId = "alias/team-key" });
        server.ResetCallCounts();

        var result = await Engine().RunAsync(Finding("busy"), new RemediationOptions());

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Contains(result.Notes, n => n.Contains("alias/team-key", StringComparison.Ordinal));
        Assert.Equal(0, Calls("kinesis:StartStreamEncryption"));
    }

    [Fact]
    public async Task Run_AlreadyEncryptedWithACustomerKey_CompliantAndNeverReKeyed()
    {
        var key = "arn:aws:kms:" + Region + ":" + account.AccountId + ":key/1234abcd-12ab-34cd-56ef-1234567890ab";
        server.AddKinesisStream(account.AccountId, Region, "secure", key);

        var result = await Engine().RunAsync(Finding("secure"), new RemediationOptions { KmsKeyId = "alias/other" });

        Assert.Equal(RemediationStatus.AlreadyCompliant, result.Status);
        Assert.Equal(key, State("secure").KeyId);
        Assert.Equal(0, Calls("kinesis:StartStreamEncryption"));
    }

    [Fact]
    public async Task Run_ByArnWithKmsKeyId_EncryptsWithThatKey()
    {
        var arn = server.AddKinesisStream(account.AccountId, Region, "orders");
        var key = "arn:aws:kms:" + Region + ":" + account.AccountId + ":alias/streams";

        var result = await Engine().RunAsync(Finding(arn), new RemediationOptions { KmsKeyId = key });

        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);
        Assert.Equal(("ACTIVE", "KMS", (string?)key), State("orders"));
        Assert.Equal(arn, Assert.Single(result.Actions).Target);
    }

    [Fact]
    public async Task Run_KmsKeyOfAnotherRegion_FailedWithKinesisErrorAndUnchanged()
    {
        server.AddKinesisStream(account.AccountId, Region, "elsewhere");

        var result = await Engine().RunAsync(Finding("elsewhere"), new RemediationOptions { KmsKeyId = "arn:aws:kms:us-west-2:" + account.AccountId + ":alias/streams" });

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("KMSNotFoundException", result.ErrorCode);
        Assert.Equal("NONE", State("elsewhere").EncryptionType);
    }

    [Fact]
    public async Task Run_SkipTag_SkippedUnchanged()
    {
        var tags = Enumerable.Range(0, 60).ToDictionary(i => "k" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), i => "v");
        tags["remediation:skip"] = "true";
        server.AddKinesisStream(account.AccountId, Region, "exempt", tags: tags);

        var result = await Engine().RunAsync(Finding("exempt"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Skipped, result.Status);
        Assert.Equal(2, Calls("kinesis:ListTagsForStream"));
        Assert.Equal("NONE", State("exempt").EncryptionType);
    }

    [Fact]
    public async Task Undo_StopsTheEncryptionTheJobStarted()
    {
        server.AddKinesisStream(account.AccountId, Region, "events");
        server.TransitionDelay = TimeSpan.FromMilliseconds(50);
        var result = await Engine().RunAsync(Finding("events"), new RemediationOptions());
        Assert.True(result.Status == RemediationStatus.Remediated, result.Reason);

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.True(undo.Status == RemediationStatus.Remediated, undo.Reason);
        Assert.Equal(("ACTIVE", "NONE", (string?)null), State("events"));
        Assert.Equal("kinesis:StopStreamEncryption", Assert.Single(undo.Actions).Operation);
    }

    [Fact]
    public async Task Undo_AfterTheKeyWasChanged_LeavesItAlone()
    {
        server.AddKinesisStream(account.AccountId, Region, "rekeyed");
        var result = await Engine().RunAsync(Finding("rekeyed"), new RemediationOptions());
        await (await ClientAsync()).StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "rekeyed", KeyId = "alias/newer" });

        var undo = await Engine().UndoAsync(result.UndoRecord!, new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, undo.Status);
        Assert.Equal("UndoWouldOverwriteNewerChange", undo.ErrorCode);
        Assert.Equal("alias/newer", State("rekeyed").KeyId);
    }

    [Fact]
    public async Task Run_UnknownStream_FailedResourceNotFound()
    {
        var result = await Engine().RunAsync(Finding("nothing-here"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("ResourceNotFoundException", result.ErrorCode);
    }

    [Fact]
    public async Task Sandbox_ChangeWhileUpdating_ResourceInUseException()
    {
        server.AddKinesisStream(account.AccountId, Region, "twice");
        server.TransitionDelay = TimeSpan.FromHours(1);
        var kinesis = await ClientAsync();
        await kinesis.StartStreamEncryptionAsync(new StartStreamEncryptionRequest { StreamName = "twice", KeyId = "alias/aws/kinesis" });

        var ex = await Assert.ThrowsAnyAsync<Amazon.Runtime.AmazonServiceException>(() =>
            kinesis.StopStreamEncryptionAsync(new StopStreamEncryptionRequest { StreamName = "twice", KeyId = "alias/aws/kinesis" }));

        Assert.Equal("ResourceInUseException", ex.ErrorCode);
    }

    [Fact]
    public async Task Run_ObjectIdNotAStream_FailedNamingIt()
    {
        var result = await Engine().RunAsync(Finding("no such/stream"), new RemediationOptions());

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Contains("'no such/stream'", result.Reason, StringComparison.Ordinal);
    }
}
