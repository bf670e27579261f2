using System.Text.Json;
using RemediationTools.Core.Engine;
using RemediationTools.Core.Findings;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Tests.Engine;

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
    public void Parse_ResourceIdWithoutArnOrRegion_RegionFromFinding()
    {
        var finding = FindingParser.Parse(Asff(control: "EC2.22", resourceId: "sg-0123456789abcdef0", resourceRegion: null));

        Assert.Equal("security-group-not-attached-delete", finding.JobId);
        Assert.Equal("sg-0123456789abcdef0", finding.ResourceId);
        Assert.Equal("eu-west-1", finding.Region);
    }

    [Theory]
    [InlineData("EC2.2", "aws-ec2-default-security-group-traffic")]
    [InlineData("EC2.13", "security-group-close-port-22")]
    [InlineData("EC2.14", "security-group-close-port-3389")]
    [InlineData("EC2.22", "security-group-not-attached-delete")]
    public void Parse_ServedControl_MapsToItsJob(string control, string jobId)
    {
        Assert.Equal(jobId, FindingParser.Parse(Asff(control: control)).JobId);
    }

    [Theory]
    [InlineData("EC2.1", "AWS account")]
    [InlineData("EC2.53", "3389")]
    [InlineData("EC2.54", "::/0")]
    [InlineData("S3.1", "AWS account")]
    [InlineData("S3.12", "ACL grant")]
    [InlineData("RDS.3", "RDS.3")]
    public void Parse_ControlNoJobServes_RefusedWithReason(string control, string expected)
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(control: control)));

        Assert.Contains("'" + control + "'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("S3.2", "s3-remove-public-access")]
    [InlineData("S3.3", "s3-remove-public-access")]
    [InlineData("S3.4", "s3-enable-default-encryption")]
    [InlineData("S3.8", "s3-remove-public-access")]
    public void Parse_S3ControlOnBucketArn_MapsToJobAndBucketName(string control, string jobId)
    {
        var finding = FindingParser.Parse(Asff(control: control, resourceId: "arn:aws:s3:::finance-reports", resourceRegion: "eu-central-1"));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal("finance-reports", finding.ResourceId);
        Assert.Equal("arn:aws:s3:::finance-reports", finding.ResourceArn);
        Assert.Equal("eu-central-1", finding.Region);
    }

    [Fact]
    public void SecurityHubControls_EveryJobIsInTheCatalog()
    {
        Assert.All(FindingParser.SecurityHubControls, control => Assert.NotNull(JobCatalog.Default.FindById(control.Value)));
    }

    [Theory]
    [InlineData("\"ProductFields\":{\"StandardsGuideArn\":\"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0\",\"RuleId\":\"4.1\"}", "security-group-close-port-22", "EC2.13")]
    [InlineData("\"ProductFields\":{\"StandardsGuideArn\":\"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0\",\"RuleId\":\"4.3\"}", "aws-ec2-default-security-group-traffic", "EC2.2")]
    [InlineData("\"ProductFields\":{\"StandardsArn\":\"arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/1.4.0\",\"ControlId\":\"5.3\"}", "aws-ec2-default-security-group-traffic", "EC2.2")]
    [InlineData("\"ProductFields\":{\"StandardsArn\":\"arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/3.0.0\",\"ControlId\":\"5.4\"}", "aws-ec2-default-security-group-traffic", "EC2.2")]
    [InlineData("\"ProductFields\":{\"StandardsArn\":\"arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/3.0.0\",\"ControlId\":\"5.1\"}", "aws-ec2-administration-ports-ingress-allowed", "EC2.21")]
    public void Parse_LegacyCisControlWithVersion_MapsToSecurityControl(string controlField, string jobId, string control)
    {
        var finding = FindingParser.Parse(Asff(control: "ignored", controlField: controlField).Replace("security-control/ignored", "arn:aws:securityhub:::ruleset/cis", StringComparison.Ordinal));

        Assert.Equal(jobId, finding.JobId);
        Assert.Equal(control, finding.RuleId);
    }

    [Fact]
    public void Parse_CisV3Control53_IsEc254AndRefused()
    {
        // 5.3 is the default security group (EC2.2) in v1.4.0 but ::/0 to administration ports (EC2.54) in v3.0.0.
        var field = "\"ProductFields\":{\"StandardsArn\":\"arn:aws:securityhub:::standards/cis-aws-foundations-benchmark/v/3.0.0\",\"ControlId\":\"5.3\"}";

        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(control: "x", controlField: field).Replace("security-control/x", "cis", StringComparison.Ordinal)));

        Assert.Contains("'EC2.54'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownCisControl_ErrorNamesIdAndVersion()
    {
        var field = "\"ProductFields\":{\"StandardsGuideArn\":\"arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0\",\"RuleId\":\"1.1\"}";

        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(control: "x", controlField: field).Replace("security-control/x", "cis", StringComparison.Ordinal)));

        Assert.Contains("v1.2.0 control '1.1'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ResourceOfAnotherAccount_RefusedAsAccountMismatchNamingBoth()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(resourceId: "arn:aws:ec2:eu-west-1:333333333333:security-group/sg-0123456789abcdef0")));

        Assert.Equal("AccountMismatch", ex.ErrorCode);
        Assert.Contains("333333333333", ex.Message, StringComparison.Ordinal);
        Assert.Contains("123456789012", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FailureTranslator_AccountMismatch_ResultCarriesTheCode()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Asff(resourceId: "arn:aws:ec2:eu-west-1:333333333333:security-group/sg-0123456789abcdef0")));
        var result = new RemediationResult();

        FailureTranslator.Fill(result, ex, null);

        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal("AccountMismatch", result.ErrorCode);
    }

    [Fact]
    public async Task Run_PassedFinding_AlreadyCompliantWithoutAnyAwsCall()
    {
        var finding = FindingParser.Parse(Asff(controlField: "\"Compliance\":{\"Status\":\"PASSED\",\"SecurityControlId\":\"EC2.13\"}"));
        var ec2 = new FakeEc2();
        var factory = new FakeClientFactory(ec2.Client);
        var engine = new RemediationEngine(factory);

        var single = await engine.RunAsync(finding, new RemediationOptions());
        var batch = await engine.RunAsync(new[] { finding, finding }, new RemediationOptions());

        Assert.Equal("PASSED", finding.ComplianceStatus);
        Assert.Equal(RemediationStatus.AlreadyCompliant, single.Status);
        Assert.All(batch, r => Assert.Equal(RemediationStatus.AlreadyCompliant, r.Status));
        Assert.Empty(ec2.Calls);
        Assert.Empty(factory.RolesRequested);
    }

    [Fact]
    public void Parse_FailedFinding_NotReportedCompliant()
    {
        var finding = FindingParser.Parse(Asff());

        Assert.Equal("FAILED", finding.ComplianceStatus);
        Assert.False(finding.ReportedCompliant);
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
        // The table names jobs by their catalog IDs (kebab-case), the form JobCatalog.FindById normalizes to.
        Assert.All(FindingParser.SecurityHubControls.Values, jobId => Assert.Matches("^[a-z0-9]+(-[a-z0-9]+)+$", jobId));
    }
}
