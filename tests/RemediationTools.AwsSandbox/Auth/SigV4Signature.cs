using System.Security.Cryptography;
using System.Text;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.Auth;

/// <summary>
/// Recomputes a Signature Version 4 signature from the raw request, as AWS does: for services other than S3 each
/// path segment is URI-encoded again; for S3 (credential scope service <c>s3</c>) the path is taken as sent, encoded
/// once, without normalisation. The canonical query string is sorted for both.
/// </summary>
internal static class SigV4Signature
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";

    public static string Compute(SandboxHttpRequest request, SigV4Authorization authorization, string secretAccessKey)
    {
        var amzDate = request.Header("X-Amz-Date") ?? string.Empty;
        var canonicalRequest = CanonicalRequest(request, authorization.SignedHeaders, authorization.Service == "s3");
        var stringToSign = string.Join(
            '\n',
            SigV4Authorization.Algorithm,
            amzDate,
            authorization.Scope,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));
        return Convert.ToHexStringLower(HMACSHA256.HashData(SigningKey(authorization, secretAccessKey), Encoding.UTF8.GetBytes(stringToSign)));
    }

    /// <summary>The derived signing key of the credential scope (also signs S3's aws-chunked chunks and trailers).</summary>
    public static byte[] SigningKey(SigV4Authorization authorization, string secretAccessKey)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secretAccessKey), Encoding.UTF8.GetBytes(authorization.Date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(authorization.Service));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("aws4_request"));
    }

    public static string CanonicalRequest(SandboxHttpRequest request, IReadOnlyList<string> signedHeaders, bool s3 = false)
    {
        var builder = new StringBuilder();
        builder.Append(request.Method).Append('\n');
        builder.Append(s3 ? (request.RawPath.Length == 0 ? "/" : request.RawPath) : CanonicalUri(request.RawPath)).Append('\n');
        builder.Append(CanonicalQuery(request.RawQuery)).Append('\n');
        foreach (var name in signedHeaders)
        {
            var values = request.HeaderValues(name).Select(CollapseSpaces);
            builder.Append(name.ToLowerInvariant()).Append(':').Append(string.Join(',', values)).Append('\n');
        }

        builder.Append('\n');
        builder.Append(string.Join(';', signedHeaders)).Append('\n');
        builder.Append(PayloadHash(request));
        return builder.ToString();
    }

    /// <summary>The payload hash the client declared, or the hash of the body when it declared none.</summary>
    public static string PayloadHash(SandboxHttpRequest request) =>
        request.Header("X-Amz-Content-SHA256") ?? Convert.ToHexStringLower(SHA256.HashData(request.Body));

    /// <summary>True when a declared payload hash does not describe the body that arrived.</summary>
    public static bool DeclaredPayloadHashIsWrong(SandboxHttpRequest request)
    {
        var declared = request.Header("X-Amz-Content-SHA256");
        if (declared is null || declared == UnsignedPayload || declared.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            return false;
        }

        return !string.Equals(declared, Convert.ToHexStringLower(SHA256.HashData(request.Body)), StringComparison.OrdinalIgnoreCase);
    }

    private static string CanonicalUri(string rawPath)
    {
        if (rawPath.Length == 0)
        {
            return "/";
        }

        return string.Join('/', rawPath.Split('/').Select(UriEncode));
    }

    private static string CanonicalQuery(string rawQuery)
    {
        if (rawQuery.Length == 0)
        {
            return string.Empty;
        }

        var pairs = rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p =>
            {
                var eq = p.IndexOf('=', StringComparison.Ordinal);
                var name = Uri.UnescapeDataString(eq < 0 ? p : p[..eq]);
                var value = eq < 0 ? string.Empty : Uri.UnescapeDataString(p[(eq + 1)..]);
                return (Name: UriEncode(name), Value: UriEncode(value));
            })
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal);
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>RFC 3986 encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX (uppercase).</summary>
    public static string UriEncode(string text)
    {
        var builder = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value)
    {
        var builder = new StringBuilder();
        var previousSpace = false;
        foreach (var c in value.Trim())
        {
            if (c == ' ')
            {
                if (!previousSpace)
                {
                    builder.Append(c);
                }

                previousSpace = true;
            }
            else
            {
                builder.Append(c);
                previousSpace = false;
            }
        }

        return builder.ToString();
    }
}
