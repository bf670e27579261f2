using RemediationTools.AwsSandbox.Ssm;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// Puts (or overwrites, as PutParameter with Overwrite) a Parameter Store parameter, as the account's root would.
    /// <paramref name="type"/> is <c>String</c>, <c>StringList</c> or <c>SecureString</c>; a SecureString without
    /// <paramref name="keyId"/> is encrypted with the AWS managed key <c>alias/aws/ssm</c>. Returns the parameter's ARN.
    /// </summary>
    public string PutParameter(string accountId, string region, string name, string value, string type = "SecureString", string? keyId = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        if (type is not ("String" or "StringList" or "SecureString"))
        {
            throw new ArgumentException("A parameter's type is String, StringList or SecureString, not '" + type + "'.", nameof(type));
        }

        lock (_state.Gate)
        {
            var account = _state.Account(accountId);
            if (!account.SsmRegions.TryGetValue(region, out var regionState))
            {
                regionState = new SsmRegionState();
                account.SsmRegions[region] = regionState;
            }

            var version = regionState.Parameters.TryGetValue(name, out var existing) ? existing.Version + 1 : 1;
            regionState.Parameters[name] = new SsmParameter
            {
                Name = name,
                Type = type,
                Value = value,
                KeyId = type == "SecureString" ? keyId ?? SsmParameter.DefaultKeyId : null,
                Version = version,
                LastModified = _state.Now,
            };
            return SsmService.ParameterArn(region, accountId, name);
        }
    }
}
