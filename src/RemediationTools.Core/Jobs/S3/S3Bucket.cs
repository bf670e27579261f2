using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.Core.Results;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// One finding's bucket, as the S3 jobs talk to it: the name from the finding's ObjectId, the bucket's own region
/// (the finding's, or the one a redirect or GetBucketLocation named, shared with the batch through the read cache),
/// and every call made through <see cref="RunAsync{T}"/>: verbose line, IAM action on failure, and one retry in the
/// bucket's real region when AWS answers with a wrong-region redirect. The result then reports the real region.
/// </summary>
internal sealed partial class S3Bucket
{
    private readonly JobContext context;

    private S3Bucket(JobContext context, string name, string region)
    {
        this.context = context;
        Name = name;
        Region = region;
    }

    /// <summary>The bucket's name.</summary>
    public string Name { get; }

    /// <summary>The region the bucket's calls go to: its real region once a redirect has named it.</summary>
    public string Region { get; private set; }

    /// <summary>The bucket of the finding in <paramref name="context"/>, in the region known for it in this batch, else the finding's.</summary>
    public static async Task<S3Bucket> OpenAsync(JobContext context, CancellationToken cancellationToken)
    {
        if (context is null)
        {
            throw new ArgumentNullException(nameof(context));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var name = S3BucketName.Of(context.Finding);
        var bucket = new S3Bucket(context, name, context.ResourceRegion ?? context.Region);
        await bucket.AdoptKnownRegionAsync().ConfigureAwait(false);
        return bucket;
    }

    /// <summary>
    /// Runs one S3 call that needs <paramref name="iamAction"/> against the bucket. A wrong-region redirect moves the
    /// bucket to the region it names (or GetBucketLocation's, when it names none) and retries the call there once.
    /// </summary>
    public async Task<T> RunAsync<T>(string iamAction, Func<IAmazonS3, Task<T>> call)
    {
        if (call is null)
        {
            throw new ArgumentNullException(nameof(call));
        }

        // Another finding of the batch may have learnt the bucket's region since this one opened it.
        await AdoptKnownRegionAsync().ConfigureAwait(false);

        try
        {
            return await AwsCall.RunAsync(context.Reporter, iamAction, Name, () => call(context.Clients.S3(Region))).ConfigureAwait(false);
        }
        catch (AwsCallException ex) when (S3RegionRedirect.IsRedirect(ex.InnerException as Amazon.Runtime.AmazonServiceException))
        {
            var from = Region;
            var region = S3RegionRedirect.RegionOf((Amazon.Runtime.AmazonServiceException)ex.InnerException!) ?? await LocateAsync().ConfigureAwait(false);
            if (string.Equals(region, from, StringComparison.Ordinal))
            {
                throw;
            }

            context.Reporter.Verbose("Bucket " + Name + " is in " + region + ", not " + from + " (" + ex.ErrorCode + "): calling " + region + ".");
            MoveTo(region);
            context.Cache.Set(RegionKey(Name), region);
            return await AwsCall.RunAsync(context.Reporter, iamAction, Name, () => call(context.Clients.S3(Region))).ConfigureAwait(false);
        }
    }

    /// <summary>The bucket's tags (GetBucketTagging; <c>NoSuchTagSet</c> = no tags), read once per batch.</summary>
    public Task<IReadOnlyList<KeyValuePair<string, string>>> ReadTagsAsync(CancellationToken cancellationToken)
        => context.Cache.GetOrReadAsync(TagsKey(Name), async () =>
        {
            try
            {
                var response = await RunAsync(S3Actions.GetBucketTagging, s3 => s3.GetBucketTaggingAsync(new GetBucketTaggingRequest { BucketName = Name }, cancellationToken)).ConfigureAwait(false);
                return (IReadOnlyList<KeyValuePair<string, string>>)(response.TagSet ?? new List<Tag>()).Select(t => new KeyValuePair<string, string>(t.Key, t.Value)).ToList();
            }
            catch (AwsCallException ex) when (ex.ErrorCode == "NoSuchTagSet")
            {
                return Array.Empty<KeyValuePair<string, string>>();
            }
        });

    /// <summary>
    /// The skip reason when the finding or the bucket carries <c>remediation:skip</c> = <c>true</c>; null otherwise.
    /// The finding's own tags are looked at first (no call then).
    /// </summary>
    public async Task<string?> SkipReasonAsync(CancellationToken cancellationToken)
        => SkipTag.IsSet(context.Finding.Tags) || SkipTag.IsSet(await ReadTagsAsync(cancellationToken).ConfigureAwait(false))
            ? SkipTag.Reason
            : null;

    /// <summary>An undo record for a change of this bucket, in its real region, with the job's <paramref name="data"/>.</summary>
    public RemediationUndoRecord UndoRecord(string jobId, object data) => new()
    {
        JobId = jobId,
        AccountId = context.Finding.AccountId,
        Region = Region,
        ResourceId = Name,
        RecordedAt = DateTimeOffset.UtcNow,
        Data = RemediationJson.Serialize(data),
    };

    /// <summary>The batch cache key of a bucket's known region.</summary>
    internal static string RegionKey(string bucketName) => "s3:bucket-region:" + bucketName;

    /// <summary>The batch cache key of a bucket's tags.</summary>
    internal static string TagsKey(string bucketName) => "s3:bucket-tags:" + bucketName;

    // The region a redirect named for this bucket earlier in the batch (only ever stored as a finished value, so
    // ReadAt tells it is there; Contains would not, for a value that nobody has read yet).
    private async Task AdoptKnownRegionAsync()
    {
        var key = RegionKey(Name);
        if (context.Cache.ReadAt(key) is not null)
        {
            MoveTo(await context.Cache.GetOrReadAsync(key, () => Task.FromResult(Region)).ConfigureAwait(false));
        }
    }

    private void MoveTo(string region)
    {
        Region = region;
        if (!string.Equals(region, context.Region, StringComparison.Ordinal))
        {
            context.ResourceRegion = region;
        }
    }

    private async Task<string> LocateAsync()
    {
        var response = await AwsCall.RunAsync(context.Reporter, S3Actions.GetBucketLocation, Name, () =>
            context.Clients.S3(Region).GetBucketLocationAsync(new GetBucketLocationRequest { BucketName = Name })).ConfigureAwait(false);
        return S3RegionRedirect.FromLocationConstraint(response.Location?.Value);
    }
}
