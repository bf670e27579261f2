using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Amazon.S3;
using RemediationTools.AwsSandbox;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// Clients for the sandbox's S3: the official AmazonS3Client configured as Core's AwsClientFactory.S3() configures it
/// (ServiceURL, AuthenticationRegion, ForcePathStyle), and a raw SigV4-signing HTTP client for what the SDK does not send
/// (virtual-hosted Host headers, hand-made aws-chunked bodies, wrong digests).
/// </summary>
internal static class SandboxS3
{
    public static AmazonS3Client Client(SandboxServer server, SandboxAccount account, string region = SandboxHarness.Region, int maxErrorRetry = 0) =>
        Client(server, SandboxHarness.Credentials(account), region, maxErrorRetry);

    public static AmazonS3Client Client(SandboxServer server, Amazon.Runtime.AWSCredentials credentials, string region = SandboxHarness.Region, int maxErrorRetry = 0) =>
        new(credentials, new AmazonS3Config
        {
            ServiceURL = server.Endpoint.ToString(),
            AuthenticationRegion = region,
            ForcePathStyle = true,
            MaxErrorRetry = maxErrorRetry,
        });

    /// <summary>A raw S3 request, signed with SigV4 as S3 wants it (path encoded once, x-amz-content-sha256 signed).</summary>
    public static async Task<(int Status, string Body, HttpResponseHeaders Headers)> SendAsync(
        SandboxServer server,
        SandboxAccount account,
        HttpMethod method,
        string pathAndQuery,
        byte[]? body = null,
        string region = SandboxHarness.Region,
        string? host = null,
        IReadOnlyDictionary<string, string>? headers = null,
        string? contentSha256 = null,
        Func<string, byte[], string, string, byte[]>? signedBody = null)
    {
        body ??= [];
        host ??= server.Endpoint.Authority;
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = contentSha256 ?? Convert.ToHexStringLower(SHA256.HashData(body));
        var all = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["host"] = host,
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        foreach (var header in headers ?? new Dictionary<string, string>())
        {
            all[header.Key.ToLowerInvariant()] = header.Value;
        }

        var queryStart = pathAndQuery.IndexOf('?', StringComparison.Ordinal);
        var path = queryStart < 0 ? pathAndQuery : pathAndQuery[..queryStart];
        var query = queryStart < 0 ? string.Empty : pathAndQuery[(queryStart + 1)..];
        var canonicalQuery = string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Contains('=', StringComparison.Ordinal) ? p : p + "=")
            .OrderBy(p => p, StringComparer.Ordinal));
        var signedHeaders = string.Join(';', all.Keys);
        var canonical = string.Join('\n', method.Method, path, canonicalQuery, string.Concat(all.Select(h => h.Key + ":" + h.Value + "\n")), signedHeaders, payloadHash);
        var scope = $"{date}/{region}/s3/aws4_request";
        var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256", amzDate, scope, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))));
        var key = SigningKey(account.SecretAccessKey, date, region);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        // A signed aws-chunked body needs the seed signature: (seed signature, signing key, x-amz-date, scope) -> body.
        body = signedBody?.Invoke(signature, key, amzDate, scope) ?? body;

        using var client = new HttpClient();
        using var request = new HttpRequestMessage(method, new Uri(server.Endpoint, pathAndQuery));
        request.Headers.Host = host;
        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={account.AccessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        foreach (var header in all.Where(h => h.Key != "host" && !h.Key.StartsWith("content-", StringComparison.Ordinal)))
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (body.Length > 0 || method == HttpMethod.Put)
        {
            request.Content = new ByteArrayContent(body);
            foreach (var header in all.Where(h => h.Key.StartsWith("content-", StringComparison.Ordinal)))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text, response.Headers);
    }

    /// <summary>CRC32 (IEEE) as base64 of the big-endian value, as x-amz-checksum-crc32 carries it.</summary>
    public static string Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        var bytes = BitConverter.GetBytes(~crc);
        if (BitConverter.IsLittleEndian)
        {
            Array.Reverse(bytes);
        }

        return Convert.ToBase64String(bytes);
    }

    public static byte[] SigningKey(string secret, string date, string region)
    {
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + secret), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("s3"));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes("aws4_request"));
    }

    /// <summary>The value of an element of an XML body (first match of the local name), or null.</summary>
    public static string? Element(string xml, string name) =>
        System.Xml.Linq.XElement.Parse(xml).DescendantsAndSelf().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}
