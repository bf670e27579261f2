using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

public sealed class S3AclTests
{
    private const string Owner = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
    private const string Other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Without_PublicGrants_KeepsEveryOtherGrantInOrder()
    {
        var acl = new S3Acl(Owner, "owner", new[]
        {
            User(Owner, "FULL_CONTROL"),
            Group(S3AclGrant.LogDeliveryUri, "WRITE"),
            Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"),
            Group(S3AclGrant.LogDeliveryUri, "READ_ACP"),
            User(Other, "READ"),
            Group(S3AclGrant.AuthenticatedUsersUri, "READ"),
        });

        var after = acl.Without(g => g.IsGroup(S3AclGrant.AllUsersUri));

        Assert.Equal(
            new[] { "user " + Owner + " (owner) FULL_CONTROL", "LogDelivery WRITE", "LogDelivery READ_ACP", "user " + Other + " READ", "AuthenticatedUsers READ" },
            after.Grants.Select(g => g.Describe(Owner)));
    }

    [Fact]
    public void With_RemovedGrants_AddsOnlyMissingOnes()
    {
        var removed = new[] { Group(S3AclGrant.AllUsersUri, "FULL_CONTROL"), Group(S3AclGrant.AuthenticatedUsersUri, "WRITE_ACP") };
        var acl = new S3Acl(Owner, null, new[] { User(Owner, "FULL_CONTROL"), Group(S3AclGrant.AuthenticatedUsersUri, "WRITE_ACP") });

        var missing = acl.Missing(removed);
        var after = acl.With(removed);

        Assert.Equal(new[] { "AllUsers FULL_CONTROL" }, missing.Select(g => g.Describe(Owner)));
        Assert.Equal(3, after.Grants.Count);
        Assert.Empty(after.Missing(removed));
    }

    [Fact]
    public void Fingerprint_SameGrantsOtherOrderOrDisplayName_Equal_OtherGrant_Differs()
    {
        var a = new S3Acl(Owner, null, new[] { User(Owner, "FULL_CONTROL"), Group(S3AclGrant.LogDeliveryUri, "WRITE") });
        var b = new S3Acl(Owner, "name", new[] { Group(S3AclGrant.LogDeliveryUri, "WRITE"), new S3AclGrant { GranteeType = "CanonicalUser", Id = Owner, DisplayName = "x", Permission = "FULL_CONTROL" } });
        var c = new S3Acl(Owner, null, new[] { User(Owner, "FULL_CONTROL"), Group(S3AclGrant.LogDeliveryUri, "READ_ACP") });

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), c.Fingerprint());
    }

    [Fact]
    public void EnsureUnchanged_ChangedDocument_ThrowsStalePlanCode()
    {
        var ex = Assert.Throws<RemediationTools.Core.Jobs.JobFailureException>(() => WholeDocumentGuard.EnsureUnchanged("ACL", "b1", "one", "two"));

        Assert.Equal(WholeDocumentGuard.StalePlanErrorCode, ex.ErrorCode);
        Assert.True(RemediationTools.Core.Engine.RemediationEngine.IsRetryable(WholeDocumentGuard.StalePlanErrorCode));
    }

    [Fact]
    public void Grant_RoundTripsThroughSdk()
    {
        var grant = Group(S3AclGrant.AuthenticatedUsersUri, "FULL_CONTROL");

        var back = S3AclGrant.From(grant.ToSdk());

        Assert.Equal(grant.Uri, back.Uri);
        Assert.Equal("FULL_CONTROL", back.Permission);
        Assert.Equal(grant.Key.Split('|')[1], back.Key.Split('|')[1]);
    }

    [Theory]
    [InlineData(null, "us-east-1")]
    [InlineData("", "us-east-1")]
    [InlineData("EU", "eu-west-1")]
    [InlineData("ap-south-2", "ap-south-2")]
    public void FromLocationConstraint_MapsLegacyValues(string? constraint, string region)
    {
        Assert.Equal(region, S3RegionRedirect.FromLocationConstraint(constraint));
    }

    private static S3AclGrant User(string id, string permission) => new() { GranteeType = "CanonicalUser", Id = id, Permission = permission };

    private static S3AclGrant Group(string uri, string permission) => new() { GranteeType = "Group", Uri = uri, Permission = permission };
}
