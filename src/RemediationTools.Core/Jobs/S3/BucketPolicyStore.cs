using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.Core.Jobs.Policies;

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

    /// <summary>The error code of GetBucketPolicy on a bucket without a policy.</summary>
    public const string NoSuchBucketPolicyCode = "NoSuchBucketPolicy";

    /// <summary>The bucket's policy now (no cache).</summary>
    public static async Task<PolicyDocument> ReadAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        if (bucket is null)
        {
            throw new ArgumentNullException(nameof(bucket));
        }

        var (code, text) = await ReadTextAsync(bucket, cancellationToken).ConfigureAwait(false);
        return code switch
        {
            null => PolicyDocument.Parse(text, "bucket " + bucket.Name),
            NoSuchBucketPolicyCode => PolicyDocument.None,
            _ => throw new JobFailureException(code, GetBucketPolicyAction + " on " + bucket.Name + " failed: " + code + "."),
        };
    }

    /// <summary>
    /// GetBucketPolicy: the policy text, or the S3 error code. AWSSDK.S3 4 returns a 404 of this operation as a
    /// response whose Policy is S3's error document instead of throwing (as it does for some other configurations,
    /// aws/aws-sdk-net#4329), so the error code is read from that document too.
    /// </summary>
    public static async Task<(string? ErrorCode, string? Text)> ReadTextAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        if (bucket is null)
        {
            throw new ArgumentNullException(nameof(bucket));
        }

        try
        {
            var policy = await bucket.RunAsync(GetBucketPolicyAction, async s3 =>
            {
                var response = await s3.GetBucketPolicyAsync(new GetBucketPolicyRequest { BucketName = bucket.Name }, cancellationToken).ConfigureAwait(false);
                var status = (int)response.HttpStatusCode;
                if (status is >= 200 and < 300)
                {
                    return response.Policy;
                }

                // Raised as the SDK raises other S3 errors, so AccessDenied names the IAM action and redirects are followed.
                throw new AmazonS3Exception("GetBucketPolicy answered " + status.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".")
                {
                    ErrorCode = ErrorCodeOf(response.Policy) ?? "HttpStatus" + status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    StatusCode = response.HttpStatusCode,
                };
            }).ConfigureAwait(false);
            return (null, policy);
        }
        catch (AwsCallException ex) when (ex.ErrorCode is NoSuchBucketPolicyCode or "NoSuchBucket")
        {
            return (ex.ErrorCode, null);
        }
    }

    // The <Code> of an S3 error document; null when the text is none.
    private static string? ErrorCodeOf(string? errorDocument)
    {
        if (string.IsNullOrEmpty(errorDocument))
        {
            return null;
        }

        try
        {
            return System.Xml.Linq.XDocument.Parse(errorDocument).Root?.Element("Code")?.Value;
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    /// <summary>The bucket's policy, read once per batch through the read cache (planning reads).</summary>
    public static Task<PolicyDocument> ReadCachedAsync(JobContext context, S3Bucket bucket, CancellationToken cancellationToken)
        => context.Cache.GetOrReadAsync(ResourceKeys.BucketPolicy(bucket.Name), () => ReadAsync(bucket, cancellationToken));

    /// <summary>
    /// Writes <paramref name="updated"/> when the policy is still <paramref name="planned"/>: PutBucketPolicy, or
    /// DeleteBucketPolicy when <paramref name="updated"/> has no statements left (or is no policy). Otherwise nothing is
    /// written and the finding fails with <see cref="WholeDocumentGuard.StalePlanErrorCode"/>.
    /// </summary>
    public static async Task WriteAsync(S3Bucket bucket, PolicyDocument planned, PolicyDocument updated, CancellationToken cancellationToken)
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
    public static bool Deletes(PolicyDocument updated) => updated is null || !updated.Exists || updated.Statements.Count == 0;
}
