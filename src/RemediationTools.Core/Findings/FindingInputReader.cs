using System.Text.Json;

namespace RemediationTools.Core.Findings;

/// <summary>
/// Collects the findings of one <c>Invoke-Remediation</c> call from everything it accepts: JSON text (a finding, an
/// array of findings, a Security Hub envelope, a JSON lines file, or one line of a file at a time as <c>Get-Content</c>
/// sends it), files, object graphs (dictionaries and lists, as the cmdlet layer makes of hashtables and
/// <c>ConvertFrom-Json</c> objects) and <c>-Job</c>/<c>-ResourceId</c>. A bad item is a <see cref="FindingInputError"/>
/// naming the finding and the bad value, and the others go on.
/// </summary>
internal sealed class FindingInputReader
{
    private readonly List<Finding> findings = new();
    private readonly JsonTextAssembler pipelineText = new();
    private readonly string? defaultRegion;

    /// <summary>Creates the reader; <paramref name="defaultRegion"/> is the region of findings that carry none.</summary>
    public FindingInputReader(string? defaultRegion = null) => this.defaultRegion = defaultRegion;

    /// <summary>The findings read so far, in input order.</summary>
    public IReadOnlyList<Finding> Findings => findings;

    /// <summary>
    /// Adds text from the pipeline: a whole document, or a line of one (kept until the document is complete).
    /// <paramref name="target"/> is the input item the errors name.
    /// </summary>
    public IReadOnlyList<FindingInputError> AddText(string text, string source, object? target = null)
    {
        string? document = pipelineText.Add(text ?? throw new ArgumentNullException(nameof(text)));
        return document is null ? Array.Empty<FindingInputError>() : AddDocument(document, source, string.Equals(document, text, StringComparison.Ordinal) ? target ?? text : document);
    }

    /// <summary>Adds a file's text: one document, or JSON lines (a document a line).</summary>
    public IReadOnlyList<FindingInputError> AddFile(string text, string file)
    {
        var errors = new List<FindingInputError>();
        var assembler = new JsonTextAssembler();
        foreach (string line in (text ?? throw new ArgumentNullException(nameof(text))).Split('\n'))
        {
            if (assembler.Add(line.TrimEnd('\r')) is { } document)
            {
                errors.AddRange(AddDocument(document, file, file));
            }
        }

        if (assembler.TakePending() is { } unfinished)
        {
            errors.Add(Unfinished(unfinished, file, file));
        }

        return errors;
    }

    /// <summary>Adds an object graph: a dictionary (one finding or an envelope), a list of findings, or a string.</summary>
    public IReadOnlyList<FindingInputError> AddObject(object? graph, string source, object? target = null)
    {
        switch (graph)
        {
            case string text:
                return AddText(text, source, target);
            case IDictionary<string, object?> map:
                // Read as JSON, like a string, so that envelopes of several findings are found either way.
                return AddDocument(JsonSerializer.Serialize(map), source, target ?? graph);
            case IList<object?> list:
                var errors = new List<FindingInputError>();
                foreach (object? item in list)
                {
                    errors.AddRange(item is string json ? AddDocument(json, source, item) : AddObject(item, source, item));
                }

                return errors;
            default:
                return AddParsed(() => FindingParser.ParseObject(graph), source, target ?? graph, null);
        }
    }

    /// <summary>Adds the finding of <c>-Job</c> and <c>-ResourceId</c>; the region is -Region, else the ARN's, else the session's.</summary>
    public FindingInputError? AddResource(string jobId, string resourceId, string? accountId, string? region, string? sessionRegion)
    {
        var plain = new Dictionary<string, object?>(StringComparer.Ordinal) { ["Job"] = jobId, ["ResourceId"] = resourceId };
        if (accountId is not null)
        {
            plain["AccountId"] = accountId;
        }

        string[] arn = (resourceId ?? throw new ArgumentNullException(nameof(resourceId))).Split(':');
        bool arnHasRegion = resourceId.StartsWith("arn:", StringComparison.Ordinal) && arn.Length > 3 && arn[3].Length > 0;
        if (region is not null || !arnHasRegion)
        {
            plain["Region"] = region ?? sessionRegion ?? string.Empty;
        }

        try
        {
            findings.Add(FindingParser.ParseObject(plain));
            return null;
        }
        catch (FindingFormatException ex)
        {
            return new FindingInputError($"-ResourceId '{resourceId}' cannot be used: {ex.Message}", resourceId, null, ex);
        }
    }

