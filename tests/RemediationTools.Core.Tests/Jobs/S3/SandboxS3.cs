using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using RemediationTools.AwsSandbox;
using RemediationTools.Core.Aws;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>What the S3 job tests share: official S3 clients against the sandbox, bucket set-up through the S3 API, the engine's factory.</summary>
internal static class SandboxS3
{
    /// <summary>The region the engine's session uses.</summary>
    public const string Region = "us-east-1";

    /// <summary>An S3 client signed as <paramref name="who"/> for <paramref name="region"/> (path-style, as the module's client against an endpoint).</summary>
    public static AmazonS3Client Client(SandboxServer server, SandboxAccount who, string region = Region)
        => new(new BasicAWSCredentials(who.AccessKeyId, who.SecretAccessKey), new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            AuthenticationRegion = region,
            ForcePathStyle = true,
        });

    /// <summary>The engine's client factory with these keys, as Invoke-Remediation makes it with -EndpointUrl.</summary>
    public static Task<AwsClientFactory> FactoryAsync(SandboxServer server, string accessKey, string secretKey) =>
        AwsClientFactory.CreateAsync(
            new AwsConnectionOptions { AccessKey = accessKey, SecretKey = secretKey, Region = Region, EndpointUrl = server.Endpoint.ToString() },
            null,
            CancellationToken.None);

    /// <summary>A new bucket in <paramref name="region"/> with a unique name.</summary>
    public static async Task<string> CreateBucketAsync(AmazonS3Client s3, string region = Region, string prefix = "bucket")
    {
        var name = string.Concat(prefix, "-", Guid.NewGuid().ToString("N").AsSpan(0, 12));
        var request = new PutBucketRequest { BucketName = name };
        if (region != "us-east-1")
        {
            request.PutBucketConfiguration = new PutBucketConfiguration { LocationConstraint = new BucketLocationConstraint(region) };
        }

        await s3.PutBucketAsync(request);
        return name;
    }

    /// <summary>
    /// Turns the bucket into an old-style one whose ACL counts: ACLs enabled (object ownership ObjectWriter) and the
    /// public access block deleted, so public grants can be written (new buckets have ACLs disabled and all four
    /// settings on, as in AWS since April 2023).
    /// </summary>
    public static async Task EnableAclsAsync(AmazonS3Client s3, string bucket)
    {
        await s3.DeletePublicAccessBlockAsync(new DeletePublicAccessBlockRequest { BucketName = bucket });
        await s3.PutBucketOwnershipControlsAsync(new PutBucketOwnershipControlsRequest
        {
            BucketName = bucket,
            OwnershipControls = new OwnershipControls { Rules = new List<OwnershipControlsRule> { new() { ObjectOwnership = ObjectOwnership.ObjectWriter } } },
        });
    }

    /// <summary>Writes the bucket's ACL: the owner's FULL_CONTROL first, then <paramref name="grants"/>.</summary>
    public static async Task PutAclAsync(AmazonS3Client s3, string bucket, params S3AclGrant[] grants)
    {
        var current = S3Acl.From(await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket }));
        var acl = new S3Acl(current.OwnerId, current.OwnerDisplayName, new[] { new S3AclGrant { GranteeType = "CanonicalUser", Id = current.OwnerId, Permission = "FULL_CONTROL" } }.Concat(grants).ToList());
        await s3.PutBucketAclAsync(acl.ToPutRequest(bucket));
    }

    /// <summary>The bucket's ACL grants, described as the jobs describe them, sorted.</summary>
    public static async Task<string[]> GrantsAsync(AmazonS3Client s3, string bucket)
    {
        var acl = S3Acl.From(await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket }));
        return acl.Grants.Select(g => g.Describe(acl.OwnerId)).OrderBy(t => t, StringComparer.Ordinal).ToArray();
    }

    /// <summary>The canonical user ID of the account that owns <paramref name="bucket"/>.</summary>
    public static async Task<string> OwnerIdAsync(AmazonS3Client s3, string bucket)
        => (await s3.GetBucketAclAsync(new GetBucketAclRequest { BucketName = bucket })).Owner.Id;

    /// <summary>Tags the bucket.</summary>
    public static Task TagAsync(AmazonS3Client s3, string bucket, string key, string value)
        => s3.PutBucketTaggingAsync(new PutBucketTaggingRequest { BucketName = bucket, TagSet = new List<Tag> { new() { Key = key, Value = value } } });

    /// <summary>A group grant.</summary>
    public static S3AclGrant Group(string uri, string permission) => new() { GranteeType = "Group", Uri = uri, Permission = permission };

    /// <summary>A canonical user grant.</summary>
    public static S3AclGrant User(string id, string permission) => new() { GranteeType = "CanonicalUser", Id = id, Permission = permission };

    /// <summary>A finding of <paramref name="jobId"/> on the bucket, as a scanner reports it (in <paramref name="region"/>).</summary>
    public static Finding Finding(string jobId, SandboxAccount account, string bucket, string region = Region) => new()
    {
        FindingId = "f-" + bucket,
        JobId = jobId,
        AccountId = account.AccountId,
        Region = region,
        ResourceId = bucket,
    };

    /// <summary>A policy allowing everything but <paramref name="deniedAction"/>.</summary>
    public static string AllowAllBut(string deniedAction) =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}," +
        "{\"Effect\":\"Deny\",\"Action\":\"" + deniedAction + "\",\"Resource\":\"*\"}]}";

    /// <summary>The counted calls of S3 actions (IAM action names) since the last reset.</summary>
    public static IReadOnlyDictionary<string, int> S3Calls(SandboxServer server)
        => server.CallCounts.Where(c => c.Key.StartsWith("s3:", StringComparison.Ordinal)).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);

    /// <summary>
    /// A new bucket without default encryption, as buckets were before January 2023 (S3 has encrypted every bucket by
    /// default since; DeleteBucketEncryption resets to SSE-S3), seeded through the sandbox's control API.
    /// </summary>
    public static string SeedUnencryptedBucket(SandboxServer server, SandboxAccount account, string region = Region)
    {
        var name = string.Concat("legacy-", Guid.NewGuid().ToString("N").AsSpan(0, 12));
        server.AddS3Bucket(account.AccountId, region, name, new SandboxS3BucketSpec { Encryption = null });
        return name;
    }
}
