using System.Text.RegularExpressions;
using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Deployment;

/// <summary>What Deploy-RemediationWorker asks for.</summary>
internal sealed class WorkerDeploymentRequest
{
    /// <summary>The instance type used when none is named: burstable, 2 vCPUs and 1 GiB, well above the worker's 128 MB and half a core, with room for the OS, dnf and Docker.</summary>
    public const string DefaultInstanceType = "t3.micro";

    private static readonly Regex ParameterPattern = new("^/[A-Za-z0-9_.\\-/]{1,1000}$", RegexOptions.CultureInvariant);

    public string GroupName { get; set; } = string.Empty;

    /// <summary>The client secret in plain text: goes to the SSM parameter only.</summary>
    public string ClientSecret { get; set; } = string.Empty;

    public string ImageUri { get; set; } = string.Empty;

    public string InstanceProfileName { get; set; } = string.Empty;

    public string? SubnetId { get; set; }

    public string InstanceType { get; set; } = DefaultInstanceType;

    public int Count { get; set; } = 1;

    /// <summary>The AWS store selection (<c>aws</c> or <c>aws:&lt;name&gt;</c>).</summary>
    public string Store { get; set; } = "aws";

    /// <summary>The SSM parameter for the secret; null for <see cref="DefaultSecretParameter"/>.</summary>
    public string? SecretParameterName { get; set; }

    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The parameter a group's secret goes to unless named: <c>/remediation/&lt;group&gt;/client-secret</c>.</summary>
    public static string DefaultSecretParameter(string groupName) => "/remediation/" + StoreKeys.Group(groupName) + "/client-secret";

    /// <summary>Validates a parameter name; throws <see cref="ArgumentException"/> naming it.</summary>
    public static string ValidateParameterName(string name)
    {
        if (name is null || !ParameterPattern.IsMatch(name) || name.StartsWith("/aws", StringComparison.OrdinalIgnoreCase) || name.StartsWith("/ssm", StringComparison.OrdinalIgnoreCase) || name.Contains("//"))
        {
            throw new ArgumentException("-ClientSecretParameterName '" + name + "' is not an SSM parameter name of this module's form (a path such as /remediation/prod/client-secret; not under /aws or /ssm).", nameof(name));
        }

        return name;
    }
}
