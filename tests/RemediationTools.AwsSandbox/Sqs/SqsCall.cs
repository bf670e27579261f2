using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RemediationTools.AwsSandbox.Auth;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>One authenticated SQS call being handled under the state lock: who, where, the JSON input, and its helpers.</summary>
internal sealed class SqsCall
{
    private static readonly JsonSerializerOptions OutputOptions = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public required AwsRequestContext Context { get; init; }

    public required JsonElement Body { get; init; }

    /// <summary>The Host header the request came to (queue URLs are built on it, like SQS's own endpoint).</summary>
    public required string Host { get; init; }

    /// <summary>Whether the request counts as TLS for <c>aws:SecureTransport</c> (see the sandbox README).</summary>
    public required bool SecureTransport { get; init; }

    public SqsState Sqs => SqsState.For(Context.State);

    public CallerPrincipal Caller => Context.Caller;

    public string Region => Context.Region;

    public DateTimeOffset Now => Context.Now;

    public static string Json(object value) => JsonSerializer.Serialize(value, OutputOptions);

    public static string Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static string EpochMilliseconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    public string QueueUrl(SqsQueue queue) => "http://" + Host + "/" + queue.AccountId + "/" + queue.Name;

    public bool Has(string name) => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    public string? String(string name) => String(Body, name);

    public string RequiredString(string name) => String(name) is { Length: > 0 } value ? value : throw SqsErrors.MissingParameter(name);

    public int? Int(string name) => Int(Body, name);

    public static string? String(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw Serialization(name);
    }

    public static int? Int(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Serialization(name);
    }

    public Dictionary<string, string> Map(string name)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!Has(name))
        {
            return result;
        }

        var value = Body.GetProperty(name);
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Serialization(name);
        }

        foreach (var property in value.EnumerateObject())
        {
            result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : throw Serialization(name);
        }

        return result;
    }

    public List<string> List(string name)
    {
        if (!Has(name))
        {
            return [];
        }

        var value = Body.GetProperty(name);
        return value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString()! : throw Serialization(name)).ToList()
            : throw Serialization(name);
    }

    public List<JsonElement> Entries(string name)
    {
        if (!Has(name))
        {
            return [];
        }

        var value = Body.GetProperty(name);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : throw Serialization(name);
    }

    private static AwsServiceError Serialization(string name) =>
        new(400, "SerializationException", "Unexpected value type for the member " + name + ".");
}
