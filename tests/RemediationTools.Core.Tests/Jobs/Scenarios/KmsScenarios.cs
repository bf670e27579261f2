using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.CloudTrail;
using RemediationTools.Core.Jobs.Kms;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>aws-kms-key-rotates: a customer managed symmetric key with rotation off, by key ID (describe, tags, status, enable).</summary>
internal sealed class KmsKeyRotatesScenario : IJobScenario
{
    public string JobId => KmsKeyRotatesJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var keyId = server.AddKmsKey(account.AccountId, ScenarioDefaults.Region);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, keyId));
    }
}

/// <summary>
/// aws-cloudtrail-logs-encrypted: a trail without a key in an account without the alias, so that the job reads the
/// trail and its tags, looks the alias up, creates the key with its policy, alias and rotation, and updates the trail.
/// </summary>
internal sealed class CloudTrailLogsEncryptedScenario : IJobScenario
{
    public string JobId => CloudTrailLogsEncryptedJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddTrail(account.AccountId, ScenarioDefaults.Region, "scenario-trail", "scenario-trail-logs");
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-trail"));
    }
}
