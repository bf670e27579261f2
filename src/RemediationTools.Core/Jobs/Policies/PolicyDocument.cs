using System.Text.Json;
using System.Text.Json.Nodes;

namespace RemediationTools.Core.Jobs.Policies;

/// <summary>
/// A resource policy (an S3 bucket policy, an SQS queue policy) as the JSON document AWS stores, edited without losing anything: members the module does not know
/// stay, in their order, and <c>Statement</c> may be an array or a single object (both are valid IAM policy grammar).
/// Every edit returns a new document; the text of the original is kept for the stale-plan guard.
/// </summary>
internal sealed class PolicyDocument
{
    /// <summary>The policy language version a new policy is written with.</summary>
    public const string PolicyVersion = "2012-10-17";

    private const string StatementMember = "Statement";

    private readonly JsonObject? root;

    private PolicyDocument(JsonObject? root, string? text)
    {
        this.root = root;
        Text = text;
        Statements = root is null ? Array.Empty<JsonObject>() : ReadStatements(root);
    }

    /// <summary>The resource has no policy.</summary>
    public static PolicyDocument None { get; } = new(null, null);

    /// <summary>
    /// The bucket itself does not exist (GetBucketPolicy: NoSuchBucket): no policy either. Kept under the same read cache
    /// key as a policy, so every job reading a bucket's policy in a batch shares one entry of one type.
    /// </summary>
    public static PolicyDocument NoBucket { get; } = new(null, null) { IsNoBucket = true };

    /// <summary>Reading the policy was refused (AccessDenied: another account's bucket, or no s3:GetBucketPolicy).</summary>
    public static PolicyDocument Unreadable { get; } = new(null, null) { IsUnreadable = true };

    /// <summary>True for <see cref="NoBucket"/>.</summary>
    public bool IsNoBucket { get; private set; }

    /// <summary>True for <see cref="Unreadable"/>.</summary>
    public bool IsUnreadable { get; private set; }

    /// <summary>True when the resource has a policy document.</summary>
    public bool Exists => root is not null;

    /// <summary>The policy text as read (or as this document serialises); null when there is no policy.</summary>
    public string? Text { get; }

    /// <summary>The statements, in document order (a single-object <c>Statement</c> is one statement).</summary>
    public IReadOnlyList<JsonObject> Statements { get; }

