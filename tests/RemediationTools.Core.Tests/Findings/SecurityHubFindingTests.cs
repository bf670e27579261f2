using System.Text.Json;
using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

/// <summary>AWS Security Hub findings (ASFF) of controls that a job serves.</summary>
public sealed class SecurityHubFindingTests
{
    private static string Asff(
        string control = "EC2.13",
        string resourceId = "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0",
        string? resourceRegion = "eu-west-1",
        string controlField = "\"Compliance\":{\"Status\":\"FAILED\",\"SecurityControlId\":\"{control}\"}") =>
        ("{\"SchemaVersion\":\"2018-10-08\",\"Id\":\"arn:aws:securityhub:eu-west-1:123456789012:security-control/{control}/finding/abc\"," +
         "\"ProductArn\":\"arn:aws:securityhub:eu-west-1::product/aws/securityhub\",\"GeneratorId\":\"security-control/{control}\"," +
         "\"AwsAccountId\":\"123456789012\",\"Region\":\"eu-west-1\",\"Title\":\"Security groups should not allow ingress from 0.0.0.0/0 to port 22\"," +
         "\"Severity\":{\"Label\":\"HIGH\"}," + controlField + "," +
         "\"Resources\":[{\"Type\":\"AwsEc2SecurityGroup\",\"Id\":\"" + resourceId + "\",\"Partition\":\"aws\"" +
         (resourceRegion is null ? string.Empty : ",\"Region\":\"" + resourceRegion + "\"") +
         ",\"Tags\":{\"remediation:skip\":\"false\"}}]}").Replace("{control}", control, StringComparison.Ordinal);

    [Fact]
    public void Parse_ControlFinding_JobFromControlAndResourceFromArn()
    {
        var finding = FindingParser.Parse(Asff());

        Assert.Equal("security-group-close-port-22", finding.JobId);
        Assert.Equal("EC2.13", finding.RuleId);
        Assert.Equal("123456789012", finding.AccountId);
        Assert.Equal("eu-west-1", finding.Region);
        Assert.Equal("sg-0123456789abcdef0", finding.ResourceId);
        Assert.Equal("AwsEc2SecurityGroup", finding.ResourceType);
        Assert.Equal("HIGH", finding.Level);
        Assert.Equal("false", finding.Tags["remediation:skip"]);
        Assert.StartsWith("arn:aws:securityhub:", finding.FindingId, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"ProductFields\":{\"ControlId\":\"EC2.2\"}")]
    [InlineData("\"Types\":[]")]
    public void Parse_ControlFromProductFieldsOrGeneratorId_Accepted(string controlField)
    {
        var finding = FindingParser.Parse(Asff(control: "EC2.2", controlField: controlField));

        Assert.Equal("aws-ec2-default-security-group-traffic", finding.JobId);
    }

    [Fact]
    public void Parse_S3ArnWithoutRegion_RegionFromFinding()
    {
        var finding = FindingParser.Parse(Asff(control: "S3.8", resourceId: "arn:aws:s3:::my-bucket", resourceRegion: null));

        Assert.Equal("s3-remove-public-access", finding.JobId);
        Assert.Equal("my-bucket", finding.ResourceId);
        Assert.Equal("eu-west-1", finding.Region);
    }

    [Fact]
    public void Parse_ControlWithoutJob_ErrorNamesControl()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(control: "Config.1")));

        Assert.Contains("'Config.1'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("EC2.13", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoResources_ErrorNamesResources()
    {
        var json = Asff().Replace("\"Resources\":[{", "\"Other\":[{", StringComparison.Ordinal);

        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(json));

        Assert.Contains("Resources", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadAccountId_ErrorNamesField()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff().Replace("\"AwsAccountId\":\"123456789012\"", "\"AwsAccountId\":\"12345\"", StringComparison.Ordinal)));

        Assert.Contains("AwsAccountId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SecurityHubEnvelope_EventBridgeEventAndFindingsBody_ReturnsEachFinding()
    {
        using var eventDocument = JsonDocument.Parse("{\"detail-type\":\"Security Hub Findings - Imported\",\"detail\":{\"findings\":[" + Asff() + "," + Asff("EC2.14") + "]}}");
        using var bodyDocument = JsonDocument.Parse("{\"Findings\":[" + Asff() + "]}");
        using var single = JsonDocument.Parse(Asff());

        Assert.Equal(2, FindingParser.SecurityHubEnvelope(eventDocument.RootElement)!.Count);
        Assert.Single(FindingParser.SecurityHubEnvelope(bodyDocument.RootElement)!);
        Assert.Null(FindingParser.SecurityHubEnvelope(single.RootElement));
    }

    [Fact]
    public void SecurityHubControls_JobIdsAreKebabCaseCatalogIds()
    {
        // The table names jobs by their JOBS.md IDs (kebab-case), the form JobCatalog.FindById normalizes to.
        Assert.All(FindingParser.SecurityHubControls.Values, jobId => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)+$", jobId));
    }
}
