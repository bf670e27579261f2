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
    [InlineData("aws", true)]
    [InlineData("AWS:Remediation-Prod", true)]
    [InlineData("local", false)]
    [InlineData("local:/tmp/x", false)]
    public void IsAws_Selection_AwsOnlyForAwsValues(string value, bool expected)
    {
        Assert.Equal(expected, StoreFactory.IsAws(value));
    }

    [Fact]
    public async Task CreateAsync_AwsWithName_AwsStoreOfThatTableAndDescription()
    {
        var settings = new StoreAwsSettings
        {
            Connection = new RemediationTools.Core.Aws.AwsConnectionOptions { AccessKey = "AKIDEXAMPLE", SecretKey = "secret", Region = "eu-west-1", EndpointUrl = "http://127.0.0.1:9" },
        };

        var store = await StoreFactory.CreateAsync("aws:Remediation-Prod", settings, CancellationToken.None);
        using var aws = Assert.IsType<RemediationTools.Core.Stores.Aws.AwsStore>(store);

        Assert.Equal("Remediation-Prod", aws.TableName);
        Assert.Equal("aws:Remediation-Prod", aws.Description);
        Assert.Equal("Remediation-Prod-prod", aws.QueueName("PROD"));
    }

    [Fact]
    public async Task CreateAsync_AwsWithoutName_DefaultInstallation()
    {
        var settings = new StoreAwsSettings
        {
            Connection = new RemediationTools.Core.Aws.AwsConnectionOptions { AccessKey = "AKIDEXAMPLE", SecretKey = "secret", Region = "eu-west-1" },
        };

        using var aws = Assert.IsType<RemediationTools.Core.Stores.Aws.AwsStore>(await StoreFactory.CreateAsync("aws", settings, CancellationToken.None));

        Assert.Equal("RemediationTools", aws.TableName);
    }

    [Fact]
    public void Create_Aws_RefusedWithoutTheConnection()
    {
        var error = Assert.Throws<InvalidOperationException>(() => StoreFactory.Create("aws"));

        Assert.Contains("CreateAsync", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws:bad.name", "is not valid")]
    [InlineData("aws:", "is not valid")]
    [InlineData("s3://bucket", "is not a store")]
    [InlineData("local:", "names no folder")]
    public void IsAws_BadValue_StoreNotAvailableNamingTheValue(string value, string expected)
    {
        var error = Assert.Throws<RemediationStoreException>(() => StoreFactory.IsAws(value));

        Assert.Equal(StoreError.StoreNotAvailable, error.Error);
        Assert.Contains("'" + value + "'", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
