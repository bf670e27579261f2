using System.Globalization;
using System.Net;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Amazon.Runtime;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>Where and how an <see cref="AwsQueryClient"/> talks to its service.</summary>
internal sealed class AwsQueryClientConfig : SignedServiceConfig
{
    public AwsQueryClientConfig(string serviceName, string apiVersion, Uri endpoint, string signingRegion, AwsRetryPolicy retryPolicy)
        : base(serviceName, endpoint, signingRegion, retryPolicy)
    {
        ApiVersion = apiVersion ?? throw new ArgumentNullException(nameof(apiVersion));
    }

    /// <summary>The Version parameter, e.g. "2010-05-08".</summary>
    public string ApiVersion { get; }
}

/// <summary>The result element of a Query-protocol answer and its request ID.</summary>
internal sealed class AwsQueryResponse
{
    public AwsQueryResponse(XElement result, string? requestId)
    {
        Result = result;
        RequestId = requestId;
    }

    public XElement Result { get; }

    public string? RequestId { get; }
}

/// <summary>
/// The AWS Query protocol (form POST of Action, Version and parameters; XML answers) signed with SigV4, for
/// services without an official AWSSDK package. Retries like the SDK clients; errors become
/// <see cref="AwsQueryServiceException"/>.
/// </summary>
internal sealed class AwsQueryClient : IDisposable
{
    private readonly AwsQueryClientConfig config;
    private readonly SignedServiceChannel channel;

    public AwsQueryClient(AwsQueryClientConfig config, AWSCredentials credentials, HttpMessageHandler? handler = null)
    {
        this.config = config ?? throw new ArgumentNullException(nameof(config));
        channel = new SignedServiceChannel(config, credentials, handler);
    }

    public AwsQueryClientConfig Config => config;

    /// <summary>Calls an action and returns its <c>&lt;ActionResult&gt;</c> element (empty when the action returns nothing).</summary>
    public Task<AwsQueryResponse> InvokeAsync(string action, IEnumerable<KeyValuePair<string, string>> parameters, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(action))
        {
            throw new ArgumentException("An action is required.", nameof(action));
        }

        var body = Encoding.UTF8.GetBytes(EncodeForm(action, parameters ?? Array.Empty<KeyValuePair<string, string>>()));
        return config.RetryPolicy.ExecuteAsync(ct => SendOnceAsync(action, body, ct), cancellationToken);
    }

    public void Dispose() => channel.Dispose();

    internal string EncodeForm(string action, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var form = new StringBuilder()
            .Append("Action=").Append(Uri.EscapeDataString(action))
            .Append("&Version=").Append(Uri.EscapeDataString(config.ApiVersion));
        foreach (var parameter in parameters)
        {
            form.Append('&').Append(Uri.EscapeDataString(parameter.Key)).Append('=').Append(Uri.EscapeDataString(parameter.Value ?? string.Empty));
        }

        return form.ToString();
    }

    private async Task<AwsQueryResponse> SendOnceAsync(string action, byte[] body, CancellationToken cancellationToken)
    {
        var answer = await channel.PostAsync(action, body, SigV4RequestSigner.FormContent(body), null, cancellationToken).ConfigureAwait(false);
        var text = answer.Text;
        if (!answer.Succeeded)
        {
            throw ParseError(text, answer.Status, answer.Headers);
        }

        XDocument document;
        try
        {
            document = XDocument.Parse(text);
        }
        catch (XmlException ex)
        {
            throw new AmazonUnmarshallingException(null, null, ex, answer.Status);
        }

        var resultName = action + "Result";
        var result = document.Root?.Elements().FirstOrDefault(e => e.Name.LocalName == resultName) ?? new XElement(resultName);
        var requestId = document.Root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        return new AwsQueryResponse(result, requestId);
    }

    internal AwsQueryServiceException ParseError(string text, HttpStatusCode status, System.Net.Http.Headers.HttpResponseHeaders? headers)
    {
        string? code = null;
        string? message = null;
        string? type = null;
        string? requestId = null;
        try
        {
            var root = XDocument.Parse(text).Root;
            var error = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value;
            message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value;
            type = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Type")?.Value;
            requestId = root?.Descendants().FirstOrDefault(e => e.Name.LocalName == "RequestId")?.Value;
        }
        catch (XmlException)
        {
            // Not AWS error XML (a proxy's or load balancer's page): the status says what we know.
        }

        if (requestId is null && headers is not null && headers.TryGetValues("x-amzn-RequestId", out var ids))
        {
            requestId = ids.FirstOrDefault();
        }

        code ??= status.ToString();
        var errorType = type switch
        {
            "Sender" => ErrorType.Sender,
            "Receiver" => ErrorType.Receiver,
            _ => (int)status >= 500 ? ErrorType.Receiver : ErrorType.Unknown,
        };
        var text500 = string.IsNullOrWhiteSpace(message)
            ? $"{config.ServiceName.ToUpperInvariant()} answered HTTP {((int)status).ToString(CultureInfo.InvariantCulture)} ({code})."
            : message!;
        return new AwsQueryServiceException(text500, errorType, code, requestId, status, config.ServiceName);
    }
}
