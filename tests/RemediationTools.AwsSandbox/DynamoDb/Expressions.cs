using System.Globalization;
using System.Text;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>An item as DynamoDB stores it: attribute name to value.</summary>
internal sealed class Item : Dictionary<string, AttributeValue>
{
    public Item()
        : base(StringComparer.Ordinal)
    {
    }

    public Item(IReadOnlyDictionary<string, AttributeValue> source)
        : base(source, StringComparer.Ordinal)
    {
    }
}

/// <summary>One element of a document path: an attribute or map key, or a list index.</summary>
internal sealed record PathPart(string? Name, int Index)
{
    public override string ToString() => Name ?? "[" + Index.ToString(CultureInfo.InvariantCulture) + "]";
}

/// <summary>A document path such as <c>a.b[2].c</c>.</summary>
internal sealed class DocumentPath
{
    public DocumentPath(IReadOnlyList<PathPart> parts) => Parts = parts;

    public IReadOnlyList<PathPart> Parts { get; }

    public string Root => Parts[0].Name!;

    public AttributeValue? Resolve(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        if (item is null || !item.TryGetValue(Root, out var current))
        {
            return null;
        }

        foreach (var part in Parts.Skip(1))
        {
            if (part.Name is { } name)
            {
                if (current.Type != "M" || !current.Map!.TryGetValue(name, out current))
                {
                    return null;
                }
            }
            else if (current.Type != "L" || part.Index >= current.List!.Count)
            {
                return null;
            }
            else
            {
                current = current.List[part.Index];
            }
        }

        return current;
    }

    public override string ToString()
    {
        var text = new StringBuilder(Root);
        foreach (var part in Parts.Skip(1))
        {
            text.Append(part.Name is null ? part.ToString() : "." + part.Name);
        }

        return text.ToString();
    }
}

/// <summary>
/// The placeholders of one request (<c>ExpressionAttributeNames</c> and <c>ExpressionAttributeValues</c>) and which of them
/// its expressions used: DynamoDB refuses a request that defines one it never uses.
/// </summary>
internal sealed class ExpressionScope
{
    private readonly IReadOnlyDictionary<string, string> _names;
    private readonly IReadOnlyDictionary<string, AttributeValue> _values;
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedValues = new(StringComparer.Ordinal);

    public ExpressionScope(IReadOnlyDictionary<string, string>? names, IReadOnlyDictionary<string, AttributeValue>? values)
    {
        _names = names ?? new Dictionary<string, string>();
        _values = values ?? new Dictionary<string, AttributeValue>();
    }

    public string Name(string placeholder, string kind)
    {
        if (!_names.TryGetValue(placeholder, out var name))
        {
            throw DynamoDbErrors.InvalidExpression(kind, "An expression attribute name used in the document path is not defined; attribute name: " + placeholder);
        }

        _usedNames.Add(placeholder);
        return name;
    }

    public AttributeValue Value(string placeholder, string kind)
    {
        if (!_values.TryGetValue(placeholder, out var value))
        {
            throw DynamoDbErrors.InvalidExpression(kind, "An expression attribute value used in expression is not defined; attribute value: " + placeholder);
        }

        _usedValues.Add(placeholder);
        return value;
    }

    /// <summary>Throws ValidationException when a defined placeholder was never used.</summary>
    public void CheckAllUsed()
    {
        var names = _names.Keys.Where(k => !_usedNames.Contains(k)).ToList();
        if (names.Count > 0)
        {
            throw DynamoDbErrors.Validation("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + string.Join(", ", names) + "}");
        }

        var values = _values.Keys.Where(k => !_usedValues.Contains(k)).ToList();
        if (values.Count > 0)
        {
            throw DynamoDbErrors.Validation("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + string.Join(", ", values) + "}");
        }
    }
}

/// <summary>A value in an expression: a path, a placeholder value, or a function of them.</summary>
internal abstract class Operand
{
    /// <summary>The value against <paramref name="item"/>; null when it refers to a missing attribute.</summary>
    public abstract AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item);
}

