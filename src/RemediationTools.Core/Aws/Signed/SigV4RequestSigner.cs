using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>
/// Signs a request with Signature Version 4. We build the canonical request (our requests are simple: one
/// path, no query, three or four headers) and let AWSSDK.Core's <see cref="AWS4Signer"/> derive the key and
/// the signature.
/// </summary>
internal static class SigV4RequestSigner
{
    public const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    public const string Json11ContentType = "application/x-amz-json-1.1";

    /// <summary>Adds host, X-Amz-Date, X-Amz-Security-Token (temporary credentials) and Authorization headers.</summary>
    public static void Sign(
        HttpRequestMessage request,
        byte[] body,
        ImmutableCredentials credentials,
        string region,
        string service,
        DateTime signedAtUtc)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (request.RequestUri is null || !request.RequestUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request needs an absolute URI.", nameof(request));
        }

        if (credentials is null)
        {
            throw new ArgumentNullException(nameof(credentials));
        }

        var uri = request.RequestUri;
        var host = uri.IsDefaultPort ? uri.Host : uri.Host + ":" + uri.Port.ToString(CultureInfo.InvariantCulture);
        var amzDate = signedAtUtc.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var contentType = request.Content?.Headers.ContentType?.ToString() ?? string.Empty;

        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (contentType.Length > 0)
        {
            headers["content-type"] = contentType;
        }

        if (credentials.UseToken)
        {
            headers["x-amz-security-token"] = credentials.Token;
        }

        // Headers the caller set that carry the call's meaning (X-Amz-Target of the JSON protocols) are signed too.
        foreach (var header in request.Headers.Where(h => h.Key.StartsWith("X-Amz-", StringComparison.OrdinalIgnoreCase)))
        {
            headers[header.Key.ToLowerInvariant()] = string.Join(",", header.Value);
        }

        var signedHeaders = string.Join(";", headers.Keys);
        var canonical = new StringBuilder()
            .Append(request.Method.Method).Append('\n')
            .Append(string.IsNullOrEmpty(uri.AbsolutePath) ? "/" : uri.AbsolutePath).Append('\n')
            .Append(CanonicalQuery(uri)).Append('\n');
        foreach (var header in headers)
        {
            canonical.Append(header.Key).Append(':').Append(header.Value.Trim()).Append('\n');
        }

        canonical.Append('\n').Append(signedHeaders).Append('\n').Append(HexSha256(body));

        var result = AWS4Signer.ComputeSignature(
            credentials.AccessKey,
            credentials.SecretKey,
            region,
            signedAtUtc,
            service,
            signedHeaders,
            canonical.ToString());

        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.UseToken)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
    }

    /// <summary>Form content with the content type our signature covers.</summary>
    public static ByteArrayContent FormContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(FormContentType);
        return content;
    }

    /// <summary>AWS JSON 1.1 content with the content type our signature covers.</summary>
    public static ByteArrayContent JsonContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(Json11ContentType);
        return content;
    }

    private static string CanonicalQuery(Uri uri)
    {
        var query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return string.Empty;
        }

        var pairs = query.Split('&')
            .Where(p => p.Length > 0)
            .Select(p =>
            {
                var i = p.IndexOf('=');
                var name = Uri.EscapeDataString(Uri.UnescapeDataString(i < 0 ? p : p.Substring(0, i)));
                var value = i < 0 ? string.Empty : Uri.EscapeDataString(Uri.UnescapeDataString(p.Substring(i + 1)));
                return (name, value);
            })
            .OrderBy(p => p.name, StringComparer.Ordinal)
            .ThenBy(p => p.value, StringComparer.Ordinal)
            .Select(p => p.name + "=" + p.value);
        return string.Join("&", pairs);
    }

    private static string HexSha256(byte[] data)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(data);
        var hex = new StringBuilder(hash.Length * 2);
        foreach (var b in hash)
        {
            hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
        }

        return hex.ToString();
    }
}
