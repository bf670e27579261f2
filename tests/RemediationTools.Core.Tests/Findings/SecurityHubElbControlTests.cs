using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>Security Hub ELB.5 (elb-logging-enabled) findings map to elb-enable-access-logs with the load balancer's ARN.</summary>
public sealed class SecurityHubElbControlTests
{
    internal static string Asff(string resourceType, string resourceId) =>
        "{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/ELB.5/finding/abc\"," +
        "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/ELB.5\"," +
        "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"Application and Classic Load Balancers logging should be enabled\"," +
        "\"Severity\":{\"Label\":\"MEDIUM\"},\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"ELB.5\"}," +
        "\"Resources\":[{\"Type\":\"" + resourceType + "\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\",\"Region\":\"eu-west-1\"}]}";

    [Theory]
    [InlineData("AwsElbv2LoadBalancer", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188")]
    [InlineData("AwsElbLoadBalancer", "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/web")]
    public void Parse_Elb5_MapsToTheAccessLogJobWithTheArn(string type, string arn)
    {
        var finding = FindingParser.Parse(Asff(type, arn));

        Assert.Equal("elb-enable-access-logs", finding.JobId);
        Assert.Equal(arn, finding.ResourceArn);
        Assert.Equal(type, finding.ResourceType);
        Assert.Equal("123456789012", finding.AccountId);
    }
}
