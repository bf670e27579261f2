using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Jobs.Scenarios;

namespace RemediationTools.Core.Tests.Jobs;

/// <summary>
/// Each job's declared IAM actions are complete and exact. Every job runs against its scenario
/// as an IAM user allowed exactly the declared actions; the test fails when the job called an action it did not
/// declare (the call is refused, and it is listed) or declared one it never called.
/// </summary>
public sealed class DeclaredPermissionsTests
{
    // STS GetCallerIdentity (the engine's account check) needs no IAM permission, not even against an explicit deny
    // (STS API reference), so no job declares it.
    private const string CallerIdentityAction = "sts:GetCallerIdentity";

    // A job whose paths call different actions (a policy rewritten or, emptied, deleted) has one scenario per path: each
    // calls only declared actions, and together they call every one.
    private static readonly ILookup<string, IJobScenario> Scenarios = typeof(IJobScenario).Assembly.GetTypes()
        .Where(t => typeof(IJobScenario).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
        .Select(t => (IJobScenario)Activator.CreateInstance(t)!)
        .ToLookup(s => s.JobId, StringComparer.Ordinal);

    /// <summary>Every job in the catalog.</summary>
    public static TheoryData<string> JobIds()
    {
        var data = new TheoryData<string>();
        foreach (var job in JobCatalog.Default.Jobs)
        {
            data.Add(job.Info.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(JobIds))]
    public async Task Run_JobWithExactlyDeclaredActions_CallsEveryDeclaredActionAndNoOther(string jobId)
    {
        Assert.True(Scenarios.Contains(jobId), $"Job {jobId} has no IJobScenario in tests/RemediationTools.Core.Tests/Jobs/Scenarios.");
        var job = JobCatalog.Default.FindById(jobId)!;
        var declared = job.Info.IamActions.OrderBy(a => a, StringComparer.Ordinal).ToList();
        var calledByAll = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var scenario in Scenarios[jobId])
        {
            var called = await RunScenarioAsync(job, scenario);
            Assert.True(called.All(declared.Contains), $"{jobId} ({scenario.GetType().Name}) called undeclared {string.Join(", ", called.Except(declared))}.");
            calledByAll.UnionWith(called);
        }

        Assert.Equal(declared, calledByAll);
        Assert.DoesNotContain(CallerIdentityAction, job.Info.IamActions);
    }

    private static async Task<IReadOnlyList<string>> RunScenarioAsync(IRemediationJob job, IJobScenario scenario)
    {
        var jobId = job.Info.Id;
        using var server = SandboxEc2.StartForJobs();
        var account = SandboxEc2.JobAccount(server);
        using var root = await Factory(server, account.AccessKeyId, account.SecretAccessKey);
        var finding = await scenario!.SeedAsync(server, account, await root.ForAccountAsync(null, default), default);

        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":[" +
            string.Join(",", job.Info.IamActions.Select(a => "\"" + a + "\"")) + "],\"Resource\":\"*\"}," +
            "{\"Effect\":\"Deny\",\"Action\":\"" + CallerIdentityAction + "\",\"Resource\":\"*\"}]}";
        var user = server.CreateUser(account.AccountId, "declared-" + jobId.Length, policy);
        using var restricted = await Factory(server, user.AccessKeyId, user.SecretAccessKey);
        server.Settle();
        server.ResetCallCounts();

        var result = await new RemediationEngine(restricted).RunAsync(finding, new RemediationOptions { AllowDisruptive = true });

        var calls = server.CallCounts;
        var called = calls.Keys.Where(k => k != CallerIdentityAction).OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.True(result.Status == scenario.ExpectedStatus, $"{jobId} ({scenario.GetType().Name}): {result.Status} {result.ErrorCode} {result.Reason}; missing {string.Join(", ", result.MissingIamActions)}");
        Assert.Equal(1, calls[CallerIdentityAction]);
        return called;
    }

    [Fact]
    public void Scenarios_EachNamesAJobInTheCatalog()
    {
        foreach (var jobId in Scenarios.Select(g => g.Key))
        {
            Assert.NotNull(JobCatalog.Default.FindById(jobId));
        }
    }

    private static Task<AwsClientFactory> Factory(SandboxServer server, string accessKey, string secretKey) =>
        AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = accessKey, SecretKey = secretKey, Region = ScenarioDefaults.Region, EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None);
}
