using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RemediationTools.AwsSandbox.Http;

/// <summary>
/// A minimal HTTP/1.1 server on a loopback TcpListener. HttpListener cannot bind port 0 and hides
/// the raw request target, both of which the sandbox needs (free ports, exact SigV4 canonical URIs).
/// </summary>
internal sealed class LoopbackHttpServer : IDisposable
{
    private const int MaxHeaderBytes = 64 * 1024;
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    private readonly TcpListener _listener;
    private readonly Func<SandboxHttpRequest, Task<SandboxHttpResponse>> _handler;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;

    public LoopbackHttpServer(int port, Func<SandboxHttpRequest, Task<SandboxHttpResponse>> handler)
    {
        _handler = handler;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public void Dispose()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by an exception from the stopped listener; nothing to report.
        }

        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => ServeConnectionAsync(client));
        }
    }

    private async Task ServeConnectionAsync(TcpClient client)
    {
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            var reader = new BufferedStreamReader(stream);
            try
            {
                while (!_stopping.IsCancellationRequested)
                {
                    var request = await ReadRequestAsync(reader, stream).ConfigureAwait(false);
                    if (request is null)
                    {
                        return;
                    }

                    SandboxHttpResponse response;
                    try
                    {
                        response = await _handler(request).ConfigureAwait(false);
                    }
#pragma warning disable CA1031 // A bug in one handler must become a 500, not a dropped connection.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        response = SandboxHttpResponse.Text(500, "Sandbox failure: " + ex);
                    }

                    var close = string.Equals(request.Header("Connection"), "close", StringComparison.OrdinalIgnoreCase);
                    await WriteResponseAsync(stream, response, close).ConfigureAwait(false);
                    if (close)
                    {
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidDataException)
            {
                // The client went away or sent garbage; the connection just ends.
            }
        }
    }

    private static async Task<SandboxHttpRequest?> ReadRequestAsync(BufferedStreamReader reader, NetworkStream stream)
    {
        var requestLine = await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false);
        while (requestLine is { Length: 0 })
        {
            requestLine = await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false);
        }

        if (requestLine is null)
        {
            return null;
        }

        var parts = requestLine.Split(' ');
        if (parts.Length != 3)
        {
            throw new InvalidDataException("Bad request line.");
        }

        var headers = new List<KeyValuePair<string, string>>();
        var headerBytes = 0;
        while (true)
        {
            var line = await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false) ?? throw new InvalidDataException("Truncated headers.");
            if (line.Length == 0)
            {
                break;
            }

            headerBytes += line.Length;
            if (headerBytes > MaxHeaderBytes)
            {
                throw new InvalidDataException("Headers too large.");
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDataException("Bad header line.");
            }

            headers.Add(new(line[..colon].Trim(), line[(colon + 1)..].Trim()));
        }

        string? HeaderValue(string name) =>
            headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

        if (string.Equals(HeaderValue("Expect"), "100-continue", StringComparison.OrdinalIgnoreCase))
        {
            var cont = Encoding.ASCII.GetBytes("HTTP/1.1 100 Continue\r\n\r\n");
            await stream.WriteAsync(cont).ConfigureAwait(false);
        }

        byte[] body;
        if (string.Equals(HeaderValue("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = await ReadChunkedAsync(reader).ConfigureAwait(false);
        }
        else
        {
            var lengthText = HeaderValue("Content-Length");
            var length = lengthText is null ? 0 : int.Parse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture);
            if (length > MaxBodyBytes)
            {
                throw new InvalidDataException("Body too large.");
            }

            body = await reader.ReadExactlyAsync(length).ConfigureAwait(false);
        }

        return new SandboxHttpRequest(parts[0], parts[1], headers, body);
    }

    private static async Task<byte[]> ReadChunkedAsync(BufferedStreamReader reader)
    {
        using var buffer = new MemoryStream();
        while (true)
        {
            var sizeLine = await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false) ?? throw new InvalidDataException("Truncated chunk.");
            var semicolon = sizeLine.IndexOf(';', StringComparison.Ordinal);
            var size = int.Parse(semicolon < 0 ? sizeLine : sizeLine[..semicolon], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                while (await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false) is { Length: > 0 })
                {
                    // Trailers are not used by the AWS query protocols.
                }

                return buffer.ToArray();
            }

            if (buffer.Length + size > MaxBodyBytes)
            {
                throw new InvalidDataException("Body too large.");
            }

            var chunk = await reader.ReadExactlyAsync(size).ConfigureAwait(false);
            buffer.Write(chunk);
            await reader.ReadLineAsync(MaxHeaderBytes).ConfigureAwait(false);
        }
    }

    private static async Task WriteResponseAsync(NetworkStream stream, SandboxHttpResponse response, bool close)
    {
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.StatusCode} {ReasonPhrase(response.StatusCode)}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {response.Body.Length}\r\n");
        head.Append(CultureInfo.InvariantCulture, $"Date: {DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture)}\r\n");
        head.Append("Server: RemediationTools.AwsSandbox\r\n");
        foreach (var header in response.Headers)
        {
            head.Append(CultureInfo.InvariantCulture, $"{header.Key}: {header.Value}\r\n");
        }

        head.Append(close ? "Connection: close\r\n" : "Connection: keep-alive\r\n");
        head.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString())).ConfigureAwait(false);
        await stream.WriteAsync(response.Body).ConfigureAwait(false);
        await stream.FlushAsync().ConfigureAwait(false);
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