internal sealed class PathOperand(DocumentPath path) : Operand
{
    public DocumentPath Path { get; } = path;

    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => Path.Resolve(item);
}

internal sealed class ValueOperand(AttributeValue value) : Operand
{
    public AttributeValue Value { get; } = value;

    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => Value;
}

/// <summary><c>size(path)</c>: characters of an S, bytes of a B, members of a set, elements of an M or L.</summary>
internal sealed class SizeOperand(DocumentPath path) : Operand
{
    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var value = path.Resolve(item);
        return value?.Type switch
        {
            null => null,
            "S" => AttributeValue.Num(value.Scalar!.Length),
            "B" => AttributeValue.Num(Convert.FromBase64String(value.Scalar!).Length),
            "M" => AttributeValue.Num(value.Map!.Count),
            "L" => AttributeValue.Num(value.List!.Count),
            "SS" or "NS" or "BS" => AttributeValue.Num(value.Set!.Count),
            _ => throw DynamoDbErrors.InvalidExpression("ConditionExpression", "Incorrect operand type for operator or function; operator or function: size, operand type: " + value.Type),
        };
    }
}

/// <summary><c>if_not_exists(path, value)</c> (update expressions only).</summary>
internal sealed class IfNotExistsOperand(DocumentPath path, Operand fallback) : Operand
{
    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => path.Resolve(item) ?? fallback.Evaluate(item);
}

/// <summary><c>list_append(a, b)</c> (update expressions only).</summary>
internal sealed class ListAppendOperand(Operand first, Operand second) : Operand
{
    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var a = first.Evaluate(item) ?? throw MissingAttribute();
        var b = second.Evaluate(item) ?? throw MissingAttribute();
        if (a.Type != "L" || b.Type != "L")
        {
            throw DynamoDbErrors.Validation("An operand in the update expression has an incorrect data type");
        }

        return AttributeValue.OfList(a.List!.Concat(b.List!).ToList());
    }

    public static AwsServiceError MissingAttribute() =>
        DynamoDbErrors.Validation("The provided expression refers to an attribute that does not exist in the item");
}

/// <summary><c>a + b</c> or <c>a - b</c> on numbers (update expressions only).</summary>
internal sealed class ArithmeticOperand(Operand left, char op, Operand right) : Operand
{
    public override AttributeValue? Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var a = left.Evaluate(item) ?? throw ListAppendOperand.MissingAttribute();
        var b = right.Evaluate(item) ?? throw ListAppendOperand.MissingAttribute();
        if (a.Type != "N" || b.Type != "N")
        {
            throw DynamoDbErrors.Validation("An operand in the update expression has an incorrect data type");
        }

        return AttributeValue.Num(op == '+' ? a.Number + b.Number : a.Number - b.Number);
    }
}

/// <summary>A condition (ConditionExpression, FilterExpression, KeyConditionExpression).</summary>
internal abstract class Condition
{
    public abstract bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item);
}

internal sealed class AndCondition(Condition left, Condition right) : Condition
{
    public Condition Left { get; } = left;

    public Condition Right { get; } = right;

    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => Left.Evaluate(item) && Right.Evaluate(item);
}

internal sealed class OrCondition(Condition left, Condition right) : Condition
{
    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => left.Evaluate(item) || right.Evaluate(item);
}

internal sealed class NotCondition(Condition inner) : Condition
{
    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item) => !inner.Evaluate(item);
}

/// <summary><c>a = b</c>, <c>&lt;&gt;</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>&gt;</c>, <c>&gt;=</c>.</summary>
internal sealed class ComparisonCondition(Operand left, string op, Operand right) : Condition
{
    public Operand Left { get; } = left;

    public string Operator { get; } = op;

    public Operand Right { get; } = right;

    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var a = Left.Evaluate(item);
        var b = Right.Evaluate(item);
        if (a is null || b is null)
        {
            return Operator == "<>";
        }

        if (Operator is "=" or "<>")
        {
            return a.ValueEquals(b) == (Operator == "=");
        }

