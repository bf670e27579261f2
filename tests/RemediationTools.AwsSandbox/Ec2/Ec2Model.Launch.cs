using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>What RunInstances records about an instance; seeded instances keep the defaults.</summary>
internal sealed partial class Instance
{
    public string ImageId { get; init; } = "ami-0abcdef1234567890";

    public string InstanceType { get; init; } = "t3.micro";

    public string Architecture { get; init; } = "x86_64";

    public string? KeyName { get; init; }

    /// <summary>The user data as RunInstances received it (base64); null when none was given.</summary>
    public string? UserData { get; init; }

    public InstanceMetadataOptions MetadataOptions { get; init; } = new();

    public string? IamInstanceProfileName { get; init; }

    public string? IamInstanceProfileArn { get; init; }

    public string? IamInstanceProfileId { get; init; }

    public string? ClientToken { get; init; }

    public int AmiLaunchIndex { get; init; }

    /// <summary>True for instances launched through RunInstances (they get a metadata service and the launcher).</summary>
    public bool Launched { get; init; }

    public string StateTransitionReason { get; set; } = string.Empty;

    /// <summary>The base URL of the instance's metadata service while it is not terminated; null otherwise.</summary>
    public Uri? MetadataEndpoint { get; set; }

    /// <summary>The user data decoded; null when none was given.</summary>
    public byte[]? DecodedUserData => UserData is null ? null : Convert.FromBase64String(UserData);
}

/// <summary>The instance metadata options (MetadataOptions of RunInstances).</summary>
internal sealed class InstanceMetadataOptions
{
    /// <summary>optional or required.</summary>
    public string HttpTokens { get; init; } = "optional";

    public int HttpPutResponseHopLimit { get; init; } = 1;

    /// <summary>enabled or disabled.</summary>
    public string HttpEndpoint { get; init; } = "enabled";

    public string InstanceMetadataTags { get; init; } = "disabled";
}

/// <summary>A public AMI of the catalog every region has.</summary>
internal sealed record MachineImage(string ImageId, string Name, string Architecture, string SnapshotId, string CreationDate)
{
    public const string AmazonOwnerId = "137112412989";

    public const int RootVolumeSizeGiB = 8;

    public const string RootDeviceName = "/dev/xvda";

    public string Description => "Amazon Linux 2023 AMI 2023.6.20241121.0 " + Architecture + " HVM kernel-6.1";
}

/// <summary>An instance type of the catalog.</summary>
internal sealed record InstanceTypeInfo(string Name, string Architecture, int DefaultVCpus, int MemoryMiB, bool Burstable);

/// <summary>The public catalog: Amazon Linux 2023 AMIs (the same names in every region, region-specific ids) and instance types.</summary>
internal static class Ec2Catalog
{
    public const string Al2023ParameterPrefix = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-";

    public static readonly IReadOnlyList<InstanceTypeInfo> InstanceTypes =
    [
        new("t3.nano", "x86_64", 2, 512, true),
        new("t3.micro", "x86_64", 2, 1024, true),
        new("t3.small", "x86_64", 2, 2048, true),
        new("t3.medium", "x86_64", 2, 4096, true),
        new("t3a.nano", "x86_64", 2, 512, true),
        new("t3a.micro", "x86_64", 2, 1024, true),
        new("t3a.small", "x86_64", 2, 2048, true),
        new("t3a.medium", "x86_64", 2, 4096, true),
        new("t4g.nano", "arm64", 2, 512, true),
        new("t4g.micro", "arm64", 2, 1024, true),
        new("t4g.small", "arm64", 2, 2048, true),
        new("t4g.medium", "arm64", 2, 4096, true),
        new("m5.large", "x86_64", 2, 8192, false),
        new("c5.large", "x86_64", 2, 4096, false),
        new("m6g.large", "arm64", 2, 8192, false),
    ];

    public static readonly IReadOnlyList<string> Architectures = ["x86_64", "arm64"];

    public static InstanceTypeInfo? FindInstanceType(string name) => InstanceTypes.FirstOrDefault(t => t.Name == name);

    /// <summary>The Amazon Linux 2023 AMIs of a region (x86_64 and arm64).</summary>
    public static IReadOnlyList<MachineImage> Images(string region) => Architectures.Select(a => Image(region, a)).ToList();

    public static MachineImage Image(string region, string architecture) => new(
        "ami-" + Digest(region + ":" + architecture, 17),
        "al2023-ami-2023.6.20241121.0-kernel-6.1-" + architecture,
        architecture,
        "snap-" + Digest("snapshot:" + region + ":" + architecture, 17),
        "2024-11-21T21:14:42.000Z");

    public static MachineImage? FindImage(string region, string imageId) => Images(region).FirstOrDefault(i => i.ImageId == imageId);

    private static string Digest(string text, int length) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..length].ToString(CultureInfo.InvariantCulture);
}

/// <summary>Key pairs and idempotency tokens of one account in one region.</summary>
internal sealed partial class Ec2RegionState
{
    public HashSet<string> KeyPairs { get; } = new(StringComparer.Ordinal);

    /// <summary>RunInstances client tokens: the request's fingerprint and the reservation it made.</summary>
    public Dictionary<string, (string Fingerprint, string ReservationId)> ClientTokens { get; } = new(StringComparer.Ordinal);

    public int LaunchedIpCounter { get; set; } = 3;
}
