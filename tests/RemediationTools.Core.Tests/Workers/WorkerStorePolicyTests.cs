using RemediationTools.Core.Aws;
using RemediationTools.Core.Roles;
using RemediationTools.Core.Stores;
using RemediationTools.Core.Stores.Aws;
using RemediationTools.Core.Workers;

namespace RemediationTools.Core.Tests.Workers;

/// <summary>
/// A worker on the AWS store runs as a principal allowed exactly what New-RemediationWorkerRole -WorkerGroup grants
/// (its account roles, its group's queues, its partition of the table): it fixes, retries and dead-letters requests,
/// calls every declared store action and no other; and it cannot read another group's partition.
/// </summary>
public sealed class WorkerStorePolicyTests
{
    private static string WorkerPolicy(WorkerSandbox sandbox, params string[] groups)
    {
        var builder = new IamPolicyBuilder().Add(new PolicyStatementSpec(
            WorkerRoleService.AssumeStatementSid,
            new[] { "sts:AssumeRole" },
            new[] { "arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole" }));
        foreach (var statement in WorkerGroupStorePolicy.Statements(groups, null, sandbox.Hosting.AccountId, WorkerSandbox.Region))
        {
            builder.Add(statement);
        }

        return Assert.Single(builder.Build()).Json;
    }

    private static AwsConnectionOptions As(WorkerSandbox sandbox, SandboxAccountKeys keys) => new()
    {
        AccessKey = keys.AccessKeyId,
        SecretKey = keys.SecretAccessKey,
        Region = WorkerSandbox.Region,
        EndpointUrl = sandbox.Server.Endpoint.ToString(),
        MaxErrorRetry = 0,
    };

    [Fact]
    public async Task Worker_WithExactlyTheWorkerGroupPolicy_FixesRetriesAndDeadLettersCallingEveryDeclaredStoreActionAndNoOther()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var admin = (AwsStore)await StoreFactory.CreateAsync("aws", new StoreAwsSettings { Connection = sandbox.Connection() }, CancellationToken.None);
        var service = new WorkerGroupService(admin, hashIterations: ClientSecretHasher.MinimumIterations);
        var created = await service.CreateAsync(
            WorkerSandbox.GroupName,
            "least privilege",
            WorkerSandbox.Organization,
            new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole" } },
            allowDisruptive: false,
            CancellationToken.None);
        var groups = await sandbox.OpenGroupsAsync(3);
        var dispatcher = new WorkerGroupDispatcher(admin) { PollInterval = TimeSpan.FromMilliseconds(100) };
        var ids = (await dispatcher.EnqueueAsync(created.Group, groups.Select(g => sandbox.Finding(g)).ToList())).ToList();

        // Not in the group: every delivery fails, and the last one ends in the dead-letter area.
        var poison = new QueuedRequest { Id = QueuedRequest.NewId(), Finding = sandbox.Finding(groups[0], "999999999999"), Enqueued = DateTimeOffset.UtcNow };
        await admin.EnqueueAsync(WorkerSandbox.GroupName, new[] { poison }, CancellationToken.None);
        ids.Add(poison.Id);

        var user = sandbox.Server.CreateUser(sandbox.Hosting.AccountId, "least-privilege-worker", WorkerPolicy(sandbox, WorkerSandbox.GroupName));
        var keys = new SandboxAccountKeys(user.AccessKeyId, user.SecretAccessKey);
        using var workerStore = (AwsStore)await StoreFactory.CreateAsync("aws", new StoreAwsSettings { Connection = As(sandbox, keys) }, CancellationToken.None);
        sandbox.Server.ResetCallCounts();
        var log = new List<string>();
        var worker = new RemediationWorker(
            new WorkerOptions
            {
                GroupName = WorkerSandbox.GroupName,
                ClientId = created.Group.ClientId,
                ClientSecret = created.Deployment.PlainClientSecret,
                PollWait = TimeSpan.FromMilliseconds(200),
                LeaseDuration = TimeSpan.FromSeconds(30),
                HeartbeatInterval = TimeSpan.FromMilliseconds(300),
                RetryDelay = TimeSpan.Zero,
                Connection = As(sandbox, keys),
            },
            workerStore,
            (level, line) => { lock (log) { log.Add(level + " " + line); } });
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        var runs = await dispatcher.WaitAsync(WorkerSandbox.GroupName, ids, null, TimeSpan.FromSeconds(90));
        stop.Cancel();
        await running;

        Assert.Equal(3, runs.Count(r => r.Status == RemediationRunStatus.Completed && r.Result!.Status == RemediationStatus.Remediated));
        Assert.Equal(RemediationRunStatus.DeadLettered, runs.Single(r => r.RequestId == poison.Id).Status);
        lock (log)
        {
            Assert.DoesNotContain(log, l => l.Contains("AccessDenied", StringComparison.Ordinal) || l.Contains("not authorized", StringComparison.Ordinal));
        }

        var called = sandbox.Server.CallCounts.Keys.Where(k => k.StartsWith("sqs:", StringComparison.Ordinal) || k.StartsWith("dynamodb:", StringComparison.Ordinal))
            .OrderBy(k => k, StringComparer.Ordinal).ToList();
        var declared = WorkerGroupStorePolicy.QueueActions.Concat(WorkerGroupStorePolicy.TableActions).OrderBy(a => a, StringComparer.Ordinal).ToList();
        Assert.True(declared.SequenceEqual(called), "declared: " + string.Join(", ", declared) + "; called: " + string.Join(", ", called));
    }

    [Fact]
    public async Task WorkerPolicy_AnotherGroupsPartition_Denied()
    {
        using var sandbox = await WorkerSandbox.StartAsync();
        using var admin = (AwsStore)await StoreFactory.CreateAsync("aws", new StoreAwsSettings { Connection = sandbox.Connection() }, CancellationToken.None);
        var service = new WorkerGroupService(admin, hashIterations: ClientSecretHasher.MinimumIterations);
        foreach (var name in new[] { "prod", "dev" })
        {
            await service.CreateAsync(name, null, WorkerSandbox.Organization, new[] { new RemediationCloudAccount { RoleArn = "arn:aws:iam::" + sandbox.Cloud.AccountId + ":role/RemediationRole" } }, false, CancellationToken.None);
        }

        var user = sandbox.Server.CreateUser(sandbox.Hosting.AccountId, "prod-worker", WorkerPolicy(sandbox, "prod"));
        using var workerStore = (AwsStore)await StoreFactory.CreateAsync("aws", new StoreAwsSettings { Connection = As(sandbox, new SandboxAccountKeys(user.AccessKeyId, user.SecretAccessKey)) }, CancellationToken.None);

        Assert.NotNull(await workerStore.GetGroupAsync("prod", CancellationToken.None));
        var denied = await Assert.ThrowsAnyAsync<Exception>(() => workerStore.GetGroupAsync("dev", CancellationToken.None));
        Assert.Contains("AccessDenied", denied.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => workerStore.ReceiveAsync("dev", "w-test", 1, TimeSpan.FromSeconds(30), TimeSpan.Zero, CancellationToken.None));
    }

    private sealed record SandboxAccountKeys(string AccessKeyId, string SecretAccessKey);
}
