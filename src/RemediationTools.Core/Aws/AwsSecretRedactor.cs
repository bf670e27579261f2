using System.Text.RegularExpressions;

namespace RemediationTools.Core.Aws;

/// <summary>
/// Removes credentials from text that came from AWS or the SDK (error messages, request dumps) before it is copied into
/// results, run records or logs: request signatures, session tokens, access key IDs, secret access keys and SigV4
/// credential scopes that carry a key. What is left keeps its shape (<c>Signature=[redacted]</c>), so the message still
/// says what went wrong.
/// </summary>
internal static class AwsSecretRedactor
{
    /// <summary>What a removed value is replaced by.</summary>
    public const string Mask = "[redacted]";

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.Compiled;

    // Bounded so that a long message cannot make a pattern slow.
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(250);

    private static readonly Regex[] Patterns =
    {
        // SigV4 query strings and headers: X-Amz-Signature=<hex>, X-Amz-Security-Token=<token>, X-Amz-Credential=<key>/<scope>.
        new(@"(?<name>X-Amz-(?:Signature|Security-Token|Credential))(?<sep>\s*[=:]\s*)(?<value>[^\s&,;""'<>]+)", Options | RegexOptions.IgnoreCase, Timeout),

        // Authorization: AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ..., Signature=<hex>
        new(@"(?<name>\b(?:Credential|Signature))(?<sep>=)(?<value>[^\s,;&""'<>]+)", Options, Timeout),

        // Labelled secrets as they appear in dumps, config files and JSON: SecretAccessKey, aws_secret_access_key, SessionToken, ...
        new(@"(?<name>\b(?:aws_?)?(?:secret_?access_?key|secret_?key|session_?token|security_?token)\b""?)(?<sep>\s*[=:]\s*""?)(?<value>[^\s,;&""'<>}]+)", Options | RegexOptions.IgnoreCase, Timeout),
    };

    // Access key IDs: long-term (AKIA) and temporary (ASIA) keys are 20 upper-case letters and digits.
    private static readonly Regex AccessKeyId = new(@"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b", Options, Timeout);

    // A bare secret access key: 40 characters of base64 with upper case, lower case and a digit, standing alone.
    private static readonly Regex SecretKey = new(@"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]{0,39}[a-z])(?=[A-Za-z0-9/+]{0,39}[A-Z])(?=[A-Za-z0-9/+]{0,39}[0-9])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])", Options, Timeout);

    // A bare session token: STS tokens are base64 of several hundred characters (IQoJb3JpZ2lu..., FwoGZXIvYXdz...).
    private static readonly Regex SessionToken = new(@"[A-Za-z0-9/+]{100,}={0,2}", Options, Timeout);

    /// <summary><paramref name="text"/> with every credential replaced by <see cref="Mask"/>; null stays null.</summary>
    public static string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var redacted = text!;
        try
        {
            foreach (var pattern in Patterns)
            {
                redacted = pattern.Replace(redacted, m => m.Groups["name"].Value + m.Groups["sep"].Value + Mask);
            }

            redacted = SessionToken.Replace(redacted, Mask);
            redacted = SecretKey.Replace(redacted, Mask);
            return AccessKeyId.Replace(redacted, Mask);
        }
        catch (RegexMatchTimeoutException)
        {
            // Never let a message that cannot be checked through.
            return "(the message was withheld: it could not be checked for credentials)";
        }
    }
}
