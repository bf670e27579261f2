using System.Globalization;

namespace RemediationTools.Core.Results;

/// <summary>The text form of the durations of the output types (a TimeSpan's constant format, <c>[d.]hh:mm:ss[.fffffff]</c>).</summary>
internal static class DurationText
{
    /// <summary>Reads a duration; null or empty is zero, anything else that is not a non-negative TimeSpan is an error naming the value.</summary>
    public static TimeSpan Parse(string? value, string property)
    {
        if (string.IsNullOrEmpty(value))
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed) && parsed >= TimeSpan.Zero
            ? parsed
            : throw new FormatException($"'{value}' is not a duration: {property} takes a TimeSpan's text form, such as '00:00:01.2340000'.");
    }
}
