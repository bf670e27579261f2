namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The IAM actions of the S3 API operations the jobs call. S3's action names differ from its API names where the
/// Service Authorization Reference says so: GetBucketEncryption needs <c>s3:GetEncryptionConfiguration</c>,
/// GetPublicAccessBlock <c>s3:GetBucketPublicAccessBlock</c>, ListBuckets <c>s3:ListAllMyBuckets</c>, and the
/// Delete operations of a configuration need its Put action.
/// </summary>
internal static class S3Actions
{
    /// <summary>GetBucketTagging (the <c>remediation:skip</c> tag).</summary>
    public const string GetBucketTagging = "s3:GetBucketTagging";

    /// <summary>GetBucketLocation (a bucket's region when a redirect does not name it).</summary>
    public const string GetBucketLocation = "s3:GetBucketLocation";

    /// <summary>ListBuckets.</summary>
    public const string ListAllMyBuckets = "s3:ListAllMyBuckets";

    /// <summary>GetPublicAccessBlock.</summary>
    public const string GetBucketPublicAccessBlock = "s3:GetBucketPublicAccessBlock";

    /// <summary>PutPublicAccessBlock and DeletePublicAccessBlock.</summary>
    public const string PutBucketPublicAccessBlock = "s3:PutBucketPublicAccessBlock";

    /// <summary>GetBucketAcl.</summary>
    public const string GetBucketAcl = "s3:GetBucketAcl";

    /// <summary>PutBucketAcl.</summary>
    public const string PutBucketAcl = "s3:PutBucketAcl";

    /// <summary>GetBucketOwnershipControls (ACLs disabled: BucketOwnerEnforced).</summary>
    public const string GetBucketOwnershipControls = "s3:GetBucketOwnershipControls";

    /// <summary>GetBucketEncryption.</summary>
    public const string GetEncryptionConfiguration = "s3:GetEncryptionConfiguration";

    /// <summary>PutBucketEncryption and DeleteBucketEncryption.</summary>
    public const string PutEncryptionConfiguration = "s3:PutEncryptionConfiguration";
}
