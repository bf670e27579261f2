using System.Text.RegularExpressions;

namespace RemediationTools.Core.Deployment;

/// <summary>
/// A worker image reference (<c>[registry/]repository[:tag][@digest]</c>), validated so that it can be written into a
/// shell command unquoted, and whether it lives in Amazon ECR (then the instance logs in to the registry first).
/// </summary>
internal sealed class WorkerImageReference
{
    // Docker's reference grammar, lower-case repository path components; tags and digests as Docker allows.
    private static readonly Regex ReferencePattern = new(
        "^(?<name>(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[a-f0-9]{64}))?$",
        RegexOptions.CultureInvariant);

    private static readonly Regex EcrPattern = new(
        "^(?<account>[0-9]{12})\\.dkr\\.ecr(?:-fips)?\\.(?<region>[a-z]{2}(?:-[a-z]+)+-[0-9])\\.amazonaws\\.com(?:\\.cn)?$",
        RegexOptions.CultureInvariant);

    private WorkerImageReference(string value, string? registry, string? ecrRegion, string? ecrAccount)
    {
        Value = value;
        Registry = registry;
        EcrRegion = ecrRegion;
        EcrAccount = ecrAccount;
    }

    /// <summary>The reference as given.</summary>
    public string Value { get; }

    /// <summary>The registry host, or null for a Docker Hub reference.</summary>
    public string? Registry { get; }

    /// <summary>The region of the ECR registry, or null when the image is not in ECR.</summary>
    public string? EcrRegion { get; }

    /// <summary>The account of the ECR registry, or null when the image is not in ECR.</summary>
    public string? EcrAccount { get; }

    /// <summary>True when the image is in Amazon ECR.</summary>
    public bool IsEcr => EcrRegion is not null;

    /// <summary>Parses <paramref name="value"/>; throws <see cref="ArgumentException"/> naming it when it is no image reference.</summary>
    public static WorkerImageReference Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value!.Length > 512 || !ReferencePattern.IsMatch(value))
        {
            throw new ArgumentException(
                "-ImageUri '" + value + "' is not a container image reference ([registry/]repository[:tag][@sha256:digest], lower-case repository, e.g. 111122223333.dkr.ecr.us-east-1.amazonaws.com/remediation-worker:0.1.0).",
                nameof(value));
        }

        var slash = value.IndexOf('/');
        var first = slash > 0 ? value.Substring(0, slash) : null;
        var registry = first is not null && (first.Contains('.') || first.Contains(':') || first == "localhost") ? first : null;
        var ecr = registry is null ? null : EcrPattern.Match(registry);
        return ecr is { Success: true }
            ? new WorkerImageReference(value, registry, ecr.Groups["region"].Value, ecr.Groups["account"].Value)
            : new WorkerImageReference(value, registry, null, null);
    }

    /// <inheritdoc />
    public override string ToString() => Value;
}
