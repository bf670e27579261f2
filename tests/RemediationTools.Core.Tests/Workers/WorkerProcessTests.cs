using RemediationTools.Core.Stores;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// Three <c>remediation-worker</c> processes on one local store against the AWS sandbox: 500 findings, one worker
/// SIGKILLed mid-run, a poison request, a wrong secret, SIGTERM, and a secret reset. Linux process signals (skipped
/// elsewhere); the sandbox adds 5 ms to every call so the killed worker has requests in flight.
/// </summary>
public sealed class WorkerProcessTests
{
    // Deadlines for waits only, never timed assertions: generous, so that a loaded machine is slow, not failing.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    // The lease is extended every third of it while a job runs, so a working worker loses it only if it stalls for
    // two thirds of it; the killed worker's requests come back after one lease, which the test waits for.
    private const string LeaseSeconds = "20";

    private static Dictionary<string, string?> Environment(WorkerSandbox sandbox, string secret, string healthFile)
    {
        var environment = sandbox.ProcessEnvironment(healthFile, LeaseSeconds);
        environment["REMEDIATION_CLIENT_SECRET"] = secret;
        return environment;
    }

    // SIGTERM is sent with kill(1); the store itself is tested on every platform by LocalFolderStoreTests.
    [LinuxFact]
    public async Task ThreeWorkers_500FindingsOneKilled_EachProcessedOncePoisonDeadLetteredResetLocksOut()
    {
        using var sandbox = await WorkerSandbox.StartAsync();

        using var healthFolder = new Stores.StoreTestFolder();
        var groups = await sandbox.OpenGroupsAsync(500);
        var secret = sandbox.Secret;

        // A wrong secret is refused at start, before any AWS call.
        using (var wrong = WorkerProcess.Start(Environment(sandbox, (secret[0] == 'A' ? "B" : "A") + secret[1..], Path.Combine(healthFolder.Path, "wrong"))))
        {
            Assert.Equal(3, await wrong.WaitForExitAsync(Timeout));
            Assert.Contains("refused", wrong.Output, StringComparison.Ordinal);
        }

        var dispatcher = new WorkerGroupDispatcher(sandbox.Store) { PollInterval = TimeSpan.FromMilliseconds(100) };
        var ids = await dispatcher.EnqueueAsync(sandbox.Group.Group, groups.Select(g => sandbox.Finding(g)).ToList());
        var poison = new QueuedRequest { Id = QueuedRequest.NewId(), Finding = sandbox.Finding(groups[0], "999999999999"), Enqueued = DateTimeOffset.UtcNow };
        await sandbox.Store.EnqueueAsync(WorkerSandbox.GroupName, new[] { poison }, CancellationToken.None);
        sandbox.Server.Faults.Latency = TimeSpan.FromMilliseconds(5);

        var workers = Enumerable.Range(0, 3).Select(i => WorkerProcess.Start(Environment(sandbox, secret, Path.Combine(healthFolder.Path, "w" + i)))).ToList();
        try
        {
            var victim = workers[0];
            var victimId = (await victim.WaitForLineAsync("started worker ", Timeout)).Split("started worker ")[1].Split(' ')[0];

            // Kill it mid-run: once it has finished some requests and holds others.
            var leased = Path.Combine(sandbox.Store.Root, "queues", WorkerSandbox.GroupName, "leased");
            var deadline = DateTime.UtcNow + Timeout;
            while (!(victim.Output.Split('\n').Count(l => l.Contains(" INFO request ", StringComparison.Ordinal)) >= 20
                && Directory.GetFiles(leased).Any(f => f.Contains(victimId, StringComparison.Ordinal))))
            {
                Assert.True(DateTime.UtcNow < deadline, "The victim never held a lease. Output:\n" + victim.Output);
                await Task.Delay(5);
            }

            victim.Kill();
            await victim.WaitForExitAsync(Timeout);
            var orphaned = Directory.GetFiles(leased).Count(f => f.Contains(victimId, StringComparison.Ordinal));

            var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids.Append(poison.Id).ToList(), null, Timeout);
            Assert.True(runs.Count == 501, "Only " + runs.Count + " of 501 requests finished.\n" + string.Join("\n", workers.Select(w => w.Output)));

            var byId = runs.ToDictionary(r => r.RequestId);
            var results = ids.Select(id => byId[id]).ToList();
            Assert.All(results, r => Assert.Equal(RemediationRunStatus.Completed, r.Status));

            // The rule: Remediated, or AlreadyCompliant only for a redelivery (attempt 2 or more) of a request whose
            // change a killed worker had already made. Every group is closed once: one revoke per group in total.
            Assert.All(results, r => Assert.True(
                r.Result!.Status == RemediationStatus.Remediated || (r.Result.Status == RemediationStatus.AlreadyCompliant && r.Attempts > 1),
                r.RequestId + ": " + r.Result.Status + " on attempt " + r.Attempts));
            // A redelivery of a request whose revoke the victim made just before it was killed (before its verify read
            // used up the sandbox's read lag) may see the group as it was and try the revoke again: EC2 refuses it in
            // a non-default VPC (InvalidPermission.NotFound) and nothing changes, so at most one extra call per
            // orphaned request; the groups' rules below prove each was closed exactly once.
            Assert.InRange(sandbox.Calls("ec2:RevokeSecurityGroupIngress"), 500, 500 + orphaned);
            Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));
            Assert.True(orphaned > 0, "The victim held no lease when it was killed.");
            var redelivered = results.Where(r => r.Attempts > 1).ToList();
            Assert.True(redelivered.Count >= orphaned, redelivered.Count + " redelivered, " + orphaned + " orphaned");
            Assert.All(redelivered, r => Assert.NotEqual(victimId, r.WorkerId));
            Assert.Equal(ids.Count, results.Select(r => r.Result!.ResourceId).Distinct().Count());
            Assert.InRange(sandbox.Calls("sts:AssumeRole"), 1, 3);

            var dead = byId[poison.Id];
            Assert.Equal(RemediationRunStatus.DeadLettered, dead.Status);
            Assert.Equal(3, dead.Attempts);
            Assert.Equal(poison.Id, Assert.Single(await sandbox.Store.ListDeadLettersAsync(WorkerSandbox.GroupName, CancellationToken.None)).Id);
            var counts = await sandbox.Store.CountAsync(WorkerSandbox.GroupName, CancellationToken.None);
            Assert.Equal((0, 0, 1), (counts.Waiting, counts.Leased, counts.DeadLettered));

            // Health check passes for a running worker.
            using (var health = WorkerProcess.Start(new Dictionary<string, string?> { ["REMEDIATION_HEALTH_FILE"] = Path.Combine(healthFolder.Path, "w1") }, "--health"))
            {
                Assert.Equal(0, await health.WaitForExitAsync(Timeout));
            }

            // SIGTERM stops a worker cleanly; a secret reset locks the other out at its next heartbeat.
            workers[1].Terminate();
            Assert.Equal(0, await workers[1].WaitForExitAsync(Timeout));
            await sandbox.Groups.ResetSecretAsync(WorkerSandbox.GroupName, CancellationToken.None);
            Assert.Equal(4, await workers[2].WaitForExitAsync(Timeout));
            using (var old = WorkerProcess.Start(Environment(sandbox, secret, Path.Combine(healthFolder.Path, "old"))))
            {
                Assert.Equal(3, await old.WaitForExitAsync(Timeout));
            }

            var states = (await sandbox.Store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10), CancellationToken.None))
                .ToDictionary(w => w.WorkerId, w => w.State);
            Assert.Equal(RemediationWorkerState.Stale, states[victimId]);
            Assert.Equal(2, states.Values.Count(s => s == RemediationWorkerState.Stopped));
            Assert.Contains("SIGTERM", workers[1].Output, StringComparison.Ordinal);

            // The secret is in no file of the store and no worker log.
            Assert.Empty(sandbox.Folder.FilesContaining(secret));
            Assert.All(workers, w => Assert.DoesNotContain(secret, w.Output, StringComparison.Ordinal));
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Dispose();
            }
        }
    }
}
