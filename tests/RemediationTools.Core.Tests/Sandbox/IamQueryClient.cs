using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>
/// A minimal IAM awsQuery client with its own SigV4 signer (there is no AWSSDK.IdentityManagement
/// here), used to drive the sandbox's IAM and to send deliberately mis-signed requests.
/// </summary>
internal sealed class IamQueryClient
{
    private static readonly HttpClient Http = new();
    public static readonly XNamespace Ns = "https://iam.amazonaws.com/doc/2010-05-08/";

    private readonly Uri _endpoint;
    private readonly string _accessKeyId;
    private readonly string _secretAccessKey;
    private readonly string? _sessionToken;

    public IamQueryClient(Uri endpoint, string accessKeyId, string secretAccessKey, string? sessionToken)
    {
        _endpoint = endpoint;
        _accessKeyId = accessKeyId;
        _secretAccessKey = secretAccessKey;
        _sessionToken = sessionToken;
    }

    public sealed record Result(int Status, XDocument Body)
    {
        public string? ErrorCode => Body.Descendants(Ns + "Code").FirstOrDefault()?.Value;

        public string? ErrorMessage => Body.Descendants(Ns + "Message").FirstOrDefault()?.Value;

        public string? Value(string element) => Body.Descendants(Ns + element).FirstOrDefault()?.Value;
    }

    public Task<Result> CallAsync(string action, Dictionary<string, string> parameters) => CallAsync(action, parameters, "iam", "us-east-1");

    public async Task<Result> CallAsync(string action, Dictionary<string, string> parameters, string service, string region)
    {
        var form = new List<KeyValuePair<string, string>> { new("Action", action), new("Version", service == "sts" ? "2011-06-15" : "2010-05-08") };
        form.AddRange(parameters);
        var body = string.Join("&", form.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
        var now = DateTime.UtcNow;
        var amzDate = now.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var host = _endpoint.Authority;
        const string contentType = "application/x-www-form-urlencoded; charset=utf-8";
        var payloadHash = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = contentType,
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (_sessionToken is not null)
        {
            headers["x-amz-security-token"] = _sessionToken;
        }

        var signedHeaders = string.Join(";", headers.Keys);
        var canonical = "POST\n/\n\n" + string.Concat(headers.Select(h => h.Key + ":" + h.Value + "\n")) + "\n" + signedHeaders + "\n" + payloadHash;
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + _secretAccessKey), Encoding.UTF8.GetBytes(date));
        foreach (var part in new[] { region, service, "aws4_request" })
        {
            key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(part));
        }

        var signature = Hex(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (_sessionToken is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", _sessionToken);
        }

        request.Headers.TryAddWithoutValidation("Authorization", $"AWS4-HMAC-SHA256 Credential={_accessKeyId}/{scope}, SignedHeaders={signedHeaders}, Signature={signature}");
        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Result((int)response.StatusCode, XDocument.Parse(text));
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

}
