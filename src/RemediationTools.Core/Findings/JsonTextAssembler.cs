using System.Text;

namespace RemediationTools.Core.Findings;

/// <summary>
/// Puts JSON documents back together from text that arrives in pieces: <c>Get-Content</c> without <c>-Raw</c> sends a
/// file one line at a time. A piece that is a whole document (a JSON lines file: one finding a line) comes back as it
/// is; a piece that opens an object or array that it does not close is kept, and the following pieces are added to it
/// until the brackets balance. Brackets inside strings do not count. Blank pieces between documents are skipped.
/// </summary>
internal sealed class JsonTextAssembler
{
    private readonly StringBuilder pending = new();
    private int depth;
    private bool inString;
    private bool escaped;

    /// <summary>How many pieces the unfinished document has; 0 when none is pending.</summary>
    public int PendingPieces { get; private set; }

    /// <summary>Adds <paramref name="piece"/>; returns the document it is or completes, else null (more is needed).</summary>
    public string? Add(string piece)
    {
        if (piece is null)
        {
            throw new ArgumentNullException(nameof(piece));
        }

        if (PendingPieces == 0 && string.IsNullOrWhiteSpace(piece))
        {
            return null;
        }

        if (PendingPieces > 0)
        {
            pending.Append('\n');
        }

        pending.Append(piece);
        PendingPieces++;
        Scan(piece);
        if (depth > 0 || inString)
        {
            return null;
        }

        // Balanced, or not JSON at all (a stray closing bracket, plain text): the parser says what is wrong with it.
        return TakePending();
    }

    /// <summary>The unfinished document's text (null when none), and starts over.</summary>
    public string? TakePending()
    {
        string? text = PendingPieces == 0 ? null : pending.ToString();
        pending.Clear();
        PendingPieces = 0;
        depth = 0;
        inString = false;
        escaped = false;
        return text;
    }

    private void Scan(string piece)
    {
        foreach (char c in piece)
        {
            if (inString)
            {
                if (escaped)
                {
                    escaped = false;
                }
                else if (c == '\\')
                {
                    escaped = true;
                }
                else if (c == '"')
                {
                    inString = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{' or '[':
                    depth++;
                    break;
                case '}' or ']':
                    depth--;
                    break;
            }
        }

        // A line break ends no JSON string; an unterminated string on one line is the parser's to report.
        if (inString && depth == 0)
        {
            inString = false;
        }
    }
}
