using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// What every cmdlet doing I/O needs, by composition: a cancellation source that StopProcessing (Ctrl+C) cancels,
/// and the one place the cmdlet blocks on asynchronous Core work (see <see cref="PipelineDispatcher"/>).
/// </summary>
internal sealed class CmdletAsyncRunner : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();

    /// <summary>Cancelled when the pipeline stops.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Cancels the running work (called from StopProcessing).</summary>
    public void Cancel() => _cancellation.Cancel();

    /// <summary>Runs the work, pumping pipeline actions on the calling thread; cancellation becomes PipelineStoppedException.</summary>
    public T Run<T>(Func<PipelineDispatcher, CancellationToken, Task<T>> work)
    {
        try
        {
            return PipelineDispatcher.Run(dispatcher => work(dispatcher, Token));
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _cancellation.Dispose();
}
