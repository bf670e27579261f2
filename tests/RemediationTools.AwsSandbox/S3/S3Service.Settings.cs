using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>Default encryption, server access logging and tags.</summary>
internal static partial class S3Service
{
    private static S3Response GetBucketEncryption(S3Call call)
    {
        var bucket = Bucket(call);
        var rule = bucket.Encryption
            ?? throw new S3Error(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found", bucket.Name);
        var ns = S3Call.Ns;
        return S3Call.Xml(new XElement(
            ns + "ServerSideEncryptionConfiguration",
            new XElement(
                ns + "Rule",
                new XElement(
                    ns + "ApplyServerSideEncryptionByDefault",
                    new XElement(ns + "SSEAlgorithm", rule.Algorithm),
                    rule.KmsMasterKeyId is null ? null : new XElement(ns + "KMSMasterKeyID", rule.KmsMasterKeyId)),
                new XElement(ns + "BucketKeyEnabled", rule.BucketKeyEnabled ? "true" : "false"))));
    }

    private static S3Response PutBucketEncryption(S3Call call)
    {
        var bucket = Bucket(call);
        var root = call.BodyXml();
        var rules = root.Name.LocalName == "ServerSideEncryptionConfiguration" ? S3Call.Children(root, "Rule").ToList() : throw S3Error.MalformedXml();
        if (rules.Count != 1)
        {
            throw S3Error.MalformedXml();
        }

        var byDefault = S3Call.Child(rules[0], "ApplyServerSideEncryptionByDefault") ?? throw S3Error.MalformedXml();
        var algorithm = S3Call.Child(byDefault, "SSEAlgorithm")?.Value ?? throw S3Error.MalformedXml();
        if (algorithm is not (S3EncryptionRule.SseS3 or S3EncryptionRule.SseKms or S3EncryptionRule.DsseKms))
        {
            throw S3Error.MalformedXml();
        }

        var key = S3Call.Child(byDefault, "KMSMasterKeyID")?.Value;
        if (key is { Length: 0 })
        {
            key = null;
        }

        if (key is not null && algorithm == S3EncryptionRule.SseS3)
        {
            throw S3Error.InvalidArgument("a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", "ApplyServerSideEncryptionByDefault", algorithm);
        }

        var bucketKey = S3Call.Child(rules[0], "BucketKeyEnabled")?.Value switch
        {
            null or "false" => false,
            "true" => true,
            _ => throw S3Error.MalformedXml(),
        };
        bucket.Encryption = new S3EncryptionRule(algorithm, key, bucketKey);
        return S3Call.Ok();
    }

    /// <summary>Since January 2023 every bucket has default encryption: deleting it resets it to SSE-S3 (the API reference's DeleteBucketEncryption).</summary>
    private static S3Response DeleteBucketEncryption(S3Call call)
    {
        Bucket(call).Encryption = S3EncryptionRule.Default;
        return S3Call.NoContent();
    }

    private static S3Response GetBucketLogging(S3Call call)
    {
        var bucket = Bucket(call);
        var ns = S3Call.Ns;
        return S3Call.Xml(new XElement(ns + "BucketLoggingStatus", bucket.Logging is { } logging ? InNamespace(logging.LoggingEnabled, ns) : null));
    }

    private static S3Response PutBucketLogging(S3Call call)
    {
        var bucket = Bucket(call);
        var root = call.BodyXml();
        if (root.Name.LocalName != "BucketLoggingStatus")
        {
            throw S3Error.MalformedXml();
        }

        var enabled = S3Call.Child(root, "LoggingEnabled");
        if (enabled is null)
        {
            bucket.Logging = null;
            return S3Call.Ok();
        }

        var target = S3Call.Child(enabled, "TargetBucket")?.Value;
        var prefix = S3Call.Child(enabled, "TargetPrefix")?.Value;
        if (string.IsNullOrEmpty(target) || prefix is null)
        {
            throw S3Error.MalformedXml();
        }

        if (!call.S3.Buckets.TryGetValue(target, out var targetBucket))
        {
            throw InvalidTarget("The target bucket for logging does not exist", target);
        }

        if (targetBucket.OwnerAccountId != bucket.OwnerAccountId)
        {
            throw InvalidTarget("The owner for the bucket to be logged and the target bucket must be the same.", target);
        }

        if (targetBucket.Region != bucket.Region)
        {
            throw InvalidTarget("Cross S3 location logging not allowed. ", target);
        }

        if (targetBucket.AclsDisabled && S3Call.Child(enabled, "TargetGrants") is { } grants && grants.HasElements)
        {
            throw InvalidTarget("Target grants are not supported for a target bucket that uses the bucket owner enforced setting for Object Ownership.", target);
        }

        bucket.Logging = new S3Logging(target, prefix, new XElement(enabled));
        return S3Call.Ok();
    }

    private static S3Error InvalidTarget(string message, string target) =>
        new S3Error(400, "InvalidTargetBucketForLogging", message).With("TargetBucket", target);

    private static XElement InNamespace(XElement element, XNamespace ns) =>
        new(ns + element.Name.LocalName, element.Attributes().Where(a => !a.IsNamespaceDeclaration), element.Nodes().Select(n => n is XElement child ? InNamespace(child, ns) : n));

    private static S3Response GetBucketTagging(S3Call call)
    {
        var bucket = Bucket(call);
        if (bucket.Tags is not { Count: > 0 } tags)
        {
            throw new S3Error(404, "NoSuchTagSet", "The TagSet does not exist", bucket.Name);
        }

        var ns = S3Call.Ns;
        return S3Call.Xml(new XElement(
            ns + "Tagging",
            new XElement(ns + "TagSet", tags.Select(t => new XElement(ns + "Tag", new XElement(ns + "Key", t.Key), new XElement(ns + "Value", t.Value))))));
    }

    private static S3Response PutBucketTagging(S3Call call)
    {
        var bucket = Bucket(call);
        var root = call.BodyXml();
        var set = root.Name.LocalName == "Tagging" ? S3Call.Child(root, "TagSet") ?? throw S3Error.MalformedXml() : throw S3Error.MalformedXml();
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var tag in S3Call.Children(set, "Tag"))
        {
            var key = S3Call.Child(tag, "Key")?.Value ?? throw S3Error.MalformedXml();
            var value = S3Call.Child(tag, "Value")?.Value ?? throw S3Error.MalformedXml();
            tags.Add(new(key, value));
        }

        ValidateTags(tags);
        bucket.Tags = tags;
        return S3Call.NoContent();
    }

    /// <summary>Throws InvalidTag for a tag set S3 refuses (the "Tagging" limits of the S3 user guide).</summary>
    public static void ValidateTags(IReadOnlyList<KeyValuePair<string, string>> tags)
    {
        if (tags.Count > 50)
        {
            throw new S3Error(400, "InvalidTag", "Bucket tag count cannot be greater than 50");
        }

        if (tags.GroupBy(t => t.Key, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw new S3Error(400, "InvalidTag", "Cannot provide multiple Tags with the same key");
        }

        foreach (var (key, value) in tags)
        {
            if (key.Length is 0 or > 128)
            {
                throw new S3Error(400, "InvalidTag", "The TagKey you have provided is invalid").With("TagKey", key);
            }

            if (value.Length > 256)
            {
                throw new S3Error(400, "InvalidTag", "The TagValue you have provided is invalid").With("TagKey", key).With("TagValue", value);
            }

            if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
            {
                throw new S3Error(400, "InvalidTag", "System tags cannot be added/updated by requester").With("TagKey", key);
            }
        }
    }

    private static S3Response DeleteBucketTagging(S3Call call)
    {
        Bucket(call).Tags = null;
        return S3Call.NoContent();
    }
}
