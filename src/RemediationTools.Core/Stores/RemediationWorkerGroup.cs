namespace RemediationTools;

/// <summary>
/// A worker group: a named set of cloud accounts whose remediation requests the group's workers run. Never holds the
/// client secret or its hash.
/// </summary>
public sealed class RemediationWorkerGroup
{
    /// <summary>The group's name, unique in its store (compared without regard to case).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>What the group is for.</summary>
    public string? Description { get; set; }

    /// <summary>The client ID workers present with the client secret.</summary>
    public string ClientId { get; set; } = string.Empty;

    /// <summary>The AWS Organizations ID; every cloud account's external ID equals it.</summary>
    public string OrganizationId { get; set; } = string.Empty;

    /// <summary>The accounts the group's workers may change, each with the role they assume there.</summary>
    public IReadOnlyList<RemediationCloudAccount> CloudAccounts { get; set; } = Array.Empty<RemediationCloudAccount>();

    /// <summary>Whether the group's workers run disruptive jobs (they stop instances or replace volumes).</summary>
    public bool AllowDisruptive { get; set; }

    /// <summary>When the group was created (UTC).</summary>
    public DateTimeOffset Created { get; set; }

    /// <summary>When the group was last changed (UTC).</summary>
    public DateTimeOffset Modified { get; set; }

    /// <summary>The stored version this object was read at; an update must name it (optimistic concurrency).</summary>
    internal long Version { get; set; }

    /// <summary>The account entry for <paramref name="accountId"/>, or null when the account is not in the group.</summary>
    public RemediationCloudAccount? FindAccount(string? accountId)
        => accountId is null ? null : CloudAccounts.FirstOrDefault(a => string.Equals(a.AccountId, accountId, StringComparison.Ordinal));

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>A cloud account of a worker group: the role workers assume there and the external ID its trust policy requires.</summary>
public sealed class RemediationCloudAccount
{
    /// <summary>The 12-digit account ID (taken from the role ARN).</summary>
    public string AccountId { get; set; } = string.Empty;

    /// <summary>ARN of the role the workers assume in the account.</summary>
    public string RoleArn { get; set; } = string.Empty;

    /// <summary>The external ID the role's trust policy requires (the organization ID).</summary>
    public string ExternalId { get; set; } = string.Empty;

    /// <inheritdoc />
    public override string ToString() => AccountId + " " + RoleArn;
}
