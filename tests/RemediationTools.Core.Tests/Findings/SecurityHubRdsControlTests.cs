using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>Security Hub RDS.1, RDS.2, RDS.11 and RDS.13 findings map to the RDS jobs; RDS.4 and RDS.50 are refused with the reason.</summary>
public sealed class SecurityHubRdsControlTests
{
    private static string Asff(string control, string resourceType, string resourceId) =>
        "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/" + control + "/finding/abc\"," +
        "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/" + control + "\"," +
        "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"" + control + "\"," +
        "\"Severity\":{\"Label\":\"HIGH\"},\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"" + control + "\"}," +
        "\"Resources\":[{\"Type\":\"" + resourceType + "\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\",\"Region\":\"eu-west-1\"}]}";

    [Theory]
    [InlineData("RDS.1", "AwsRdsDbSnapshot", "arn:aws:rds:eu-west-1:123456789012:snapshot:nightly", "aws-rds-snapshot-remove-publicaccess", "nightly")]
    [InlineData("RDS.1", "AwsRdsDbClusterSnapshot", "arn:aws:rds:eu-west-1:123456789012:cluster-snapshot:aurora-snap", "aws-rds-snapshot-remove-publicaccess", "aurora-snap")]
    [InlineData("RDS.2", "AwsRdsDbInstance", "arn:aws:rds:eu-west-1:123456789012:db:orders", "rds-remove-public-endpoint", "orders")]
    [InlineData("RDS.11", "AwsRdsDbInstance", "arn:aws:rds:eu-west-1:123456789012:db:orders", "rds-backup-retention-30-days", "orders")]
    [InlineData("RDS.13", "AwsRdsDbInstance", "arn:aws:rds:eu-west-1:123456789012:db:orders", "rds-enable-version-update", "orders")]
    public void Parse_Control_MapsToItsJobWithTheResourceAndItsArn(string control, string type, string arn, string jobId, string resourceId)
    {
        var finding = FindingParser.Parse(Asff(control, type, arn));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal(resourceId, finding.ResourceId);
        Assert.Equal(arn, finding.ResourceArn);
        Assert.Equal(type, finding.ResourceType);
    }

    [Theory]
    [InlineData("RDS.4", "AwsRdsDbSnapshot", "arn:aws:rds:eu-west-1:123456789012:snapshot:nightly", "encrypted")]
    [InlineData("RDS.50", "AwsRdsDbCluster", "arn:aws:rds:eu-west-1:123456789012:cluster:aurora", "DB cluster")]
    public void Parse_ControlOfAnotherRule_RefusedWithTheReason(string control, string type, string arn, string reason)
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(control, type, arn)));

        Assert.Contains("'" + control + "'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }
}
