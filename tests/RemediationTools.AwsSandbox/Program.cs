using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace RemediationTools.AwsSandbox;

/// <summary>
/// Process mode: <c>--port N [--parent-pid P]</c>. Prints one line with the endpoint, serves until
/// SIGTERM / Ctrl+C, and exits by itself when process P ends.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        int port = 0;
        int? parentPid = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length:
                    port = int.Parse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--parent-pid" when i + 1 < args.Length:
                    parentPid = int.Parse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                default:
                    await Console.Error.WriteLineAsync("Usage: RemediationTools.AwsSandbox --port N [--parent-pid P]").ConfigureAwait(false);
                    return 2;
            }
        }

        using var stop = new CancellationTokenSource();
        using var server = SandboxServer.Start(port);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });

        Console.Out.WriteLine($"RemediationTools.AwsSandbox listening on {server.Endpoint}");
        Console.Out.Flush();

        if (parentPid is { } pid)
        {
            _ = WatchParentAsync(pid, stop);
        }

        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Normal shutdown.
        }

        return 0;
    }

    /// <summary>Cancels <paramref name="stop"/> when the parent process is gone.</summary>
    private static async Task WatchParentAsync(int pid, CancellationTokenSource stop)
    {
        try
        {
            using var parent = Process.GetProcessById(pid);
            await parent.WaitForExitAsync(stop.Token).ConfigureAwait(false);
        }
        catch (ArgumentException)
        {
            // The parent had already exited.
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
    }
}
