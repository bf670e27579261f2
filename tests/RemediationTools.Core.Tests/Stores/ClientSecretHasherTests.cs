using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

public sealed class ClientSecretHasherTests
{
    [Fact]
    public void Hash_Verify_RightSecretOnlySaltedSlow()
    {
        var secret = ClientSecretHasher.NewClientSecret();

        var hash = ClientSecretHasher.Hash(secret);
        var again = ClientSecretHasher.Hash(secret);

        Assert.True(ClientSecretHasher.Verify(secret, hash));
        Assert.False(ClientSecretHasher.Verify(secret + "x", hash));
        Assert.False(ClientSecretHasher.Verify(secret.Substring(1), hash));
        Assert.NotEqual(hash, again);
        Assert.StartsWith("pbkdf2-sha256$600000$", hash, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pbkdf2-sha256$1000$AAAA$AAAA")]
    [InlineData("sha1$600000$AAAA$AAAA")]
    [InlineData("pbkdf2-sha256$600000$not base64!$AAAA")]
    public void Verify_MalformedOrWeakHash_NeverMatches(string? hash)
    {
        Assert.False(ClientSecretHasher.Verify("secret", hash));
    }

    [Fact]
    public void Hash_TooFewIterations_Refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ClientSecretHasher.Hash("secret", 99_999));
    }

    [Fact]
    public void NewClientSecretAndId_RandomAndWellFormed()
    {
        var secrets = Enumerable.Range(0, 20).Select(_ => ClientSecretHasher.NewClientSecret()).ToList();
        var id = ClientSecretHasher.NewClientId();

        Assert.All(secrets, s => Assert.Matches("^[A-Za-z0-9_-]{43}$", s));
        Assert.Equal(20, secrets.Distinct(StringComparer.Ordinal).Count());
        Assert.Matches("^[0-9a-f]{32}$", id);
    }

    [Fact]
    public void FixedTimeEquals_ComparesWholeValue()
    {
        Assert.True(ClientSecretHasher.FixedTimeEquals("abc", "abc"));
        Assert.False(ClientSecretHasher.FixedTimeEquals("abc", "abd"));
        Assert.False(ClientSecretHasher.FixedTimeEquals("abc", "abcd"));
        Assert.False(ClientSecretHasher.FixedTimeEquals(null, "abc"));
    }
}
