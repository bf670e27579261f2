namespace RemediationTools.AwsSandbox;

/// <summary>Long-term credentials of a sandbox principal (an account's root user or an IAM user).</summary>
/// <param name="AccountId">The 12-digit account id.</param>
/// <param name="AccessKeyId">The access key id (AKIA…).</param>
/// <param name="SecretAccessKey">The secret access key.</param>
public sealed record SandboxAccount(string AccountId, string AccessKeyId, string SecretAccessKey);
