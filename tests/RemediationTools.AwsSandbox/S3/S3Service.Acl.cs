using System.Xml.Linq;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>ACLs and object ownership.</summary>
internal static partial class S3Service
{
    /// <summary>
    /// The grants of the x-amz-acl or x-amz-grant-* headers; null when neither is present. Both together are
    /// InvalidRequest, as S3 answers.
    /// </summary>
    private static List<S3Grant>? AclFromHeaders(S3Call call, string ownerAccountId, bool required)
    {
        var canned = call.Request.Header("x-amz-acl");
        var hasGrants = S3Acl.HasGrantHeaders(call.Request);
        if (canned is not null && hasGrants)
        {
            throw S3Error.InvalidRequest("Specifying both Canned ACLs and Header Grants is not allowed");
        }

        if (canned is not null)
        {
            return S3Acl.Canned(canned, ownerAccountId) ?? throw S3Error.InvalidArgument("Invalid canned ACL: " + canned, "x-amz-acl", canned);
        }

        if (hasGrants)
        {
            return S3Acl.FromGrantHeaders(call.Request);
        }

        return required
            ? throw new S3Error(400, "MissingSecurityHeader", "Your request was missing a required header").With("MissingHeaderName", "x-amz-acl")
            : null;
    }

    private static S3Response GetBucketAcl(S3Call call)
    {
        var bucket = Bucket(call);
        return S3Call.Xml(S3Acl.ToXml(S3Call.Ns, bucket.OwnerAccountId, bucket.Grants));
    }

    private static S3Response PutBucketAcl(S3Call call)
    {
        var bucket = Bucket(call);
        List<S3Grant> grants;
        if (call.Body.Length > 0)
        {
            if (call.Request.Header("x-amz-acl") is not null || S3Acl.HasGrantHeaders(call.Request))
            {
                throw new S3Error(400, "UnexpectedContent", "This request does not support content");
            }

            var (ownerId, parsed) = S3Acl.FromXml(call.BodyXml());
            if (ownerId is not null && !string.Equals(ownerId, S3State.CanonicalId(bucket.OwnerAccountId), StringComparison.OrdinalIgnoreCase))
            {
                throw S3Error.AccessDenied();
            }

            grants = parsed;
        }
        else
        {
            grants = AclFromHeaders(call, bucket.OwnerAccountId, required: true)!;
        }

        if (grants.FirstOrDefault(g => g.Type == S3GranteeType.AmazonCustomerByEmail) is { } email)
        {
            throw new S3Error(400, "UnresolvableGrantByEmailAddress", "The email address you provided does not match any account on record.")
                .With("EmailAddress", email.Grantee);
        }

        if (bucket.AclsDisabled && grants.Any(g => !IsOwnerFullControl(g, bucket)))
        {
            throw new S3Error(400, "AccessControlListNotSupported", "The bucket does not allow ACLs", bucket.Name);
        }

        if (bucket.PublicAccessBlock?.BlockPublicAcls == true && grants.Any(g => g.IsPublic))
        {
            throw S3Error.AccessDenied();
        }

        bucket.Grants = grants.Distinct().ToList();
        return S3Call.Ok();
    }

    private static S3Response GetOwnershipControls(S3Call call)
    {
        var bucket = Bucket(call);
        var ns = S3Call.Ns;
        return bucket.ObjectOwnership is { } ownership
            ? S3Call.Xml(new XElement(ns + "OwnershipControls", new XElement(ns + "Rule", new XElement(ns + "ObjectOwnership", ownership))))
            : throw new S3Error(404, "OwnershipControlsNotFoundError", "The bucket ownership controls were not found", bucket.Name);
    }

    private static S3Response PutOwnershipControls(S3Call call)
    {
        var bucket = Bucket(call);
        var root = call.BodyXml();
        var rules = root.Name.LocalName == "OwnershipControls" ? S3Call.Children(root, "Rule").ToList() : throw S3Error.MalformedXml();
        if (rules.Count != 1 || S3Call.Child(rules[0], "ObjectOwnership")?.Value is not { } ownership || !S3Ownership.All.Contains(ownership))
        {
            throw S3Error.MalformedXml();
        }

        if (ownership == S3Ownership.BucketOwnerEnforced && bucket.Grants.Any(g => !IsOwnerFullControl(g, bucket)))
        {
            throw new S3Error(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
        }

        bucket.ObjectOwnership = ownership;
        return S3Call.Ok();
    }

    private static S3Response DeleteOwnershipControls(S3Call call)
    {
        Bucket(call).ObjectOwnership = null;
        return S3Call.NoContent();
    }
}
