using Amazon.S3;
using Amazon.S3.Model;

namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// One grant of a bucket ACL in a form that round-trips through an undo record: the grantee (canonical user ID, group
/// URI or e-mail address) and the permission. Converts to and from the SDK's <see cref="S3Grant"/>.
/// </summary>
internal sealed class S3AclGrant
{
    /// <summary>The group of everyone, anonymous requests included.</summary>
    public const string AllUsersUri = "http://acs.amazonaws.com/groups/global/AllUsers";

    /// <summary>The group of every AWS account (any signed request, of any account).</summary>
    public const string AuthenticatedUsersUri = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

    /// <summary>The S3 log delivery group (server access logs).</summary>
    public const string LogDeliveryUri = "http://acs.amazonaws.com/groups/s3/LogDelivery";

    /// <summary>The grantee type: <c>CanonicalUser</c>, <c>Group</c> or <c>AmazonCustomerByEmail</c>.</summary>
    public string GranteeType { get; set; } = string.Empty;

    /// <summary>The canonical user ID, for a <c>CanonicalUser</c> grantee.</summary>
    public string? Id { get; set; }

    /// <summary>The group URI, for a <c>Group</c> grantee.</summary>
    public string? Uri { get; set; }

    /// <summary>The e-mail address, for an <c>AmazonCustomerByEmail</c> grantee.</summary>
    public string? EmailAddress { get; set; }

    /// <summary>The grantee's display name, when S3 gave one (not part of the grant's identity).</summary>
    public string? DisplayName { get; set; }

    /// <summary>The permission: <c>FULL_CONTROL</c>, <c>WRITE</c>, <c>WRITE_ACP</c>, <c>READ</c> or <c>READ_ACP</c>.</summary>
    public string Permission { get; set; } = string.Empty;

    /// <summary>The grant of an SDK grant.</summary>
    public static S3AclGrant From(S3Grant grant)
    {
        if (grant is null)
        {
            throw new ArgumentNullException(nameof(grant));
        }

        return new S3AclGrant
        {
            GranteeType = grant.Grantee?.Type?.Value ?? string.Empty,
            Id = NullIfEmpty(grant.Grantee?.CanonicalUser),
            Uri = NullIfEmpty(grant.Grantee?.URI),
            EmailAddress = NullIfEmpty(grant.Grantee?.EmailAddress),
            DisplayName = NullIfEmpty(grant.Grantee?.DisplayName),
            Permission = grant.Permission?.Value ?? string.Empty,
        };
    }

    /// <summary>The SDK grant.</summary>
    public S3Grant ToSdk() => new()
    {
        Grantee = new S3Grantee
        {
            CanonicalUser = Id,
            URI = Uri,
            EmailAddress = EmailAddress,
            DisplayName = DisplayName,
        },
        Permission = new S3Permission(Permission),
    };

    /// <summary>True when the grantee is the group with <paramref name="uri"/>.</summary>
    public bool IsGroup(string uri) => string.Equals(Uri, uri, StringComparison.OrdinalIgnoreCase);

    /// <summary>The grant's identity (grantee and permission), without the display name.</summary>
    public string Key => GranteeType + "|" + (Id ?? Uri ?? EmailAddress ?? string.Empty).ToLowerInvariant() + "|" + Permission;

    /// <summary>The grant for people: <c>AllUsers FULL_CONTROL</c>, <c>LogDelivery WRITE</c>, <c>user 79a5... (owner) READ</c>.</summary>
    public string Describe(string? ownerId)
    {
        string grantee;
        if (Uri is not null)
        {
            grantee = Uri.Substring(Uri.LastIndexOf('/') + 1);
        }
        else if (Id is not null)
        {
            grantee = "user " + Id + (string.Equals(Id, ownerId, StringComparison.Ordinal) ? " (owner)" : string.Empty);
        }
        else
        {
            grantee = "e-mail " + EmailAddress;
        }

        return grantee + " " + Permission;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>A bucket ACL: its owner and grants, read by GetBucketAcl and written back whole by PutBucketAcl.</summary>
internal sealed class S3Acl
{
    /// <summary>Creates the ACL.</summary>
    public S3Acl(string? ownerId, string? ownerDisplayName, IReadOnlyList<S3AclGrant> grants)
    {
        OwnerId = ownerId;
        OwnerDisplayName = ownerDisplayName;
        Grants = grants ?? throw new ArgumentNullException(nameof(grants));
    }

    /// <summary>The bucket owner's canonical user ID.</summary>
    public string? OwnerId { get; }

    /// <summary>The bucket owner's display name, when S3 gave one.</summary>
    public string? OwnerDisplayName { get; }

    /// <summary>The grants, in S3's order.</summary>
    public IReadOnlyList<S3AclGrant> Grants { get; }

    /// <summary>The ACL of a GetBucketAcl answer.</summary>
    public static S3Acl From(GetBucketAclResponse response)
    {
        if (response is null)
        {
            throw new ArgumentNullException(nameof(response));
        }

        return new S3Acl(response.Owner?.Id, response.Owner?.DisplayName, (response.Grants ?? new List<S3Grant>()).Select(S3AclGrant.From).ToList());
    }

    /// <summary>This ACL without the grants <paramref name="remove"/> matches; every other grant stays as it is, in its order.</summary>
    public S3Acl Without(Func<S3AclGrant, bool> remove) => new(OwnerId, OwnerDisplayName, Grants.Where(g => !remove(g)).ToList());

    /// <summary>This ACL with <paramref name="grants"/> added at the end, except those it has already.</summary>
    public S3Acl With(IEnumerable<S3AclGrant> grants)
    {
        var keys = new HashSet<string>(Grants.Select(g => g.Key), StringComparer.Ordinal);
        return new S3Acl(OwnerId, OwnerDisplayName, Grants.Concat(grants.Where(g => keys.Add(g.Key))).ToList());
    }

    /// <summary>The grants of <paramref name="grants"/> this ACL does not have.</summary>
    public IReadOnlyList<S3AclGrant> Missing(IEnumerable<S3AclGrant> grants)
    {
        var keys = new HashSet<string>(Grants.Select(g => g.Key), StringComparer.Ordinal);
        return grants.Where(g => !keys.Contains(g.Key)).ToList();
    }

    /// <summary>The ACL in one canonical form (owner, then the grants sorted): equal forms are the same document.</summary>
    public string Fingerprint()
        => "owner " + (OwnerId ?? "?") + "; " + string.Join(", ", Grants.Select(g => g.Key).OrderBy(k => k, StringComparer.Ordinal));

    /// <summary>The grants for people, in S3's order.</summary>
    public string Describe() => Grants.Count == 0 ? "no grants" : string.Join(", ", Grants.Select(g => g.Describe(OwnerId)));

    /// <summary>The PutBucketAcl request that writes this ACL to <paramref name="bucketName"/>.</summary>
    public PutBucketAclRequest ToPutRequest(string bucketName) => new()
    {
        BucketName = bucketName,
        AccessControlPolicy = new S3AccessControlList
        {
            Owner = new Owner { Id = OwnerId, DisplayName = OwnerDisplayName },
            Grants = Grants.Select(g => g.ToSdk()).ToList(),
        },
    };
}