        var order = a.CompareTo(b);
        return order is { } o && Operator switch
        {
            "<" => o < 0,
            "<=" => o <= 0,
            ">" => o > 0,
            _ => o >= 0,
        };
    }
}

internal sealed class BetweenCondition(Operand value, Operand low, Operand high) : Condition
{
    public Operand Value { get; } = value;

    public Operand Low { get; } = low;

    public Operand High { get; } = high;

    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var v = Value.Evaluate(item);
        var lo = Low.Evaluate(item);
        var hi = High.Evaluate(item);
        return v is not null && lo is not null && hi is not null && v.CompareTo(lo) >= 0 && v.CompareTo(hi) <= 0;
    }
}

internal sealed class InCondition(Operand value, IReadOnlyList<Operand> candidates) : Condition
{
    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var v = value.Evaluate(item);
        return v is not null && candidates.Any(c => c.Evaluate(item) is { } candidate && v.ValueEquals(candidate));
    }
}

/// <summary>attribute_exists, attribute_not_exists, attribute_type, begins_with, contains.</summary>
internal sealed class FunctionCondition(string name, IReadOnlyList<Operand> arguments) : Condition
{
    public string Name { get; } = name;

    public IReadOnlyList<Operand> Arguments { get; } = arguments;

    public override bool Evaluate(IReadOnlyDictionary<string, AttributeValue>? item)
    {
        var first = Arguments[0].Evaluate(item);
        switch (Name)
        {
            case "attribute_exists":
                return first is not null;
            case "attribute_not_exists":
                return first is null;
            case "attribute_type":
                return first is not null && Arguments[1].Evaluate(item) is { Type: "S" } type && type.Scalar == first.Type;
            case "begins_with":
                var prefix = Arguments[1].Evaluate(item);
                if (first is null || prefix is null || first.Type != prefix.Type)
                {
                    return false;
                }

                return first.Type == "S"
                    ? first.Scalar!.StartsWith(prefix.Scalar!, StringComparison.Ordinal)
                    : first.Type == "B" && Convert.FromBase64String(first.Scalar!).AsSpan().StartsWith(Convert.FromBase64String(prefix.Scalar!));
            default:
                var operand = Arguments[1].Evaluate(item);
                if (first is null || operand is null)
                {
                    return false;
                }

                return first.Type switch
                {
                    "S" => operand.Type == "S" && first.Scalar!.Contains(operand.Scalar!, StringComparison.Ordinal),
                    "SS" or "BS" => operand.Type == first.Type[..1] && first.Set!.Contains(operand.Scalar!, StringComparer.Ordinal),
                    "NS" => operand.Type == "N" && first.Set!.Any(m => AttributeValue.ParseNumber(m) == operand.Number),
                    "L" => first.List!.Any(e => e.ValueEquals(operand)),
                    _ => false,
                };
        }
    }
}

/// <summary>The actions of one UpdateExpression.</summary>
internal sealed class UpdatePlan
{
    public List<(DocumentPath Path, Operand Value)> Set { get; } = [];

    public List<DocumentPath> Remove { get; } = [];

    public List<(DocumentPath Path, AttributeValue Value)> Add { get; } = [];

    public List<(DocumentPath Path, AttributeValue Value)> Delete { get; } = [];

    public IEnumerable<DocumentPath> Paths => Set.Select(s => s.Path).Concat(Remove).Concat(Add.Select(a => a.Path)).Concat(Delete.Select(d => d.Path));

