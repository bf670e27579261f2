using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>
/// One DynamoDB attribute value (<c>{"S":"x"}</c>, <c>{"N":"1"}</c>, ...): S, N, B, BOOL, NULL, M, L, SS, NS, BS.
/// Immutable; numbers are held as decimals (enough for the tests; AWS keeps 38 digits).
/// </summary>
internal sealed class AttributeValue
{
    private AttributeValue(string type) => Type = type;

    /// <summary>The type descriptor: S, N, B, BOOL, NULL, M, L, SS, NS or BS.</summary>
    public string Type { get; }

    /// <summary>The string of an S, the canonical text of an N, the base64 of a B.</summary>
    public string? Scalar { get; private init; }

    public decimal Number { get; private init; }

    public bool Bool { get; private init; }

    public IReadOnlyDictionary<string, AttributeValue>? Map { get; private init; }

    public IReadOnlyList<AttributeValue>? List { get; private init; }

    /// <summary>The members of SS, NS (canonical text) or BS (base64), in the order given.</summary>
    public IReadOnlyList<string>? Set { get; private init; }

    public static AttributeValue String(string value) => new("S") { Scalar = value };

    public static AttributeValue Num(decimal value) => new("N") { Number = value, Scalar = Canonical(value) };

    public static AttributeValue OfMap(IReadOnlyDictionary<string, AttributeValue> map) => new("M") { Map = map };

    public static AttributeValue OfList(IReadOnlyList<AttributeValue> list) => new("L") { List = list };

    public static AttributeValue OfSet(string type, IEnumerable<string> members) => new(type) { Set = members.Distinct(StringComparer.Ordinal).ToList() };

    /// <summary>Parses the wire form, throwing ValidationException for a value AWS refuses.</summary>
    public static AttributeValue Parse(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw DynamoDbErrors.Validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        }

        var properties = element.EnumerateObject().ToList();
        if (properties.Count != 1)
        {
            throw DynamoDbErrors.Validation(properties.Count == 0
                ? "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
                : "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
        }

        var (type, value) = (properties[0].Name, properties[0].Value);
        switch (type)
        {
            case "S" when value.ValueKind == JsonValueKind.String:
                return String(value.GetString()!);
            case "N" when value.ValueKind == JsonValueKind.String:
                return Num(ParseNumber(value.GetString()!));
            case "B" when value.ValueKind == JsonValueKind.String:
                return new AttributeValue("B") { Scalar = CheckBase64(value.GetString()!) };
            case "BOOL" when value.ValueKind is JsonValueKind.True or JsonValueKind.False:
                return new AttributeValue("BOOL") { Bool = value.GetBoolean() };
            case "NULL" when value.ValueKind == JsonValueKind.True:
                return new AttributeValue("NULL");
            case "NULL":
                throw DynamoDbErrors.Validation("One or more parameter values were invalid: Null attribute value types must have the value of true");
            case "M" when value.ValueKind == JsonValueKind.Object:
                return OfMap(value.EnumerateObject().ToDictionary(p => p.Name, p => Parse(p.Value), StringComparer.Ordinal));
            case "L" when value.ValueKind == JsonValueKind.Array:
                return OfList(value.EnumerateArray().Select(Parse).ToList());
            case "SS" or "NS" or "BS" when value.ValueKind == JsonValueKind.Array:
                var members = value.EnumerateArray().Select(m => m.ValueKind == JsonValueKind.String ? m.GetString()! : throw DynamoDbErrors.Serialization()).ToList();
                if (members.Count == 0)
                {
                    throw DynamoDbErrors.Validation("One or more parameter values were invalid: An string set  may not be empty");
                }

                if (members.Distinct(StringComparer.Ordinal).Count() != members.Count)
                {
                    throw DynamoDbErrors.Validation("One or more parameter values were invalid: Input collection [" + string.Join(", ", members) + "] contains duplicates.");
                }

                return OfSet(type, type switch
                {
                    "NS" => members.Select(m => Canonical(ParseNumber(m))),
                    "BS" => members.Select(CheckBase64),
                    _ => members,
                });
            case "S" or "N" or "B" or "BOOL" or "M" or "L" or "SS" or "NS" or "BS":
                throw DynamoDbErrors.Serialization();
            default:
                throw DynamoDbErrors.Validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
        }
    }

    /// <summary>Parses an item (attribute name to value).</summary>
    public static Dictionary<string, AttributeValue> ParseItem(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw DynamoDbErrors.Serialization();
        }

