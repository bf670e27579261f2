using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// Where an S3 request is addressed: the bucket from the first labels of the Host header (virtual-hosted:
/// <c>bucket.s3.us-east-1.amazonaws.com</c>, <c>bucket.s3.amazonaws.com</c>, <c>bucket.s3.eu-west-1.localhost</c>) or from the
/// first path segment (path-style), the key after it, the subresources of the query, and the endpoint's region when
/// the host names one. A host that is not an S3 host name (the sandbox's own 127.0.0.1:port) stands for the regional
/// endpoint of the region the request is signed for.
/// </summary>
internal sealed partial record S3Address(string? Bucket, string Key, bool VirtualHosted, string? HostRegion, bool GlobalHost, IReadOnlyDictionary<string, string> Query)
{
    public static S3Address Parse(SandboxHttpRequest request)
    {
        var host = request.Header("Host") ?? string.Empty;
        var colon = host.LastIndexOf(':');
        if (colon > 0 && !host.EndsWith(']'))
        {
            host = host[..colon];
        }

        host = host.ToLowerInvariant();
        string? bucket = null;
        string? hostRegion = null;
        var global = false;
        var match = S3Host().Match(host);
        if (match.Success)
        {
            bucket = match.Groups["bucket"].Success ? match.Groups["bucket"].Value : null;
            hostRegion = match.Groups["region"].Success ? match.Groups["region"].Value : null;
            global = hostRegion is null;
            hostRegion ??= "us-east-1";
        }

        var path = Uri.UnescapeDataString(request.RawPath.Length == 0 ? "/" : request.RawPath);
        var rest = path.StartsWith('/') ? path[1..] : path;
        var virtualHosted = bucket is not null;
        string key;
        if (virtualHosted)
        {
            key = rest;
        }
        else
        {
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            bucket = slash < 0 ? rest : rest[..slash];
            key = slash < 0 ? string.Empty : rest[(slash + 1)..];
            if (bucket.Length == 0)
            {
                bucket = null;
            }
        }

        var query = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in request.RawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]);
            query[name] = eq < 0 ? string.Empty : Uri.UnescapeDataString(pair[(eq + 1)..].Replace('+', ' '));
        }

        return new S3Address(bucket, key, virtualHosted, hostRegion, global, query);
    }

    /// <summary>
    /// <c>[bucket.]s3[.dualstack][.region|-region].(amazonaws.com[.cn]|localhost)</c>; bucket names may hold dots, so
    /// the S3 part is matched from the end.
    /// </summary>
    [GeneratedRegex(@"^(?:(?<bucket>[a-z0-9][a-z0-9.\-]*)\.)?s3(?:\.dualstack)?(?:[.\-](?<region>[a-z]{2}(?:-[a-z]+)+-\d+))?\.(?:amazonaws\.com(?:\.cn)?|localhost)$")]
    private static partial Regex S3Host();
}
