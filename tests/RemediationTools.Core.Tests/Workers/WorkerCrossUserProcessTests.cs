using System.Runtime.Versioning;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>A fact that runs processes as other users (setpriv(1) as root, Linux): reported as skipped elsewhere.</summary>
public sealed class OtherUsersFactAttribute : FactAttribute
{
    public OtherUsersFactAttribute()
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || !File.Exists("/usr/bin/setpriv"))
        {
            Skip = "Needs Linux, root and setpriv(1) to run workers as other users.";
        }
    }
}

/// <summary>
/// A local store made by root and used by workers of other users (uid 10001 and 10002, as the worker image's user is),
/// members only of the store's group 10077 (<c>docker run --group-add</c>): each uses the folders the others made, a
/// queue folder taken from them makes the worker Unhealthy (log line and <c>--health</c> naming the folder and the fix)
/// until it is given back, and a user outside the group is refused at start with the fix.
/// </summary>
[UnsupportedOSPlatform("windows")]
public sealed class WorkerCrossUserProcessTests
{
    private const int StoreGroup = 10077;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private static string[] As(int uid, int? group) => group is null
        ? new[] { "/usr/bin/setpriv", "--reuid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--clear-groups" }
        : new[]
        {
            "/usr/bin/setpriv", "--reuid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--regid", uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--groups", group.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

    // The worker's heartbeat follows its log line; the health file is written before the store's record.
    private static async Task<RemediationWorkerInfo> WaitForStateAsync(LocalFolderStore store, RemediationWorkerState state, WorkerProcess worker)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            var running = (await store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow, CancellationToken.None)).Where(w => w.State != RemediationWorkerState.Stopped).ToList();
            if (running.Count == 1 && running[0].State == state)
            {
                return running[0];
            }

            Assert.True(DateTime.UtcNow < deadline, "The worker never became " + state + ". Output:\n" + worker.Output);
            await Task.Delay(50);
        }
    }

    [OtherUsersFact]
    public async Task StoreOfRoot_WorkersOfTwoOtherUsersInItsGroup_EachUsesTheOthersFoldersUnhealthyWhileTheQueueIsTaken()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var scratch = new Stores.StoreTestFolder();
        File.SetUnixFileMode(scratch.Path, (UnixFileMode)0x3FF); // 1777: each user's HOME and health file
        var shared = new LocalFolderStore(sandbox.Store.Root, sharing: StoreSharing.Group, groupId: StoreGroup);
        Assert.Equal(StoreGroup, shared.SharedGroupId);
        var groups = await sandbox.OpenGroupsAsync(8);
        var dispatcher = new WorkerGroupDispatcher(shared) { PollInterval = TimeSpan.FromMilliseconds(100) };

        Dictionary<string, string?> EnvironmentOf(string name)
        {
            var environment = sandbox.ProcessEnvironment(Path.Combine(scratch.Path, name + ".health"), "30");
            environment["REMEDIATION_CLIENT_SECRET"] = sandbox.Secret;
            environment["HOME"] = scratch.Path;
            environment["DOTNET_CLI_HOME"] = scratch.Path;
            return environment;
        }

        // Worker A (uid 10001) makes the folders a worker makes: leased/, applied/, runs/prod, workers/prod.
        var first = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Take(4).Select(g => sandbox.Finding(g)).ToList());
        using (var a = WorkerProcess.StartWith(As(10001, StoreGroup), EnvironmentOf("a")))
        {
            var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, first, null, Timeout);
            Assert.True(runs.Count == 4 && runs.All(r => r.Status == RemediationRunStatus.Completed), a.Output);
            a.Terminate();
            Assert.Equal(0, await a.WaitForExitAsync(Timeout));
        }

        // Worker B (uid 10002) works in them. Before set-group-ID folders they belonged to 10001's own group, and B
        // retried "Access to the path '.../queues/prod/leased' is denied" forever.
        var second = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Skip(4).Select(g => sandbox.Finding(g)).ToList());
        using var b = WorkerProcess.StartWith(As(10002, StoreGroup), EnvironmentOf("b"));
        var secondRuns = await dispatcher.WaitAsync(WorkerSandbox.GroupName, second, null, Timeout);
        Assert.True(secondRuns.Count == 4 && secondRuns.All(r => r.Status == RemediationRunStatus.Completed && r.Result!.Status == RemediationStatus.Remediated), b.Output);
        Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));

        // Take the queue from the group: B says so, names the folder and the fix, and is Unhealthy, not idle.
        var queue = Path.Combine(shared.Root, "queues", WorkerSandbox.GroupName);
        File.SetUnixFileMode(queue, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var error = await b.WaitForLineAsync("cannot read the queue of group prod", Timeout);
        Assert.Contains(queue, error, StringComparison.Ordinal);
        Assert.Contains("--group-add " + StoreGroup, error, StringComparison.Ordinal);
        var sick = await WaitForStateAsync(shared, RemediationWorkerState.Unhealthy, b);
        using (var health = WorkerProcess.StartWith(As(10002, StoreGroup), EnvironmentOf("b"), "--health"))
        {
            Assert.Equal(1, await health.WaitForExitAsync(Timeout));
            Assert.Contains("unhealthy (Unhealthy)", health.Output, StringComparison.Ordinal);
            Assert.Contains(queue, health.Output, StringComparison.Ordinal);
        }

        File.SetUnixFileMode(queue, (UnixFileMode)0x5F8); // 2770 again
        await b.WaitForLineAsync("can be read again", Timeout);
        await WaitForStateAsync(shared, RemediationWorkerState.Healthy, b);
        using (var health = WorkerProcess.StartWith(As(10002, StoreGroup), EnvironmentOf("b"), "--health"))
        {
            Assert.Equal(0, await health.WaitForExitAsync(Timeout));
            Assert.StartsWith("healthy", health.Output, StringComparison.Ordinal);
        }

        b.Terminate();
        Assert.Equal(0, await b.WaitForExitAsync(Timeout));
        Assert.Equal(RemediationWorkerState.Unhealthy, sick.State);
        Assert.Contains(queue, sick.StateReason, StringComparison.Ordinal);

        // A user outside the store's group is refused at start with the fix, instead of "no worker group".
        using (var outsider = WorkerProcess.StartWith(As(10003, null), EnvironmentOf("c")))
        {
            Assert.Equal(2, await outsider.WaitForExitAsync(Timeout));
            Assert.Contains("may not use the local store folder " + shared.Root, outsider.Output, StringComparison.Ordinal);
            Assert.Contains("--group-add " + StoreGroup, outsider.Output, StringComparison.Ordinal);
        }

        // Everything the three users made belongs to the store's group; nothing is readable by others; the group
        // records (with the secret's hash) are read-only for the group.
        var entries = Directory.GetFileSystemEntries(shared.Root, "*", SearchOption.AllDirectories).Append(shared.Root).ToList();
        Assert.All(entries, e => Assert.Equal(StoreGroup, UnixFileModes.GetOwner(e)!.Value.GroupId));
        Assert.All(entries, e => Assert.Equal(0, (int)File.GetUnixFileMode(e) & 0x7));
        Assert.Contains(entries, e => UnixFileModes.GetOwner(e)!.Value.UserId == 10001);
        Assert.Contains(entries, e => UnixFileModes.GetOwner(e)!.Value.UserId == 10002);
        Assert.All(Directory.GetFiles(Path.Combine(shared.Root, "groups"), "*", SearchOption.AllDirectories), f => Assert.Equal((UnixFileMode)0x1A0, File.GetUnixFileMode(f)));
    }
}
