using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.Elb;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// elb-enable-access-logs: a Classic Load Balancer by name, logs off, in a region whose logging bucket does not exist
/// yet, so that the job resolves it in both APIs, reads its tags and attributes, creates the logging bucket with its
/// policy and turns the logs on.
/// </summary>
internal sealed class ElbEnableAccessLogsScenario : IJobScenario
{
    public string JobId => ElbEnableAccessLogsJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddClassicLoadBalancer(account.AccountId, ScenarioDefaults.Region, "scenario-web");
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-web"));
    }
}
