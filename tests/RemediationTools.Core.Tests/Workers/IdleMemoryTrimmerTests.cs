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

    [Fact]
    public void FileMappings_ProcMaps_OnlyMappedFilesWithTheirRanges()
    {
        var lines = new[]
        {
            "7f1c2a000000-7f1c2a200000 r-xp 00000000 fd:01 1311 /usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.0/libcoreclr.so",
            "7f1c2b000000-7f1c2b001000 r--s 00000000 fd:01 1312 /opt/remediation-worker/RemediationTools.Core.dll",
            "55d0c0000000-55d0c0021000 rw-p 00000000 00:00 0 [heap]",
            "7f1c2c000000-7f1c2c100000 rw-p 00000000 00:00 0",
            "7ffd1a000000-7ffd1a021000 rw-p 00000000 00:00 0 [stack]",
            "7f1c2d000000-7f1c2d001000 r--p 00000000 fd:01 1313 /tmp/gone.so (deleted)",
            "garbage",
        };

        var mappings = IdleMemoryTrimmer.FileMappings(lines).ToList();

        Assert.Equal(new[] { (0x7f1c2a000000UL, 0x200000UL), (0x7f1c2b000000UL, 0x1000UL) }, mappings);
    }

    private static WeakReference AllocateUnreachableLargeObject() => new(new byte[1 << 20]);
}
