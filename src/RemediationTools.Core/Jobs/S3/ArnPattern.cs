namespace RemediationTools.Core.Jobs.S3;

/// <summary>
/// The wildcards of a policy's <c>Resource</c> element: <c>*</c> matches any run of characters, <c>?</c> one
/// character; everything else matches itself, case-sensitively (IAM compares resource ARNs case-sensitively).
/// </summary>
internal static class ArnPattern
{
    /// <summary>True when <paramref name="pattern"/> matches all of <paramref name="arn"/>.</summary>
    public static bool Matches(string pattern, string arn)
    {
        if (pattern is null || arn is null)
        {
            return false;
        }

        // Iterative glob match with backtracking to the last '*': linear in practice, no regex to escape.
        int p = 0, a = 0, star = -1, resume = 0;
        while (a < arn.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == arn[a]))
            {
                p++;
                a++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = a;
            }
            else if (star >= 0)
            {
                p = star + 1;
                a = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
