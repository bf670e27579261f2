using System.Text.Json;
using RemediationTools.Core.Roles;

namespace RemediationTools.Core.Tests.Roles;

public sealed class IamPolicyBuilderTests
{
    private static RemediationJobInfo Job(string id, params string[] actions) => new() { Id = id, IamActions = actions };

    [Fact]
    public void Describe_OverlappingJobs_UnionIsDeduplicatedSortedAndGroupedByService()
    {
        var policy = JobPolicyFactory.Describe(new[]
        {
            Job("a", "ec2:RevokeSecurityGroupIngress", "ec2:DescribeSecurityGroups"),
            Job("b", "EC2:DescribeSecurityGroups", "s3:GetBucketPolicy", "ec2:AuthorizeSecurityGroupIngress"),
        });

        Assert.Equal(new[] { "ec2:AuthorizeSecurityGroupIngress", "ec2:DescribeSecurityGroups", "ec2:RevokeSecurityGroupIngress", "s3:GetBucketPolicy" }, policy.Actions);
        Assert.Equal(new[] { "Ec2", "S3" }, policy.Statements.Select(s => s.Sid));
        Assert.Single(policy.Documents);
        using var document = JsonDocument.Parse(policy.Documents[0]);
        Assert.Equal("2012-10-17", document.RootElement.GetProperty("Version").GetString());
        var ec2 = document.RootElement.GetProperty("Statement")[0];
        Assert.Equal("Allow", ec2.GetProperty("Effect").GetString());
        Assert.Equal("*", ec2.GetProperty("Resource").GetString());
        Assert.Equal(3, ec2.GetProperty("Action").GetArrayLength());
        Assert.Equal(PolicyText.CountedLength(policy.Documents[0]), policy.CharacterCount);
    }

    [Fact]
    public void Build_PolicyLargerThanLimit_SplitsIntoDocumentsThatEachFitAndKeepEveryAction()
    {
        var actions = Enumerable.Range(0, 400).Select(i => $"ec2:DescribeSomethingRatherLong{i:D4}").ToList();
        actions.AddRange(Enumerable.Range(0, 50).Select(i => $"s3:GetSomething{i:D3}"));
        var documents = new IamPolicyBuilder().AddServiceStatements(actions).Build(4_000);

        Assert.True(documents.Count > 1);
        Assert.All(documents, d => Assert.True(d.CountedLength <= 4_000, $"{d.CountedLength} > 4000"));
        var granted = documents.SelectMany(d => PolicyText.AllowedActions(d.Json)).ToList();
        Assert.Equal(actions.OrderBy(a => a, StringComparer.Ordinal), granted.OrderBy(a => a, StringComparer.Ordinal));
        var sids = documents.SelectMany(d => d.Statements).Select(s => s.Sid).ToList();
        Assert.Equal(sids.Count, sids.Distinct(StringComparer.Ordinal).Count());
        Assert.All(sids, sid => Assert.True(sid.All(char.IsLetterOrDigit), sid));
        Assert.Contains("Ec21", sids);
    }

    [Fact]
    public void Add_ExtraStatementForLater_IsRenderedBesideTheOthers()
    {
        var documents = new IamPolicyBuilder()
            .Add(new PolicyStatementSpec("AssumeAccountRoles", new[] { "sts:AssumeRole" }, new[] { "arn:aws:iam::222222222222:role/RemediationTools" }))
            .Add(new PolicyStatementSpec("WorkerQueue", new[] { "sqs:ReceiveMessage", "sqs:DeleteMessage" }, new[] { "arn:aws:sqs:us-east-1:111111111111:prod" }))
            .Build();

        var single = Assert.Single(documents);
        Assert.Equal(new[] { "AssumeAccountRoles", "WorkerQueue" }, single.Statements.Select(s => s.Sid));
        Assert.Equal(new[] { "arn:aws:iam::222222222222:role/RemediationTools" }, PolicyText.ResourcesOfStatement(single.Json, "AssumeAccountRoles"));
    }

    [Fact]
    public void Add_DuplicateSid_Throws()
    {
        var builder = new IamPolicyBuilder().Add(new PolicyStatementSpec("Ec2", new[] { "ec2:A" }, new[] { "*" }));
        var ex = Assert.Throws<ArgumentException>(() => builder.Add(new PolicyStatementSpec("EC2", new[] { "ec2:B" }, new[] { "*" })));
        Assert.Contains("EC2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ec2:*", "ec2:DescribeVpcs", true)]
    [InlineData("ec2:Describe*", "ec2:DescribeVpcs", true)]
    [InlineData("ec2:Describe*", "ec2:RevokeSecurityGroupIngress", false)]
    [InlineData("EC2:describevpcs", "ec2:DescribeVpcs", true)]
    [InlineData("s3:*", "ec2:DescribeVpcs", false)]
    public void Covers_WildcardsAndCase_MatchAsIamDoes(string grant, string action, bool expected) =>
        Assert.Equal(expected, PolicyText.Covers(grant, action));

    [Fact]
    public void SameDocument_ReorderedKeysAndOneElementLists_AreEqual()
    {
        const string left = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["b:X","a:Y"],"Resource":["*"]}]}""";
        const string right = """{ "Statement": { "Resource": "*", "Action": ["a:Y", "b:X"], "Effect": "Allow" }, "Version": "2012-10-17" }""";
        Assert.True(PolicyText.SameDocument(left, right));
        Assert.False(PolicyText.SameDocument(left, right.Replace("a:Y", "a:Z", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/RemediationTools", true)]
    [InlineData("arn:aws:iam::123456789012:role/path/RemediationTools", true)]
    [InlineData("arn:aws:iam::12345:role/RemediationTools", false)]
    [InlineData("arn:aws:s3:::bucket", false)]
    [InlineData("arn:aws:iam::*:role/RemediationTools", false)]
    public void RoleArn_Validation_NamesTheBadValue(string arn, bool valid)
    {
        if (valid)
        {
            Assert.Equal("RemediationTools", RoleNames.RoleArn(arn).RoleName);
        }
        else
        {
            var ex = Assert.Throws<ArgumentException>(() => RoleNames.RoleArn(arn));
            Assert.Contains(arn, ex.Message, StringComparison.Ordinal);
        }
    }
}
