using System.Text;
using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>Public access block, bucket policy and policy status.</summary>
internal static partial class S3Service
{
    private static S3Response GetPublicAccessBlock(S3Call call)
    {
        var bucket = Bucket(call);
        var block = bucket.PublicAccessBlock
            ?? throw new S3Error(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", bucket.Name);
        var ns = S3Call.Ns;
        static string Text(bool value) => value ? "true" : "false";
        return S3Call.Xml(new XElement(
            ns + "PublicAccessBlockConfiguration",
            new XElement(ns + "BlockPublicAcls", Text(block.BlockPublicAcls)),
            new XElement(ns + "IgnorePublicAcls", Text(block.IgnorePublicAcls)),
            new XElement(ns + "BlockPublicPolicy", Text(block.BlockPublicPolicy)),
            new XElement(ns + "RestrictPublicBuckets", Text(block.RestrictPublicBuckets))));
    }

    private static S3Response PutPublicAccessBlock(S3Call call)
    {
        var bucket = Bucket(call);
        var root = call.BodyXml();
        if (root.Name.LocalName != "PublicAccessBlockConfiguration")
        {
            throw S3Error.MalformedXml();
        }

        bool Flag(string name) => S3Call.Child(root, name)?.Value switch
        {
            null => false,
            "true" or "TRUE" or "True" => true,
            "false" or "FALSE" or "False" => false,
            _ => throw S3Error.MalformedXml(),
        };

        bucket.PublicAccessBlock = new S3PublicAccessBlock(Flag("BlockPublicAcls"), Flag("IgnorePublicAcls"), Flag("BlockPublicPolicy"), Flag("RestrictPublicBuckets"));
        return S3Call.Ok();
    }

    private static S3Response DeletePublicAccessBlock(S3Call call)
    {
        Bucket(call).PublicAccessBlock = null;
        return S3Call.NoContent();
    }

    private static S3Response GetBucketPolicy(S3Call call)
    {
        var bucket = Bucket(call);
        var policy = bucket.Policy ?? throw NoSuchBucketPolicy(bucket);
        return new S3Response(200, "application/json", Encoding.UTF8.GetBytes(policy));
    }

    private static S3Response PutBucketPolicy(S3Call call)
    {
        var bucket = Bucket(call);
        var text = Encoding.UTF8.GetString(call.Body);
        S3BucketPolicy.Validate(text, bucket.Name);
        if (bucket.PublicAccessBlock?.BlockPublicPolicy == true && S3BucketPolicy.IsPublic(text))
        {
            throw S3Error.AccessDenied();
        }

        bucket.Policy = text;
        return S3Call.NoContent();
    }

    private static S3Response DeleteBucketPolicy(S3Call call)
    {
        Bucket(call).Policy = null;
        return S3Call.NoContent();
    }

    /// <summary>
    /// IsPublic from the policy alone, as "The meaning of public" defines it. The public access block does not change the
    /// answer: IgnorePublicAcls concerns ACLs, which policy status does not look at, and RestrictPublicBuckets restricts
    /// who gets in through a public policy without making the policy any less public.
    /// </summary>
    private static S3Response GetBucketPolicyStatus(S3Call call)
    {
        var bucket = Bucket(call);
        var policy = bucket.Policy ?? throw NoSuchBucketPolicy(bucket);
        var ns = S3Call.Ns;
        return S3Call.Xml(new XElement(ns + "PolicyStatus", new XElement(ns + "IsPublic", S3BucketPolicy.IsPublic(policy) ? "true" : "false")));
    }

    private static S3Error NoSuchBucketPolicy(S3Bucket bucket) => new(404, "NoSuchBucketPolicy", "The bucket policy does not exist", bucket.Name);
}
