using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs.S3;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>Security Hub control findings on S3 buckets served by the logging, HTTPS and CloudTrail bucket jobs.</summary>
public sealed class SecurityHubBucketControlTests
{
    private static string Asff(string control, string controlField = "\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"{control}\"}") =>
        ("{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/{control}/finding/abc\"," +
         "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/{control}\"," +
         "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"bucket control\"," +
         "\"Severity\":{\"Label\":\"MEDIUM\"}," + controlField + "," +
         "\"Resources\":[{\"Type\":\"AwsS3Bucket\",\"Id\":\"arn:aws:s3:::trail-logs-bucket\",\"Partition\":\"aws\",\"Region\":\"eu-west-1\"}]}")
        .Replace("{control}", control, StringComparison.Ordinal);

    [Theory]
    [InlineData("S3.5", "aws-s3-bucket-policy-allow-https")]
    [InlineData("S3.9", "s3-enable-access-logging")]
    [InlineData("CloudTrail.6", "aws-s3-cloudtrail-public-access")]
    public void Parse_BucketControl_MapsToItsJobWithTheBucket(string control, string jobId)
    {
        var finding = FindingParser.Parse(Asff(control));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal("trail-logs-bucket", S3BucketName.Of(finding));
        Assert.Equal("AwsS3Bucket", finding.ResourceType);
        Assert.Equal("eu-west-1", finding.Region);
    }

    [Theory]
    [InlineData("1.2.0", "RuleId", "2.3", "aws-s3-cloudtrail-public-access")]
    [InlineData("1.4.0", "ControlId", "3.3", "aws-s3-cloudtrail-public-access")]
    [InlineData("1.4.0", "ControlId", "2.1.2", "aws-s3-bucket-policy-allow-https")]
    public void Parse_CisControl_MapsToBucketJob(string version, string idField, string cisId, string jobId)
    {
        var field = "\"ProductFields\":{\"StandardsGuideArn\":\"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/" + version + "\",\"" + idField + "\":\"" + cisId + "\"}";

        var finding = FindingParser.Parse(Asff("ignored", field).Replace("security-control/ignored", "arn:aws:securityhub:::ruleset/cis", StringComparison.Ordinal));

        Assert.Equal(jobId, finding.JobId);
    }
}
