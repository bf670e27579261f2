using System.Management.Automation;

namespace RemediationTools.Completers;

/// <summary>Prefix matching shared by the argument completers, quoting values that need it.</summary>
internal static class CompletionHelper
{
    private static readonly char[] NeedsQuoting = { ' ', '\'', '$', '`' };

    internal static IEnumerable<CompletionResult> Complete(IEnumerable<string> candidates, string? wordToComplete)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        foreach (string candidate in candidates)
        {
            if (candidate.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                string text = candidate.IndexOfAny(NeedsQuoting) >= 0 ? "'" + candidate.Replace("'", "''") + "'" : candidate;
                yield return new CompletionResult(text, candidate, CompletionResultType.ParameterValue, candidate);
            }
        }
    }
}
