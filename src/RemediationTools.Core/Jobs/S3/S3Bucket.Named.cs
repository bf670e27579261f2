namespace RemediationTools.Core.Jobs.S3;

/// <summary>Buckets a job reaches by name rather than from the finding's ObjectId (a trail's bucket, a logging target).</summary>
internal sealed partial class S3Bucket
{
    /// <summary>
    /// The bucket <paramref name="bucketName"/> (validated like an ObjectId), called in <paramref name="region"/> unless
    /// the batch already knows its region. Redirects move it like the finding's own bucket.
    /// </summary>
    public static async Task<S3Bucket> OpenNamedAsync(JobContext context, string bucketName, string region, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var name = S3BucketName.Parse(bucketName);
        var bucket = new S3Bucket(context, name, region);
        await bucket.AdoptKnownRegionAsync().ConfigureAwait(false);
        return bucket;
    }
}
