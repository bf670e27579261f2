using RemediationTools.Core.Engine;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Jobs.S3;

/// <summary>The logging bucket scheme's pure parts: the name, the prefix rules and the S3 log delivery statement.</summary>
public sealed class LoggingTargetBucketTests
{
    [Fact]
    public void NameFor_DefaultPrefix_IsPrefixAccountRegion()
    {
        Assert.Equal("vss-logging-target-123456789012-eu-west-1", LoggingTargetBucket.NameFor(LoggingTargetBucket.DefaultPrefix, "123456789012", "eu-west-1"));
    }

    [Fact]
    public void NameFor_TooLong_FailsNamingTheName()
    {
        var prefix = new string('a', 40);

        var ex = Assert.Throws<JobFailureException>(() => LoggingTargetBucket.NameFor(prefix, "123456789012", "ap-southeast-2"));

        Assert.Equal(LoggingTargetBucket.InvalidPrefixErrorCode, ex.ErrorCode);
        Assert.Contains(prefix + "-123456789012-ap-southeast-2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Logs")]
    [InlineData("-logs")]
    [InlineData("logs_bucket")]
    [InlineData("logs..target")]
    [InlineData("xn--logs")]
    [InlineData("a23456789012345678901234567890123456")]
    public void ValidatePrefix_Bad_ThrowsNamingIt(string prefix)
    {
        var ex = Assert.Throws<ArgumentException>(() => new RemediationOptions { LoggingBucketPrefix = prefix });

        Assert.Contains("'" + prefix + "'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("vss-logging-target")]
    [InlineData("a")]
    [InlineData("org.logs-2")]
    public void ValidatePrefix_Good_Kept(string prefix)
    {
        Assert.Equal(prefix, new RemediationOptions { LoggingBucketPrefix = prefix }.LoggingBucketPrefix);
    }

    [Fact]
    public void RemediationOptions_Default_IsReplacedSystemsPrefix()
    {
        Assert.Equal("vss-logging-target", new RemediationOptions().LoggingBucketPrefix);
    }

    [Fact]
    public void S3ServerAccessLogsStatement_IsTheUserGuidesStatementForTheAccountUnderThePrefix()
    {
        var statement = LoggingTargetBucket.S3ServerAccessLogsStatement("vss-logging-target-123456789012-cn-north-1", "123456789012", "cn-north-1");

        Assert.Equal(
            "{\"Sid\":\"S3ServerAccessLogsPolicy\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"logging.s3.amazonaws.com\"},\"Action\":[\"s3:PutObject\"]," +
            "\"Resource\":\"arn:aws-cn:s3:::vss-logging-target-123456789012-cn-north-1/s3bucket/*\",\"Condition\":{\"StringEquals\":{\"aws:SourceAccount\":\"123456789012\"}}}",
            statement.ToJsonString());
    }

    [Fact]
    public void SameStatement_SidAndMemberOrderAside_True_OtherAccount_False()
    {
        var ours = LoggingTargetBucket.S3ServerAccessLogsStatement("t", "123456789012", "us-east-1");
        var renamed = (System.Text.Json.Nodes.JsonObject)ours.DeepClone();
        renamed["Sid"] = "Other";
        var other = LoggingTargetBucket.S3ServerAccessLogsStatement("t", "210987654321", "us-east-1");

        Assert.True(LoggingTargetBucket.SameStatement(ours, renamed));
        Assert.False(LoggingTargetBucket.SameStatement(ours, other));
    }

    [Fact]
    public void TargetPrefixFor_Source_IsS3BucketSlashSourceSlash()
    {
        Assert.Equal("s3bucket/my-source/", S3EnableAccessLoggingJob.TargetPrefixFor("my-source"));
    }
}