    /// <summary>
    /// Applies the actions to <paramref name="item"/> (in place). Every value is computed from the item as it was
    /// before the update, as DynamoDB does.
    /// </summary>
    public void Apply(Item item)
    {
        var before = new Item(item);
        var sets = Set.Select(s => (s.Path, Value: s.Value.Evaluate(before) ?? throw ListAppendOperand.MissingAttribute())).ToList();
        foreach (var (path, value) in sets)
        {
            DocumentEditor.Set(item, path, value);
        }

        foreach (var path in Remove)
        {
            DocumentEditor.Remove(item, path);
        }

        foreach (var (path, value) in Add)
        {
            var existing = path.Resolve(before);
            AttributeValue result;
            if (existing is null)
            {
                result = value;
            }
            else if (existing.Type == "N" && value.Type == "N")
            {
                result = AttributeValue.Num(existing.Number + value.Number);
            }
            else if (existing.Type == value.Type && value.Type is "SS" or "NS" or "BS")
            {
                result = AttributeValue.OfSet(value.Type, existing.Set!.Concat(value.Set!));
            }
            else
            {
                throw DynamoDbErrors.Validation("An operand in the update expression has an incorrect data type");
            }

            DocumentEditor.Set(item, path, result);
        }

        foreach (var (path, value) in Delete)
        {
            var existing = path.Resolve(before);
            if (existing is null)
            {
                continue;
            }

            if (existing.Type != value.Type)
            {
                throw DynamoDbErrors.Validation("An operand in the update expression has an incorrect data type");
            }

            var remaining = existing.Set!.Except(value.Set!, StringComparer.Ordinal).ToList();
            if (remaining.Count == 0)
            {
                DocumentEditor.Remove(item, path);
            }
            else
            {
                DocumentEditor.Set(item, path, AttributeValue.OfSet(value.Type, remaining));
            }
        }
    }
}

/// <summary>Sets and removes values at document paths of an item.</summary>
internal static class DocumentEditor
{
    public static void Set(Item item, DocumentPath path, AttributeValue value)
    {
        if (path.Parts.Count == 1)
        {
            item[path.Root] = value;
            return;
        }

        if (!item.TryGetValue(path.Root, out var root))
        {
            throw InvalidPath();
        }

        item[path.Root] = SetIn(root, path.Parts, 1, value);
    }

    public static void Remove(Item item, DocumentPath path)
    {
        if (path.Parts.Count == 1)
        {
            item.Remove(path.Root);
            return;
        }

        if (item.TryGetValue(path.Root, out var root))
        {
            item[path.Root] = RemoveIn(root, path.Parts, 1);
        }
    }

    private static AttributeValue SetIn(AttributeValue container, IReadOnlyList<PathPart> parts, int index, AttributeValue value)
    {
        var part = parts[index];
        var last = index == parts.Count - 1;
        if (part.Name is { } name)
        {
            if (container.Type != "M")
            {
                throw InvalidPath();
            }

            var map = new Dictionary<string, AttributeValue>(container.Map!, StringComparer.Ordinal);
            if (last)
            {
                map[name] = value;
            }
            else
            {
                map[name] = SetIn(map.TryGetValue(name, out var child) ? child : throw InvalidPath(), parts, index + 1, value);
            }

            return AttributeValue.OfMap(map);
        }

        if (container.Type != "L")
        {
            throw InvalidPath();
        }

        var list = container.List!.ToList();
        if (last)
        {
            if (part.Index >= list.Count)
            {
                list.Add(value);
            }
            else
            {
                list[part.Index] = value;
            }
        }
        else
        {
            list[part.Index] = SetIn(part.Index < list.Count ? list[part.Index] : throw InvalidPath(), parts, index + 1, value);
        }

        return AttributeValue.OfList(list);
    }

    private static AttributeValue RemoveIn(AttributeValue container, IReadOnlyList<PathPart> parts, int index)
    {
        var part = parts[index];
        var last = index == parts.Count - 1;
        if (part.Name is { } name)
        {
            if (container.Type != "M" || !container.Map!.TryGetValue(name, out var child))
            {
                return container;
            }

            var map = new Dictionary<string, AttributeValue>(container.Map, StringComparer.Ordinal);
            if (last)
            {
                map.Remove(name);
            }
            else
            {
                map[name] = RemoveIn(child, parts, index + 1);
            }

            return AttributeValue.OfMap(map);
        }

        if (container.Type != "L" || part.Index >= container.List!.Count)
        {
            return container;
        }

        var list = container.List.ToList();
        if (last)
        {
            list.RemoveAt(part.Index);
        }
        else
        {
            list[part.Index] = RemoveIn(list[part.Index], parts, index + 1);
        }

        return AttributeValue.OfList(list);
    }

