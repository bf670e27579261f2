using System.Globalization;

namespace RemediationTools.Core.Aws.Signed;

/// <summary>The Query-protocol encodings of lists and booleans the ELB APIs take.</summary>
internal static class QueryParameterLists
{
    /// <summary>Adds <c>prefix.1</c>, <c>prefix.2</c>, ... (e.g. <c>LoadBalancerNames.member</c>) for the values given.</summary>
    public static QueryParameters AddList(this QueryParameters parameters, string prefix, IEnumerable<string>? values)
    {
        var index = 0;
        foreach (var value in values ?? Enumerable.Empty<string>())
        {
            index++;
            parameters.Add(new KeyValuePair<string, string>(prefix + "." + index.ToString(CultureInfo.InvariantCulture), value ?? string.Empty));
        }

        return parameters;
    }

    /// <summary>Adds "true" or "false" when the value is set.</summary>
    public static QueryParameters AddIf(this QueryParameters parameters, string name, bool? value)
    {
        if (value.HasValue)
        {
            parameters.Add(new KeyValuePair<string, string>(name, value.Value ? "true" : "false"));
        }

        return parameters;
    }

    /// <summary>A Query-protocol boolean ("true"/"false", any case); null when absent or not a boolean.</summary>
    public static bool? ParseBool(string? value) =>
        string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) ? true
        : string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    /// <summary>A Query-protocol integer; null when absent or not a number.</summary>
    public static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>A Query-protocol timestamp (ISO 8601, UTC); null when absent or not a date.</summary>
    public static DateTime? ParseDate(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;
}
