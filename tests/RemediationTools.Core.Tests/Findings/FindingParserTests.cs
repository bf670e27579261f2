using System.Collections;
using System.Text.Json;
using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Tests.Findings;

public class FindingParserTests
{
    private const string Chain =
        "{\"cloudAccountId\":\"210987654321\",\"entityId\":\"AWS.EC2.210987654321.eu-west-1.SecurityGroup.sg-0chain\"," +
        "\"entityType\":\"SecurityGroup\",\"region\":\"eu-west-1\",\"properties\":[" +
        "{\"name\":\"GroupName\",\"type\":\"string\",\"stringV\":\"db\"},{\"name\":\"IsDefault\",\"type\":\"bool\",\"boolV\":false}]}";

    private static string Peer(
        string? account = "123456789012",
        string? ruleId = "5c8c25f07a550e1fb6560bc6",
        string? objectId = "sg-0123456789abcdef0",
        string? region = "us-east-1",
        string? chain = null,
        string accountKey = "CloudAccountID",
        string ruleKey = "RuleID",
        string notificationKey = "notificationInfo",
        string findingInfoKey = "FindingInfo")
    {
        var findingInfo = new Dictionary<string, object?>
        {
            ["FindingId"] = "f-1",
            ["ObjectId"] = objectId,
            ["ObjectChain"] = chain,
            ["CloudTags"] = new Dictionary<string, string> { ["env"] = "prod" },
            ["RiskScore"] = 40,
            ["Region"] = region,
            ["Service"] = "EC2",
        };
        var notification = new Dictionary<string, object?>
        {
            [accountKey] = account,
            [ruleKey] = ruleId,
            ["RuleName"] = "Postgres port open",
            ["RuleDisplayName"] = "Postgres port 5432 open to the internet",
            ["Level"] = "High",
            ["Service"] = "EC2",
            [findingInfoKey] = findingInfo,
        };
        return JsonSerializer.Serialize(new Dictionary<string, object?> { [notificationKey] = notification, ["autoRemediate"] = true });
    }

