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

        return RemediationResultFile.Parse(JsonSerializer.Serialize(plain, plain.GetType()), "The input object");
    }
}
