using System.Text.Json;
using RemediationTools.Core.Results;

namespace RemediationTools;

/// <summary>
/// Reads a run back from its plain form (<c>Get-RemediationRun | ConvertTo-Json -Depth 6 | ConvertFrom-Json</c>, or a
/// hashtable): the run's fields, with its result read as <see cref="ResultBinder"/> reads results.
/// </summary>
internal static class RunBinder
{
    /// <summary>True for the fields of a run: a request ID and a worker group (a result has neither).</summary>
    public static bool IsRun(IReadOnlyDictionary<string, object?> fields)
        => Has(fields, nameof(RemediationRun.RequestId)) && Has(fields, nameof(RemediationRun.WorkerGroup));

    /// <summary>The run; an <see cref="InvalidDataException"/> naming the field when a field has the wrong form.</summary>
    public static RemediationRun Convert(Dictionary<string, object?> fields)
    {
        var copy = new Dictionary<string, object?>(fields, StringComparer.OrdinalIgnoreCase);
        RemediationResult? result = null;
        if (copy.TryGetValue(nameof(RemediationRun.Result), out object? resultFields) && resultFields is not null)
        {
            result = ResultBinder.Convert(resultFields).Single();
            copy.Remove(nameof(RemediationRun.Result));
        }

        RemediationRun run;
        try
        {
            run = RemediationJson.Deserialize<RemediationRun>(JsonSerializer.Serialize(copy));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException("The run " + (copy.TryGetValue(nameof(RemediationRun.RequestId), out object? id) ? "'" + id + "' " : string.Empty) +
                "cannot be read: " + (ex.Path is { Length: > 0 } path ? path.TrimStart('$', '.') + ": " : string.Empty) + ex.Message.Split('.')[0] + ".", ex);
        }

        run.Result = result;
        return run;
    }

    private static bool Has(IReadOnlyDictionary<string, object?> fields, string name)
        => fields.Any(f => string.Equals(f.Key, name, StringComparison.OrdinalIgnoreCase) && f.Value is string { Length: > 0 });
}
