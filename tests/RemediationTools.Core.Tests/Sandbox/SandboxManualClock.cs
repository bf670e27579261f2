using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// A sandbox clock that moves only when the test moves it, so that a transition (modifying, UPDATING) ends when the test
/// says, after the code under test has seen the transitional state, not whenever the machine gets round to it.
/// </summary>
internal sealed class SandboxManualClock
{
    private long ticks = DateTimeOffset.UtcNow.UtcTicks;

    /// <summary>Stops <paramref name="server"/>'s clock at the current time.</summary>
    public SandboxManualClock(SandboxServer server) => server.Clock = () => new DateTimeOffset(Interlocked.Read(ref ticks), TimeSpan.Zero);

    /// <summary>Moves the sandbox's time forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
