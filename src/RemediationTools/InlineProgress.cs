namespace RemediationTools;

/// <summary>An IProgress that calls its handler on the reporting thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
internal sealed class InlineProgress<T> : IProgress<T>
{
    private readonly Action<T> _handler;

    public InlineProgress(Action<T> handler) => _handler = handler;

    public void Report(T value) => _handler(value);
}
