using RemediationTools.Core.Findings;

namespace RemediationTools.Core.Results;

/// <summary>
/// Collects the results given to <c>Undo-Remediation</c>: result objects, JSON text (a whole document, or one line of
/// a file at a time as <c>Get-Content</c> sends it) and files. A result without an undo record, an item that is no
/// result and a file that cannot be read are each a <see cref="ResultInputError"/>, and the others go on.
/// </summary>
internal sealed class RemediationResultInputReader
{
    private readonly List<RemediationResult> results = new();
    private readonly JsonTextAssembler pipelineText = new();

    /// <summary>The results with an undo record, in input order.</summary>
    public IReadOnlyList<RemediationResult> Results => results;

    /// <summary>Adds pipeline text: a whole document, or a line of one (kept until the document is complete).</summary>
    public IReadOnlyList<ResultInputError> AddText(string text, object? target = null)
    {
        string? document = pipelineText.Add(text ?? throw new ArgumentNullException(nameof(text)));
        return document is null
            ? Array.Empty<ResultInputError>()
            : Add(() => RemediationResultFile.Parse(document, "The JSON text"), string.Equals(document, text, StringComparison.Ordinal) ? target ?? text : document);
    }

    /// <summary>Adds the results <paramref name="read"/> returns (from a file or an object); <paramref name="target"/> is the input item.</summary>
    public IReadOnlyList<ResultInputError> Add(Func<IReadOnlyList<RemediationResult>> read, object? target)
    {
        IReadOnlyList<RemediationResult> items;
        try
        {
            items = (read ?? throw new ArgumentNullException(nameof(read)))();
        }
        catch (InvalidDataException ex)
        {
            return new[] { new ResultInputError(ResultInputErrorKind.Invalid, ex.Message, target, ex) };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new[] { new ResultInputError(ResultInputErrorKind.ReadFailed, $"Cannot read '{target}': {ex.Message}", target, ex) };
        }

        var errors = new List<ResultInputError>();
        foreach (RemediationResult result in items)
        {
            if (result.UndoRecord is null)
            {
                string finding = result.FindingId is null ? string.Empty : $"finding '{result.FindingId}', ";
                errors.Add(new ResultInputError(
                    ResultInputErrorKind.NoUndoRecord,
                    $"The result for {result.ResourceId} ({finding}{result.JobId}, {result.Status}) has no undo record: {(result.IsUndo ? "it is itself an undo" : "nothing was changed")}, so there is nothing to undo.",
                    result,
                    null));
                continue;
            }

            results.Add(result);
        }

        return errors;
    }

    /// <summary>Ends the input: a document still open (lines of a file that never closed it) is one error.</summary>
    public IReadOnlyList<ResultInputError> Complete()
    {
        string? unfinished = pipelineText.TakePending();
        if (unfinished is null)
        {
            return Array.Empty<ResultInputError>();
        }

        string first = unfinished.TrimStart();
        first = (first.Length > 40 ? first.Substring(0, 40) + "..." : first).Replace('\n', ' ');
        return new[]
        {
            new ResultInputError(
                ResultInputErrorKind.Invalid,
                $"The JSON text from the pipeline ends inside a document ({unfinished.Split('\n').Length} line(s) starting '{first}' never close their brackets). " +
                "Pass whole documents: Import-RemediationResult <file>, Get-Content -Raw <file>, or the files themselves (Get-ChildItem r.json | Undo-Remediation).",
                unfinished,
                null),
        };
    }
}

/// <summary>Why an input of <c>Undo-Remediation</c> was not taken.</summary>
internal enum ResultInputErrorKind
{
    /// <summary>It is not a remediation result (or a JSON array of them).</summary>
    Invalid,

    /// <summary>The file could not be read.</summary>
    ReadFailed,

    /// <summary>The result changed nothing, or is an undo itself.</summary>
    NoUndoRecord,
}

/// <summary>An input of <c>Undo-Remediation</c> that was not taken; nothing was touched for it.</summary>
internal sealed class ResultInputError
{
    /// <summary>Creates the error.</summary>
    public ResultInputError(ResultInputErrorKind kind, string message, object? target, Exception? cause)
    {
        Kind = kind;
        Message = message;
        Target = target;
        Cause = cause;
    }

    /// <summary>Why.</summary>
    public ResultInputErrorKind Kind { get; }

    /// <summary>What is wrong, naming the result or file.</summary>
    public string Message { get; }

    /// <summary>The input item.</summary>
    public object? Target { get; }

    /// <summary>The exception of the reader, if any.</summary>
    public Exception? Cause { get; }
}
