namespace RemediationTools.Core.Aws.Signed.CloudTrail;

/// <summary>
/// The CloudTrail operations the module uses (API version 2013-11-01 over AWS JSON 1.1), shaped like AWSSDK.CloudTrail's
/// <c>IAmazonCloudTrail</c> so the official client can replace <see cref="CloudTrailClient"/> later. Errors are
/// <see cref="Amazon.Runtime.AmazonServiceException"/>s with CloudTrail's error codes: TrailNotFoundException,
/// InvalidTrailNameException, CloudTrailARNInvalidException, InvalidHomeRegionException, KmsKeyNotFoundException,
/// InsufficientEncryptionPolicyException, AccessDeniedException, ThrottlingException.
/// </summary>
internal interface ICloudTrailClient
{
    /// <summary>Reads one trail by name or ARN (a multi-region trail also from its other regions).</summary>
    Task<GetTrailResponse> GetTrailAsync(GetTrailRequest request, CancellationToken cancellationToken = default);

    /// <summary>Describes the region's trails (and shadow trails), or the named ones.</summary>
    Task<DescribeTrailsResponse> DescribeTrailsAsync(DescribeTrailsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the tags of trails by ARN (trails of the current region, shadows included).</summary>
    Task<ListTagsResponse> ListTagsAsync(ListTagsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes the settings sent, in the trail's home region.</summary>
    Task<UpdateTrailResponse> UpdateTrailAsync(UpdateTrailRequest request, CancellationToken cancellationToken = default);
}
