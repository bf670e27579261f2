using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Engine;

public sealed class CloudAccountRolesTests
{
    private const string Arn = "arn:aws:iam::123456789012:role/RemediationRole";

    [Fact]
    public void Add_NoAccountId_AccountTakenFromRoleArn()
    {
        var options = new RemediationOptions();

        CloudAccountRoles.Add(options, null, Arn, "o-abc");

        Assert.Equal(Arn, options.RoleFor("123456789012")!.RoleArn);
        Assert.Equal("o-abc", options.RoleFor("123456789012")!.ExternalId);
        Assert.Null(options.RoleFor("210987654321"));
    }

    [Fact]
    public void Add_PartitionArn_Accepted()
    {
        var options = new RemediationOptions();

        CloudAccountRoles.Add(options, "123456789012", "arn:aws-us-gov:iam::123456789012:role/path/R", "o-abc");

        Assert.Equal("arn:aws-us-gov:iam::123456789012:role/path/R", options.AccountRoles["123456789012"].RoleArn);
    }

    [Fact]
    public void Add_AccountIdNotTheArnsAccount_ErrorNamesBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => CloudAccountRoles.Add(new RemediationOptions(), "210987654321", Arn, "o-abc"));

        Assert.Contains("210987654321", ex.Message, StringComparison.Ordinal);
        Assert.Contains("123456789012", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "o-abc", "has no RoleArn")]
    [InlineData("arn:aws:iam::123456789012:user/alice", "o-abc", "'arn:aws:iam::123456789012:user/alice' is not an IAM role ARN")]
    [InlineData(Arn, null, "has no ExternalId")]
    [InlineData(Arn, " ", "has no ExternalId")]
    public void Add_MissingOrBadField_ErrorNamesIt(string? roleArn, string? externalId, string expected)
    {
        var options = new RemediationOptions();

        var ex = Assert.Throws<ArgumentException>(() => CloudAccountRoles.Add(options, null, roleArn, externalId));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.Empty(options.AccountRoles);
    }

    [Fact]
    public void Add_SameAccountTwiceWithDifferentRoles_Error()
    {
        var options = new RemediationOptions();
        CloudAccountRoles.Add(options, null, Arn, "o-abc");

        var ex = Assert.Throws<ArgumentException>(() => CloudAccountRoles.Add(options, null, "arn:aws:iam::123456789012:role/Other", "o-abc"));

        Assert.Contains("given twice", ex.Message, StringComparison.Ordinal);
        Assert.Equal(Arn, options.AccountRoles["123456789012"].RoleArn);
    }

    [Fact]
    public void DefaultRole_RoleArnWithoutExternalId_Error()
    {
        Assert.Null(CloudAccountRoles.DefaultRole(null, null));
        Assert.Throws<ArgumentException>(() => CloudAccountRoles.DefaultRole(Arn, null));
        Assert.Equal(Arn, CloudAccountRoles.DefaultRole(Arn, "o-1")!.RoleArn);
    }
}