    /// <summary>Ends the input: a document still open (lines of a file that never closed it) is one error.</summary>
    public IReadOnlyList<FindingInputError> Complete()
    {
        string? unfinished = pipelineText.TakePending();
        return unfinished is null ? Array.Empty<FindingInputError>() : new[] { Unfinished(unfinished, "the pipeline", unfinished) };
    }

    private static FindingInputError Unfinished(string text, string source, object target)
    {
        string first = text.TrimStart();
        first = first.Length > 40 ? first.Substring(0, 40) + "..." : first;
        int lines = text.Split('\n').Length;
        return new FindingInputError(
            $"The JSON text from {source} ends inside a document ({lines} line(s) starting '{first.Replace('\n', ' ')}' never close their brackets). " +
            "Pass whole documents: Get-Content -Raw <file>, or the files themselves (Get-ChildItem *.json | Invoke-Remediation).",
            target,
            null,
            null);
    }

    private IReadOnlyList<FindingInputError> AddDocument(string json, string source, object? target)
    {
        string trimmed = json.TrimStart();
        if (!trimmed.StartsWith("{", StringComparison.Ordinal) && !trimmed.StartsWith("[", StringComparison.Ordinal))
        {
            return AddParsed(() => FindingParser.Parse(json), source, target, null);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            return new[] { new FindingInputError($"The finding from {source} is not valid JSON: {ex.Message}", target, null, ex) };
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            IReadOnlyList<JsonElement>? items = root.ValueKind == JsonValueKind.Array ? root.EnumerateArray().ToList() : FindingParser.SecurityHubEnvelope(root);
            if (items is null)
            {
                return AddParsed(() => FindingParser.Parse(root, json, defaultRegion), source, target, root);
            }

            var errors = new List<FindingInputError>();
            foreach (JsonElement item in items)
            {
                string raw = item.GetRawText();
                errors.AddRange(AddParsed(() => FindingParser.Parse(item, raw, defaultRegion), source, raw, item));
            }

            return errors;
        }
    }

    private FindingInputError[] AddParsed(Func<Finding> parse, string source, object? target, JsonElement? element)
    {
        try
        {
            findings.Add(parse());
            return Array.Empty<FindingInputError>();
        }
        catch (FindingFormatException ex)
        {
            string? findingId = element is { } e ? FindingIdOf(e) : null;
            string which = findingId is null ? "A finding" : $"Finding '{findingId}'";
            return new[] { new FindingInputError($"{which} from {source} is invalid: {ex.Message}", target, findingId, ex) };
        }
    }

    // The finding's own ID, when it has one, so that an error says which finding of a batch is wrong.
    private static string? FindingIdOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        JsonElement notification = FindingParser.TryGet(root, out JsonElement inner, "notificationInfo") ? inner : root;
        foreach ((JsonElement obj, string name) in new[] { (notification, "FindingInfo"), (root, string.Empty) })
        {
            JsonElement holder = obj;
            if (name.Length > 0 && !FindingParser.TryGet(obj, out holder, name))
            {
                continue;
            }

            if (FindingParser.TryGet(holder, out JsonElement id, "FindingId", "Id") && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }

        return null;
    }
}

/// <summary>An input item that is not a usable finding; nothing was touched for it.</summary>
internal sealed class FindingInputError
{
    /// <summary>Creates the error.</summary>
    public FindingInputError(string message, object? target, string? findingId, Exception? cause)
    {
        Message = message;
        Target = target;
        FindingId = findingId;
        Cause = cause;
    }

    /// <summary>What is wrong, naming the finding and the bad value.</summary>
    public string Message { get; }

    /// <summary>The input item (the object, the file, or the reassembled JSON text).</summary>
    public object? Target { get; }

    /// <summary>The finding's ID, when it has one.</summary>
    public string? FindingId { get; }

    /// <summary>The parser's exception, if any.</summary>
    public Exception? Cause { get; }

    /// <summary>The error as an exception for an error record.</summary>
    public FindingFormatException ToException() => Cause is null ? new FindingFormatException(Message) : new FindingFormatException(Message, Cause);
}
