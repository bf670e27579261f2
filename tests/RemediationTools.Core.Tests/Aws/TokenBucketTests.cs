using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Aws;

public sealed class TokenBucketTests
{
    private readonly FakePacingClock clock = new();

    [Fact]
    public void AcquireAsync_BurstThenMore_BurstAtOnceThenOneTokenPerRefillInterval()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(5, 2), clock);
        var burst = Enumerable.Range(0, 5).Select(_ => bucket.AcquireAsync(1, CancellationToken.None)).ToList();
        var paced = Enumerable.Range(0, 4).Select(_ => bucket.AcquireAsync(1, CancellationToken.None)).ToList();

        Assert.All(burst, t => Assert.True(t.IsCompleted));
        Assert.All(paced, t => Assert.False(t.IsCompleted));
        clock.Advance(TimeSpan.FromMilliseconds(499));
        Assert.False(paced[0].IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(paced[0].IsCompletedSuccessfully);
        Assert.False(paced[1].IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(500));
        Assert.True(paced[1].IsCompletedSuccessfully);
        Assert.False(paced[2].IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.All(paced, t => Assert.True(t.IsCompletedSuccessfully));
        Assert.Equal(9, bucket.Granted);
    }

    [Fact]
    public void AcquireAsync_ManyCallersOverTenSeconds_GrantedBurstPlusRefillRateTimesTime()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(50, 5), clock);
        var calls = Enumerable.Range(0, 200).Select(_ => bucket.AcquireAsync(1, CancellationToken.None)).ToList();
        for (var i = 0; i < 100; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.Equal(50 + (5 * 10), calls.Count(t => t.IsCompletedSuccessfully));
        Assert.Equal(100, bucket.Waiting);
    }

    [Fact]
    public void AcquireAsync_IdleBucket_RefillsUpToCapacityOnly()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(3, 1), clock);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(bucket.AcquireAsync(1, CancellationToken.None).IsCompleted);
        }

        clock.Advance(TimeSpan.FromSeconds(60));

        Assert.Equal(3, bucket.Available, 6);
    }

    [Fact]
    public void AcquireAsync_TokensFreeWhileOthersWait_NewcomerQueuesBehindThem()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(4, 1), clock);
        Assert.True(bucket.AcquireAsync(4, CancellationToken.None).IsCompleted);
        var first = bucket.AcquireAsync(3, CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(1));
        var second = bucket.AcquireAsync(1, CancellationToken.None);

        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted); // one token is there, but the earlier caller needs three: no overtaking
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.False(second.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void AcquireAsync_WaitersServed_InArrivalOrder()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(1, 10), clock);
        Assert.True(bucket.AcquireAsync(1, CancellationToken.None).IsCompleted);
        var waiters = Enumerable.Range(0, 20).Select(_ => bucket.AcquireAsync(1, CancellationToken.None)).ToList();

        for (var i = 0; i < waiters.Count; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            Assert.True(waiters[i].IsCompletedSuccessfully, "waiter " + i + " served in its turn");
            Assert.All(waiters.Skip(i + 1), w => Assert.False(w.IsCompleted));
        }
    }

    [Fact]
    public async Task AcquireAsync_WaiterCancelled_CancelledAndNextWaiterTakesItsTurn()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(1, 1), clock);
        Assert.True(bucket.AcquireAsync(1, CancellationToken.None).IsCompleted);
        using var cancellation = new CancellationTokenSource();
        var cancelled = bucket.AcquireAsync(1, cancellation.Token);
        var next = bucket.AcquireAsync(1, CancellationToken.None);

        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, bucket.Waiting);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(next.IsCompletedSuccessfully);
        Assert.Equal(2, bucket.Granted);
    }

    [Fact]
    public async Task AcquireAsync_AlreadyCancelled_CancelledWithoutTakingAToken()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(2, 1), clock);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => bucket.AcquireAsync(1, cancellation.Token));
        Assert.Equal(2, bucket.Available, 6);
    }

    [Fact]
    public void OnThrottled_EmptiesBucketAndPacesSlowerUntilRecovered()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(50, 5), clock);

        bucket.OnThrottled();

        Assert.Equal(0, bucket.Available, 6);
        Assert.Equal(5 * AdaptiveRateController.Beta, bucket.CurrentRefillRate, 6);
        var call = bucket.AcquireAsync(1, CancellationToken.None);
        clock.Advance(TimeSpan.FromMilliseconds(200)); // one token at the configured 5/s, not at 3.5/s
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(call.IsCompletedSuccessfully);

        var during = bucket.CurrentRefillRate;
        Assert.InRange(during, 5 * AdaptiveRateController.Beta, 4.999);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(5, bucket.CurrentRefillRate, 6);
        Assert.Equal(1, bucket.Throttles);
    }

    [Fact]
    public void OnThrottled_Repeatedly_LowersTheRateFurtherDownToTheFloor()
    {
        var bucket = new TokenBucket(new Ec2BucketLimit(50, 5), clock);

        bucket.OnThrottled();
        bucket.OnThrottled();
        Assert.Equal(5 * AdaptiveRateController.Beta * AdaptiveRateController.Beta, bucket.CurrentRefillRate, 6);
        for (var i = 0; i < 20; i++)
        {
            bucket.OnThrottled();
        }

        Assert.Equal(AdaptiveRateController.MinimumRate, bucket.CurrentRefillRate, 6);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(10, 0)]
    [InlineData(10, -1)]
    [InlineData(double.NaN, 1)]
    public void Ec2BucketLimit_OutOfRange_ThrowsNamingTheValue(double capacity, double refill)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Ec2BucketLimit(capacity, refill));

        Assert.Contains(capacity >= 1 ? refill.ToString(System.Globalization.CultureInfo.InvariantCulture) : capacity.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }
}
