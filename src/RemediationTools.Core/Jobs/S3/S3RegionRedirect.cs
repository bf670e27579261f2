using System.Net;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.S3;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// AWS's answers to a bucket request sent to the wrong region: <c>PermanentRedirect</c> (301, the bucket's region in the
/// <c>x-amz-bucket-region</c> header), <c>AuthorizationHeaderMalformed</c> (400, signed for the wrong region; the
/// region in the body's <c>Region</c> element), <c>IllegalLocationConstraintException</c> (400, an opt-in region's
/// bucket through another region), or a bare 301 (a HEAD request has no body).
/// </summary>
internal static class S3RegionRedirect
{
    /// <summary>The header with the bucket's region.</summary>
    public const string BucketRegionHeader = "x-amz-bucket-region";

    private static readonly Regex RegionElement = new("<Region>(?<region>[a-z0-9-]+)</Region>", RegexOptions.CultureInvariant);

    private static readonly Regex RegionPattern = new("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>True when <paramref name="exception"/> says the request went to a region that is not the bucket's.</summary>
    public static bool IsRedirect(AmazonServiceException? exception)
        => exception is not null && (exception.StatusCode == HttpStatusCode.MovedPermanently || exception.ErrorCode is "PermanentRedirect" or "AuthorizationHeaderMalformed" or "IllegalLocationConstraintException")
            && (exception.ErrorCode != "AuthorizationHeaderMalformed" || RegionOf(exception) is not null);

    /// <summary>The bucket's region named by a redirect (header, else body); null when it names none.</summary>
    public static string? RegionOf(AmazonServiceException? exception)
    {
        if (exception is null)
        {
            return null;
        }

        var header = (exception.InnerException as HttpErrorResponseException)?.Response?.GetHeaderValue(BucketRegionHeader);
        if (!string.IsNullOrEmpty(header) && RegionPattern.IsMatch(header))
        {
            return header;
        }

        var body = (exception as AmazonS3Exception)?.ResponseBody;
        var match = body is null ? null : RegionElement.Match(body);
        return match is { Success: true } && RegionPattern.IsMatch(match.Groups["region"].Value) ? match.Groups["region"].Value : null;
    }

    /// <summary>
    /// The region of a GetBucketLocation answer: none (or <c>US</c>) is us-east-1, the legacy <c>EU</c> is eu-west-1
    /// (S3 API reference, GetBucketLocation).
    /// </summary>
    public static string FromLocationConstraint(string? constraint)
        => string.IsNullOrEmpty(constraint) || constraint == "US" ? "us-east-1"
            : constraint == "EU" ? "eu-west-1"
            : constraint!;
}
