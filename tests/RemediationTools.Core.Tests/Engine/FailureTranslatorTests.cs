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
    public void Fill_UnexpectedArgumentException_ReasonWithoutTypeNameOrParameterSuffix()
    {
        var result = new RemediationResult();

        FailureTranslator.Fill(result, new ArgumentException("'sg-x' is not a security group ID.", "resourceId"), null);

        Assert.Equal(FailureTranslator.InternalError, result.ErrorCode);
        Assert.Equal("Unexpected error: 'sg-x' is not a security group ID.", result.Reason);
    }

    [Fact]
    public void Fill_HttpRequestException_NamesTheCallAndTheSocketErrorNotTheType()
    {
        var result = new RemediationResult();
        var http = new HttpRequestException("An error occurred while sending the request.", new IOException("Connection refused (127.0.0.1:9)"));

        FailureTranslator.Fill(result, http, "ec2:DescribeSecurityGroups");

        Assert.Equal(FailureTranslator.NetworkError, result.ErrorCode);
        Assert.Equal("No answer from AWS to ec2:DescribeSecurityGroups: An error occurred while sending the request: Connection refused (127.0.0.1:9)", result.Reason);
        Assert.DoesNotContain(nameof(HttpRequestException), result.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("roleArn", "'x' is not an IAM role ARN.", "'x' is not an IAM role ARN.")]
    [InlineData(null, "plain", "plain")]
    public void UserMessages_ArgumentException_WithoutParameterSuffix(string? parameter, string message, string expected)
    {
        Assert.Equal(expected, UserMessages.Of(new ArgumentException(message, parameter)));
    }

    [Fact]
    public void UserMessages_ArgumentOutOfRange_KeepsTheValueDropsTheDotNetLines()
    {
        var text = UserMessages.Of(new ArgumentOutOfRangeException("ThrottleLimit", 0, "ThrottleLimit must be at least 1."));

        Assert.Equal("ThrottleLimit must be at least 1. (value: '0')", text);
    }

    [Fact]
    public void RemediationOptions_MinimumLengthOutOfRange_MessageNamesParameterAndValueOnly()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new RemediationOptions { MinimumPasswordLength = 200 });

        Assert.Equal("-MinimumLength 200 is outside IAM's range 6 to 128.", error.Message);
    }

    [Fact]
    public void RemediationOptions_BadKmsKey_MessageNamesValueAndParameterWithoutDotNetSuffix()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => new RemediationOptions { KmsKeyId = "not-a-key" });

        Assert.Contains("'not-a-key'", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(-KmsKeyId).", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
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
