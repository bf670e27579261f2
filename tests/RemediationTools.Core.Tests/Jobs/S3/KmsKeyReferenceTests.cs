using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

public sealed class KmsKeyReferenceTests
{
    [Theory]
    [InlineData("1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("mrk-1234abcd12ab34cd56ef1234567890ab")]
    [InlineData("alias/my-key")]
    [InlineData("alias/aws/s3")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab")]
    [InlineData("arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab")]
    [InlineData("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/my-key")]
    public void IsValid_KeyShapes_True(string value)
    {
        Assert.True(KmsKeyReference.IsValid(value));
    }

    [Theory]
    [InlineData("my-key")]
    [InlineData("1234abcd")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/not-a-key")]
    [InlineData("arn:aws:s3:::bucket")]
    [InlineData("alias/")]
    [InlineData("arn:aws:kms:us-east-1:1111:alias/my-key")]
    public void IsValid_OtherShapes_False(string value)
    {
        Assert.False(KmsKeyReference.IsValid(value));
    }

    [Fact]
    public void KmsKeyId_BadShape_ThrowsNamingTheValue()
    {
        var ex = Assert.Throws<ArgumentException>(() => new RemediationOptions { KmsKeyId = "not/a key" });

        Assert.Contains("'not/a key'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(-KmsKeyId)", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", ex.Message, StringComparison.Ordinal);
    }
}