    /// <summary>
    /// Parses the policy text AWS returned (GetBucketPolicy, the Policy queue attribute); null or blank means no policy.
    /// A document that is not a JSON object (AWS never stores one) is a <see cref="JobFailureException"/> naming
    /// <paramref name="owner"/> (for example "bucket b"), so nothing is written over it.
    /// </summary>
    public static PolicyDocument Parse(string? text, string owner)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return None;
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text!, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException ex)
        {
            throw new JobFailureException(MalformedPolicyErrorCode, "The policy of " + owner + " is not valid JSON (" + ex.Message + "); it was left unchanged.");
        }

        if (node is not JsonObject obj)
        {
            throw new JobFailureException(MalformedPolicyErrorCode, "The policy of " + owner + " is not a JSON object; it was left unchanged.");
        }

        if (obj[StatementMember] is { } statement && statement is not JsonObject && statement is not JsonArray)
        {
            throw new JobFailureException(MalformedPolicyErrorCode, "The policy of " + owner + " has a Statement that is neither an object nor an array; it was left unchanged.");
        }

        return new PolicyDocument(obj, text);
    }

    /// <summary>The error code of a policy the module cannot read safely.</summary>
    public const string MalformedPolicyErrorCode = "MalformedPolicy";

    /// <summary>
    /// A copy without <paramref name="remove"/> (statements of this document, matched by reference). <c>Version</c>,
    /// <c>Id</c>, unknown members and every other statement stay; a single-object <c>Statement</c> that is removed
    /// leaves an empty array, which <see cref="Statements"/> reports as empty (the caller then deletes the policy).
    /// </summary>
    public PolicyDocument Without(IEnumerable<JsonObject> remove)
    {
        var removed = new HashSet<JsonObject>(remove ?? throw new ArgumentNullException(nameof(remove)), ReferenceEqualityComparer.Instance);
        if (root is null || removed.Count == 0)
        {
            return this;
        }

        var kept = Statements.Where(s => !removed.Contains(s)).ToList();
        var copy = CloneReplacing(kept, keepSingleObject: kept.Count == 1 && root[StatementMember] is JsonObject);
        return new PolicyDocument(copy, copy.ToJsonString());
    }

    /// <summary>
    /// A copy with <paramref name="statement"/> appended. Without a policy: a new one holding just the statement, with
    /// <see cref="PolicyVersion"/>. A single-object <c>Statement</c> becomes an array of the old and the new one.
    /// </summary>
    public PolicyDocument With(JsonObject statement)
    {
        if (statement is null)
        {
            throw new ArgumentNullException(nameof(statement));
        }

        JsonObject copy;
        if (root is null)
        {
            copy = new JsonObject
            {
                ["Version"] = PolicyVersion,
                [StatementMember] = new JsonArray(statement.DeepClone()),
            };
        }
        else
        {
            copy = CloneReplacing(Statements.Concat(new[] { (JsonObject)statement.DeepClone() }).ToList(), keepSingleObject: false);
        }

        return new PolicyDocument(copy, copy.ToJsonString());
    }

    /// <summary>A Sid not used by any statement: <paramref name="preferred"/>, else it with a number appended.</summary>
    public string UnusedSid(string preferred)
    {
        var used = new HashSet<string>(Statements.Select(PolicyStatements.Sid).Where(s => s is not null)!, StringComparer.Ordinal);
        if (!used.Contains(preferred))
        {
            return preferred;
        }

        for (var i = 2; ; i++)
        {
            var candidate = preferred + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!used.Contains(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>True when <paramref name="other"/> holds the same JSON (member order aside, which AWS may change).</summary>
    public bool SameAs(PolicyDocument other)
    {
        if (other is null)
        {
            throw new ArgumentNullException(nameof(other));
        }

        return root is null || other.root is null ? root is null && other.root is null : JsonNode.DeepEquals(Normalise(root), Normalise(other.root!));
    }

    /// <summary>
    /// One canonical form of the document (members sorted, compact) for the stale-plan guard: AWS may return a policy
    /// with other whitespace or member order than was written. <c>(no policy)</c> when there is none.
    /// </summary>
    public string Canonical => root is null ? "(no policy)" : Normalise(root).ToJsonString();

    /// <summary>The document as compact JSON; null when there is no policy.</summary>
    public string? ToJson() => root?.ToJsonString();

    /// <summary>One statement as compact JSON, for plans and reports.</summary>
    public static string Show(JsonObject statement) => statement.ToJsonString();

    /// <summary>Statements as a compact JSON array, for plans and reports.</summary>
    public static string Show(IEnumerable<JsonObject> statements) => new JsonArray(statements.Select(s => (JsonNode)s.DeepClone()).ToArray()).ToJsonString();

    private static IReadOnlyList<JsonObject> ReadStatements(JsonObject root) => root[StatementMember] switch
    {
        JsonObject single => new[] { single },
        JsonArray array => array.OfType<JsonObject>().ToList(),
        _ => Array.Empty<JsonObject>(),
    };

    private JsonObject CloneReplacing(List<JsonObject> statements, bool keepSingleObject)
    {
        // Rebuild member by member so every other member keeps its place; Statement keeps its place too.
        var copy = new JsonObject();
        foreach (var member in root!)
        {
            if (member.Key == StatementMember)
            {
                copy[StatementMember] = keepSingleObject
                    ? statements[0].DeepClone()
                    : new JsonArray(statements.Select(s => (JsonNode)s.DeepClone()).ToArray());
            }
            else
            {
                copy[member.Key] = member.Value?.DeepClone();
            }
        }

        if (!copy.ContainsKey(StatementMember))
        {
            copy[StatementMember] = new JsonArray(statements.Select(s => (JsonNode)s.DeepClone()).ToArray());
        }

        return copy;
    }

    private static JsonNode Normalise(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value is null ? null : Normalise(m.Value)))),
        JsonArray array => new JsonArray(array.Select(e => e is null ? null : Normalise(e)).ToArray()),
        _ => node.DeepClone(),
    };

    private sealed class ReferenceEqualityComparer : IEqualityComparer<JsonObject>
    {
        public static ReferenceEqualityComparer Instance { get; } = new();

        public bool Equals(JsonObject? x, JsonObject? y) => ReferenceEquals(x, y);

        public int GetHashCode(JsonObject obj) => System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(obj);
    }
}
