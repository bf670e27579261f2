using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Tests.Stores;

namespace RemediationTools.Core.Tests.Engine;

public sealed class RemediationServiceTests : IDisposable
{
    private const string Org = "o-abc1234567";
    private readonly StoreTestFolder folder = new();

    public void Dispose() => folder.Dispose();

    private async Task CreateGroupAsync()
    {
        var store = new LocalFolderStore(folder.Path);
        var service = new WorkerGroupService(store, hashIterations: ClientSecretHasher.MinimumIterations);
        await service.CreateAsync("prod", null, Org, new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::111122223333:role/RemediationRole", ExternalId = Org } }, allowDisruptive: false, CancellationToken.None);
    }

    private static Finding Finding(string account, string resource = "sg-0123456789abcdef0") => FindingParser.ParseObject(new Dictionary<string, object?>
    {
        ["FindingId"] = "f-" + resource,
        ["RuleId"] = "5c8c25f07a550e1fb6560bc6",
        ["ResourceId"] = resource,
        ["AccountId"] = account,
        ["Region"] = "us-east-1",
    });

    private RemediationInvocation Dispatch(bool wait, TimeSpan? timeout, params Finding[] findings) => new()
    {
        Findings = findings,
        WorkerGroup = new WorkerGroupDispatch { Name = "prod", Store = "local:" + folder.Path, Wait = wait, Timeout = timeout },
    };

    [Fact]
    public async Task RunAsync_WorkerGroupWithoutWait_QueuesEachConfirmedFindingWithItsJob()
    {
        await CreateGroupAsync();
        var host = new RecordingHost();

        await new RemediationService().RunAsync(Dispatch(false, null, Finding("111122223333", "sg-1"), Finding("111122223333", "sg-2")), host, CancellationToken.None);

        Assert.Equal(new[] { "sg-1", "sg-2" }, host.Queued.Select(r => r.ResourceId));
        Assert.All(host.Queued, r => Assert.Equal("security-group-close-port-5432", r.JobId));
        Assert.Equal(2, host.QueueQuestions);
        Assert.Empty(host.Summaries);
    }

    [Fact]
    public async Task RunAsync_WorkerGroup_QueuedRequestCarriesTheJobOptions()
    {
        await CreateGroupAsync();
        var invocation = Dispatch(false, null, Finding("111122223333", "sg-1"));
        invocation.Options = new RemediationOptions { MinimumPasswordLength = 20, PasswordReusePrevention = 12, BackupRetentionDays = 33, LoggingBucketPrefix = "team-logs" };

        await new RemediationService().RunAsync(invocation, new RecordingHost(), CancellationToken.None);

        var store = new LocalFolderStore(folder.Path);
        var leased = Assert.Single(await store.ReceiveAsync("prod", "w-1", 10, TimeSpan.FromMinutes(1), TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(20, leased.Request.MinimumPasswordLength);
        Assert.Equal(12, leased.Request.PasswordReusePrevention);
        Assert.Equal(33, leased.Request.BackupRetentionDays);
        Assert.Equal("team-logs", leased.Request.LoggingBucketPrefix);
    }

    [Fact]
    public async Task RunAsync_QueuingDeclined_QueuesNothing()
    {
        await CreateGroupAsync();
        var host = new RecordingHost { ConfirmQueue = false };

        await new RemediationService().RunAsync(Dispatch(false, null, Finding("111122223333")), host, CancellationToken.None);

        Assert.Empty(host.Queued);
        Assert.Equal(1, host.QueueQuestions);
    }

    [Fact]
    public async Task RunAsync_FindingOfAnotherAccount_RefusesTheWholeBatch()
    {
        await CreateGroupAsync();
        var host = new RecordingHost();

        var error = await Assert.ThrowsAsync<RemediationStoreException>(() =>
            new RemediationService().RunAsync(Dispatch(false, null, Finding("111122223333"), Finding("999999999999")), host, CancellationToken.None));

        Assert.Equal(StoreError.AccountNotInGroup, error.Error);
        Assert.Contains("999999999999", error.Message, StringComparison.Ordinal);
        Assert.Empty(host.Queued);
    }

    [Fact]
    public async Task RunAsync_WaitThatTimesOut_WarnsThatTheRequestsStayQueued()
    {
        await CreateGroupAsync();
        var host = new RecordingHost();

        await new RemediationService().RunAsync(Dispatch(true, TimeSpan.Zero, Finding("111122223333")), host, CancellationToken.None);

        Assert.Empty(host.Queued);
        Assert.Contains(host.Warnings, w => w.Contains("1 of 1 request(s) had not finished", StringComparison.Ordinal));
        Assert.Contains(host.Progress, p => p.Completed);
    }

    [Fact]
    public async Task RunAsync_BadResourceRegion_IsRejectedAndNothingRuns()
    {
        var host = new RecordingHost();
        var invocation = new RemediationInvocation
        {
            Resource = new ResourceFindingInput { JobId = "s3-remove-public-access", ResourceId = "bucket-a", AccountId = "111122223333", Region = "nowhere" },
            WorkerGroup = new WorkerGroupDispatch { Name = "prod", Store = "local:" + folder.Path },
        };

        await new RemediationService().RunAsync(invocation, host, CancellationToken.None);

        FindingInputError rejected = Assert.Single(host.Rejected);
        Assert.Contains("'nowhere'", rejected.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.QueueQuestions);
    }

    private sealed class RecordingHost : IRemediationInvocationHost
    {
        public bool ConfirmQueue { get; set; } = true;

        public int QueueQuestions { get; private set; }

        public List<RemediationRequest> Queued { get; } = new();

        public List<FindingInputError> Rejected { get; } = new();

        public List<string> Warnings { get; } = new();

        public List<string> Summaries { get; } = new();

        public List<RemediationProgress> Progress { get; } = new();

        public Task<bool> ConfirmAsync(RemediationPlan plan) => Task.FromResult(true);

        public Task<bool> ConfirmQueueAsync(Finding finding, RemediationJobInfo? job, string groupName)
        {
            QueueQuestions++;
            return Task.FromResult(ConfirmQueue);
        }

        void IRemediationInvocationHost.Rejected(FindingInputError error) => Rejected.Add(error);

        public void Completed(Finding finding, RemediationResult result)
        {
        }

        void IRemediationInvocationHost.Queued(IReadOnlyList<RemediationRequest> requests) => Queued.AddRange(requests);

        public void RunFinished(RemediationRun run, int finished, int total)
        {
        }

        public void Summary(string line) => Summaries.Add(line);

        void IRemediationReporter.Progress(RemediationProgress progress) => Progress.Add(progress);

        public void Verbose(string message)
        {
        }

        public void Warning(string message) => Warnings.Add(message);
    }
}
