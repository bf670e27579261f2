namespace RemediationTools.Core.Aws;

/// <summary>Partition facts the SDK does not expose the way we need them (global services' signing regions and endpoints).</summary>
internal static class AwsPartition
{
    /// <summary>The partition of a region: aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b.</summary>
    public static string Of(string region)
    {
        if (region.StartsWith("cn-", StringComparison.OrdinalIgnoreCase))
        {
            return "aws-cn";
        }

        if (region.StartsWith("us-gov-", StringComparison.OrdinalIgnoreCase))
        {
            return "aws-us-gov";
        }

        if (region.StartsWith("us-isob-", StringComparison.OrdinalIgnoreCase))
        {
            return "aws-iso-b";
        }

        if (region.StartsWith("us-iso-", StringComparison.OrdinalIgnoreCase))
        {
            return "aws-iso";
        }

        return "aws";
    }

    /// <summary>The region IAM requests are signed for in the region's partition.</summary>
    public static string IamSigningRegion(string region) => Of(region) switch
    {
        "aws-cn" => "cn-north-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    };

    /// <summary>IAM's global endpoint in the region's partition.</summary>
    public static Uri IamEndpoint(string region) => Of(region) switch
    {
        "aws-cn" => new Uri("https://iam.cn-north-1.amazonaws.com.cn/"),
        "aws-us-gov" => new Uri("https://iam.us-gov.amazonaws.com/"),
        "aws-iso" => new Uri("https://iam.us-iso-east-1.c2s.ic.gov/"),
        "aws-iso-b" => new Uri("https://iam.us-isob-east-1.sc2s.sgov.gov/"),
        _ => new Uri("https://iam.amazonaws.com/"),
    };

    /// <summary>The DNS suffix of the region's partition's endpoints.</summary>
    public static string DnsSuffix(string region) => Of(region) switch
    {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    };

    /// <summary>A regional service endpoint, e.g. https://elasticloadbalancing.eu-west-1.amazonaws.com/.</summary>
    public static Uri RegionalEndpoint(string endpointPrefix, string region) =>
        new("https://" + endpointPrefix + "." + region + "." + DnsSuffix(region) + "/");
}
