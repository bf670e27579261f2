using System.Collections.Concurrent;

namespace RemediationTools;

/// <summary>
/// Runs asynchronous Core work off the pipeline thread while executing, on the pipeline thread, everything
/// that must happen there (WriteVerbose, WriteProgress, WriteObject, ShouldProcess). This is the one place a
/// cmdlet blocks.
/// </summary>
internal sealed class PipelineDispatcher : IDisposable
{
    private readonly BlockingCollection<Action> _pending = new();
    private readonly int _pipelineThreadId = Environment.CurrentManagedThreadId;

    /// <summary>Queues <paramref name="action"/> for the pipeline thread, or runs it now if already there.</summary>
    public void Post(Action action)
    {
        if (Environment.CurrentManagedThreadId == _pipelineThreadId)
        {
            action();
            return;
        }

        try
        {
            _pending.Add(action);
        }
        catch (InvalidOperationException)
        {
            // The pump has finished (the cmdlet is stopping); a late message has nowhere to go.
        }
    }

    /// <summary>Runs <paramref name="func"/> on the pipeline thread and returns its result to the caller.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Post(() =>
        {
            try
            {
                completion.SetResult(func());
            }
#pragma warning disable CA1031 // The exception is handed to the waiting task, not swallowed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                completion.SetException(ex);
            }
        });
        return completion.Task;
    }

    private PipelineDispatcher()
    {
    }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool and, on the calling (pipeline) thread, runs the
    /// actions it posts until it ends. Exceptions of the work are rethrown here, unwrapped.
    /// </summary>
    public static T Run<T>(Func<PipelineDispatcher, Task<T>> work)
    {
        using var dispatcher = new PipelineDispatcher();
        Task<T> task = Task.Run(() => work(dispatcher));
        task.ContinueWith(_ => dispatcher._pending.CompleteAdding(), TaskScheduler.Default);
        foreach (Action action in dispatcher._pending.GetConsumingEnumerable())
        {
            action();
        }

        return task.GetAwaiter().GetResult();
    }

    /// <inheritdoc/>
    public void Dispose() => _pending.Dispose();
}
