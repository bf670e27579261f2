using Amazon.S3.Model;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// A bucket's public access block configuration: the four settings, or none at all (GetPublicAccessBlock answers
/// <c>NoSuchPublicAccessBlockConfiguration</c>). Round-trips through undo records.
/// </summary>
internal sealed class PublicAccessBlockState
{
    /// <summary>False when the bucket has no configuration (every setting then counts as off).</summary>
    public bool Exists { get; set; }

    /// <summary>BlockPublicAcls: PUTs of public ACLs are refused.</summary>
    public bool BlockPublicAcls { get; set; }

    /// <summary>IgnorePublicAcls: public ACLs are not evaluated.</summary>
    public bool IgnorePublicAcls { get; set; }

    /// <summary>BlockPublicPolicy: PUTs of public bucket policies are refused.</summary>
    public bool BlockPublicPolicy { get; set; }

    /// <summary>RestrictPublicBuckets: a public policy grants access only to AWS services and the owner's account.</summary>
    public bool RestrictPublicBuckets { get; set; }

    /// <summary>The state with all four settings on.</summary>
    public static PublicAccessBlockState AllOn => new() { Exists = true, BlockPublicAcls = true, IgnorePublicAcls = true, BlockPublicPolicy = true, RestrictPublicBuckets = true };

    /// <summary>No configuration.</summary>
    public static PublicAccessBlockState None => new();

    /// <summary>True when all four settings are on.</summary>
    public bool IsAllOn => Exists && BlockPublicAcls && IgnorePublicAcls && BlockPublicPolicy && RestrictPublicBuckets;

    /// <summary>The state of an SDK configuration (a setting it leaves out is off).</summary>
    public static PublicAccessBlockState From(PublicAccessBlockConfiguration? configuration) => configuration is null
        ? None
        : new PublicAccessBlockState
        {
            Exists = true,
            BlockPublicAcls = configuration.BlockPublicAcls ?? false,
            IgnorePublicAcls = configuration.IgnorePublicAcls ?? false,
            BlockPublicPolicy = configuration.BlockPublicPolicy ?? false,
            RestrictPublicBuckets = configuration.RestrictPublicBuckets ?? false,
        };

    /// <summary>The SDK configuration of this state.</summary>
    public PublicAccessBlockConfiguration ToSdk() => new()
    {
        BlockPublicAcls = BlockPublicAcls,
        IgnorePublicAcls = IgnorePublicAcls,
        BlockPublicPolicy = BlockPublicPolicy,
        RestrictPublicBuckets = RestrictPublicBuckets,
    };

    /// <summary>True when <paramref name="other"/> is the same state.</summary>
    public bool SameAs(PublicAccessBlockState other)
        => other is not null && Exists == other.Exists && (!Exists || Describe() == other.Describe());

    /// <summary>Each setting and its value, or that there is no configuration.</summary>
    public string Describe() => !Exists
        ? "no public access block configuration (all four settings off)"
        : "BlockPublicAcls=" + On(BlockPublicAcls) + ", IgnorePublicAcls=" + On(IgnorePublicAcls) +
          ", BlockPublicPolicy=" + On(BlockPublicPolicy) + ", RestrictPublicBuckets=" + On(RestrictPublicBuckets);

    /// <summary>The settings that differ from <paramref name="after"/>, each with its value before and after.</summary>
    public IReadOnlyList<string> Differences(PublicAccessBlockState after)
    {
        var list = new List<string>();
        void Add(string name, bool before, bool now)
        {
            if (before != now)
            {
                list.Add(name + " " + On(before) + " -> " + On(now));
            }
        }

        Add("BlockPublicAcls", BlockPublicAcls, after.BlockPublicAcls);
        Add("IgnorePublicAcls", IgnorePublicAcls, after.IgnorePublicAcls);
        Add("BlockPublicPolicy", BlockPublicPolicy, after.BlockPublicPolicy);
        Add("RestrictPublicBuckets", RestrictPublicBuckets, after.RestrictPublicBuckets);
        return list;
    }

    private static string On(bool value) => value ? "true" : "false";
}

/// <summary>Reads and writes a bucket's public access block configuration (shared with the policy jobs).</summary>
internal static class PublicAccessBlockStore
{
    /// <summary>The error code of GetPublicAccessBlock on a bucket without a configuration.</summary>
    public const string NotFoundCode = "NoSuchPublicAccessBlockConfiguration";

    /// <summary>The bucket's configuration (GetPublicAccessBlock).</summary>
    public static async Task<PublicAccessBlockState> ReadAsync(S3Bucket bucket, CancellationToken cancellationToken)
    {
        try
        {
            var response = await bucket.RunAsync(S3Actions.GetBucketPublicAccessBlock, s3 =>
                s3.GetPublicAccessBlockAsync(new GetPublicAccessBlockRequest { BucketName = bucket.Name }, cancellationToken)).ConfigureAwait(false);
            return PublicAccessBlockState.From(response.PublicAccessBlockConfiguration);
        }
        catch (AwsCallException ex) when (ex.ErrorCode == NotFoundCode)
        {
            return PublicAccessBlockState.None;
        }
    }

    /// <summary>Writes <paramref name="state"/>: PutPublicAccessBlock, or DeletePublicAccessBlock for no configuration.</summary>
    public static Task WriteAsync(S3Bucket bucket, PublicAccessBlockState state, CancellationToken cancellationToken)
        => state.Exists
            ? bucket.RunAsync(S3Actions.PutBucketPublicAccessBlock, s3 => s3.PutPublicAccessBlockAsync(
                new PutPublicAccessBlockRequest { BucketName = bucket.Name, PublicAccessBlockConfiguration = state.ToSdk() }, cancellationToken))
            : bucket.RunAsync(S3Actions.PutBucketPublicAccessBlock, s3 => s3.DeletePublicAccessBlockAsync(
                new DeletePublicAccessBlockRequest { BucketName = bucket.Name }, cancellationToken));
}
