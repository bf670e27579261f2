using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>What the scenarios share: the region and the shape of the finding they return.</summary>
public static class ScenarioDefaults
{
    /// <summary>The region every scenario seeds in.</summary>
    public const string Region = "us-east-1";

    /// <summary>A finding for <paramref name="jobId"/> on <paramref name="resourceId"/> in the account.</summary>
    public static Finding Finding(string jobId, SandboxAccount account, string resourceId) => new()
    {
        FindingId = "scenario-" + jobId,
        JobId = jobId,
        AccountId = account.AccountId,
        Region = Region,
        ResourceId = resourceId,
    };
}
