using System.Diagnostics;
using System.Globalization;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>
/// The launcher's process for one instance: started through <c>/bin/sh</c>, which execs the command with stdin from
/// /dev/null and stdout and stderr appended to the instance log. Stopping signals the whole process tree (SIGTERM, then
/// SIGKILL after a grace period), as a shutdown of the instance would.
/// </summary>
internal sealed class InstanceProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private InstanceProcess(Process process, string logPath)
    {
        _process = process;
        LogPath = logPath;
        ProcessId = process.Id;
    }

    public int ProcessId { get; }

    public string LogPath { get; }

    /// <summary>Completes with the exit code when the process has exited.</summary>
    public Task<int> Exited => _exited.Task;

    public bool IsRunning => !_exited.Task.IsCompleted;

    public int? ExitCode => _exited.Task.IsCompleted ? _exited.Task.Result : null;

    public static InstanceProcess Start(string command, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("exec \"$@\" </dev/null >>\"$SANDBOX_INSTANCE_LOG\" 2>&1");
        start.ArgumentList.Add("sandbox-instance");
        start.ArgumentList.Add(command);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Start();
        var started = new InstanceProcess(process, logPath);
        process.Exited += (_, _) => started._exited.TrySetResult(process.ExitCode);
        if (process.HasExited)
        {
            started._exited.TrySetResult(process.ExitCode);
        }

        return started;
    }

    /// <summary>SIGTERM to the process and its descendants; SIGKILL to whatever is left after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (!IsRunning)
        {
            return;
        }

        var tree = ProcessTree(ProcessId);
        Signal("TERM", tree);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _exited.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Did not stop in time: killed below.
        }

        var left = tree.Where(IsAlive).ToList();
        if (left.Count > 0)
        {
            Signal("KILL", left);
        }

        await _exited.Task.ConfigureAwait(false);
    }

    public void Dispose() => _process.Dispose();

    private static bool IsAlive(int pid) => File.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");

    private static void Signal(string signal, IReadOnlyList<int> pids)
    {
        var kill = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        kill.ArgumentList.Add("-" + signal);
        foreach (var pid in pids)
        {
            kill.ArgumentList.Add(pid.ToString(CultureInfo.InvariantCulture));
        }

        using var process = Process.Start(kill);
        process?.WaitForExit();
    }

    /// <summary>The process and its descendants, from the parent ids in /proc/&lt;pid&gt;/stat.</summary>
    private static List<int> ProcessTree(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            // pid (comm) state ppid ...; comm may hold spaces and parentheses, so split after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    list = [];
                    children[parent] = list;
                }

                list.Add(pid);
            }
        }

        var tree = new List<int> { root };
        for (var index = 0; index < tree.Count; index++)
        {
            if (children.TryGetValue(tree[index], out var list))
            {
                tree.AddRange(list);
            }
        }

        return tree;
    }
}
