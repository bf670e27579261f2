using Amazon.S3.Model;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// Reads and writes a bucket policy as a whole document: GetBucketPolicy (<c>NoSuchBucketPolicy</c> = no policy), and
/// a guarded write that re-reads the policy first and writes only when it is still the one the plan was made from
/// (<see cref="WholeDocumentGuard"/>: otherwise the engine plans again), deleting a policy left without statements.
/// </summary>
internal static class BucketPolicyStore
{
    /// <summary>IAM action: GetBucketPolicy.</summary>
    public const string GetBucketPolicyAction = "s3:GetBucketPolicy";

    /// <summary>IAM action: PutBucketPolicy.</summary>
    public const string PutBucketPolicyAction = "s3:PutBucketPolicy";

    /// <summary>IAM action: DeleteBucketPolicy.</summary>
    public const string DeleteBucketPolicyAction = "s3:DeleteBucketPolicy";

    private const string Document = "bucket policy";

    /// <summary>The bucket's policy now (no cache).</summary>
    public static async Task<BucketPolicyDocument> ReadAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        if (bucket is null)
        {
            throw new ArgumentNullException(nameof(bucket));
        }

        try
        {
            var response = await bucket.RunAsync(GetBucketPolicyAction, s3 => s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
            return BucketPolicyDocument.Parse(response.Policy, bucket.Name);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == "NoSuchBucketPolicy")
        {
            return BucketPolicyDocument.None;
        }
    }

    /// <summary>The bucket's policy, read once per batch through the read cache (planning reads).</summary>
    public static Task<BucketPolicyDocument> ReadCachedAsync(JobContext context, S3Bucket bucket, CancellationToken cancellationToken)
        => context.Cache.GetOrReadAsync(ResourceKeys.BucketPolicy(bucket.Name), () => ReadAsync(bucket, cancellationToken));

    /// <summary>
    /// Writes <paramref name="updated"/> when the policy is still <paramref name="planned"/>: PutBucketPolicy, or
    /// DeleteBucketPolicy when <paramref name="updated"/> has no statements left (or is no policy). Otherwise nothing is
    /// written and the finding fails with <see cref="WholeDocumentGuard.StalePlanErrorCode"/>.
    /// </summary>
    public static async Task WriteAsync(S3Bucket bucket, BucketPolicyDocument planned, BucketPolicyDocument updated, CancellationToken cancellationToken)
    {
        if (planned is null)
        {
            throw new ArgumentNullException(nameof(planned));
        }

        if (updated is null)
        {
            throw new ArgumentNullException(nameof(updated));
        }

        var current = await ReadAsync(bucket, cancellationToken).ConfigureAwait(false);
        WholeDocumentGuard.EnsureUnchanged(Document, bucket.Name, planned.Canonical, current.Canonical);
        if (!updated.Exists || updated.Statements.Count == 0)
        {
            await bucket.RunAsync(DeleteBucketPolicyAction, s3 => s3.DeleteBucketPolicyAsync(new DeleteBucketPolicyRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
            return;
        }

        var text = updated.ToJson()!;
        await bucket.RunAsync(PutBucketPolicyAction, s3 => s3.PutBucketPolicyAsync(new PutBucketPolicyRequest { BucketName = bucket.Name, Policy = text }, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>True when writing <paramref name="updated"/> deletes the policy.</summary>
    public static bool Deletes(BucketPolicyDocument updated) => updated is null || !updated.Exists || updated.Statements.Count == 0;
}
