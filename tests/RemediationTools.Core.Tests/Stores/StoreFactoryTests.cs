using RemediationTools.Core.Stores;

namespace RemediationTools.Core.Tests.Stores;

public sealed class StoreFactoryTests
{
    [Fact]
    public void Create_LocalWithFolder_LocalStoreThere()
    {
        var folder = Path.Combine(Path.GetTempPath(), "rt-factory");

        var store = Assert.IsType<LocalFolderStore>(StoreFactory.Create("local:" + folder));

        Assert.Equal(Path.GetFullPath(folder), store.Root);
        Assert.Equal("local:" + Path.GetFullPath(folder), store.Description);
    }

    [Theory]
    [InlineData("aws", "not available yet")]
    [InlineData("aws:eu-west-1", "not available yet")]
    [InlineData("s3://bucket", "is not a store")]
    [InlineData("local:", "names no folder")]
    public void Create_UnavailableOrBadValue_StoreNotAvailableNamingTheValue(string value, string expected)
    {
        var error = Assert.Throws<RemediationStoreException>(() => StoreFactory.Create(value));

        Assert.Equal(StoreError.StoreNotAvailable, error.Error);
        Assert.Contains("'" + value + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
