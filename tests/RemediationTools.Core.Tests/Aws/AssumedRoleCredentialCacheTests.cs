using Amazon.SecurityToken;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public class AssumedRoleCredentialCacheTests
{
    private static readonly AccountRole Role = new("arn:aws:iam::111122223333:role/Remediation", "o-abc123");

    private DateTimeOffset now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetAsync_ManyConcurrentCallers_ShareOneAssumeRoleCall()
    {
        var source = new GatedRoleSource(() => now.AddHours(1));
        using var cache = new AssumedRoleCredentialCache(source, () => now);

        var callers = Enumerable.Range(0, 25).Select(_ => Task.Run(() => cache.GetAsync(Role, CancellationToken.None))).ToList();
        await source.WaitForCallsAsync(1);
        source.Release();
        var results = await Task.WhenAll(callers);

        Assert.Equal(1, source.Calls);
        Assert.All(results, r => Assert.Same(results[0], r));
    }

    [Fact]
    public async Task GetAsync_CachedAndFresh_DoesNotCallAgain()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now);

        await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(54);
        await cache.GetAsync(Role, CancellationToken.None);

        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_WithinRefreshWindowBeforeExpiry_AssumesAgain()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now, TimeSpan.FromMinutes(5));

        var first = await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(56);
        var second = await cache.GetAsync(Role, CancellationToken.None);

        Assert.Equal(2, source.Calls);
        Assert.NotEqual(first.AccessKeyId, second.AccessKeyId);
        Assert.True(second.Expiration > first.Expiration);
    }

    [Fact]
    public async Task GetAsync_DifferentExternalIds_SeparateEntries()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now);
        var other = new AccountRole(Role.RoleArn, "o-other");

        var a = await cache.GetAsync(Role, CancellationToken.None);
        var b = await cache.GetAsync(other, CancellationToken.None);
        await cache.GetAsync(Role, CancellationToken.None);
        await cache.GetAsync(other, CancellationToken.None);

        Assert.Equal(2, source.Calls);
        Assert.NotEqual(a.AccessKeyId, b.AccessKeyId);
        Assert.Equal("o-abc123,o-other", string.Join(",", source.ExternalIds));
    }

    [Fact]
    public async Task GetAsync_CallFails_IsNotCachedAndNextCallerRetries()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true) { FailNext = true };
        using var cache = new AssumedRoleCredentialCache(source, () => now);

        await Assert.ThrowsAsync<AssumeRoleDeniedException>(() => cache.GetAsync(Role, CancellationToken.None));
        var credentials = await cache.GetAsync(Role, CancellationToken.None);

        Assert.Equal(2, source.Calls);
        Assert.NotNull(credentials);
    }

    [Fact]
    public async Task GetAsync_OneCallerCancels_OthersStillGetCredentials()
    {
        var source = new GatedRoleSource(() => now.AddHours(1));
        using var cache = new AssumedRoleCredentialCache(source, () => now);
        using var cancel = new CancellationTokenSource();

        var cancelled = cache.GetAsync(Role, cancel.Token);
        var patient = cache.GetAsync(Role, CancellationToken.None);
        await source.WaitForCallsAsync(1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        source.Release();

        Assert.NotNull(await patient);
        Assert.Equal(1, source.Calls);
    }

    [Fact]
    public async Task GetAsync_RefreshThrottledWhileStillValid_KeepsCurrentAndRetriesAfterTheDelay()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        var log = new List<string>();
        using var cache = new AssumedRoleCredentialCache(source, () => now, TimeSpan.FromMinutes(5), refreshRetryDelay: TimeSpan.FromSeconds(30), log: log.Add);
        var first = await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(56);
        source.FailNextWith = new AmazonSecurityTokenServiceException("Rate exceeded") { ErrorCode = "Throttling" };

        var during = await cache.GetAsync(Role, CancellationToken.None);
        var again = await cache.GetAsync(Role, CancellationToken.None);
        Assert.Equal(2, source.Calls);
        now = now.AddSeconds(31);
        var refreshed = await cache.GetAsync(Role, CancellationToken.None);

        Assert.Same(first, during);
        Assert.Same(first, again);
        Assert.Equal(3, source.Calls);
        Assert.NotEqual(first.AccessKeyId, refreshed.AccessKeyId);
        Assert.Contains(log, l => l.Contains("Rate exceeded", StringComparison.Ordinal) && l.Contains("current credentials stay in use", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetAsync_RefreshFailsAfterExpiry_FailureSurfaces()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now);
        await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(56);
        source.FailNextWith = new HttpRequestException("connection refused");
        await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(5);
        source.FailNextWith = new HttpRequestException("connection refused");

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => cache.GetAsync(Role, CancellationToken.None));

        Assert.Equal("connection refused", error.Message);
        Assert.Equal(3, source.Calls);
    }

    [Fact]
    public async Task GetAsync_RefreshRefusedWhileStillValid_RefusalSurfaces()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now);
        await cache.GetAsync(Role, CancellationToken.None);
        now = now.AddMinutes(56);
        source.FailNext = true;

        await Assert.ThrowsAsync<AssumeRoleDeniedException>(() => cache.GetAsync(Role, CancellationToken.None));
        Assert.Equal(2, source.Calls);
    }

    [Fact]
    public async Task EvictIdle_RolesNotAskedForSinceTheCutoff_DroppedOthersKept()
    {
        var source = new GatedRoleSource(() => now.AddHours(1), open: true);
        using var cache = new AssumedRoleCredentialCache(source, () => now);
        var other = new AccountRole("arn:aws:iam::444455556666:role/Remediation", "o-abc123");
        await cache.GetAsync(Role, CancellationToken.None);
        await cache.GetAsync(other, CancellationToken.None);
        now = now.AddMinutes(20);
        await cache.GetAsync(other, CancellationToken.None);

        var evicted = cache.EvictIdle(now.AddMinutes(-15));
        await cache.GetAsync(Role, CancellationToken.None);

        Assert.Equal(1, evicted);
        Assert.Equal(2, cache.Count);
        Assert.Equal(3, source.Calls);
    }

    [Fact]
    public void SessionName_Default_HasProductPrefixAndShortId()
    {
        using var cache = new AssumedRoleCredentialCache(new GatedRoleSource(() => now, open: true));

        Assert.Matches("^RemediationTools-[0-9a-f]{8}$", cache.SessionName);
    }

    [Fact]
    public void RoleCredentialsToString_NeverShowsSecretOrToken()
    {
        var credentials = new RoleCredentials("ASIAEXAMPLE", "very-secret", "session-token-value", now);

        var text = credentials.ToString();

        Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal);
        Assert.DoesNotContain("session-token-value", text, StringComparison.Ordinal);
    }

    private sealed class GatedRoleSource : IRoleCredentialsSource
    {
        private readonly Func<DateTimeOffset> expiration;
        private readonly TaskCompletionSource<bool> gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> externalIds = new();
        private readonly List<(int Count, TaskCompletionSource Reached)> callWaiters = new();
        private int calls;

        public GatedRoleSource(Func<DateTimeOffset> expiration, bool open = false)
        {
            this.expiration = expiration;
            if (open)
            {
                gate.SetResult(true);
            }
        }

        public int Calls => Volatile.Read(ref calls);

        public bool FailNext { get; set; }

        public Exception? FailNextWith { get; set; }

        public IReadOnlyList<string> ExternalIds
        {
            get
            {
                lock (externalIds)
                {
                    return externalIds.ToList();
                }
            }
        }

        public void Release() => gate.TrySetResult(true);

        /// <summary>Completes once <paramref name="count"/> calls have come in (signalled by the calls, not polled).</summary>
        public Task WaitForCallsAsync(int count)
        {
            lock (callWaiters)
            {
                if (Calls >= count)
                {
                    return Task.CompletedTask;
                }

                var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                callWaiters.Add((count, reached));
                return reached.Task.WaitAsync(TimeSpan.FromMinutes(1));
            }
        }

        public async Task<RoleCredentials> AssumeRoleAsync(AccountRole role, string sessionName, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref calls);
            lock (callWaiters)
            {
                foreach (var waiter in callWaiters.Where(w => w.Count <= n).ToList())
                {
                    callWaiters.Remove(waiter);
                    waiter.Reached.TrySetResult();
                }
            }

            lock (externalIds)
            {
                externalIds.Add(role.ExternalId);
            }

            await gate.Task;
            if (FailNextWith is { } failure)
            {
                FailNextWith = null;
                throw failure;
            }

            if (FailNext)
            {
                FailNext = false;
                throw new AssumeRoleDeniedException(role.RoleArn, role.ExternalId, null);
            }

            return new RoleCredentials($"ASIA{n}", "secret", "token", expiration());
        }
    }
}
