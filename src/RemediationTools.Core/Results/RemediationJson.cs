using System.Text.Json;
using System.Text.Json.Serialization;

namespace RemediationTools.Core.Results;

/// <summary>
/// The one JSON form of results and undo data: property names as in the types, enums as names, so a run can be
/// stored, audited and undone later (and read by <c>ConvertFrom-Json</c> with the same property names).
/// </summary>
internal static class RemediationJson
{
    /// <summary>The serializer options used for results and undo data.</summary>
    public static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>Writes <paramref name="value"/> as JSON.</summary>
    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Reads a <typeparamref name="T"/> from JSON; throws <see cref="JsonException"/> on bad input.</summary>
    public static T Deserialize<T>(string json)
        where T : class
        => JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException("The JSON document is null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        return options;
    }
}