        return element.EnumerateObject().ToDictionary(p => p.Name, p => Parse(p.Value), StringComparer.Ordinal);
    }

    public static decimal ParseNumber(string text)
    {
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || text.Trim().Length != text.Length)
        {
            throw DynamoDbErrors.Validation("The parameter cannot be converted to a numeric value: " + text);
        }

        return number;
    }

    /// <summary>A number's text as DynamoDB returns it: no trailing zeros, no exponent.</summary>
    public static string Canonical(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.', StringComparison.Ordinal))
        {
            text = text.TrimEnd('0').TrimEnd('.');
        }

        return text == "-0" ? "0" : text;
    }

    public void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        switch (Type)
        {
            case "S" or "N" or "B":
                writer.WriteString(Type, Scalar);
                break;
            case "BOOL":
                writer.WriteBoolean(Type, Bool);
                break;
            case "NULL":
                writer.WriteBoolean(Type, true);
                break;
            case "M":
                writer.WritePropertyName(Type);
                WriteItem(writer, Map!);
                break;
            case "L":
                writer.WriteStartArray(Type);
                foreach (var element in List!)
                {
                    element.Write(writer);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStartArray(Type);
                foreach (var member in Set!)
                {
                    writer.WriteStringValue(member);
                }

                writer.WriteEndArray();
                break;
        }

        writer.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter writer, IReadOnlyDictionary<string, AttributeValue> item)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in item)
        {
            writer.WritePropertyName(name);
            value.Write(writer);
        }

        writer.WriteEndObject();
    }

    /// <summary>The size DynamoDB counts for this value (the attribute name is counted by the caller).</summary>
    public int Size() => Type switch
    {
        "S" => Encoding.UTF8.GetByteCount(Scalar!),
        "N" => NumberSize(Scalar!),
        "B" => Convert.FromBase64String(Scalar!).Length,
        "BOOL" or "NULL" => 1,
        "M" => 3 + Map!.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + p.Value.Size() + 1),
        "L" => 3 + List!.Sum(v => v.Size() + 1),
        "SS" => Set!.Sum(Encoding.UTF8.GetByteCount),
        "NS" => Set!.Sum(NumberSize),
        _ => Set!.Sum(m => Convert.FromBase64String(m).Length),
    };

    /// <summary>The size of an item: the sum of its attribute names' and values' sizes (limit 400 KB).</summary>
    public static int ItemSize(IReadOnlyDictionary<string, AttributeValue> item) =>
        item.Sum(p => Encoding.UTF8.GetByteCount(p.Key) + p.Value.Size());

    /// <summary>Deep equality as the <c>=</c> comparator sees it (sets ignore order).</summary>
    public bool ValueEquals(AttributeValue other)
    {
        if (Type != other.Type)
        {
            return false;
        }

        return Type switch
        {
            "N" => Number == other.Number,
            "S" or "B" => string.Equals(Scalar, other.Scalar, StringComparison.Ordinal),
            "BOOL" => Bool == other.Bool,
            "NULL" => true,
            "M" => Map!.Count == other.Map!.Count && Map.All(p => other.Map.TryGetValue(p.Key, out var v) && p.Value.ValueEquals(v)),
            "L" => List!.Count == other.List!.Count && List.Zip(other.List).All(p => p.First.ValueEquals(p.Second)),
            "NS" => Set!.Count == other.Set!.Count && Set.Select(ParseNumber).ToHashSet().SetEquals(other.Set.Select(ParseNumber)),
            _ => Set!.Count == other.Set!.Count && Set.ToHashSet(StringComparer.Ordinal).SetEquals(other.Set),
        };
    }

    /// <summary>Orders two values of one scalar type (S by UTF-8 bytes, N numerically, B by bytes); null when not comparable.</summary>
    public int? CompareTo(AttributeValue other)
    {
        if (Type != other.Type)
        {
            return null;
        }

        return Type switch
        {
            "N" => Number.CompareTo(other.Number),
            "S" => CompareBytes(Encoding.UTF8.GetBytes(Scalar!), Encoding.UTF8.GetBytes(other.Scalar!)),
            "B" => CompareBytes(Convert.FromBase64String(Scalar!), Convert.FromBase64String(other.Scalar!)),
            _ => null,
        };
    }

    /// <summary>A text that is equal for equal key values, for indexing items by key.</summary>
    public string KeyText() => Type + ":" + Scalar;

    public override string ToString() => Type + ":" + (Scalar ?? Type);

    private static int CompareBytes(byte[] a, byte[] b) => a.AsSpan().SequenceCompareTo(b);

    private static int NumberSize(string canonical)
    {
        var digits = canonical.TrimStart('-').Replace(".", string.Empty, StringComparison.Ordinal).Trim('0').Length;
        return Math.Max(1, (digits + 1) / 2) + 1;
    }

    private static string CheckBase64(string text)
    {
        try
        {
            Convert.FromBase64String(text);
            return text;
        }
        catch (FormatException)
        {
            throw DynamoDbErrors.Serialization();
        }
    }
}
