using System.Management.Automation;
using System.Text.Json;
using RemediationTools.Core.Results;

namespace RemediationTools;

/// <summary>
/// Turns what is piped into the result cmdlets into <see cref="RemediationResult"/> objects: our own results, results
/// that went through ConvertTo-Json / ConvertFrom-Json (PSCustomObject), hashtables, or JSON text.
/// </summary>
internal static class ResultBinder
{
    /// <summary>Converts <paramref name="input"/>; throws <see cref="InvalidDataException"/> naming what is wrong.</summary>
    public static IReadOnlyList<RemediationResult> Convert(object? input)
    {
        object? bare = input is PSObject wrapped ? wrapped.BaseObject : input;
        switch (bare)
        {
            case null:
                throw new InvalidDataException("The input is null, not a remediation result.");
            case RemediationResult result:
                return new[] { result };
            case string json:
                return RemediationResultFile.Parse(json, "The JSON text");
        }

        object? plain = PlainObjectConverter.ToPlain(input);
        if (plain is not Dictionary<string, object?> and not List<object?>)
        {
            throw new InvalidDataException($"A {bare.GetType().Name} is not a remediation result.");
        }

        foreach (Dictionary<string, object?> item in plain is List<object?> list ? list.OfType<Dictionary<string, object?>>() : new[] { (Dictionary<string, object?>)plain })
        {
            NormalizeDuration(item);
        }

        return RemediationResultFile.Parse(JsonSerializer.Serialize(plain, plain.GetType()), "The input object");
    }

    // ConvertTo-Json writes a TimeSpan as an object of its properties; its Ticks are the exact value.
    private static void NormalizeDuration(Dictionary<string, object?> result)
    {
        string? key = result.Keys.FirstOrDefault(k => string.Equals(k, nameof(RemediationResult.Duration), StringComparison.OrdinalIgnoreCase));
        if (key is not null && result[key] is Dictionary<string, object?> timeSpan
            && timeSpan.TryGetValue("Ticks", out object? ticks) && ticks is not null)
        {
            result[key] = TimeSpan.FromTicks(System.Convert.ToInt64(ticks, System.Globalization.CultureInfo.InvariantCulture)).ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
