using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.Sqs;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// aws-sqs-queue-publicly-accessible: a queue by name (GetQueueUrl) whose policy holds a public statement without a Sid
/// beside a statement for another account, so that the job reads its tags and policy and rewrites it.
/// </summary>
internal sealed class SqsQueuePubliclyAccessibleScenario : IJobScenario
{
    public string JobId => SqsQueuePubliclyAccessibleJob.JobId;

    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var arn = "arn:aws:sqs:" + ScenarioDefaults.Region + ":" + account.AccountId + ":scenario-queue";
        server.AddQueue(account.AccountId, ScenarioDefaults.Region, "scenario-queue",
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + arn + "\"}," +
            "{\"Sid\":\"Partner\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::444455556666:root\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"" + arn + "\"}]}");
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-queue"));
    }
}
