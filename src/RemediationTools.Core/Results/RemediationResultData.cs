namespace RemediationTools;

/// <summary>What a read-only job returns besides its status (an inventory); round-trips through JSON with the result.</summary>
public sealed class RemediationResultData
{
    /// <summary>The buckets <c>s3-list-buckets</c> found, by name.</summary>
    public IReadOnlyList<RemediationBucketInfo> Buckets { get; set; } = Array.Empty<RemediationBucketInfo>();

    /// <summary>The buckets joined by <c>"; "</c> (as CSV shows them).</summary>
    /// <returns>The text.</returns>
    public override string ToString() => string.Join("; ", Buckets);
}

/// <summary>One S3 bucket of an account, as ListBuckets names it.</summary>
public sealed class RemediationBucketInfo
{
    /// <summary>The bucket's name.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The bucket's region, when ListBuckets gave it; null otherwise.</summary>
    public string? Region { get; set; }

    /// <summary>When the bucket was created, when ListBuckets gave it.</summary>
    public DateTimeOffset? CreationDate { get; set; }

    /// <inheritdoc />
    public override string ToString() => Name + (Region is null ? string.Empty : " (" + Region + ")");
}
