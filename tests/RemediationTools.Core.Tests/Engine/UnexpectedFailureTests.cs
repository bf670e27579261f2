using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Tests.Engine;

/// <summary>
/// An unexpected exception fails its finding as InternalError with the stack trace in the verbose stream only; an HTTP
/// timeout (a cancellation nobody asked for) fails one finding, not the batch; the caller's cancellation stops the batch.
/// </summary>
public sealed class UnexpectedFailureTests
{
    private const string Account = "123456789012";
    private readonly FakeEc2 ec2 = new();

    private static Finding Finding(string resourceId) => new() { JobId = "fake-throwing", AccountId = Account, Region = "us-east-1", ResourceId = resourceId };

    [Fact]
    public async Task RunBatch_JobThrowsUnexpectedly_InternalErrorStackTraceOnlyInVerboseOthersRemediated()
    {
        var job = new ThrowingJob { Throw = id => id == "bad" ? new KeyNotFoundException("boom") : null };
        var reporter = new RecordingReporter();
        var engine = new RemediationEngine(new FakeClientFactory(ec2.Client, Account), new JobCatalog(new IRemediationJob[] { job }), reporter);

        var results = await engine.RunBatchAsync(new[] { Finding("good-1"), Finding("bad"), Finding("good-2") }, new RemediationOptions(), null, null);

        Assert.Equal(new[] { RemediationStatus.Remediated, RemediationStatus.Failed, RemediationStatus.Remediated }, results.Select(r => r.Status));
        Assert.Equal(FailureTranslator.InternalError, results[1].ErrorCode);
        Assert.Equal("Unexpected error: boom", results[1].Reason);
        Assert.DoesNotContain(nameof(KeyNotFoundException), results[1].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", results[1].Reason, StringComparison.Ordinal);
        Assert.False(RemediationEngine.IsRetryable(results[1]));
        Assert.Equal(1, job.Plans("bad"));
        var trace = Assert.Single(reporter.Verbose, l => l.StartsWith(RemediationEngine.UnexpectedErrorPrefix, StringComparison.Ordinal));
        Assert.StartsWith(RemediationEngine.UnexpectedErrorPrefix + "bad", trace, StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowingJob), trace, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunBatch_HttpTimeoutInOneFinding_ThatFindingFailsNetworkErrorTheBatchGoesOn()
    {
        // HttpClient reports its own timeout as a TaskCanceledException although nobody cancelled the run.
        var job = new ThrowingJob { Throw = id => id == "slow" ? new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.") : null };
        var engine = new RemediationEngine(new FakeClientFactory(ec2.Client, Account), new JobCatalog(new IRemediationJob[] { job }));

        var results = await engine.RunBatchAsync(
            new[] { Finding("slow"), Finding("fine") },
            new RemediationOptions { MaxFindingAttempts = 2, FindingRetryDelay = TimeSpan.Zero },
            null,
            null);

        Assert.Equal(RemediationStatus.Failed, results[0].Status);
        Assert.Equal(FailureTranslator.NetworkError, results[0].ErrorCode);
        Assert.True(RemediationEngine.IsRetryable(results[0]));
        Assert.Equal(2, job.Plans("slow"));
        Assert.Equal(RemediationStatus.Remediated, results[1].Status);
    }

    [Fact]
    public async Task RunBatch_CallerCancels_BatchStopsWithOperationCanceled()
    {
        using var cancel = new CancellationTokenSource();
        var job = new ThrowingJob { OnPlan = () => cancel.Cancel() };
        var engine = new RemediationEngine(new FakeClientFactory(ec2.Client, Account), new JobCatalog(new IRemediationJob[] { job }));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            engine.RunBatchAsync(new[] { Finding("a"), Finding("b") }, new RemediationOptions { ThrottleLimit = 1 }, null, null, cancel.Token));

        Assert.Equal(0, job.Applies);
    }

    private sealed class ThrowingJob : IRemediationJob
    {
        private readonly Dictionary<string, int> plans = new(StringComparer.Ordinal);
        private int applies;

        public RemediationJobInfo Info { get; } = new() { Id = "fake-throwing", Title = "test job", Service = "Test", ResourceType = "Thing", Impact = "none" };

        public Func<string, Exception?> Throw { get; set; } = _ => null;

        public Action? OnPlan { get; set; }

        public int Applies => Volatile.Read(ref applies);

        public int Plans(string id)
        {
            lock (plans)
            {
                return plans.TryGetValue(id, out var n) ? n : 0;
            }
        }

        public Task<JobPlan> PlanAsync(JobContext context, CancellationToken cancellationToken)
        {
            lock (plans)
            {
                plans[context.ResourceId] = Plans(context.ResourceId) + 1;
            }

            OnPlan?.Invoke();
            cancellationToken.ThrowIfCancellationRequested();
            var action = new RemediationAction { Operation = "test:Fix", Target = context.ResourceId, Before = "bad", After = "good" };
            return Task.FromResult(JobPlan.Change(new[] { action }, Array.Empty<string>(), null, context.ResourceId, new[] { "test:" + context.ResourceId }));
        }

        public Task ApplyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
        {
            if (Throw(context.ResourceId) is { } exception)
            {
                throw exception;
            }

            Interlocked.Increment(ref applies);
            return Task.CompletedTask;
        }

        public Task<JobVerification> VerifyAsync(JobContext context, JobPlan plan, CancellationToken cancellationToken)
            => Task.FromResult(JobVerification.Success());

        public Task<JobPlan> PlanUndoAsync(JobContext context, RemediationUndoRecord record, CancellationToken cancellationToken)
            => Task.FromResult(JobPlan.Compliant());
    }

    private sealed class RecordingReporter : IRemediationReporter
    {
        private readonly List<string> verbose = new();

        public IReadOnlyList<string> Verbose
        {
            get
            {
                lock (verbose)
                {
                    return verbose.ToList();
                }
            }
        }

        void IRemediationReporter.Progress(RemediationProgress progress)
        {
        }

        void IRemediationReporter.Verbose(string message)
        {
            lock (verbose)
            {
                verbose.Add(message);
            }
        }

        void IRemediationReporter.Warning(string message)
        {
        }
    }
}
