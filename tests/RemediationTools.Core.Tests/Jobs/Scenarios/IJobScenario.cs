using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>
/// How to make one job's finding real in the AWS sandbox. Every job in the catalog has a scenario (an internal sealed
/// class implementing this interface in this folder, with a parameterless constructor); the declared-permissions test
/// runs each job against its scenario. A job whose paths call different actions (a policy rewritten, or deleted when
/// emptied) has one scenario per path: each may call only declared actions, and together they call every one.
/// </summary>
internal interface IJobScenario
{
    /// <summary>The job the scenario is for.</summary>
    string JobId { get; }

    /// <summary>
    /// The status the job's run ends with: <see cref="RemediationStatus.Remediated"/>, or for a read-only job (which
    /// changes nothing) <see cref="RemediationStatus.AlreadyCompliant"/>.
    /// </summary>
    RemediationStatus ExpectedStatus => RemediationStatus.Remediated;

    /// <summary>
    /// Seeds a non-compliant resource in <paramref name="account"/> using <paramref name="rootClients"/> (the
    /// account's root credentials; seeding calls are not counted against the job) and returns the finding for it,
    /// with JobId, AccountId, Region and ResourceId set.
    /// </summary>
    Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken);
}
