using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>A bucket without logging and no logging bucket yet (the job creates it), used by s3-enable-access-logging.</summary>
internal sealed class S3EnableAccessLoggingScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "s3-enable-access-logging";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, S3ScenarioBuckets.Seed(server, account, new SandboxS3BucketSpec())));
}

/// <summary>A bucket whose policy has one statement and no HTTPS deny, used by aws-s3-bucket-policy-allow-https.</summary>
internal sealed class S3BucketPolicyAllowHttpsScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-s3-bucket-policy-allow-https";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var name = string.Concat("scenario-", Guid.NewGuid().ToString("N").AsSpan(0, 12));
        var policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Reader\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + name + "/*\"}]}";
        server.AddS3Bucket(account.AccountId, ScenarioDefaults.Region, name, new SandboxS3BucketSpec { Policy = policy });
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, name));
    }
}

/// <summary>
/// A trail whose bucket has CloudTrail's statement and a public one, and no public access block: the trail path
/// (GetTrail) with a policy rewritten, used by aws-s3-cloudtrail-public-access.
/// </summary>
internal sealed class S3CloudTrailPublicAccessTrailScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-s3-cloudtrail-public-access";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var name = S3CloudTrailScenarioBuckets.Public(server, account, withCloudTrailStatement: true);
        server.AddTrail(account.AccountId, ScenarioDefaults.Region, "scenario-trail", name);
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "scenario-trail"));
    }
}

/// <summary>
/// The bucket named by the finding's ObjectChain (no CloudTrail call) with only a public statement: the policy is
/// emptied and deleted, used by aws-s3-cloudtrail-public-access.
/// </summary>
internal sealed class S3CloudTrailPublicAccessObjectChainScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-s3-cloudtrail-public-access";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        var name = S3CloudTrailScenarioBuckets.Public(server, account, withCloudTrailStatement: false);
        var finding = ScenarioDefaults.Finding(JobId, account, "scenario-trail");
        finding.Properties = new Dictionary<string, string>(StringComparer.Ordinal) { ["S3BucketName"] = name };
        return Task.FromResult(finding);
    }
}

/// <summary>Trail buckets for the CloudTrail scenarios.</summary>
internal static class S3CloudTrailScenarioBuckets
{
    /// <summary>A bucket without public access block whose policy allows everyone to read (and lets CloudTrail write).</summary>
    public static string Public(SandboxServer server, SandboxAccount account, bool withCloudTrailStatement)
    {
        var name = string.Concat("scenario-", Guid.NewGuid().ToString("N").AsSpan(0, 12));
        var statements = "{\"Sid\":\"Public\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::" + name + "/*\"}";
        if (withCloudTrailStatement)
        {
            statements = "{\"Sid\":\"AWSCloudTrailWrite\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"cloudtrail.amazonaws.com\"},\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::" + name + "/AWSLogs/*\"}," + statements;
        }

        server.AddS3Bucket(account.AccountId, ScenarioDefaults.Region, name, new SandboxS3BucketSpec { PublicAccessBlock = null, Policy = "{\"Version\":\"2012-10-17\",\"Statement\":[" + statements + "]}" });
        return name;
    }
}
