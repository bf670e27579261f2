using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Http;

namespace RemediationTools.AwsSandbox.S3;

/// <summary>
/// The body of an S3 request as S3 reads it: <c>x-amz-content-sha256</c> (a hex SHA-256 that must match,
/// UNSIGNED-PAYLOAD, or one of the STREAMING- forms), <c>aws-chunked</c> bodies (plain or signed chunks, trailing
/// checksums and trailer signature, <c>x-amz-decoded-content-length</c>), the <c>x-amz-checksum-*</c> headers and
/// <c>Content-MD5</c>, each validated with the error code S3 returns.
/// </summary>
internal static class S3Payload
{
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string StreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    public const string StreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public const string StreamingSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private static readonly string EmptySha256 = Convert.ToHexStringLower(SHA256.HashData([]));

    /// <summary>Checks the declared payload hash before the signature (it is part of what was signed).</summary>
    public static void CheckContentSha256(SandboxHttpRequest request)
    {
        var declared = request.Header("x-amz-content-sha256")
            ?? throw S3Error.InvalidRequest("Missing required header for this request: x-amz-content-sha256");
        if (declared is UnsignedPayload or StreamingUnsignedTrailer or StreamingSigned or StreamingSignedTrailer)
        {
            return;
        }

        if (declared.Length != 64 || !declared.All(Uri.IsHexDigit))
        {
            throw S3Error.InvalidArgument("x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.", "x-amz-content-sha256", declared);
        }

        var computed = Convert.ToHexStringLower(SHA256.HashData(request.Body));
        if (!string.Equals(declared, computed, StringComparison.OrdinalIgnoreCase))
        {
            throw new S3Error(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
                .With("ClientComputedContentSHA256", declared)
                .With("S3ComputedContentSHA256", computed);
        }
    }

    /// <summary>
    /// The decoded body, after every integrity check: aws-chunked decoding (with chunk and trailer signatures when signed),
    /// the declared decoded length, checksum headers or trailers, Content-MD5; <paramref name="integrityRequired"/> operations
    /// (the S3 reference's "Content-MD5 or x-amz-checksum is required") fail without one.
    /// </summary>
    public static byte[] Decode(SandboxHttpRequest request, SigV4Authorization authorization, byte[] signingKey, bool integrityRequired)
    {
        var declared = request.Header("x-amz-content-sha256") ?? string.Empty;
        var body = request.Body;
        var trailers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (declared.StartsWith("STREAMING-", StringComparison.Ordinal))
        {
            var encoding = request.Header("Content-Encoding") ?? string.Empty;
            if (!encoding.Split(',', StringSplitOptions.TrimEntries).Contains("aws-chunked", StringComparer.OrdinalIgnoreCase))
            {
                throw S3Error.InvalidArgument("The request is declared as streaming but its Content-Encoding is not aws-chunked.", "Content-Encoding", encoding);
            }

            var decodedLengthText = request.Header("x-amz-decoded-content-length")
                ?? throw new S3Error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.").With("Header", "x-amz-decoded-content-length");
            if (!long.TryParse(decodedLengthText, NumberStyles.None, CultureInfo.InvariantCulture, out var decodedLength))
            {
                throw S3Error.InvalidArgument("x-amz-decoded-content-length is not a number.", "x-amz-decoded-content-length", decodedLengthText);
            }

            var signed = declared is StreamingSigned or StreamingSignedTrailer;
            body = DecodeChunks(request, authorization, signingKey, signed, declared.EndsWith("-TRAILER", StringComparison.Ordinal), trailers);
            if (body.Length != decodedLength)
            {
                throw new S3Error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header");
            }

            var announced = request.Header("x-amz-trailer");
            if (announced is not null)
            {
                foreach (var name in announced.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    if (!trailers.ContainsKey(name))
                    {
                        throw MalformedTrailer();
                    }
                }
            }
        }

        CheckChecksums(request, body, trailers, integrityRequired);
        return body;
    }

    private static void CheckChecksums(SandboxHttpRequest request, byte[] body, Dictionary<string, string> trailers, bool integrityRequired)
    {
        var checksums = new List<(string Algorithm, string Name, string Value)>();
        foreach (var algorithm in S3Checksums.Algorithms)
        {
            var name = "x-amz-checksum-" + algorithm;
            if (request.Header(name) is { } headerValue)
            {
                checksums.Add((algorithm, name, headerValue));
            }

            if (trailers.TryGetValue(name, out var trailerValue))
            {
                checksums.Add((algorithm, name, trailerValue));
            }
        }

        if (checksums.Count > 1)
        {
            throw S3Error.InvalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
        }

        foreach (var (algorithm, name, value) in checksums)
        {
            byte[] decoded;
            try
            {
                decoded = Convert.FromBase64String(value);
            }
            catch (FormatException)
            {
                throw S3Error.InvalidRequest($"Value for {name} header is invalid.");
            }

            if (decoded.Length != S3Checksums.Length(algorithm))
            {
                throw S3Error.InvalidRequest($"Value for {name} header is invalid.");
            }

            if (!string.Equals(S3Checksums.Compute(algorithm, body), value, StringComparison.Ordinal))
            {
                throw new S3Error(400, "BadDigest", $"The {S3Checksums.DisplayName(algorithm)} you specified did not match the calculated checksum.");
            }
        }

        var md5 = request.Header("Content-MD5");
        if (md5 is not null)
        {
            byte[] digest;
            try
            {
                digest = Convert.FromBase64String(md5);
            }
            catch (FormatException)
            {
                throw InvalidDigest(md5);
            }

            if (digest.Length != 16)
            {
                throw InvalidDigest(md5);
            }

#pragma warning disable CA5351 // Content-MD5 is the client's integrity header; the sandbox checks it as S3 does.
            if (!MD5.HashData(body).AsSpan().SequenceEqual(digest))
#pragma warning restore CA5351
            {
                throw new S3Error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
                    .With("ExpectedDigest", md5);
            }
        }

        if (integrityRequired && md5 is null && checksums.Count == 0)
        {
            throw S3Error.InvalidRequest("Missing required header for this request: Content-MD5");
        }
    }

    private static S3Error InvalidDigest(string value) =>
        new S3Error(400, "InvalidDigest", "The Content-MD5 you specified was not valid.").With("Content-MD5", value);

    private static S3Error MalformedTrailer() =>
        new(400, "MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.");

    private static S3Error IncompleteBody() =>
        new(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header");

    private static byte[] DecodeChunks(SandboxHttpRequest request, SigV4Authorization authorization, byte[] signingKey, bool signed, bool withTrailer, Dictionary<string, string> trailers)
    {
        var raw = request.Body;
        var position = 0;
        using var output = new MemoryStream();
        var previousSignature = authorization.Signature;
        var amzDate = request.Header("X-Amz-Date") ?? string.Empty;
        while (true)
        {
            var header = ReadLine(raw, ref position) ?? throw IncompleteBody();
            var semicolon = header.IndexOf(';', StringComparison.Ordinal);
            var sizeText = semicolon < 0 ? header : header[..semicolon];
            if (!int.TryParse(sizeText, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var size) || size < 0)
            {
                throw IncompleteBody();
            }

            string? chunkSignature = null;
            if (semicolon >= 0)
            {
                var extension = header[(semicolon + 1)..];
                const string prefix = "chunk-signature=";
                chunkSignature = extension.StartsWith(prefix, StringComparison.Ordinal) ? extension[prefix.Length..] : null;
            }

            if (raw.Length - position < size)
            {
                throw IncompleteBody();
            }

            var data = raw.AsSpan(position, size).ToArray();
            position += size;
            if (signed)
            {
                var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-PAYLOAD", amzDate, authorization.Scope, previousSignature, EmptySha256, Convert.ToHexStringLower(SHA256.HashData(data)));
                var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
                if (!string.Equals(expected, chunkSignature, StringComparison.Ordinal))
                {
                    throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
                }

                previousSignature = expected;
            }

            if (size == 0)
            {
                break;
            }

            output.Write(data);
            if (ReadLine(raw, ref position) is not { Length: 0 })
            {
                throw IncompleteBody();
            }
        }

        // After the last chunk: the trailers (if any), then an empty line.
        var trailerText = new StringBuilder();
        string? trailerSignature = null;
        while (ReadLine(raw, ref position) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !withTrailer)
            {
                throw MalformedTrailer();
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (string.Equals(name, "x-amz-trailer-signature", StringComparison.OrdinalIgnoreCase))
            {
                trailerSignature = value;
                continue;
            }

            trailers[name] = value;
            trailerText.Append(name.ToLowerInvariant()).Append(':').Append(value).Append('\n');
        }

        if (signed && withTrailer)
        {
            var stringToSign = string.Join('\n', "AWS4-HMAC-SHA256-TRAILER", amzDate, authorization.Scope, previousSignature, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(trailerText.ToString()))));
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));
            if (!string.Equals(expected, trailerSignature, StringComparison.Ordinal))
            {
                throw new S3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
            }
        }

        return output.ToArray();
    }

    /// <summary>One CRLF-terminated line from <paramref name="position"/>; null at the end of the data.</summary>
    private static string? ReadLine(byte[] data, ref int position)
    {
        if (position >= data.Length)
        {
            return null;
        }

        var end = Array.IndexOf(data, (byte)'\n', position);
        if (end < 0)
        {
            throw IncompleteBody();
        }

        var length = end - position;
        if (length > 0 && data[end - 1] == (byte)'\r')
        {
            length--;
        }

        var line = Encoding.ASCII.GetString(data, position, length);
        position = end + 1;
        return line;
    }
}
