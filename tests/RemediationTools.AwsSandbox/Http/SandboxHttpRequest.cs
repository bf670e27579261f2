namespace RemediationTools.AwsSandbox.Http;

/// <summary>One parsed HTTP/1.1 request, kept raw enough to recompute a SigV4 canonical request.</summary>
internal sealed class SandboxHttpRequest
{
    public SandboxHttpRequest(string method, string target, IReadOnlyList<KeyValuePair<string, string>> headers, byte[] body)
    {
        Method = method;
        Target = target;
        Headers = headers;
        Body = body;
        var queryStart = target.IndexOf('?', StringComparison.Ordinal);
        RawPath = queryStart < 0 ? target : target[..queryStart];
        RawQuery = queryStart < 0 ? string.Empty : target[(queryStart + 1)..];
    }

    public string Method { get; }

    /// <summary>The request target exactly as sent (path and query).</summary>
    public string Target { get; }

    public string RawPath { get; }

    public string RawQuery { get; }

    /// <summary>Headers in arrival order; names keep the sender's case.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    public byte[] Body { get; }

    /// <summary>All values of a header (case-insensitive name), in arrival order.</summary>
    public IEnumerable<string> HeaderValues(string name) =>
        Headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>The first value of a header, or null.</summary>
    public string? Header(string name) => HeaderValues(name).FirstOrDefault();
}
