using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// The bucket operations of S3 (REST-XML, API version 2006-03-01), after the S3 API reference: buckets per account and
/// region in one global namespace, created as S3 creates them since April 2023 (object ownership BucketOwnerEnforced,
/// all four public access block settings on, SSE-S3 default encryption).
/// </summary>
internal static partial class S3Service
{
    /// <summary>The regions a LocationConstraint may name (the commercial, China and GovCloud regions of S3).</summary>
    public static readonly IReadOnlySet<string> Regions = new HashSet<string>(StringComparer.Ordinal)
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-south-1", "ap-south-2", "ap-southeast-1",
        "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1",
        "ca-west-1", "eu-central-1", "eu-central-2", "eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1",
        "il-central-1", "me-south-1", "me-central-1", "sa-east-1", "cn-north-1", "cn-northwest-1", "us-gov-west-1", "us-gov-east-1",
    };

    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public static S3Response Handle(S3Call call) => call.Operation.Name switch
    {
        "ListBuckets" => ListBuckets(call),
        "CreateBucket" => CreateBucket(call),
        "DeleteBucket" => DeleteBucket(call),
        "HeadBucket" => HeadBucket(call),
        "GetBucketLocation" => GetBucketLocation(call),
        "GetBucketAcl" => GetBucketAcl(call),
        "PutBucketAcl" => PutBucketAcl(call),
        "GetBucketOwnershipControls" => GetOwnershipControls(call),
        "PutBucketOwnershipControls" => PutOwnershipControls(call),
        "DeleteBucketOwnershipControls" => DeleteOwnershipControls(call),
        "GetPublicAccessBlock" => GetPublicAccessBlock(call),
        "PutPublicAccessBlock" => PutPublicAccessBlock(call),
        "DeletePublicAccessBlock" => DeletePublicAccessBlock(call),
        "GetBucketPolicy" => GetBucketPolicy(call),
        "PutBucketPolicy" => PutBucketPolicy(call),
        "DeleteBucketPolicy" => DeleteBucketPolicy(call),
        "GetBucketPolicyStatus" => GetBucketPolicyStatus(call),
        "GetBucketEncryption" => GetBucketEncryption(call),
        "PutBucketEncryption" => PutBucketEncryption(call),
        "DeleteBucketEncryption" => DeleteBucketEncryption(call),
        "GetBucketLogging" => GetBucketLogging(call),
        "PutBucketLogging" => PutBucketLogging(call),
        "GetBucketTagging" => GetBucketTagging(call),
        "PutBucketTagging" => PutBucketTagging(call),
        "DeleteBucketTagging" => DeleteBucketTagging(call),
        _ => throw S3Error.NotImplemented(call.Operation.Name),
    };

    /// <summary>Throws InvalidBucketName unless <paramref name="name"/> follows the general purpose bucket naming rules.</summary>
    public static void ValidateBucketName(string name)
    {
        if (!BucketNamePattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal) || IpAddressPattern().IsMatch(name)
            || name.StartsWith("xn--", StringComparison.Ordinal) || name.StartsWith("sthree-", StringComparison.Ordinal)
            || name.StartsWith("amzn-s3-demo-", StringComparison.Ordinal)
            || ReservedSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)))
        {
            throw new S3Error(400, "InvalidBucketName", "The specified bucket is not valid.", name);
        }
    }

    /// <summary>A bucket as S3 creates it today.</summary>
    public static S3Bucket NewBucket(string name, string accountId, string region, DateTimeOffset now) => new()
    {
        Name = name,
        OwnerAccountId = accountId,
        Region = region,
        CreationDate = now,
        ObjectOwnership = S3Ownership.BucketOwnerEnforced,
        Grants = S3Acl.OwnerOnly(accountId),
        PublicAccessBlock = S3PublicAccessBlock.AllOn,
        Encryption = S3EncryptionRule.Default,
    };

    private static S3Response ListBuckets(S3Call call)
    {
        var query = call.Address.Query;
        var prefix = query.GetValueOrDefault("prefix") ?? string.Empty;
        var regionFilter = query.GetValueOrDefault("bucket-region");
        var max = 10000;
        if (query.TryGetValue("max-buckets", out var maxText)
            && (!int.TryParse(maxText, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > 10000))
        {
            throw S3Error.InvalidArgument("Argument max-buckets must be an integer between 1 and 10000.", "max-buckets", maxText);
        }

        var start = query.GetValueOrDefault("continuation-token");
        var buckets = call.S3.Buckets.Values
            .Where(b => b.OwnerAccountId == call.Caller.AccountId && b.Name.StartsWith(prefix, StringComparison.Ordinal)
                && (regionFilter is null || b.Region == regionFilter) && (start is null || string.CompareOrdinal(b.Name, start) >= 0))
            .OrderBy(b => b.Name, StringComparer.Ordinal)
            .ToList();
        var page = buckets.Take(max).ToList();
        var ns = S3Call.Ns;
        return S3Call.Xml(new XElement(
            ns + "ListAllMyBucketsResult",
            new XElement(ns + "Owner", new XElement(ns + "ID", S3State.CanonicalId(call.Caller.AccountId))),
            new XElement(ns + "Buckets", page.Select(b => new XElement(
                ns + "Bucket",
                new XElement(ns + "Name", b.Name),
                new XElement(ns + "CreationDate", b.CreationDate.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                new XElement(ns + "BucketRegion", b.Region)))),
            buckets.Count > max ? new XElement(ns + "ContinuationToken", buckets[max].Name) : null,
            query.ContainsKey("prefix") ? new XElement(ns + "Prefix", prefix) : null));
    }

    private static S3Response CreateBucket(S3Call call)
    {
        var name = call.BucketName;
        ValidateBucketName(name);
        string? constraint = null;
        if (call.Body.Length > 0)
        {
            var root = call.BodyXml();
            if (root.Name.LocalName != "CreateBucketConfiguration")
            {
                throw S3Error.MalformedXml();
            }

            constraint = S3Call.Child(root, "LocationConstraint")?.Value;
            if (constraint is { Length: 0 })
            {
                constraint = null;
            }
        }

        if (constraint == "EU")
        {
            constraint = "eu-west-1";
        }

        if (constraint is not null && (constraint == "us-east-1" || !Regions.Contains(constraint)))
        {
            throw new S3Error(400, "InvalidLocationConstraint", "The specified location-constraint is not valid").With("LocationConstraint", constraint);
        }

        var endpoint = call.EndpointRegion;
        if (endpoint != "us-east-1" && constraint != endpoint)
        {
            throw new S3Error(400, "IllegalLocationConstraintException", $"The {constraint ?? "unspecified"} location constraint is incompatible for the region specific endpoint this request was sent to.");
        }

        var region = constraint ?? "us-east-1";
        var ownership = call.Request.Header("x-amz-object-ownership");
        if (ownership is not null)
        {
            if (!S3Ownership.All.Contains(ownership))
            {
                throw S3Error.InvalidArgument("Invalid x-amz-object-ownership header: " + ownership, "x-amz-object-ownership", ownership);
            }

            call.RequireAlso("s3:PutBucketOwnershipControls");
        }

        var grants = AclFromHeaders(call, call.Caller.AccountId, required: false);
        if (grants is not null)
        {
            call.RequireAlso("s3:PutBucketAcl");
        }

        if (call.S3.Buckets.TryGetValue(name, out var existing))
        {
            if (existing.OwnerAccountId != call.Caller.AccountId)
            {
                throw new S3Error(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", name);
            }

            if (existing.Region == "us-east-1" && region == "us-east-1")
            {
                // Legacy behaviour of North Virginia: 200 OK, and the bucket's ACL is reset.
                if (!existing.AclsDisabled)
                {
                    existing.Grants = grants ?? S3Acl.OwnerOnly(existing.OwnerAccountId);
                }

                return Created(name, region);
            }

            throw new S3Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", name);
        }

        var bucket = NewBucket(name, call.Caller.AccountId, region, call.State.Now);
        bucket.ObjectOwnership = ownership ?? S3Ownership.BucketOwnerEnforced;
        if (grants is not null)
        {
            if (bucket.AclsDisabled && grants.Any(g => !IsOwnerFullControl(g, bucket)))
            {
                throw new S3Error(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
            }

            if (grants.Any(g => g.IsPublic))
            {
                // New buckets have BlockPublicAcls on from the start.
                throw S3Error.AccessDenied();
            }

            bucket.Grants = grants;
        }

        call.S3.Buckets[name] = bucket;
        return Created(name, region);
    }

    private static S3Response Created(string name, string region)
    {
        var response = S3Call.Ok();
        response.Headers.Add(new("Location", region == "us-east-1" ? "/" + name : "http://" + name + ".s3.amazonaws.com/"));
        return response;
    }

    private static S3Response DeleteBucket(S3Call call)
    {
        call.S3.Buckets.Remove(call.BucketName);
        return S3Call.NoContent();
    }

    private static S3Response HeadBucket(S3Call call)
    {
        var bucket = Bucket(call);
        var response = S3Call.Ok();
        response.Headers.Add(new("x-amz-bucket-region", bucket.Region));
        response.Headers.Add(new("x-amz-access-point-alias", "false"));
        return response;
    }

    private static S3Response GetBucketLocation(S3Call call)
    {
        var bucket = Bucket(call);
        return S3Call.Xml(new XElement(S3Call.Ns + "LocationConstraint", bucket.Region == "us-east-1" ? null : bucket.Region));
    }

    /// <summary>The call's bucket (the endpoint has checked that it exists).</summary>
    private static S3Bucket Bucket(S3Call call) =>
        call.S3.Buckets.TryGetValue(call.BucketName, out var bucket) ? bucket : throw S3Error.NoSuchBucket(call.BucketName);

    private static bool IsOwnerFullControl(S3Grant grant, S3Bucket bucket) =>
        grant.Type == S3GranteeType.CanonicalUser && grant.Grantee == S3State.CanonicalId(bucket.OwnerAccountId) && grant.Permission == "FULL_CONTROL";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketNamePattern();

    [GeneratedRegex(@"^\d+\.\d+\.\d+\.\d+$")]
    private static partial Regex IpAddressPattern();
}
