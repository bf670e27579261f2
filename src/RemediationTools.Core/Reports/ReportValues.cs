using System.Globalization;

namespace RemediationTools.Core.Reports;

/// <summary>How the report renderers write values that are not text.</summary>
internal static class ReportValues
{
    /// <summary>
    /// How long <paramref name="result"/> took. Read through its text form (<c>c</c> format), which the property has
    /// whether it is a TimeSpan or the TimeSpan's text.
    /// </summary>
    public static TimeSpan Elapsed(RemediationResult result)
    {
        var text = Convert.ToString((result ?? throw new ArgumentNullException(nameof(result))).Duration, CultureInfo.InvariantCulture);
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var elapsed) ? elapsed : TimeSpan.Zero;
    }

    /// <summary>A duration as people read it: <c>250 ms</c>, <c>1.23 s</c>, <c>2 min 5 s</c>.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.FromSeconds(1))
        {
            return Math.Round(duration.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + " ms";
        }

        if (duration < TimeSpan.FromMinutes(1))
        {
            return duration.TotalSeconds.ToString("0.##", CultureInfo.InvariantCulture) + " s";
        }

        return ((long)duration.TotalMinutes).ToString(CultureInfo.InvariantCulture) + " min " + duration.Seconds.ToString(CultureInfo.InvariantCulture) + " s";
    }
}
