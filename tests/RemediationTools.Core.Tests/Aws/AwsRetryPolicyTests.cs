using System.Net;
using Amazon.Runtime;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Tests.Aws;

public class AwsRetryPolicyTests
{
    private readonly List<TimeSpan> delays = new();

    private AwsRetryPolicy Policy(int maxErrorRetry = 3) => new(
        maxErrorRetry,
        TimeSpan.FromMilliseconds(100),
        TimeSpan.FromSeconds(1),
        (d, _) =>
        {
            delays.Add(d);
            return Task.CompletedTask;
        },
        new Random(42));

    private static AwsQueryServiceException Error(HttpStatusCode status, string code) =>
        new("failed", ErrorType.Unknown, code, "req", status, "iam");

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, "InternalFailure")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")]
    [InlineData(HttpStatusCode.BadRequest, "Throttling")]
    [InlineData(HttpStatusCode.BadRequest, "RequestLimitExceeded")]
    [InlineData((HttpStatusCode)429, "TooManyRequests")]
    public async Task ExecuteAsync_TransientError_RetriesUntilSuccess(HttpStatusCode status, string code)
    {
        var attempts = 0;

        var result = await Policy().ExecuteAsync(
            _ => ++attempts < 3 ? throw Error(status, code) : Task.FromResult("ok"),
            CancellationToken.None);

        Assert.Equal("ok", result);
        Assert.Equal(3, attempts);
        Assert.Equal(2, delays.Count);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ValidationError")]
    [InlineData(HttpStatusCode.Forbidden, "AccessDenied")]
    [InlineData(HttpStatusCode.NotFound, "NoSuchEntity")]
    [InlineData(HttpStatusCode.Conflict, "EntityAlreadyExists")]
    public async Task ExecuteAsync_ClientError_DoesNotRetry(HttpStatusCode status, string code)
    {
        var attempts = 0;

        var ex = await Assert.ThrowsAsync<AwsQueryServiceException>(() => Policy().ExecuteAsync<string>(
            _ =>
            {
                attempts++;
                throw Error(status, code);
            },
            CancellationToken.None));

        Assert.Equal(code, ex.ErrorCode);
        Assert.Equal(1, attempts);
        Assert.Empty(delays);
    }

    [Fact]
    public async Task ExecuteAsync_AlwaysThrottled_GivesUpAfterMaxErrorRetry()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<AwsQueryServiceException>(() => Policy(maxErrorRetry: 4).ExecuteAsync<string>(
            _ =>
            {
                attempts++;
                throw Error(HttpStatusCode.BadRequest, "Throttling");
            },
            CancellationToken.None));

        Assert.Equal(5, attempts);
    }

    [Fact]
    public void DelayBeforeRetry_Retries_JitteredWithinExponentialCeilingCappedAtMax()
    {
        var policy = Policy();

        var samples = Enumerable.Range(0, 200).Select(i => (Retry: i % 8, Delay: policy.DelayBeforeRetry(i % 8))).ToList();

        Assert.All(samples, s => Assert.InRange(s.Delay.TotalMilliseconds, 0, Math.Min(1000, 100 * Math.Pow(2, s.Retry))));
        Assert.True(samples.Select(s => s.Delay).Distinct().Count() > 100, "delays are jittered");
    }

    [Fact]
    public async Task ExecuteAsync_CancelledDuringBackoff_StopsRetrying()
    {
        using var cancel = new CancellationTokenSource();
        var attempts = 0;
        var policy = new AwsRetryPolicy(5, delay: (d, ct) =>
        {
            cancel.Cancel();
            return Task.Delay(d, ct);
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => policy.ExecuteAsync<string>(
            _ =>
            {
                attempts++;
                throw Error(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable");
            },
            cancel.Token));

        Assert.Equal(1, attempts);
    }
}
