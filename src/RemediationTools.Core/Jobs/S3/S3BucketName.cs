using System.Text.RegularExpressions;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The bucket a finding names: its ObjectId is a bucket name or a bucket ARN in any partition
/// (<c>arn:aws:s3:::name</c>, <c>arn:aws-cn:s3:::name</c>, <c>arn:aws-us-gov:s3:::name</c>). Anything else (an object
/// ARN, another service's ARN, a name S3 cannot have) is refused before any AWS call, naming the bad value.
/// </summary>
internal static class S3BucketName
{
    private static readonly string[] Partitions = { "aws", "aws-cn", "aws-us-gov" };

    private static readonly char[] Colon = { ':' };

    // Today's rules are 3-63 lowercase letters, digits, dots and hyphens; buckets made in us-east-1 before March 2018
    // may also have uppercase letters and underscores and up to 255 characters, and they still exist, so those pass.
    private static readonly Regex NamePattern = new("^[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]$", RegexOptions.CultureInvariant);

    private static readonly Regex IpAddressPattern = new(@"^\d{1,3}(\.\d{1,3}){3}$", RegexOptions.CultureInvariant);

    /// <summary>The bucket name of <paramref name="finding"/> (its ResourceArn when it has one, else its ResourceId).</summary>
    public static string Of(Finding finding)
    {
        if (finding is null)
        {
            throw new ArgumentNullException(nameof(finding));
        }

        return Parse(finding.ResourceArn ?? finding.ResourceId);
    }

    /// <summary>The bucket name in <paramref name="objectId"/>: a name or a bucket ARN; otherwise a FindingFormatException naming it.</summary>
    public static string Parse(string? objectId)
    {
        var text = objectId?.Trim() ?? string.Empty;
        if (text.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = text.Split(Colon, 6);
            if (parts.Length != 6 || !Partitions.Contains(parts[1], StringComparer.Ordinal) || !string.Equals(parts[2], "s3", StringComparison.Ordinal))
            {
                throw Bad(text, "is not an S3 bucket ARN (arn:aws|aws-cn|aws-us-gov:s3:::bucket-name)");
            }

            if (parts[3].Length > 0 || parts[4].Length > 0)
            {
                throw Bad(text, "is not an S3 bucket ARN: a bucket ARN has no region and no account (arn:" + parts[1] + ":s3:::bucket-name)");
            }

            if (parts[5].IndexOf('/') >= 0)
            {
                throw Bad(text, "names an object or a prefix, not a bucket (arn:" + parts[1] + ":s3:::bucket-name)");
            }

            text = parts[5];
        }

        if (!NamePattern.IsMatch(text) || text.Contains("..") || IpAddressPattern.IsMatch(text))
        {
            throw Bad(text.Length == 0 ? objectId ?? string.Empty : text, "is not an S3 bucket name (3 to 63 letters, digits, dots and hyphens, starting and ending with a letter or digit)");
        }

        return text;
    }

    private static FindingFormatException Bad(string value, string why)
        => new("The finding's ObjectId '" + value + "' " + why + ", which this job needs.", "ObjectId");
}
