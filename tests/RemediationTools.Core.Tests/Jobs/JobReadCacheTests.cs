using RemediationTools.Core.Jobs;

namespace RemediationTools.Core.Tests.Jobs;

public sealed class JobReadCacheTests
{
    [Fact]
    public async Task GetOrReadAsync_ConcurrentCallersSameKey_OneRead()
    {
        var cache = new JobReadCache();
        var reads = 0;
        var gate = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var first = cache.GetOrReadAsync("k", () => { Interlocked.Increment(ref reads); return gate.Task; });
        var second = cache.GetOrReadAsync("k", () => { Interlocked.Increment(ref reads); return gate.Task; });
        gate.SetResult(7);

        Assert.Equal(new[] { 7, 7 }, await Task.WhenAll(first, second));
        Assert.Equal(1, reads);
        Assert.True(cache.Contains("k"));
    }

    [Fact]
    public async Task GetOrReadAsync_FailedRead_NotCachedNextCallerReadsAgain()
    {
        var cache = new JobReadCache();

        await Assert.ThrowsAsync<InvalidOperationException>(() => cache.GetOrReadAsync<int>("k", () => throw new InvalidOperationException("boom")));
        var value = await cache.GetOrReadAsync("k", () => Task.FromResult(3));

        Assert.Equal(3, value);
    }

    [Fact]
    public async Task Invalidate_AfterChange_NextCallReadsAgain()
    {
        var cache = new JobReadCache();
        var reads = 0;
        Task<int> Read() => Task.FromResult(Interlocked.Increment(ref reads));

        Assert.Equal(1, await cache.GetOrReadAsync("k", Read));
        Assert.Equal(1, await cache.GetOrReadAsync("k", Read));
        cache.Invalidate("k");
        Assert.Equal(2, await cache.GetOrReadAsync("k", Read));
    }

    [Fact]
    public async Task Set_ValueServedWithoutRead()
    {
        var cache = new JobReadCache();
        cache.Set("k", "prefetched");

        var value = await cache.GetOrReadAsync<string>("k", () => throw new InvalidOperationException("must not read"));

        Assert.Equal("prefetched", value);
    }
}
