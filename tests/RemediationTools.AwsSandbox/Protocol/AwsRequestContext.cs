using RemediationTools.AwsSandbox.Auth;

namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>One authenticated AWS call being handled (always under the state lock).</summary>
internal sealed class AwsRequestContext
{
    public required SandboxState State { get; init; }

    public required CallerPrincipal Caller { get; init; }

    public required string Service { get; init; }

    public required string Region { get; init; }

    public required string Action { get; init; }

    public required QueryArgs Args { get; init; }

    public required string RequestId { get; init; }

    /// <summary>True for a call made through the control API (seeding, checks): never lagged.</summary>
    public bool IsControl { get; init; }

    public AccountState Account => State.Account(Caller.AccountId);

    public DateTimeOffset Now => State.Now;
}

/// <summary>A service the sandbox emulates; returns the XML body of a successful response.</summary>
internal interface IAwsService
{
    /// <summary>Handles the call or throws <see cref="AwsServiceError"/>; null when the action is unknown.</summary>
    string? Handle(AwsRequestContext context);
}
