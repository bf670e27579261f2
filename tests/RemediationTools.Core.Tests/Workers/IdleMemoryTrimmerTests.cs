using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

public sealed class IdleMemoryTrimmerTests
{
    [Fact]
    public void OnPoll_EmptyPollsBeforeAnyWork_DoNotTrim()
    {
        var trims = 0;
        var trimmer = new IdleMemoryTrimmer(() => trims++);

        Assert.False(trimmer.OnPoll(0, 0));
        Assert.False(trimmer.OnPoll(0, 0));

        Assert.Equal(0, trims);
        Assert.Equal(0, trimmer.Trims);
    }

    [Fact]
    public void OnPoll_FirstEmptyPollAfterWork_TrimsOncePerIdlePeriod()
    {
        var trims = 0;
        var trimmer = new IdleMemoryTrimmer(() => trims++);

        Assert.False(trimmer.OnPoll(3, 0));
        Assert.True(trimmer.OnPoll(0, 0));
        Assert.False(trimmer.OnPoll(0, 0));
        Assert.False(trimmer.OnPoll(0, 0));

        Assert.Equal(1, trims);
        Assert.Equal(1, trimmer.Trims);
    }

    [Fact]
    public void OnPoll_EmptyPollWhileJobsRun_WaitsUntilTheyEnd()
    {
        var trims = 0;
        var trimmer = new IdleMemoryTrimmer(() => trims++);

        Assert.False(trimmer.OnPoll(2, 0));
        Assert.False(trimmer.OnPoll(0, 2));
        Assert.False(trimmer.OnPoll(0, 1));
        Assert.Equal(0, trims);

        Assert.True(trimmer.OnPoll(0, 0));
        Assert.Equal(1, trims);
    }

    [Fact]
    public void OnPoll_NewWorkAfterATrim_StartsANewIdlePeriod()
    {
        var trims = 0;
        var trimmer = new IdleMemoryTrimmer(() => trims++);

        Assert.False(trimmer.OnPoll(1, 0));
        Assert.True(trimmer.OnPoll(0, 0));
        Assert.False(trimmer.OnPoll(4, 0));
        Assert.False(trimmer.OnPoll(1, 4));
        Assert.True(trimmer.OnPoll(0, 0));

        Assert.Equal(2, trims);
    }

    [Theory]
    [InlineData(-1, 0, "received")]
    [InlineData(0, -1, "running")]
    public void OnPoll_NegativeCount_ThrowsNamingIt(int received, int running, string parameter)
    {
        var trimmer = new IdleMemoryTrimmer(() => { });

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => trimmer.OnPoll(received, running));

        Assert.Equal(parameter, ex.ParamName);
        Assert.Contains("-1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompactHeap_FreesUnreachableLargeObjects()
    {
        var weak = AllocateUnreachableLargeObject();

        IdleMemoryTrimmer.CompactHeap();

        Assert.False(weak.IsAlive);
    }

    private static WeakReference AllocateUnreachableLargeObject() => new(new byte[1 << 20]);
}
