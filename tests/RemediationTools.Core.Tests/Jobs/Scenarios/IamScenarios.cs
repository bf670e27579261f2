using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>An account password policy of 8 characters without reuse prevention, for aws-iam-password-policy-min-length.</summary>
internal sealed class PasswordPolicyMinLengthScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-iam-password-policy-min-length";

    /// <inheritdoc/>
    public async Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        await rootClients.Iam().UpdateAccountPasswordPolicyAsync(new UpdateAccountPasswordPolicyRequest { MinimumPasswordLength = 8, RequireNumbers = true }, cancellationToken);
        return ScenarioDefaults.Finding(JobId, account, account.AccountId);
    }
}

/// <summary>An account without a password policy, for aws-iam-password-reuse-prevention (it creates the first one).</summary>
internal sealed class PasswordReusePreventionScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-iam-password-reuse-prevention";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, account.AccountId));
}

/// <summary>A server certificate that expired yesterday, for aws-iam-server-certificate-expired.</summary>
internal sealed class ServerCertificateExpiredScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-iam-server-certificate-expired";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        server.AddServerCertificate(account.AccountId, "old-web", DateTimeOffset.UtcNow.AddDays(-1));
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, "old-web"));
    }
}

/// <summary>An account whose root user has no access keys, for aws-iam-root-user-disable-access-keys (read only).</summary>
internal sealed class RootUserAccessKeysScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-iam-root-user-disable-access-keys";

    /// <inheritdoc/>
    public RemediationStatus ExpectedStatus => RemediationStatus.AlreadyCompliant;

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, account.AccountId));
}