    private static AwsServiceError InvalidPath() => DynamoDbErrors.Validation("The document path provided in the update expression is invalid for update");
}

/// <summary>
/// Parses DynamoDB's expression grammar: conditions (comparators, BETWEEN, IN, AND/OR/NOT, parentheses, the functions
/// attribute_exists, attribute_not_exists, attribute_type, begins_with, contains, size), update expressions (SET with
/// +, -, if_not_exists, list_append; REMOVE; ADD; DELETE) and projection expressions. Errors are AWS's
/// ValidationException texts: syntax errors, undefined placeholders, reserved words used as names.
/// </summary>
internal sealed class ExpressionParser
{
    private static readonly HashSet<string> ConditionFunctions = new(StringComparer.Ordinal) { "attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains" };
    private readonly List<Token> _tokens;
    private readonly string _text;
    private readonly string _kind;
    private readonly ExpressionScope _scope;
    private readonly List<DocumentPath> _paths = [];
    private int _position;

    private ExpressionParser(string text, string kind, ExpressionScope scope)
    {
        _text = text;
        _kind = kind;
        _scope = scope;
        _tokens = Tokenize(text, kind);
    }

    private enum TokenKind
    {
        Identifier,
        NamePlaceholder,
        ValuePlaceholder,
        Integer,
        Symbol,
        End,
    }

    public static Condition ParseCondition(string text, string kind, ExpressionScope scope) => ParseCondition(text, kind, scope, out _);

    /// <summary>Parses a condition and returns every document path it reads in <paramref name="paths"/>.</summary>
    public static Condition ParseCondition(string text, string kind, ExpressionScope scope, out IReadOnlyList<DocumentPath> paths)
    {
        var parser = new ExpressionParser(text, kind, scope);
        paths = parser._paths;
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw DynamoDbErrors.InvalidExpression(kind, "The expression can not be empty;");
        }

