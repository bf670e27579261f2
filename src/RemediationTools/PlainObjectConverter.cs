using System.Collections;
using System.Management.Automation;

namespace RemediationTools;

/// <summary>
/// Turns what PowerShell hands a cmdlet (PSObject, PSCustomObject from ConvertFrom-Json, hashtables, arrays)
/// into plain dictionaries and lists that Core can serialize, so Core never sees a PowerShell type.
/// </summary>
internal static class PlainObjectConverter
{
    private const int MaxDepth = 32;

    public static object? ToPlain(object? value) => ToPlain(value, 0);

    private static object? ToPlain(object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException("The object is nested more than " + MaxDepth + " levels deep.", nameof(value));
        }

        object? bare = value is PSObject wrapped ? wrapped.BaseObject : value;
        switch (bare)
        {
            case null:
                return null;
            case string or bool or char or DateTime or DateTimeOffset or Guid:
                return bare;
            case IDictionary dictionary:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dictionary)
                {
                    map[Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty] = ToPlain(entry.Value, depth + 1);
                }

                return map;
            case PSCustomObject when value is PSObject custom:
                var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (PSPropertyInfo property in custom.Properties)
                {
                    properties[property.Name] = ToPlain(property.Value, depth + 1);
                }

                return properties;
            case IEnumerable sequence:
                var list = new List<object?>();
                foreach (object? item in sequence)
                {
                    list.Add(ToPlain(item, depth + 1));
                }

                return list;
            default:
                return bare.GetType().IsPrimitive || bare is decimal ? bare : Convert.ToString(bare, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
