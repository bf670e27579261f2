using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace RemediationTools.Core.Roles;

/// <summary>
/// Builds IAM permission policies from Allow statements and splits them so that every document fits a size
/// limit. Callers add statements (job actions, sts:AssumeRole on account roles, and later the worker group's
/// queue and table), then <see cref="Build"/> packs them into as few documents as fit.
/// </summary>
internal sealed class IamPolicyBuilder
{
    /// <summary>IAM's quota on the total size of a role's inline policies (whitespace not counted).</summary>
    public const int MaxRoleInlinePolicyCharacters = 10_240;

    /// <summary>The policy language version every generated document uses.</summary>
    public const string PolicyVersion = "2012-10-17";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly string[] AnyResource = { "*" };
    private readonly List<PolicyStatementSpec> statements = new();

    /// <summary>The statements added so far.</summary>
    public IReadOnlyList<PolicyStatementSpec> Statements => statements;

    /// <summary>Adds an Allow statement; a statement ID may be used once.</summary>
    public IamPolicyBuilder Add(PolicyStatementSpec statement)
    {
        if (statement is null)
        {
            throw new ArgumentNullException(nameof(statement));
        }

        if (statements.Any(s => string.Equals(s.Sid, statement.Sid, StringComparison.OrdinalIgnoreCase)))
        {
            throw new ArgumentException($"The policy already has a statement '{statement.Sid}'.", nameof(statement));
        }

        statements.Add(statement);
        return this;
    }

    /// <summary>Adds one statement per AWS service (the action prefix) with resource <c>*</c>.</summary>
    public IamPolicyBuilder AddServiceStatements(IEnumerable<string> actions)
    {
        foreach (var group in actions.GroupBy(ServicePrefix, StringComparer.OrdinalIgnoreCase).OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase))
        {
            Add(new PolicyStatementSpec(SidFor(group.Key), group, AnyResource));
        }

        return this;
    }

    /// <summary>
    /// The documents: the statements in order, packed into as few documents as fit in
    /// <paramref name="maxCharacters"/> each (IAM's counting: whitespace excluded). A statement too large for one
    /// document is split by its longer list (actions or resources) into statements <c>Sid1</c>, <c>Sid2</c>, ...
    /// </summary>
    public IReadOnlyList<BuiltPolicyDocument> Build(int maxCharacters = MaxRoleInlinePolicyCharacters)
    {
        if (statements.Count == 0)
        {
            return Array.Empty<BuiltPolicyDocument>();
        }

        int budget = maxCharacters - Render(Array.Empty<PolicyStatementSpec>()).Length;
        var pieces = statements.SelectMany(s => Split(s, budget)).ToList();
        var documents = new List<BuiltPolicyDocument>();
        var current = new List<PolicyStatementSpec>();
        int used = 0;
        foreach (var piece in pieces)
        {
            int size = RenderStatement(piece).Length + (current.Count == 0 ? 0 : 1);
            if (current.Count > 0 && used + size > budget)
            {
                documents.Add(Document(current));
                current = new List<PolicyStatementSpec>();
                used = 0;
                size = RenderStatement(piece).Length;
            }

            current.Add(piece);
            used += size;
        }

        documents.Add(Document(current));
        return documents;
    }

    /// <summary>The service prefix of an action (<c>ec2</c> of <c>ec2:DescribeVpcs</c>).</summary>
    public static string ServicePrefix(string action)
    {
        int colon = action.IndexOf(':');
        return colon <= 0 ? action : action.Substring(0, colon);
    }

    /// <summary>A statement ID for a service prefix: letters and digits, first letter upper case (<c>Ec2</c>).</summary>
    public static string SidFor(string servicePrefix)
    {
        var letters = new string(servicePrefix.Where(char.IsLetterOrDigit).ToArray());
        return letters.Length == 0 ? "Service" : char.ToUpperInvariant(letters[0]) + letters.Substring(1).ToLowerInvariant();
    }

    /// <summary>The compact JSON of a document holding <paramref name="documentStatements"/>.</summary>
    public static string Render(IReadOnlyList<PolicyStatementSpec> documentStatements)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("Version", PolicyVersion);
            writer.WriteStartArray("Statement");
            foreach (var statement in documentStatements)
            {
                WriteStatement(writer, statement);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static BuiltPolicyDocument Document(List<PolicyStatementSpec> documentStatements)
    {
        string json = Render(documentStatements);
        return new BuiltPolicyDocument(documentStatements, json, PolicyText.CountedLength(json));
    }

    private static string RenderStatement(PolicyStatementSpec statement)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteStatement(writer, statement);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStatement(Utf8JsonWriter writer, PolicyStatementSpec statement)
    {
        writer.WriteStartObject();
        writer.WriteString("Sid", statement.Sid);
        writer.WriteString("Effect", "Allow");
        WriteList(writer, "Action", statement.Actions);
        WriteList(writer, "Resource", statement.Resources);
        if (statement.Condition is { } condition)
        {
            writer.WriteStartObject("Condition");
            writer.WriteStartObject(condition.Operator);
            WriteList(writer, condition.Key, condition.Values);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteList(Utf8JsonWriter writer, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            writer.WriteString(name, values[0]);
            return;
        }

        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static IEnumerable<PolicyStatementSpec> Split(PolicyStatementSpec statement, int budget)
    {
        if (RenderStatement(statement).Length <= budget)
        {
            yield return statement;
            yield break;
        }

        bool byActions = statement.Actions.Count >= statement.Resources.Count;
        var items = byActions ? statement.Actions : statement.Resources;
        var chunk = new List<string>();
        int index = 1;
        foreach (var item in items)
        {
            chunk.Add(item);
            if (chunk.Count > 1 && RenderStatement(Make(statement, chunk, byActions, index)).Length > budget)
            {
                chunk.RemoveAt(chunk.Count - 1);
                yield return Make(statement, chunk, byActions, index++);
                chunk = new List<string> { item };
            }

            if (RenderStatement(Make(statement, chunk, byActions, index)).Length > budget)
            {
                throw new PolicyTooLargeException(
                    $"The statement '{statement.Sid}' cannot fit in a policy of {budget} characters: '{item}' is too long with the rest of the statement.");
            }
        }

        yield return Make(statement, chunk, byActions, index);
    }

    private static PolicyStatementSpec Make(PolicyStatementSpec original, List<string> chunk, bool byActions, int index) =>
        new(
            original.Sid + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            byActions ? chunk : original.Actions,
            byActions ? original.Resources : chunk,
            original.Condition);
}

/// <summary>One generated policy document.</summary>
internal sealed class BuiltPolicyDocument
{
    /// <summary>Creates the document.</summary>
    public BuiltPolicyDocument(IReadOnlyList<PolicyStatementSpec> statements, string json, int countedLength)
    {
        Statements = statements;
        Json = json;
        CountedLength = countedLength;
    }

    /// <summary>The statements in the document.</summary>
    public IReadOnlyList<PolicyStatementSpec> Statements { get; }

    /// <summary>The compact JSON.</summary>
    public string Json { get; }

    /// <summary>The size IAM counts (whitespace excluded).</summary>
    public int CountedLength { get; }
}

/// <summary>A generated policy does not fit IAM's size limits.</summary>
public sealed class PolicyTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PolicyTooLargeException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PolicyTooLargeException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    public PolicyTooLargeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