    [Fact]
    public void Parse_PeerPayload_ReadsEveryField()
    {
        var finding = FindingParser.Parse(Peer(chain: Chain));

        Assert.Equal("f-1", finding.FindingId);
        Assert.Equal("5c8c25f07a550e1fb6560bc6", finding.RuleId);
        Assert.Equal("Postgres port open", finding.RuleName);
        Assert.Equal("123456789012", finding.AccountId);
        Assert.Equal("us-east-1", finding.Region);
        Assert.Equal("sg-0123456789abcdef0", finding.ResourceId);
        Assert.Equal("EC2", finding.Service);
        Assert.Equal("High", finding.Level);
        Assert.Equal("SecurityGroup", finding.ResourceType);
        Assert.Equal("prod", finding.Tags["env"]);
        Assert.Equal("db", finding.Properties["GroupName"]);
        Assert.Equal("false", finding.Properties["IsDefault"]);
        Assert.True(finding.AutoRemediate);
        Assert.Contains("notificationInfo", finding.RawPayload, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CloudAccountID", "RuleID", "notificationInfo", "FindingInfo")]
    [InlineData("CloudAccountId", "RuleId", "NotificationInfo", "findingInfo")]
    [InlineData("cloudaccountid", "ruleid", "NOTIFICATIONINFO", "FINDINGINFO")]
    public void Parse_KeyCasings_AllAccepted(string accountKey, string ruleKey, string notificationKey, string findingInfoKey)
    {
        var finding = FindingParser.Parse(Peer(accountKey: accountKey, ruleKey: ruleKey, notificationKey: notificationKey, findingInfoKey: findingInfoKey));

        Assert.Equal("123456789012", finding.AccountId);
        Assert.Equal("5c8c25f07a550e1fb6560bc6", finding.RuleId);
        Assert.Equal("sg-0123456789abcdef0", finding.ResourceId);
    }

    [Fact]
    public void Parse_NoAccountRegionOrObjectId_TakesThemFromObjectChainString()
    {
        var finding = FindingParser.Parse(Peer(account: null, region: null, objectId: null, chain: Chain));

        Assert.Equal("210987654321", finding.AccountId);
        Assert.Equal("eu-west-1", finding.Region);
        Assert.Equal("sg-0chain", finding.ResourceId);
    }

    [Fact]
    public void Parse_ChainWithOnlyEntityId_TakesAccountRegionAndNameFromIt()
    {
        const string chain = "{\"entityId\":\"AWS.S3.111122223333.us-west-2.Bucket.my.dotted.bucket\"}";

        var finding = FindingParser.Parse(Peer(account: null, region: null, objectId: null, chain: chain));

        Assert.Equal("111122223333", finding.AccountId);
        Assert.Equal("us-west-2", finding.Region);
        Assert.Equal("my.dotted.bucket", finding.ResourceId);
        Assert.Equal("Bucket", finding.ResourceType);
    }

    [Fact]
    public void Parse_ObjectChainAsObject_Accepted()
    {
        var json = Peer(account: null, chain: "PLACEHOLDER").Replace("\"PLACEHOLDER\"", Chain, StringComparison.Ordinal);

        Assert.Equal("210987654321", FindingParser.Parse(json).AccountId);
    }

    [Theory]
    [InlineData("arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc", "sg-0abc")]
    [InlineData("arn:aws:ec2:us-east-1:123456789012:instance/i-0abc", "i-0abc")]
    [InlineData("arn:aws:s3:::my-bucket", "my-bucket")]
    [InlineData("arn:aws-cn:s3:::cn-bucket", "cn-bucket")]
    [InlineData("arn:aws:rds:us-east-1:123456789012:db:mydb", "mydb")]
    [InlineData("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "1234abcd-12ab-34cd-56ef-1234567890ab")]
    public void Parse_ArnObjectId_ExtractsResourceId(string arn, string expected)
    {
        var finding = FindingParser.Parse(Peer(objectId: arn));

        Assert.Equal(expected, finding.ResourceId);
        Assert.Equal(arn, finding.ResourceArn);
    }

    [Fact]
    public void Parse_ArnAndNoRegionOrAccount_TakesThemFromArn()
    {
        var finding = FindingParser.Parse(Peer(account: null, region: null, objectId: "arn:aws:ec2:ap-south-1:444455556666:security-group/sg-1"));

        Assert.Equal("444455556666", finding.AccountId);
        Assert.Equal("ap-south-1", finding.Region);
    }

    [Fact]
    public void Parse_NoRuleId_NamesRuleId()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(ruleId: null)));

        Assert.Contains("RuleID (notificationInfo.RuleID)", ex.Message, StringComparison.Ordinal);
        Assert.Equal("notificationInfo.RuleID", ex.Field);
    }

    [Fact]
    public void Parse_NoAccountAnywhere_NamesCloudAccountId()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(account: null)));

        Assert.Contains("notificationInfo.CloudAccountID", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoRegionAnywhere_NamesRegion()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(region: null)));

        Assert.Contains("notificationInfo.FindingInfo.Region", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoResourceAnywhere_NamesObjectId()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(objectId: null)));

        Assert.Contains("notificationInfo.FindingInfo.ObjectId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoFindingInfo_NamesFindingInfo()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse("{\"notificationInfo\":{\"RuleID\":\"r\",\"CloudAccountID\":\"123456789012\"}}"));

        Assert.Contains("notificationInfo.FindingInfo", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadAccountId_NamesValueAndField()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(account: "12345")));

        Assert.Contains("'12345'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("12-digit", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadRegion_NamesValue()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(region: "Virginia")));

        Assert.Contains("'Virginia'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ObjectChainNotJson_NamesObjectChain()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(chain: "{not json")));

        Assert.Contains("ObjectChain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotificationInfoNotObject_SaysSo()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse("{\"notificationInfo\":\"x\"}"));

        Assert.Contains("notificationInfo is not an object", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("42")]
    public void Parse_NotAJsonObject_ThrowsFindingFormatException(string json)
    {
        Assert.Throws<FindingFormatException>(() => FindingParser.Parse(json));
    }

    [Fact]
    public void Parse_BadArn_NamesArn()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse(Peer(objectId: "arn:aws:ec2")));

        Assert.Contains("arn:aws:ec2", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NumericAccountId_ReadAsText()
    {
        var json = Peer().Replace("\"123456789012\"", "123456789012", StringComparison.Ordinal);

        Assert.Equal("123456789012", FindingParser.Parse(json).AccountId);
    }

    [Fact]
    public void Parse_PlainForm_ReadsJobResourceAccountRegion()
    {
        var finding = FindingParser.Parse("{\"Job\":\"security_group_close_port_5432\",\"ResourceId\":\"sg-1\",\"AccountId\":\"123456789012\",\"Region\":\"us-east-2\"}");

        Assert.Equal("security_group_close_port_5432", finding.JobId);
        Assert.Null(finding.RuleId);
        Assert.Equal("sg-1", finding.ResourceId);
        Assert.Equal("123456789012", finding.AccountId);
        Assert.Equal("us-east-2", finding.Region);
    }

    [Fact]
    public void Parse_PlainFormWithoutAccount_MeansCallersAccount()
    {
        var finding = FindingParser.Parse("{\"ruleId\":\"5c8c25f07a550e1fb6560bc6\",\"resourceId\":\"sg-1\",\"region\":\"us-east-1\"}");

        Assert.Null(finding.AccountId);
        Assert.Equal("5c8c25f07a550e1fb6560bc6", finding.RuleId);
    }

    [Fact]
    public void Parse_PlainFormWithoutJobOrRule_NamesBoth()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse("{\"ResourceId\":\"sg-1\",\"Region\":\"us-east-1\"}"));

        Assert.Contains("Job", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RuleId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PlainFormWithoutResource_NamesResourceId()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse("{\"Job\":\"x\",\"Region\":\"us-east-1\"}"));

        Assert.Equal("ResourceId", ex.Field);
    }

    [Fact]
    public void Parse_PlainFormWithoutRegion_NamesRegion()
    {
        var ex = Assert.Throws<FindingFormatException>(() => FindingParser.Parse("{\"Job\":\"x\",\"ResourceId\":\"sg-1\"}"));

        Assert.Equal("Region", ex.Field);
    }

    [Fact]
    public void ParseObject_NestedHashtables_SameAsJson()
    {
        var graph = new Hashtable
        {
            ["notificationInfo"] = new Hashtable
            {
                ["CloudAccountId"] = "123456789012",
                ["RuleId"] = "5c8c25f07a550e1fb6560bc6",
                ["FindingInfo"] = new Hashtable { ["ObjectId"] = "sg-1", ["Region"] = "us-east-1", ["ObjectChain"] = Chain },
            },
        };

        var finding = FindingParser.ParseObject(graph);

        Assert.Equal("sg-1", finding.ResourceId);
        Assert.Equal("db", finding.Properties["GroupName"]);
    }

    [Fact]
    public void ParseObject_Null_ThrowsFindingFormatException()
    {
        Assert.Throws<FindingFormatException>(() => FindingParser.ParseObject(null));
    }
}
