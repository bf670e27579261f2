using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Engine;

public class FailureTranslatorTests
{
    [Theory]
    [InlineData("User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:RevokeSecurityGroupIngress on resource: arn:aws:ec2:us-east-1:1:security-group/sg-1", "ec2:RevokeSecurityGroupIngress")]
    [InlineData("User: x is not authorized to perform: iam:GetRole because no identity-based policy allows the iam:GetRole action", "iam:GetRole")]
    [InlineData("You are not authorized to perform this operation.", null)]
    [InlineData(null, null)]
    public void ActionFromMessage_AwsMessages_ExtractsNamedAction(string? message, string? expected)
    {
        Assert.Equal(expected, FailureTranslator.ActionFromMessage(message));
    }

    [Theory]
    [InlineData("AccessDenied", true)]
    [InlineData("UnauthorizedOperation", true)]
    [InlineData("AccessDeniedException", true)]
    [InlineData("InvalidGroup.NotFound", false)]
    [InlineData(null, false)]
    public void IsAccessDenied_ErrorCodes_Recognised(string? code, bool expected)
    {
        Assert.Equal(expected, FailureTranslator.IsAccessDenied(code));
    }

    [Fact]
    public void Fill_AssumeRoleDenied_FailedWithOwnCodeAndStsAction()
    {
        var result = new RemediationResult();
        FailureTranslator.Fill(result, new AssumeRoleDeniedException("arn:aws:iam::222222222222:role/r", "o-wrong", null), null);
        Assert.Equal(RemediationStatus.Failed, result.Status);
        Assert.Equal(FailureTranslator.AssumeRoleDenied, result.ErrorCode);
        Assert.Contains("o-wrong", result.Reason, StringComparison.Ordinal);
        Assert.Equal(new[] { "sts:AssumeRole" }, result.MissingIamActions);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Fill_AccessDenied_UndoReasonNamesTheActionAndIncludeUndo(bool isUndo, bool expectHint)
    {
        var result = new RemediationResult { IsUndo = isUndo };
        var denied = new Amazon.EC2.AmazonEC2Exception("You are not authorized to perform this operation.") { ErrorCode = "UnauthorizedOperation" };

        FailureTranslator.Fill(result, new RemediationTools.Core.Jobs.AwsCallException("ec2:CreateSecurityGroup", "sg-1", denied), null);

        Assert.Equal(new[] { "ec2:CreateSecurityGroup" }, result.MissingIamActions);
        Assert.Equal(expectHint, result.Reason!.Contains("lacks ec2:CreateSecurityGroup", StringComparison.Ordinal));
        Assert.Equal(expectHint, result.Reason.Contains("-IncludeUndo", StringComparison.Ordinal));
    }
}
