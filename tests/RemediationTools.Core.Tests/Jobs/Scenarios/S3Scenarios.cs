using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Tests.Jobs.Scenarios;

/// <summary>A bucket made before 2023 (no public access block, ACLs on), used by s3-remove-public-access.</summary>
internal sealed class S3RemovePublicAccessScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "s3-remove-public-access";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, S3ScenarioBuckets.Seed(server, account, SandboxS3BucketSpec.Legacy)));
}

/// <summary>A bucket whose ACL gives AllUsers FULL_CONTROL next to the log delivery group's grants, used by s3-remove-public-admin-acl.</summary>
internal sealed class S3RemovePublicAdminAclScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "s3-remove-public-admin-acl";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, S3ScenarioBuckets.WithGrants(server, account, SandboxS3Grant.AllUsers("FULL_CONTROL"))));
}

/// <summary>A bucket whose ACL gives AuthenticatedUsers FULL_CONTROL, used by aws-s3-remove-fullaccess-authenticatedusers.</summary>
internal sealed class S3RemoveFullAccessAuthenticatedUsersScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "aws-s3-remove-fullaccess-authenticatedusers";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, S3ScenarioBuckets.WithGrants(server, account, SandboxS3Grant.AuthenticatedUsers("FULL_CONTROL"))));
}

/// <summary>A bucket without default encryption, used by s3-enable-default-encryption.</summary>
internal sealed class S3EnableDefaultEncryptionScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "s3-enable-default-encryption";

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
        => Task.FromResult(ScenarioDefaults.Finding(JobId, account, S3ScenarioBuckets.Seed(server, account, new SandboxS3BucketSpec { Encryption = null })));
}

/// <summary>An account with two buckets, listed by the read-only s3-list-buckets (its result is AlreadyCompliant).</summary>
internal sealed class S3ListBucketsScenario : IJobScenario
{
    /// <inheritdoc/>
    public string JobId => "s3-list-buckets";

    /// <inheritdoc/>
    public RemediationStatus ExpectedStatus => RemediationStatus.AlreadyCompliant;

    /// <inheritdoc/>
    public Task<Finding> SeedAsync(SandboxServer server, SandboxAccount account, IAwsClients rootClients, CancellationToken cancellationToken)
    {
        S3ScenarioBuckets.Seed(server, account, new SandboxS3BucketSpec());
        S3ScenarioBuckets.Seed(server, account, new SandboxS3BucketSpec());
        return Task.FromResult(ScenarioDefaults.Finding(JobId, account, account.AccountId));
    }
}

/// <summary>Bucket seeding shared by the S3 scenarios.</summary>
internal static class S3ScenarioBuckets
{
    /// <summary>Seeds a bucket of <paramref name="spec"/> in the scenario region; returns its name.</summary>
    public static string Seed(SandboxServer server, SandboxAccount account, SandboxS3BucketSpec spec)
    {
        var name = string.Concat("scenario-", Guid.NewGuid().ToString("N").AsSpan(0, 12));
        server.AddS3Bucket(account.AccountId, ScenarioDefaults.Region, name, spec);
        return name;
    }

    /// <summary>A legacy bucket whose ACL has the owner's, the log delivery group's and <paramref name="offending"/>.</summary>
    public static string WithGrants(SandboxServer server, SandboxAccount account, SandboxS3Grant offending)
        => Seed(server, account, SandboxS3BucketSpec.Legacy with
        {
            Grants = new[]
            {
                SandboxS3Grant.Account(account.AccountId, "FULL_CONTROL"),
                SandboxS3Grant.LogDelivery("WRITE"),
                SandboxS3Grant.LogDelivery("READ_ACP"),
                offending,
            },
        });
}
