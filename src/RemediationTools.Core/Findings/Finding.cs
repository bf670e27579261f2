namespace RemediationTools;

/// <summary>A security finding, parsed and validated: which rule, which account, region and resource.</summary>
public sealed class Finding
{
    /// <summary>
    /// The compliance status the source reported (Security Hub <c>Compliance.Status</c>: <c>PASSED</c>, <c>FAILED</c>,
    /// <c>WARNING</c>, <c>NOT_AVAILABLE</c>); null when the source reports none. A <c>PASSED</c> finding is
    /// <c>AlreadyCompliant</c> without any AWS call.
    /// </summary>
    public string? ComplianceStatus { get; set; }

    /// <summary>True when the source reported the finding as compliant (<c>PASSED</c>): nothing is read or changed for it.</summary>
    internal bool ReportedCompliant => string.Equals(ComplianceStatus, "PASSED", StringComparison.OrdinalIgnoreCase);

    /// <summary>The finding's ID in the system that raised it, when it has one.</summary>
    public string? FindingId { get; set; }

    /// <summary>The rule ID; null when the finding names a job explicitly instead.</summary>
    public string? RuleId { get; set; }

    /// <summary>The rule's name (or display name).</summary>
    public string? RuleName { get; set; }

    /// <summary>The job named explicitly (plain form <c>Job</c>), which takes precedence over <see cref="RuleId"/>.</summary>
    public string? JobId { get; set; }

    /// <summary>The cloud account of the resource (12 digits); null means the caller's own account.</summary>
    public string? AccountId { get; set; }

    /// <summary>The region of the resource.</summary>
    public string Region { get; set; } = string.Empty;

    /// <summary>The resource's ID or name, as the job expects it (security group ID, bucket name, ...).</summary>
    public string ResourceId { get; set; } = string.Empty;

    /// <summary>The resource's ARN, when the finding gave one.</summary>
    public string? ResourceArn { get; set; }

    /// <summary>The service the finding is about, for example <c>EC2</c>.</summary>
    public string? Service { get; set; }

    /// <summary>The resource's type as the finding names it (ObjectChain <c>entityType</c>).</summary>
    public string? ResourceType { get; set; }

    /// <summary>The finding's severity level.</summary>
    public string? Level { get; set; }

    /// <summary>The resource's tags as the finding reports them.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The resource's properties from the ObjectChain <c>properties</c> list (name to value).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The payload's <c>autoRemediate</c> flag, when present.</summary>
    public bool? AutoRemediate { get; set; }

    /// <summary>The payload as received, as JSON.</summary>
    public string? RawPayload { get; set; }

    /// <summary>A copy of the finding in <paramref name="accountId"/> (a finding that named none, bound to its credentials' account).</summary>
    internal Finding WithAccountId(string accountId)
    {
        var copy = (Finding)MemberwiseClone();
        copy.AccountId = accountId;
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"{RuleId ?? JobId} {AccountId}/{Region}/{ResourceId}";
}
