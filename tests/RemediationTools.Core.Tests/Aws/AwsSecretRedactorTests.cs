using RemediationTools.Core.Aws;
using RemediationTools.Core.Engine;

namespace RemediationTools.Core.Tests.Aws;

/// <summary>Credentials in AWS and SDK messages are removed before a message is copied into a result, a run or a log.</summary>
public sealed class AwsSecretRedactorTests
{
    // Realistic values of the documented formats; none is a real credential.
    private const string AccessKey = "AKIAIOSFODNN7EXAMPLE";
    private const string TemporaryKey = "ASIAQWERTYUIOPASDFGH";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private const string Signature = "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024";

    private static readonly string Token =
        "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDhm5xhyKd7oX0t1wgEXAMPLEtokenAAAAAAAAAAAAAAAAAAAAAAAAAAA" +
        "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB+CCCCCCCCCCCCCCCC==";

    public static TheoryData<string, string[]> Messages() => new()
    {
        {
            // SignatureDoesNotMatch quotes the canonical request and the string to sign.
            "The request signature we calculated does not match the signature you provided. The Canonical String for this request should have been " +
            "'GET\n/\nAction=DescribeSecurityGroups&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" + AccessKey + "%2F20250101%2Fus-east-1%2Fec2%2Faws4_request" +
            "&X-Amz-Security-Token=" + Token + "&X-Amz-Signature=" + Signature + "'",
            new[] { AccessKey, Token, Signature, "20250101%2Fus-east-1" }
        },
        {
            // An Authorization header in an SDK exception or a request dump.
            "Authorization: AWS4-HMAC-SHA256 Credential=" + TemporaryKey + "/20250101/eu-west-1/sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=" + Signature +
            "\nX-Amz-Security-Token: " + Token,
            new[] { TemporaryKey, Signature, Token, "20250101/eu-west-1/sts" }
        },
        {
            // InvalidClientTokenId and AuthFailure name the key.
            "The security token included in the request is invalid. (Service: AmazonEC2; Status Code: 401; Error Code: AuthFailure; access key " + TemporaryKey + ")",
            new[] { TemporaryKey }
        },
        {
            // A credentials file or environment dump quoted in a message.
            "could not use profile: aws_access_key_id = " + AccessKey + " aws_secret_access_key = " + SecretKey + " aws_session_token=" + Token,
            new[] { AccessKey, SecretKey, Token }
        },
        {
            // JSON with credential fields (an STS response body).
            "{\"Credentials\":{\"AccessKeyId\":\"" + TemporaryKey + "\",\"SecretAccessKey\":\"" + SecretKey + "\",\"SessionToken\":\"" + Token + "\"}}",
            new[] { TemporaryKey, SecretKey, Token }
        },
        {
            // A bare secret key.
            "secret " + SecretKey + " was rejected",
            new[] { SecretKey }
        },
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Redact_MessageWithCredentials_NoneRemain(string message, string[] secrets)
    {
        var redacted = AwsSecretRedactor.Redact(message)!;

        Assert.All(secrets, secret => Assert.DoesNotContain(secret, redacted, StringComparison.Ordinal));
        Assert.Contains(AwsSecretRedactor.Mask, redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("You are not authorized to perform this operation. User: arn:aws:sts::123456789012:assumed-role/RemediationTools/s is not authorized to perform: ec2:RevokeSecurityGroupIngress on resource: arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0")]
    [InlineData("The security group 'sg-0123456789abcdef0' does not exist in VPC 'vpc-0a1b2c3d4e5f67890'")]
    [InlineData("Rate exceeded (Service: AmazonEC2; Status Code: 503; Error Code: RequestLimitExceeded; Request ID: 5d1f8a4e-7c1b-4b4f-9a7e-0f3c2e1d9b8a)")]
    public void Redact_MessageWithoutCredentials_Unchanged(string message)
    {
        Assert.Equal(message, AwsSecretRedactor.Redact(message));
    }

    [Fact]
    public void Redact_KeepsTheNameOfWhatWasRemoved()
    {
        Assert.Equal("X-Amz-Signature=" + AwsSecretRedactor.Mask + "&x=1", AwsSecretRedactor.Redact("X-Amz-Signature=" + Signature + "&x=1"));
    }

    [Fact]
    public void Redact_Null_Null()
    {
        Assert.Null(AwsSecretRedactor.Redact(null));
    }

    [Fact]
    public void FailureTranslator_AwsErrorWithSignature_ReasonRedacted()
    {
        var error = new Amazon.Runtime.AmazonServiceException("Signature expired: X-Amz-Credential=" + AccessKey + "/20250101/us-east-1/ec2/aws4_request X-Amz-Signature=" + Signature)
        {
            ErrorCode = "SignatureDoesNotMatch",
        };
        var result = new RemediationResult();

        FailureTranslator.Fill(result, error, "ec2:DescribeSecurityGroups");

        Assert.Equal("SignatureDoesNotMatch", result.ErrorCode);
        Assert.DoesNotContain(AccessKey, result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Signature, result.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Signature expired", result.Reason, StringComparison.Ordinal);
    }
}
