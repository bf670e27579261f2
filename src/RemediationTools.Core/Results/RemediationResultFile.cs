using System.Text;
using System.Text.Json;

namespace RemediationTools.Core.Results;

/// <summary>
/// Saved runs: a JSON array of <see cref="RemediationResult"/> (the form <see cref="RemediationJson"/> writes), so a
/// run can be audited and undone later. Reading also accepts a single result object. Writes are atomic (a temporary
/// file beside the target, then a rename), so a crash never leaves half a file.
/// </summary>
internal static class RemediationResultFile
{
    private static readonly JsonSerializerOptions Indented = new(RemediationJson.Options) { WriteIndented = true };

    /// <summary>The results as an indented JSON array.</summary>
    public static string ToJson(IEnumerable<RemediationResult> results)
        => JsonSerializer.Serialize((results ?? throw new ArgumentNullException(nameof(results))).ToList(), Indented);

    /// <summary>
    /// Reads results from JSON text: an array of results or one result. Throws <see cref="InvalidDataException"/>
    /// naming <paramref name="source"/> when the text is not that.
    /// </summary>
    public static IReadOnlyList<RemediationResult> Parse(string json, string source)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new InvalidDataException(source + " is empty: expected a JSON array of remediation results.");
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var elements = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                JsonValueKind.Object => new List<JsonElement> { root },
                _ => throw new InvalidDataException(source + " holds a JSON " + root.ValueKind.ToString().ToLowerInvariant() + ", not an array of remediation results."),
            };
            var results = new List<RemediationResult>(elements.Count);
            for (var i = 0; i < elements.Count; i++)
            {
                results.Add(FromElement(elements[i], elements.Count == 1 && root.ValueKind == JsonValueKind.Object ? source : source + " item " + i));
            }

            return results;
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(source + " is not valid JSON: " + ex.Message, ex);
        }
    }

    /// <summary>Reads one result from JSON text (for example a result piped through ConvertTo-Json).</summary>
    public static RemediationResult ParseOne(string json, string source)
    {
        var results = Parse(json, source);
        return results.Count == 1 ? results[0] : throw new InvalidDataException(source + " holds " + results.Count + " results where one was expected.");
    }

    /// <summary>Reads the results saved in <paramref name="path"/>.</summary>
    public static IReadOnlyList<RemediationResult> Read(string path)
        => Parse(File.ReadAllText(path ?? throw new ArgumentNullException(nameof(path)), Encoding.UTF8), path);

    /// <summary>
    /// Writes <paramref name="results"/> to <paramref name="path"/> as a JSON array; with <paramref name="append"/>
    /// the results already in the file come first. Atomic: readers see the old file or the new one.
    /// </summary>
    public static void Write(string path, IReadOnlyList<RemediationResult> results, bool append)
    {
        if (path is null)
        {
            throw new ArgumentNullException(nameof(path));
        }

        var all = new List<RemediationResult>();
        if (append && File.Exists(path))
        {
            all.AddRange(Read(path));
        }

        all.AddRange(results ?? throw new ArgumentNullException(nameof(results)));
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N").Substring(0, 8) + ".tmp");
        File.WriteAllText(temporary, ToJson(all), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        try
        {
            if (File.Exists(full))
            {
                File.Replace(temporary, full, destinationBackupFileName: null);
            }
            else
            {
                File.Move(temporary, full);
            }
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    private static RemediationResult FromElement(JsonElement element, string source)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException(source + " is a JSON " + element.ValueKind.ToString().ToLowerInvariant() + ", not a remediation result.");
        }

        if (!HasProperty(element, nameof(RemediationResult.Status)))
        {
            throw new InvalidDataException(source + " has no Status: it is not a remediation result.");
        }

        RemediationResult result;
        try
        {
            result = RemediationJson.Deserialize<RemediationResult>(element.GetRawText());
        }
        catch (FormatException ex)
        {
            // A property that refuses its value (a Duration that is not a duration) names it.
            throw new InvalidDataException(source + ": " + ex.Message, ex);
        }

        var record = result.UndoRecord;
        if (record is not null && (string.IsNullOrWhiteSpace(record.JobId) || string.IsNullOrWhiteSpace(record.Region) || string.IsNullOrWhiteSpace(record.ResourceId)))
        {
            throw new InvalidDataException(source + " has an UndoRecord without JobId, Region or ResourceId.");
        }

        return result;
    }

    private static bool HasProperty(JsonElement element, string name)
        => element.EnumerateObject().Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
