using System.Globalization;
using System.Text;

namespace RemediationTools.AwsSandbox.Protocol;

/// <summary>
/// The flattened parameters of an AWS Query or EC2 request (<c>Name.N.Member</c>), with helpers to
/// read the numbered lists both protocols use.
/// </summary>
internal sealed class QueryArgs
{
    private readonly Dictionary<string, string> _values;

    public QueryArgs(Dictionary<string, string> values) => _values = values;

    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Parses application/x-www-form-urlencoded text.</summary>
    public static QueryArgs ParseForm(string form)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in form.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Decode(eq < 0 ? pair : pair[..eq]);
            var value = eq < 0 ? string.Empty : Decode(pair[(eq + 1)..]);
            values[key] = value;
        }

        return new QueryArgs(values);
    }

    public static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));

    public string? Get(string name) => _values.TryGetValue(name, out var value) ? value : null;

    public string Required(string name, string apiName) =>
        Get(name) is { } value ? value : throw new AwsServiceError(400, "MissingParameter", $"The request must contain the parameter {apiName}");

    public int? GetInt(string name)
    {
        var text = Get(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new AwsServiceError(400, "InvalidParameterValue", $"Invalid value '{text}' for {name}");
    }

    /// <summary>The members <c>prefix.1.*</c>, <c>prefix.2.*</c>, … as sub-argument sets, in numeric order.</summary>
    public IReadOnlyList<QueryArgs> List(string prefix)
    {
        var groups = new SortedDictionary<int, Dictionary<string, string>>();
        var start = prefix + ".";
        foreach (var (key, value) in _values)
        {
            if (!key.StartsWith(start, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = key[start.Length..];
            var dot = rest.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            if (!groups.TryGetValue(index, out var group))
            {
                group = new Dictionary<string, string>(StringComparer.Ordinal);
                groups[index] = group;
            }

            group[rest[(dot + 1)..]] = value;
        }

        return groups.Values.Select(g => new QueryArgs(g)).ToList();
    }

    /// <summary>The scalar values <c>prefix.1</c>, <c>prefix.2</c>, … in numeric order.</summary>
    public IReadOnlyList<string> Strings(string prefix)
    {
        var items = new SortedDictionary<int, string>();
        var start = prefix + ".";
        foreach (var (key, value) in _values)
        {
            if (key.StartsWith(start, StringComparison.Ordinal)
                && int.TryParse(key.AsSpan(start.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                items[index] = value;
            }
        }

        return items.Values.ToList();
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var (key, value) in _values)
        {
            text.Append(key).Append('=').Append(value).Append(';');
        }

        return text.ToString();
    }
}
