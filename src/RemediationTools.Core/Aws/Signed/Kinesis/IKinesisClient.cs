namespace RemediationTools.Core.Aws.Signed.Kinesis;

/// <summary>
/// The Kinesis Data Streams operations the module uses (API version 2013-12-02 over AWS JSON 1.1), shaped like
/// AWSSDK.Kinesis's <c>IAmazonKinesis</c> so the official client can replace <see cref="KinesisClient"/> later. Each
/// request names the stream by <c>StreamName</c> or <c>StreamARN</c>. Errors are
/// <see cref="Amazon.Runtime.AmazonServiceException"/>s with Kinesis's error codes: ResourceNotFoundException,
/// ResourceInUseException, InvalidArgumentException, LimitExceededException, KMSNotFoundException,
/// KMSAccessDeniedException, KMSDisabledException, KMSInvalidStateException, AccessDeniedException.
/// </summary>
internal interface IKinesisClient
{
    /// <summary>Describes a stream: status, encryption type and key, without its shards.</summary>
    Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken = default);

    /// <summary>Starts (or re-keys) server-side encryption; the stream is UPDATING until it is done.</summary>
    Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>Stops server-side encryption; the stream is UPDATING until it is done.</summary>
    Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default);

    /// <summary>One page of the stream's tags.</summary>
    Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken = default);
}
