using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.Kinesis;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>kinesis-encrypt-stream: an unencrypted stream by name, so that the job reads its tags and summary, starts encryption and waits for ACTIVE.</summary>
internal sealed class KinesisEncryptStreamScenario : IJobScenario
{
    public string JobId => KinesisEncryptStreamJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddKinesisStream(account.AccountId, ScenarioDefaults.Region, "scenario-stream");
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-stream"));
    }
}
