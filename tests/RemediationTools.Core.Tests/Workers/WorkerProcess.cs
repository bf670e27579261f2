using System.Diagnostics;
using System.Text;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>A <c>remediation-worker</c> process started with <c>dotnet remediation-worker.dll</c> and an environment of its own.</summary>
internal sealed class WorkerProcess : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly List<(string Text, TaskCompletionSource<string> Seen)> lineWaiters = new();

    private WorkerProcess(Process process) => this.process = process;

    /// <summary>The worker dll, copied next to the test assembly by the project reference.</summary>
    public static string WorkerDll => Path.Combine(AppContext.BaseDirectory, "remediation-worker.dll");

    public int Id => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public static WorkerProcess Start(IReadOnlyDictionary<string, string?> environment, params string[] arguments) => StartWith(Array.Empty<string>(), environment, arguments);

    /// <summary>Starts the worker through <paramref name="launcher"/> (say <c>setpriv --reuid 10001 ...</c>): <c>launcher... dotnet remediation-worker.dll arguments...</c>.</summary>
    public static WorkerProcess StartWith(IReadOnlyList<string> launcher, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var info = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var part in launcher.Skip(1).Concat(launcher.Count > 0 ? new[] { "dotnet" } : Array.Empty<string>()))
        {
            info.ArgumentList.Add(part);
        }

        info.ArgumentList.Add(WorkerDll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Only what the test gives: no AWS profile or store of the machine running the tests leaks in.
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("REMEDIATION_", StringComparison.Ordinal)).ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var worker = new WorkerProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        worker.process.OutputDataReceived += (_, e) => worker.Append(e.Data);
        worker.process.ErrorDataReceived += (_, e) => worker.Append(e.Data);
        worker.process.Start();
        worker.process.BeginOutputReadLine();
        worker.process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>Waits for the exit; returns the exit code, or fails the test after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("remediation-worker did not exit within " + timeout + ". Output:\n" + Output);
        }

        return process.ExitCode;
    }

    /// <summary>Waits until the output has a line containing <paramref name="text"/> (signalled as lines arrive); returns that line.</summary>
    public async Task<string> WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (output)
        {
            var line = output.ToString().Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line.TrimEnd('\r');
            }

            lineWaiters.Add((text, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail("remediation-worker wrote no line with '" + text + "' within " + timeout + ". Output:\n" + Output);
            return string.Empty;
        }
    }

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>SIGTERM, as <c>docker stop</c> sends.</summary>
    public void Terminate()
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
                foreach (var waiter in lineWaiters.Where(w => line.Contains(w.Text, StringComparison.Ordinal)).ToList())
                {
                    lineWaiters.Remove(waiter);
                    waiter.Seen.TrySetResult(line.TrimEnd('\r'));
                }
            }
        }
    }
}
