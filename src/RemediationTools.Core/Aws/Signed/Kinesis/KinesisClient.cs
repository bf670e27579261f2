using System.Text.Json;

namespace RemediationTools.Core.Aws.Signed.Kinesis;

/// <summary><see cref="IKinesisClient"/> over the AWS JSON 1.1 protocol (Kinesis Data Streams API version 2013-12-02).</summary>
internal sealed class KinesisClient : IKinesisClient, IDisposable
{
    /// <summary>The X-Amz-Target prefix of Kinesis's operations.</summary>
    public const string TargetPrefix = "Kinesis_20131202.";

    /// <summary>The service ID of AWS_ENDPOINT_URL_KINESIS (the SDKs' service ID "Kinesis").</summary>
    public const string ServiceId = "Kinesis";

    public const string SigningName = "kinesis";

    private readonly AwsJsonClient json;

    public KinesisClient(AwsJsonClient json)
    {
        this.json = json ?? throw new ArgumentNullException(nameof(json));
    }

    public async Task<DescribeStreamSummaryResponse> DescribeStreamSummaryAsync(DescribeStreamSummaryRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, _ => { });
        var r = await json.InvokeAsync("DescribeStreamSummary", body, cancellationToken).ConfigureAwait(false);
        var summary = r.Body.TryGetProperty("StreamDescriptionSummary", out var s) && s.ValueKind == JsonValueKind.Object ? s : default;
        return new DescribeStreamSummaryResponse
        {
            StreamDescriptionSummary = summary.ValueKind != JsonValueKind.Object ? new StreamDescriptionSummary() : new StreamDescriptionSummary
            {
                StreamName = String(summary, "StreamName") ?? string.Empty,
                StreamARN = String(summary, "StreamARN") ?? string.Empty,
                StreamStatus = String(summary, "StreamStatus"),
                EncryptionType = String(summary, "EncryptionType"),
                KeyId = String(summary, "KeyId"),
                RetentionPeriodHours = Int(summary, "RetentionPeriodHours"),
                OpenShardCount = Int(summary, "OpenShardCount"),
            },
            RequestId = r.RequestId,
        };
    }

    public async Task<StartStreamEncryptionResponse> StartStreamEncryptionAsync(StartStreamEncryptionRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            w.WriteString("EncryptionType", Required(request.EncryptionType, "EncryptionType"));
            w.WriteString("KeyId", Required(request.KeyId, "KeyId"));
        });
        var r = await json.InvokeAsync("StartStreamEncryption", body, cancellationToken).ConfigureAwait(false);
        return new StartStreamEncryptionResponse { RequestId = r.RequestId };
    }

    public async Task<StopStreamEncryptionResponse> StopStreamEncryptionAsync(StopStreamEncryptionRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            w.WriteString("EncryptionType", Required(request.EncryptionType, "EncryptionType"));
            w.WriteString("KeyId", Required(request.KeyId, "KeyId"));
        });
        var r = await json.InvokeAsync("StopStreamEncryption", body, cancellationToken).ConfigureAwait(false);
        return new StopStreamEncryptionResponse { RequestId = r.RequestId };
    }

    public async Task<ListTagsForStreamResponse> ListTagsForStreamAsync(ListTagsForStreamRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            if (request.ExclusiveStartTagKey is { } start)
            {
                w.WriteString("ExclusiveStartTagKey", start);
            }

            if (request.Limit is { } limit)
            {
                w.WriteNumber("Limit", limit);
            }
        });
        var r = await json.InvokeAsync("ListTagsForStream", body, cancellationToken).ConfigureAwait(false);
        return new ListTagsForStreamResponse
        {
            Tags = r.Body.TryGetProperty("Tags", out var tags) && tags.ValueKind == JsonValueKind.Array
                ? tags.EnumerateArray().Select(t => new Tag { Key = String(t, "Key") ?? string.Empty, Value = String(t, "Value") }).ToList()
                : new List<Tag>(),
            HasMoreTags = r.Body.TryGetProperty("HasMoreTags", out var more) && more.ValueKind == JsonValueKind.True,
            RequestId = r.RequestId,
        };
    }

    public void Dispose() => json.Dispose();

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : null;

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{name} is required.", name) : value!;

    // Every request names the stream by StreamName, StreamARN or both.
    private static byte[] Write(KinesisStreamRequest request, Action<Utf8JsonWriter> members)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        if (string.IsNullOrEmpty(request.StreamName) && string.IsNullOrEmpty(request.StreamARN))
        {
            throw new ArgumentException("StreamName or StreamARN is required.", nameof(request));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (!string.IsNullOrEmpty(request.StreamName))
            {
                writer.WriteString("StreamName", request.StreamName);
            }

            if (!string.IsNullOrEmpty(request.StreamARN))
            {
                writer.WriteString("StreamARN", request.StreamARN);
            }

            members(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
