using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RemediationTools.Core.Roles;

/// <summary>Reads and compares IAM policy JSON the way IAM treats it (whitespace, key order and one-element lists do not matter).</summary>
internal static class PolicyText
{
    private static readonly char[] WildcardCharacters = { '*', '?' };

    /// <summary>The length IAM counts against its size quotas: every character except whitespace.</summary>
    public static int CountedLength(string json) => json.Count(c => !char.IsWhiteSpace(c));

    /// <summary>
    /// A canonical form of a policy: object keys sorted, a one-element list equal to its element, lists of
    /// strings sorted. Two documents IAM treats alike have the same canonical form. Invalid JSON is returned as is.
    /// </summary>
    public static string Canonical(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return string.Empty;
        }

        try
        {
            using var document = JsonDocument.Parse(json!);
            var builder = new StringBuilder();
            Write(document.RootElement, builder);
            return builder.ToString();
        }
        catch (JsonException)
        {
            return json!;
        }
    }

    /// <summary>Whether two policies are the same to IAM.</summary>
    public static bool SameDocument(string? left, string? right) => string.Equals(Canonical(left), Canonical(right), StringComparison.Ordinal);

    /// <summary>The actions of the document's Allow statements (an <c>Action</c> string or list); NotAction statements are reported as <c>NotAction:...</c>.</summary>
    public static IReadOnlyList<string> AllowedActions(string json)
    {
        var actions = new List<string>();
        foreach (var statement in Statements(json))
        {
            if (!IsAllow(statement))
            {
                continue;
            }

            actions.AddRange(Strings(statement, "Action"));
            actions.AddRange(Strings(statement, "NotAction").Select(a => "NotAction:" + a));
        }

        return actions;
    }

    /// <summary>The resources of the Allow statement with ID <paramref name="sid"/> or an ID made of it and digits (split statements).</summary>
    public static IReadOnlyList<string> ResourcesOfStatement(string json, string sid)
    {
        var pattern = new Regex("^" + Regex.Escape(sid) + "[0-9]*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        return Statements(json)
            .Where(s => IsAllow(s) && s.TryGetProperty("Sid", out var id) && id.ValueKind == JsonValueKind.String && pattern.IsMatch(id.GetString() ?? string.Empty))
            .SelectMany(s => Strings(s, "Resource"))
            .ToList();
    }

    /// <summary>Whether IAM action <paramref name="action"/> is granted by the policy entry <paramref name="grant"/> (which may hold <c>*</c> and <c>?</c>).</summary>
    public static bool Covers(string grant, string action)
    {
        if (string.Equals(grant, action, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (grant.IndexOfAny(WildcardCharacters) < 0)
        {
            return false;
        }

        var pattern = "^" + Regex.Escape(grant).Replace("\\*", ".*").Replace("\\?", ".") + "$";
        return Regex.IsMatch(action, pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }

    private static List<JsonElement> Statements(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("Statement", out var statement))
            {
                return new List<JsonElement>();
            }

            var list = statement.ValueKind == JsonValueKind.Array ? statement.EnumerateArray().ToList() : new List<JsonElement> { statement };
            return list.Select(e => e.Clone()).ToList();
        }
        catch (JsonException)
        {
            return new List<JsonElement>();
        }
    }

    private static bool IsAllow(JsonElement statement) =>
        statement.ValueKind == JsonValueKind.Object
        && statement.TryGetProperty("Effect", out var effect)
        && effect.ValueKind == JsonValueKind.String
        && effect.GetString() == "Allow";

    private static IEnumerable<string> Strings(JsonElement statement, string name)
    {
        if (!statement.TryGetProperty(name, out var value))
        {
            return Array.Empty<string>();
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => new[] { value.GetString() ?? string.Empty },
            JsonValueKind.Array => value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString() ?? string.Empty).ToList(),
            _ => Array.Empty<string>(),
        };
    }

    private static void Write(JsonElement element, StringBuilder builder)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                builder.Append('{');
                bool first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    builder.Append(JsonSerializer.Serialize(property.Name)).Append(':');
                    Write(property.Value, builder);
                }

                builder.Append('}');
                break;
            case JsonValueKind.Array:
                var items = element.EnumerateArray().ToList();
                if (items.Count == 1)
                {
                    Write(items[0], builder);
                    break;
                }

                var rendered = items.Select(item =>
                {
                    var inner = new StringBuilder();
                    Write(item, inner);
                    return inner.ToString();
                });
                if (items.All(i => i.ValueKind == JsonValueKind.String))
                {
                    rendered = rendered.OrderBy(s => s, StringComparer.Ordinal);
                }

                builder.Append('[').Append(string.Join(",", rendered)).Append(']');
                break;
            case JsonValueKind.String:
                builder.Append(JsonSerializer.Serialize(element.GetString()));
                break;
            default:
                builder.Append(element.GetRawText());
                break;
        }
    }
}
