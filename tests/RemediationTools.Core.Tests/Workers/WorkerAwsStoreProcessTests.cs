using RemediationTools.Core.Stores;
using RemediationTools.Core.Stores.Aws;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// <c>remediation-worker</c> processes with <c>REMEDIATION_STORE=aws</c> against the sandbox's SQS and DynamoDB (the
/// group created by the admin's store, the workers on the hosting credentials of the SDK chain, each service's endpoint
/// from <c>AWS_ENDPOINT_URL_&lt;SERVICE&gt;</c>): every finding fixed
/// once although one worker is SIGKILLed mid-run, a poison request dead-lettered, a wrong secret refused, a reset
/// secret locking out, and the secret in no item, message or log.
/// </summary>
public sealed class WorkerAwsStoreProcessTests
{
    // Deadlines for waits only, never timed assertions.
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    [LinuxFact]
    public async Task ThreeWorkersOnTheAwsStore_500FindingsOneKilled_EachFindingOnceDeadLetterResetAndNoSecretAnywhere()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var healthFolder = new Stores.StoreTestFolder();
        var store = (AwsStore)await StoreFactory.CreateAsync("aws", new StoreAwsSettings { Connection = sandbox.Connection() }, CancellationToken.None);
        using var owner = store;
        var service = new WorkerGroupService(store, hashIterations: ClientSecretHasher.MinimumIterations);
        var created = await service.CreateAsync(
            WorkerSandbox.GroupName,
            "workers on the AWS store",
            WorkerSandbox.Organization,
            new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole" } },
            allowDisruptive: false,
            CancellationToken.None);
        var secret = created.Deployment.PlainClientSecret;
        var groups = await sandbox.OpenGroupsAsync(500);

        Dictionary<string, string?> Environment(string clientSecret, string health)
        {
            var environment = sandbox.ProcessEnvironment(Path.Combine(healthFolder.Path, health), "20");
            environment["REMEDIATION_STORE"] = "aws";

            // Each service from its own variable: the general one leads nowhere, so a call that ignored them would fail.
            foreach (var service in new[] { "SQS", "DYNAMODB", "EC2", "STS" })
            {
                environment["AWS_ENDPOINT_URL_" + service] = sandbox.Server.Endpoint.ToString();
            }

            environment["AWS_ENDPOINT_URL"] = "http://127.0.0.1:9/";
            environment["REMEDIATION_CLIENT_ID"] = created.Group.ClientId;
            environment["REMEDIATION_CLIENT_SECRET"] = clientSecret;
            return environment;
        }

        using (var wrong = WorkerProcess.Start(Environment((secret[0] == 'A' ? "B" : "A") + secret[1..], "wrong")))
        {
            Assert.Equal(3, await wrong.WaitForExitAsync(Timeout));
            Assert.Contains("refused", wrong.Output, StringComparison.Ordinal);
        }

        var dispatcher = new WorkerGroupDispatcher(store) { PollInterval = TimeSpan.FromMilliseconds(200) };
        var ids = await dispatcher.EnqueueAsync(created.Group, groups.Select(g => sandbox.Finding(g)).ToList());
        var poison = new QueuedRequest { Id = QueuedRequest.NewId(), Finding = sandbox.Finding(groups[0], "999999999999"), Enqueued = DateTimeOffset.UtcNow };
        await store.EnqueueAsync(WorkerSandbox.GroupName, new[] { poison }, CancellationToken.None);
        sandbox.Server.Faults.Latency = TimeSpan.FromMilliseconds(5);

        var workers = Enumerable.Range(0, 3).Select(i => WorkerProcess.Start(Environment(secret, "w" + i))).ToArray();
        try
        {
            var victim = workers[0];
            var victimId = (await victim.WaitForLineAsync("started worker ", Timeout)).Split("started worker ")[1].Split(' ')[0];
            var deadline = DateTime.UtcNow + Timeout;
            while (victim.Output.Split('\n').Count(l => l.Contains(" INFO request ", StringComparison.Ordinal)) < 20)
            {
                Assert.True(DateTime.UtcNow < deadline, "The victim finished no request. Output:\n" + victim.Output);
                await Task.Delay(5);
            }

            victim.Kill();
            await victim.WaitForExitAsync(Timeout);

            var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids.Append(poison.Id).ToList(), null, Timeout);
            Assert.True(runs.Count == ids.Count + 1, "Only " + runs.Count + " requests finished.\n" + string.Join("\n", workers.Select(w => w.Output)));
            var byId = runs.ToDictionary(r => r.RequestId);
            var results = ids.Select(id => byId[id]).ToList();
            Assert.All(results, r => Assert.Equal(RemediationRunStatus.Completed, r.Status));
            Assert.All(results, r => Assert.True(
                r.Result!.Status == RemediationStatus.Remediated || (r.Result.Status == RemediationStatus.AlreadyCompliant && r.Attempts > 1),
                r.RequestId + ": " + r.Result.Status + " on attempt " + r.Attempts));
            Assert.Equal(groups.Count, sandbox.Calls("ec2:RevokeSecurityGroupIngress"));
            Assert.Equal((0, 0), await sandbox.CheckGroupsAsync(groups));
            // The victim held leases when it was killed (four jobs at once on a full queue): they came back to the others.
            var redelivered = results.Where(r => r.Attempts > 1).ToList();
            Assert.NotEmpty(redelivered);
            Assert.All(redelivered, r => Assert.NotEqual(victimId, r.WorkerId));

            var dead = byId[poison.Id];
            Assert.Equal(RemediationRunStatus.DeadLettered, dead.Status);
            Assert.Equal(3, dead.Attempts);
            Assert.Equal(poison.Id, Assert.Single(await store.ListDeadLettersAsync(WorkerSandbox.GroupName, CancellationToken.None)).Id);

            // SIGTERM stops a worker cleanly; a secret reset locks the other out at its next check, and a new start with
            // the old secret is refused.
            workers[1].Terminate();
            Assert.Equal(0, await workers[1].WaitForExitAsync(Timeout));
            var reset = await service.ResetSecretAsync(WorkerSandbox.GroupName, CancellationToken.None);
            Assert.Equal(4, await workers[2].WaitForExitAsync(Timeout));
            using (var old = WorkerProcess.Start(Environment(secret, "old")))
            {
                Assert.Equal(3, await old.WaitForExitAsync(Timeout));
            }

            var states = (await store.ListWorkersAsync(WorkerSandbox.GroupName, DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10), CancellationToken.None)).ToDictionary(w => w.WorkerId, w => w.State);
            Assert.Equal(RemediationWorkerState.Stale, states[victimId]);
            Assert.Equal(2, states.Count(s => s.Key != victimId && s.Value == RemediationWorkerState.Stopped));

            // Neither secret is in any table item, queue message or worker log.
            var items = string.Join("\n", sandbox.Server.DumpDynamoDbItems().Select(i => i.ItemJson));
            var messages = sandbox.Server.DumpSqsState();
            foreach (var value in new[] { secret, reset.PlainClientSecret })
            {
                Assert.DoesNotContain(value, items, StringComparison.Ordinal);
                Assert.DoesNotContain(value, messages, StringComparison.Ordinal);
                Assert.All(workers, w => Assert.DoesNotContain(value, w.Output, StringComparison.Ordinal));
            }

            Assert.Contains(sandbox.Server.DumpDynamoDbItems(), i => i.TableName == "RemediationTools" && i.ItemJson.Contains("\"sk\":{\"S\":\"group\"}", StringComparison.Ordinal));
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
