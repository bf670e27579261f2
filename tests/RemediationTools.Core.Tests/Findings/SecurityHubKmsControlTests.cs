using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>Security Hub KMS.4 (cmk-backing-key-rotation-enabled) and CloudTrail.2 (cloud-trail-encryption-enabled) findings.</summary>
public sealed class SecurityHubKmsControlTests
{
    private static string Asff(string control, string resourceType, string resourceId) =>
        "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/" + control + "/finding/abc\"," +
        "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/" + control + "\"," +
        "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"t\"," +
        "\"Severity\":{\"Label\":\"MEDIUM\"},\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"" + control + "\"}," +
        "\"Resources\":[{\"Type\":\"" + resourceType + "\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\",\"Region\":\"eu-west-1\"}]}";

    [Theory]
    [InlineData("KMS.4", "AwsKmsKey", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "aws-kms-key-rotates")]
    [InlineData("CloudTrail.2", "AwsCloudTrailTrail", "arn:aws:cloudtrail:eu-west-1:123456789012:trail/main", "aws-cloudtrail-logs-encrypted")]
    public void Parse_Control_MapsToItsJobWithTheResourceArn(string control, string type, string arn, string jobId)
    {
        var finding = FindingParser.Parse(Asff(control, type, arn));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal(arn, finding.ResourceArn);
        Assert.Equal("123456789012", finding.AccountId);
        Assert.Equal("eu-west-1", finding.Region);
    }

    [Theory]
    [InlineData("1.2.0/2.8", "KMS.4")]
    [InlineData("1.4.0/3.8", "KMS.4")]
    [InlineData("3.0.0/3.6", "KMS.4")]
    [InlineData("1.2.0/2.7", "CloudTrail.2")]
    [InlineData("1.4.0/3.7", "CloudTrail.2")]
    [InlineData("3.0.0/3.5", "CloudTrail.2")]
    public void CisControls_KeyRotationAndTrailEncryption_AreTheirSecurityHubControls(string cis, string control)
        => Assert.Equal(control, FindingParser.CisControls[cis]);
}
