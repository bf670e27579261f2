using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>Security Hub SQS.3 (sqs-queue-no-public-access) and Kinesis.1 (kinesis-stream-encrypted) findings map to their jobs.</summary>
public sealed class SecurityHubSqsKinesisControlTests
{
    private static string Asff(string control, string resourceType, string resourceId) =>
        "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/" + control + "/finding/abc\"," +
        "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/" + control + "\"," +
        "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"" + control + "\"," +
        "\"Severity\":{\"Label\":\"HIGH\"},\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"" + control + "\"}," +
        "\"Resources\":[{\"Type\":\"" + resourceType + "\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\",\"Region\":\"eu-west-1\"}]}";

    [Theory]
    [InlineData("SQS.3", "AwsSqsQueue", "arn:aws:sqs:eu-west-1:123456789012:orders", "aws-sqs-queue-publicly-accessible", "orders")]
    [InlineData("Kinesis.1", "AwsKinesisStream", "arn:aws:kinesis:eu-west-1:123456789012:stream/clicks", "kinesis-encrypt-stream", "clicks")]
    public void Parse_Control_MapsToItsJobWithTheResourceName(string control, string type, string arn, string jobId, string resourceId)
    {
        var finding = FindingParser.Parse(Asff(control, type, arn));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal(resourceId, finding.ResourceId);
        Assert.Equal(arn, finding.ResourceArn);
    }
}
