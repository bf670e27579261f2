namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// One bucket operation: its name, the IAM action that authorizes it (the S3 "Actions, resources, and condition keys"
/// page: GetBucketEncryption is s3:GetEncryptionConfiguration, HeadBucket s3:ListBucket, DeleteBucketTagging
/// s3:PutBucketTagging, ...), whether S3 requires Content-MD5 or an x-amz-checksum on it, and whether it answers for
/// a bucket of any region (GetBucketLocation) instead of redirecting.
/// </summary>
internal sealed record S3Operation(string Name, string IamAction, bool IntegrityRequired = false, bool AnyRegion = false)
{
    private static readonly string[] Subresources = ["acl", "ownershipControls", "publicAccessBlock", "policy", "policyStatus", "encryption", "logging", "tagging", "location"];

    /// <summary>The operation a request asks for, or null when the sandbox does not emulate it.</summary>
    public static S3Operation? Of(string method, S3Address address)
    {
        if (address.Bucket is null)
        {
            return method == "GET" ? new("ListBuckets", "s3:ListAllMyBuckets", AnyRegion: true) : null;
        }

        if (address.Key.Length > 0)
        {
            return null;
        }

        var query = address.Query;
        string? sub = null;
        foreach (var name in Subresources)
        {
            if (query.ContainsKey(name))
            {
                sub = name;
                break;
            }
        }

        return (method, sub) switch
        {
            ("PUT", null) => new("CreateBucket", "s3:CreateBucket", AnyRegion: true),
            ("DELETE", null) => new("DeleteBucket", "s3:DeleteBucket"),
            ("HEAD", null) => new("HeadBucket", "s3:ListBucket"),
            ("GET", "location") => new("GetBucketLocation", "s3:GetBucketLocation", AnyRegion: true),
            ("GET", "acl") => new("GetBucketAcl", "s3:GetBucketAcl"),
            ("PUT", "acl") => new("PutBucketAcl", "s3:PutBucketAcl", IntegrityRequired: true),
            ("GET", "ownershipControls") => new("GetBucketOwnershipControls", "s3:GetBucketOwnershipControls"),
            ("PUT", "ownershipControls") => new("PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", IntegrityRequired: true),
            ("DELETE", "ownershipControls") => new("DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls"),
            ("GET", "publicAccessBlock") => new("GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
            ("PUT", "publicAccessBlock") => new("PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", IntegrityRequired: true),
            ("DELETE", "publicAccessBlock") => new("DeletePublicAccessBlock", "s3:PutBucketPublicAccessBlock"),
            ("GET", "policy") => new("GetBucketPolicy", "s3:GetBucketPolicy"),
            ("PUT", "policy") => new("PutBucketPolicy", "s3:PutBucketPolicy", IntegrityRequired: true),
            ("DELETE", "policy") => new("DeleteBucketPolicy", "s3:DeleteBucketPolicy"),
            ("GET", "policyStatus") => new("GetBucketPolicyStatus", "s3:GetBucketPolicyStatus"),
            ("GET", "encryption") => new("GetBucketEncryption", "s3:GetEncryptionConfiguration"),
            ("PUT", "encryption") => new("PutBucketEncryption", "s3:PutEncryptionConfiguration", IntegrityRequired: true),
            ("DELETE", "encryption") => new("DeleteBucketEncryption", "s3:PutEncryptionConfiguration"),
            ("GET", "logging") => new("GetBucketLogging", "s3:GetBucketLogging"),
            ("PUT", "logging") => new("PutBucketLogging", "s3:PutBucketLogging", IntegrityRequired: true),
            ("GET", "tagging") => new("GetBucketTagging", "s3:GetBucketTagging"),
            ("PUT", "tagging") => new("PutBucketTagging", "s3:PutBucketTagging", IntegrityRequired: true),
            ("DELETE", "tagging") => new("DeleteBucketTagging", "s3:PutBucketTagging"),
            _ => null,
        };
    }
}
