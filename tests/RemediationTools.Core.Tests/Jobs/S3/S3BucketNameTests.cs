using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

public sealed class S3BucketNameTests
{
    [Theory]
    [InlineData("my-bucket", "my-bucket")]
    [InlineData("logs.example.com", "logs.example.com")]
    [InlineData("arn:aws:s3:::my-bucket", "my-bucket")]
    [InlineData("arn:aws-cn:s3:::cn-bucket", "cn-bucket")]
    [InlineData("arn:aws-us-gov:s3:::gov-bucket", "gov-bucket")]
    [InlineData("Legacy_Bucket", "Legacy_Bucket")]
    public void Parse_NameOrBucketArn_ReturnsTheName(string objectId, string expected)
    {
        Assert.Equal(expected, S3BucketName.Parse(objectId));
    }

    [Theory]
    [InlineData("arn:aws:s3:::my-bucket/key.txt", "names an object")]
    [InlineData("arn:aws:s3:us-east-1:123456789012:my-bucket", "no region and no account")]
    [InlineData("arn:aws-iso:s3:::my-bucket", "is not an S3 bucket ARN")]
    [InlineData("arn:aws:ec2:us-east-1:123456789012:instance/i-1", "is not an S3 bucket ARN")]
    [InlineData("ab", "is not an S3 bucket name")]
    [InlineData("-bucket", "is not an S3 bucket name")]
    [InlineData("my..bucket", "is not an S3 bucket name")]
    [InlineData("192.168.1.1", "is not an S3 bucket name")]
    [InlineData("bucket name", "is not an S3 bucket name")]
    [InlineData("", "is not an S3 bucket name")]
    public void Parse_BadValue_ThrowsNamingIt(string objectId, string why)
    {
        var ex = Assert.Throws<FindingFormatException>(() => S3BucketName.Parse(objectId));

        Assert.Contains("'" + objectId + "'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        Assert.Equal("ObjectId", ex.Field);
    }

    [Fact]
    public void Of_FindingWithObjectArn_RefusesTheArnNotTheKey()
    {
        var finding = new Finding { ResourceId = "key.txt", ResourceArn = "arn:aws:s3:::my-bucket/key.txt", Region = "us-east-1" };

        var ex = Assert.Throws<FindingFormatException>(() => S3BucketName.Of(finding));

        Assert.Contains("arn:aws:s3:::my-bucket/key.txt", ex.Message, StringComparison.Ordinal);
    }
}
