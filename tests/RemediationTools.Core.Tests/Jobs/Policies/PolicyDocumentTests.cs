using System.Text.Json.Nodes;
using RemediationTools.Core.Jobs;
using RemediationTools.Core.Jobs.S3;
using RemediationTools.Core.Jobs.Policies;

namespace RemediationTools.Core.Tests.Jobs.Policies;

/// <summary>The bucket policy document: parsing, removing and adding statements without losing anything.</summary>
public sealed class BucketPolicyDocumentTests
{
    private const string Bucket = "example-bucket";
    private const string BucketArn = "arn:aws:s3:::example-bucket";

    [Fact]
    public void Parse_SingleObjectStatement_IsOneStatement()
    {
        var document = PolicyDocument.Parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::example-bucket/*\"}}", Bucket);

        var statement = Assert.Single(document.Statements);
        Assert.True(PolicyStatements.IsUnconditionalPublicAllow(statement));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Parse_NoText_IsNoPolicy(string? text)
    {
        var document = PolicyDocument.Parse(text, Bucket);

        Assert.False(document.Exists);
        Assert.Empty(document.Statements);
        Assert.Null(document.ToJson());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("{\"Statement\":\"x\"}")]
    public void Parse_Malformed_FailsNamingTheBucket(string text)
    {
        var ex = Assert.Throws<JobFailureException>(() => PolicyDocument.Parse(text, Bucket));

        Assert.Equal(PolicyDocument.MalformedPolicyErrorCode, ex.ErrorCode);
        Assert.Contains(Bucket, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_OneOfThree_KeepsVersionIdUnknownMembersAndOrder()
    {
        const string Text = "{\"Id\":\"p1\",\"Version\":\"2012-10-17\",\"x-custom\":{\"a\":1},\"Statement\":[" +
            "{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}," +
            "{\"Sid\":\"B\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}," +
            "{\"Sid\":\"C\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\",\"Extra\":[1,2]}],\"Trailer\":true}";
        var document = PolicyDocument.Parse(Text, Bucket);

        var edited = document.Without(new[] { document.Statements[1] });

        Assert.Equal(
            "{\"Id\":\"p1\",\"Version\":\"2012-10-17\",\"x-custom\":{\"a\":1},\"Statement\":[" +
            "{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:*\",\"Resource\":\"*\"}," +
            "{\"Sid\":\"C\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\",\"Resource\":\"*\",\"Extra\":[1,2]}],\"Trailer\":true}",
            edited.ToJson());
        Assert.Equal(3, document.Statements.Count);
    }

    [Fact]
    public void Without_TheOnlySingleObjectStatement_LeavesNoStatements()
    {
        var document = PolicyDocument.Parse("{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", Bucket);

        var edited = document.Without(document.Statements);

        Assert.Empty(edited.Statements);
    }

    [Fact]
    public void Without_OneOfTwoInSingleObjectDocument_KeepsTheOther()
    {
        var document = PolicyDocument.Parse("{\"Statement\":[{\"Sid\":\"A\",\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Sid\":\"B\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}]}", Bucket);

        var edited = document.Without(new[] { document.Statements[0] });

        Assert.Equal("B", PolicyStatements.Sid(Assert.Single(edited.Statements)));
    }

    [Fact]
    public void With_NoPolicy_MakesPolicyOfJustTheStatement()
    {
        var deny = BucketPolicyStatements.HttpsDeny("AllowSSLRequestsOnly", BucketArn);

        var document = PolicyDocument.None.With(deny);

        Assert.Equal(
            "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"AllowSSLRequestsOnly\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\"," +
            "\"Resource\":[\"arn:aws:s3:::example-bucket\",\"arn:aws:s3:::example-bucket/*\"],\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}",
            document.ToJson());
    }

    [Fact]
    public void With_SingleObjectStatement_BecomesArrayOfBothKeepingIdAndVersion()
    {
        var document = PolicyDocument.Parse("{\"Version\":\"2008-10-17\",\"Id\":\"keep\",\"Statement\":{\"Sid\":\"Old\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::111122223333:root\"},\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}}", Bucket);

        var edited = document.With(BucketPolicyStatements.HttpsDeny("New", BucketArn));

        Assert.Equal(new[] { "Old", "New" }, edited.Statements.Select(PolicyStatements.Sid));
        Assert.StartsWith("{\"Version\":\"2008-10-17\",\"Id\":\"keep\",\"Statement\":[", edited.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnusedSid_Taken_AppendsNumber()
    {
        var document = PolicyDocument.Parse("{\"Statement\":[{\"Sid\":\"AllowSSLRequestsOnly\"},{\"Sid\":\"AllowSSLRequestsOnly2\"}]}", Bucket);

        Assert.Equal("AllowSSLRequestsOnly3", document.UnusedSid("AllowSSLRequestsOnly"));
        Assert.Equal("Other", document.UnusedSid("Other"));
    }

    [Fact]
    public void SameAs_MemberOrderDiffers_True_ValueDiffers_False()
    {
        var a = PolicyDocument.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\"}]}", Bucket);
        var b = PolicyDocument.Parse("{\"Statement\":[{\"Action\":\"s3:GetObject\",\"Effect\":\"Allow\"}],\"Version\":\"2012-10-17\"}", Bucket);
        var c = PolicyDocument.Parse("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:PutObject\"}]}", Bucket);

        Assert.True(a.SameAs(b));
        Assert.False(a.SameAs(c));
        Assert.False(a.SameAs(PolicyDocument.None));
        Assert.True(PolicyDocument.None.SameAs(PolicyDocument.Parse(null, Bucket)));
    }

    [Fact]
    public void Show_Statements_IsJsonArray()
    {
        var statement = new JsonObject { ["Sid"] = "S" };

        Assert.Equal("[{\"Sid\":\"S\"}]", PolicyDocument.Show(new[] { statement }));
        Assert.Equal("{\"Sid\":\"S\"}", PolicyDocument.Show(statement));
    }
}