        var condition = parser.ParseOr();
        parser.ExpectEnd();
        return condition;
    }

    public static UpdatePlan ParseUpdate(string text, ExpressionScope scope)
    {
        const string kind = "UpdateExpression";
        var parser = new ExpressionParser(text, kind, scope);
        var plan = new UpdatePlan();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        if (parser.Peek.Kind == TokenKind.End)
        {
            throw DynamoDbErrors.InvalidExpression(kind, "The expression can not be empty;");
        }

        while (parser.Peek.Kind != TokenKind.End)
        {
            var clause = parser.Next();
            var word = clause.Kind == TokenKind.Identifier ? clause.Text.ToUpperInvariant() : string.Empty;
            if (word is not ("SET" or "REMOVE" or "ADD" or "DELETE"))
            {
                throw parser.Syntax(clause);
            }

            if (!seen.Add(word))
            {
                throw DynamoDbErrors.InvalidExpression(kind, "The \"" + word + "\" section can only be used once in an update expression;");
            }

            do
            {
                var path = parser.ParsePath();
                switch (word)
                {
                    case "SET":
                        parser.ExpectSymbol("=");
                        plan.Set.Add((path, parser.ParseSetValue()));
                        break;
                    case "REMOVE":
                        plan.Remove.Add(path);
                        break;
                    default:
                        var token = parser.Next();
                        if (token.Kind != TokenKind.ValuePlaceholder)
                        {
                            throw parser.Syntax(token);
                        }

                        var value = scope.Value(token.Text, kind);
                        if (word == "ADD" ? value.Type is not ("N" or "SS" or "NS" or "BS") : value.Type is not ("SS" or "NS" or "BS"))
                        {
                            throw DynamoDbErrors.InvalidExpression(kind, "Incorrect operand type for operator or function; operator: " + word + ", operand type: " + TypeName(value.Type));
                        }

                        (word == "ADD" ? plan.Add : plan.Delete).Add((path, value));
                        break;
                }
            }
            while (parser.TrySymbol(","));
        }

        var paths = plan.Paths.ToList();
        for (var i = 0; i < paths.Count; i++)
        {
            for (var j = i + 1; j < paths.Count; j++)
            {
                if (Overlap(paths[i], paths[j]))
                {
                    throw DynamoDbErrors.InvalidExpression(kind, "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ["
                        + string.Join(", ", paths[i].Parts) + "], path two: [" + string.Join(", ", paths[j].Parts) + "]");
                }
            }
        }

        return plan;
    }

    public static IReadOnlyList<DocumentPath> ParseProjection(string text, ExpressionScope scope)
    {
        var parser = new ExpressionParser(text, "ProjectionExpression", scope);
        var paths = new List<DocumentPath>();
        do
        {
            paths.Add(parser.ParsePath());
        }
        while (parser.TrySymbol(","));
        parser.ExpectEnd();
        return paths;
    }

    private static bool Overlap(DocumentPath a, DocumentPath b)
    {
        var common = Math.Min(a.Parts.Count, b.Parts.Count);
        return a.Parts.Take(common).SequenceEqual(b.Parts.Take(common));
    }

    private static string TypeName(string type) => type switch
    {
        "S" => "STRING",
        "N" => "NUMBER",
        "B" => "BINARY",
        "BOOL" => "BOOLEAN",
        "NULL" => "NULL",
        "M" => "MAP",
        "L" => "LIST",
        _ => type,
    };

    private Token Peek => _tokens[_position];

    private Token Next() => _tokens[_position < _tokens.Count - 1 ? _position++ : _position];

    private static bool IsKeyword(Token token, string word) => token.Kind == TokenKind.Identifier && string.Equals(token.Text, word, StringComparison.OrdinalIgnoreCase);

    private bool TrySymbol(string symbol)
    {
        if (Peek.Kind == TokenKind.Symbol && Peek.Text == symbol)
        {
            _position++;
            return true;
        }

        return false;
    }

    private void ExpectSymbol(string symbol)
    {
        if (!TrySymbol(symbol))
        {
            throw Syntax(Peek);
        }
    }

    private void ExpectEnd()
    {
        if (Peek.Kind != TokenKind.End)
        {
            throw Syntax(Peek);
        }
    }

    private AwsServiceError Syntax(Token token)
    {
        if (token.Kind == TokenKind.End)
        {
            return DynamoDbErrors.InvalidExpression(_kind, "Syntax error; token: \"<EOF>\", near: \"" + Near(token) + "\"");
        }

        return DynamoDbErrors.InvalidExpression(_kind, "Syntax error; token: \"" + token.Text + "\", near: \"" + Near(token) + "\"");
    }

    private string Near(Token token)
    {
        var start = Math.Max(0, token.Position - 10);
        var end = Math.Min(_text.Length, token.Position + token.Text.Length + 10);
        return _text[start..end].Trim();
    }

    private Condition ParseOr()
    {
        var left = ParseAnd();
        while (IsKeyword(Peek, "OR"))
        {
            Next();
            left = new OrCondition(left, ParseAnd());
        }

        return left;
    }

    private Condition ParseAnd()
    {
        var left = ParseNot();
        while (IsKeyword(Peek, "AND"))
        {
            Next();
            left = new AndCondition(left, ParseNot());
        }

        return left;
    }

    private Condition ParseNot()
    {
        if (IsKeyword(Peek, "NOT"))
        {
            Next();
            return new NotCondition(ParseNot());
        }

        return ParsePrimary();
    }

    private Condition ParsePrimary()
    {
        if (TrySymbol("("))
        {
            var inner = ParseOr();
            ExpectSymbol(")");
            return inner;
        }

        var start = Peek;
        if (start.Kind == TokenKind.Identifier && ConditionFunctions.Contains(start.Text) && _tokens[_position + 1] is { Kind: TokenKind.Symbol, Text: "(" })
        {
            Next();
            Next();
            var arguments = new List<Operand> { ParseOperand() };
            while (TrySymbol(","))
            {
                arguments.Add(ParseOperand());
            }

            ExpectSymbol(")");
            var expected = start.Text is "attribute_exists" or "attribute_not_exists" ? 1 : 2;
            if (arguments.Count != expected)
            {
                throw DynamoDbErrors.InvalidExpression(_kind, "Incorrect number of operands for operator or function; operator or function: " + start.Text + ", number of operands: " + arguments.Count.ToString(CultureInfo.InvariantCulture));
            }

            if (arguments[0] is not PathOperand)
            {
                throw DynamoDbErrors.InvalidExpression(_kind, "Operator or function requires a document path; operator or function: " + start.Text);
            }

            if (start.Text == "begins_with" && arguments[1] is ValueOperand { Value.Type: not ("S" or "B") } bad)
            {
                throw DynamoDbErrors.InvalidExpression(_kind, "Incorrect operand type for operator or function; operator or function: begins_with, operand type: " + TypeName(bad.Value.Type));
            }

            return new FunctionCondition(start.Text, arguments);
        }

        var left = ParseOperand();
        var token = Next();
        if (token.Kind == TokenKind.Symbol && token.Text is "=" or "<>" or "<" or "<=" or ">" or ">=")
        {
            var right = ParseOperand();
            if (token.Text is not ("=" or "<>") && left is ValueOperand l && right is ValueOperand r && l.Value.Type != r.Value.Type)
            {
                throw DynamoDbErrors.InvalidExpression(_kind, "Incorrect operand type for operator or function; operator or function: " + token.Text + ", operand type: " + TypeName(r.Value.Type));
            }

            return new ComparisonCondition(left, token.Text, right);
        }

        if (IsKeyword(token, "BETWEEN"))
        {
            var low = ParseOperand();
            if (!IsKeyword(Next(), "AND"))
            {
                throw Syntax(_tokens[_position - 1]);
            }

            var high = ParseOperand();
            if (low is ValueOperand lo && high is ValueOperand hi && lo.Value.CompareTo(hi.Value) > 0)
            {
                throw DynamoDbErrors.InvalidExpression(_kind, "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {" + lo.Value + "}, upper bound operand: AttributeValue: {" + hi.Value + "}");
            }

            return new BetweenCondition(left, low, high);
        }

        if (IsKeyword(token, "IN"))
        {
            ExpectSymbol("(");
            var candidates = new List<Operand> { ParseOperand() };
            while (TrySymbol(","))
            {
                candidates.Add(ParseOperand());
            }

            ExpectSymbol(")");
            return new InCondition(left, candidates);
        }

        throw Syntax(token);
    }

    private Operand ParseOperand()
    {
        var token = Peek;
        if (token.Kind == TokenKind.ValuePlaceholder)
        {
            Next();
            return new ValueOperand(_scope.Value(token.Text, _kind));
        }

        if (token.Kind == TokenKind.Identifier && _tokens[_position + 1] is { Kind: TokenKind.Symbol, Text: "(" })
        {
            if (token.Text == "size")
            {
                Next();
                Next();
                var path = ParsePath();
                ExpectSymbol(")");
                return new SizeOperand(path);
            }

            throw ConditionFunctions.Contains(token.Text)
                ? DynamoDbErrors.InvalidExpression(_kind, "The function is not allowed to be used this way in an expression; function: " + token.Text)
                : token.Text is "if_not_exists" or "list_append"
                    ? DynamoDbErrors.InvalidExpression(_kind, "The function is not allowed in a condition expression; function: " + token.Text)
                    : DynamoDbErrors.InvalidExpression(_kind, "Invalid function name; function: " + token.Text);
        }

        return new PathOperand(ParsePath());
    }

    private Operand ParseSetValue()
    {
        var left = ParseSetOperand();
        if (Peek.Kind == TokenKind.Symbol && Peek.Text is "+" or "-")
        {
            var op = Next().Text[0];
            return new ArithmeticOperand(left, op, ParseSetOperand());
        }

        return left;
    }

    private Operand ParseSetOperand()
    {
        var token = Peek;
        if (token.Kind == TokenKind.ValuePlaceholder)
        {
            Next();
            return new ValueOperand(_scope.Value(token.Text, _kind));
        }

        if (token.Kind == TokenKind.Identifier && _tokens[_position + 1] is { Kind: TokenKind.Symbol, Text: "(" })
        {
            Next();
            Next();
            Operand result;
            if (token.Text == "if_not_exists")
            {
                var path = ParsePath();
                ExpectSymbol(",");
                result = new IfNotExistsOperand(path, ParseSetOperand());
            }
            else if (token.Text == "list_append")
            {
                var first = ParseSetOperand();
                ExpectSymbol(",");
                result = new ListAppendOperand(first, ParseSetOperand());
            }
            else
            {
                throw ConditionFunctions.Contains(token.Text) || token.Text == "size"
                    ? DynamoDbErrors.InvalidExpression(_kind, "The function is not allowed in an update expression; function: " + token.Text)
                    : DynamoDbErrors.InvalidExpression(_kind, "Invalid function name; function: " + token.Text);
            }

            ExpectSymbol(")");
            return result;
        }

        return new PathOperand(ParsePath());
    }

    private DocumentPath ParsePath()
    {
        var parts = new List<PathPart> { new(PathName(Next()), 0) };
        while (true)
        {
            if (TrySymbol("."))
            {
                parts.Add(new PathPart(PathName(Next()), 0));
            }
            else if (TrySymbol("["))
            {
                var index = Next();
                if (index.Kind != TokenKind.Integer)
                {
                    throw Syntax(index);
                }

                ExpectSymbol("]");
                parts.Add(new PathPart(null, int.Parse(index.Text, CultureInfo.InvariantCulture)));
            }
            else
            {
                var path = new DocumentPath(parts);
                _paths.Add(path);
                return path;
            }
        }
    }

    private string PathName(Token token)
    {
        switch (token.Kind)
        {
            case TokenKind.NamePlaceholder:
                return _scope.Name(token.Text, _kind);
            case TokenKind.Identifier when ReservedWords.Contains(token.Text):
                throw DynamoDbErrors.InvalidExpression(_kind, "Attribute name is a reserved keyword; reserved keyword: " + token.Text);
            case TokenKind.Identifier:
                return token.Text;
            default:
                throw Syntax(token);
        }
    }

    private static List<Token> Tokenize(string text, string kind)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c is '#' or ':' || char.IsAsciiLetter(c) || c == '_')
            {
                i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                if (c is '#' or ':' && i == start + 1)
                {
                    throw DynamoDbErrors.InvalidExpression(kind, "Syntax error; token: \"" + c + "\", near: \"" + text[start..Math.Min(text.Length, start + 10)] + "\"");
                }

                var kindOfToken = c == '#' ? TokenKind.NamePlaceholder : c == ':' ? TokenKind.ValuePlaceholder : TokenKind.Identifier;
                tokens.Add(new Token(kindOfToken, text[start..i], start));
            }
            else if (char.IsAsciiDigit(c))
            {
                while (i < text.Length && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Integer, text[start..i], start));
            }
            else
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
                var symbol = two is "<>" or "<=" or ">=" ? two : c is '=' or '<' or '>' or '(' or ')' or '[' or ']' or ',' or '.' or '+' or '-' ? c.ToString() : null;
                if (symbol is null)
                {
                    throw DynamoDbErrors.InvalidExpression(kind, "Syntax error; token: \"" + c + "\", near: \"" + text[Math.Max(0, i - 5)..Math.Min(text.Length, i + 5)] + "\"");
                }

                i += symbol.Length;
                tokens.Add(new Token(TokenKind.Symbol, symbol, start));
            }
        }

        tokens.Add(new Token(TokenKind.End, string.Empty, text.Length));
        return tokens;
    }

    private sealed record Token(TokenKind Kind, string Text, int Position);
}
