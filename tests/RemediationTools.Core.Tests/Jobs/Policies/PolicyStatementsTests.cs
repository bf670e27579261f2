using System.Text.Json.Nodes;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Tests.Jobs.Policies;

/// <summary>Reading bucket policy statements: public principals, conditions, CloudTrail's statements, the HTTPS deny.</summary>
public sealed class PolicyStatementsTests
{
    private const string BucketArn = "arn:aws:s3:::example-bucket";

    private static JsonObject Statement(string json) => (JsonObject)JsonNode.Parse(json)!;

    [Theory]
    [InlineData("\"*\"")]
    [InlineData("{\"AWS\":\"*\"}")]
    [InlineData("{\"AWS\":[\"*\"]}")]
    [InlineData("{\"AWS\":[\"arn:aws:iam::111122223333:root\",\"*\"]}")]
    public void HasPublicPrincipal_EveryPublicForm_True(string principal)
    {
        var statement = Statement("{\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}");

        Assert.True(PolicyStatements.HasPublicPrincipal(statement));
        Assert.True(PolicyStatements.IsUnconditionalPublicAllow(statement));
    }

    [Theory]
    [InlineData("{\"AWS\":\"arn:aws:iam::111122223333:root\"}")]
    [InlineData("{\"Service\":\"logging.s3.amazonaws.com\"}")]
    [InlineData("{\"CanonicalUser\":\"*\"}")]
    [InlineData("\"arn:aws:iam::111122223333:root\"")]
    public void HasPublicPrincipal_NamedPrincipal_False(string principal)
    {
        var statement = Statement("{\"Effect\":\"Allow\",\"Principal\":" + principal + ",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}");

        Assert.False(PolicyStatements.HasPublicPrincipal(statement));
        Assert.False(PolicyStatements.IsUnconditionalPublicAllow(statement));
    }

    [Fact]
    public void IsConditionalPublicAllow_PublicWithCondition_TrueAndNotUnconditional()
    {
        var statement = Statement("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}");

        Assert.True(PolicyStatements.IsConditionalPublicAllow(statement));
        Assert.False(PolicyStatements.IsUnconditionalPublicAllow(statement));
    }

    [Fact]
    public void IsUnconditionalPublicAllow_EmptyCondition_True()
    {
        Assert.True(PolicyStatements.IsUnconditionalPublicAllow(Statement("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\",\"Condition\":{}}")));
    }

    [Fact]
    public void IsUnconditionalPublicAllow_Deny_False()
    {
        Assert.False(PolicyStatements.IsUnconditionalPublicAllow(Statement("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}")));
    }

    [Fact]
    public void IsCloudTrailStatement_ServicePrincipal_TrueAndNeverRemoved()
    {
        var statement = Statement("{\"Sid\":\"AWSCloudTrailWrite\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":[\"cloudtrail.amazonaws.com\"],\"AWS\":\"*\"},\"Action\":\"s3:PutObject\",\"Resource\":\"*\"}");

        Assert.True(BucketPolicyStatements.IsCloudTrailStatement(statement));
        Assert.False(BucketPolicyStatements.IsUnconditionalPublicAllow(statement));
    }

    [Fact]
    public void IsHttpsDeny_TheAddedDeny_True()
    {
        Assert.True(BucketPolicyStatements.IsHttpsDeny(BucketPolicyStatements.HttpsDeny("S", BucketArn), BucketArn));
    }

    [Theory]
    [InlineData("\"*\"", "\"*\"", "\"*\"", "{\"Bool\":{\"aws:SecureTransport\":\"false\"}}")]
    [InlineData("{\"AWS\":\"*\"}", "[\"s3:*\"]", "\"arn:aws:s3:::example-bucket*\"", "{\"BoolIfExists\":{\"aws:securetransport\":false}}")]
    [InlineData("{\"AWS\":[\"*\"]}", "\"S3:*\"", "[\"arn:aws:s3:::example-bucket/*\",\"arn:aws:s3:::example-bucket\"]", "{\"Bool\":{\"aws:SecureTransport\":[\"false\"]}}")]
    [InlineData("\"*\"", "\"s3:*\"", "\"arn:aws:s3:::*\"", "{\"Bool\":{\"aws:SecureTransport\":\"FALSE\"}}")]
    public void IsHttpsDeny_EquivalentForms_True(string principal, string action, string resource, string condition)
    {
        var statement = Statement("{\"Effect\":\"Deny\",\"Principal\":" + principal + ",\"Action\":" + action + ",\"Resource\":" + resource + ",\"Condition\":" + condition + "}");

        Assert.True(BucketPolicyStatements.IsHttpsDeny(statement, BucketArn));
    }

    [Theory]
    [InlineData("{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::example-bucket\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"true\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"},\"IpAddress\":{\"aws:SourceIp\":\"203.0.113.0/24\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"NotAction\":\"s3:GetObject\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    [InlineData("{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::other-bucket/*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}")]
    public void IsHttpsDeny_NarrowerOrDifferent_False(string json)
    {
        Assert.False(BucketPolicyStatements.IsHttpsDeny(Statement(json), BucketArn));
    }

    [Theory]
    [InlineData("*", "arn:aws:s3:::b", true)]
    [InlineData("arn:aws:s3:::b*", "arn:aws:s3:::b/*", true)]
    [InlineData("arn:aws:s3:::b/*", "arn:aws:s3:::b", false)]
    [InlineData("arn:aws:s3:::?", "arn:aws:s3:::b", true)]
    [InlineData("arn:aws:s3:::B", "arn:aws:s3:::b", false)]
    [InlineData("arn:*:s3:::b", "arn:aws-cn:s3:::b", true)]
    [InlineData("arn:aws:s3:::b", "arn:aws:s3:::bb", false)]
    public void ArnPattern_Matches(string pattern, string arn, bool expected)
    {
        Assert.Equal(expected, ArnPattern.Matches(pattern, arn));
    }
}
