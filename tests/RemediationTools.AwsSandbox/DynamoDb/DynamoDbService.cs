using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.DynamoDb;

/// <summary>
/// Amazon DynamoDB over AWS JSON 1.0 (<c>X-Amz-Target: DynamoDB_20120810.&lt;Action&gt;</c>): tables (CreateTable,
/// DescribeTable, DeleteTable, continuous backups, time to live) and items (PutItem, GetItem, UpdateItem, DeleteItem,
/// Query, Scan, BatchWriteItem, BatchGetItem, TransactWriteItems) with condition, update, key condition, filter and
/// projection expressions. IAM: <c>dynamodb:&lt;Action&gt;</c> on <c>arn:aws:dynamodb:&lt;region&gt;:&lt;account&gt;:table/&lt;name&gt;</c>,
/// with the condition key <c>dynamodb:LeadingKeys</c> holding the partition key values the request touches.
/// </summary>
internal static partial class DynamoDbService
{
    /// <summary>The X-Amz-Target prefix of the service.</summary>
    public const string TargetPrefix = "DynamoDB_20120810.";

    /// <summary>The largest item DynamoDB stores (400 KB).</summary>
    public const int MaxItemBytes = 400 * 1024;

    /// <summary>The most a Query or Scan page reads before it stops with a LastEvaluatedKey (1 MB).</summary>
    public const int MaxPageBytes = 1024 * 1024;

    /// <summary>Stands in for the id of the AWS managed key <c>aws/dynamodb</c>.</summary>
    private const string AwsManagedDynamoDbKeyId = "0b1e7a3c-5d2f-4e8a-9c6b-d7f1a2b3c4d5";

    private static readonly HashSet<string> ControlPlane = new(StringComparer.Ordinal)
    {
        "CreateTable", "DescribeTable", "DeleteTable", "UpdateContinuousBackups", "DescribeContinuousBackups", "UpdateTimeToLive", "DescribeTimeToLive",
    };

    /// <summary>True for table operations (throttled with ThrottlingException), false for item operations.</summary>
    public static bool IsControlPlane(string action) => ControlPlane.Contains(action);

    /// <summary>Handles the call or throws; null when the action is unknown.</summary>
    /// <param name="context">The authenticated call.</param>
    /// <param name="body">The JSON input.</param>
    /// <param name="throttleItem">Draws whether one item of a batch is left unprocessed (injected throttling).</param>
    public static string? Handle(AwsRequestContext context, JsonElement body, Func<bool> throttleItem)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw DynamoDbErrors.Serialization();
        }

        return context.Action switch
        {
            "CreateTable" => CreateTable(context, body),
            "DescribeTable" => DescribeTable(context, body),
            "DeleteTable" => DeleteTable(context, body),
            "UpdateContinuousBackups" => UpdateContinuousBackups(context, body),
            "DescribeContinuousBackups" => DescribeContinuousBackups(context, body),
            "UpdateTimeToLive" => UpdateTimeToLive(context, body),
            "DescribeTimeToLive" => DescribeTimeToLive(context, body),
            "PutItem" => PutItem(context, body),
            "GetItem" => GetItem(context, body),
            "UpdateItem" => UpdateItem(context, body),
            "DeleteItem" => DeleteItem(context, body),
            "Query" => Query(context, body),
            "Scan" => Scan(context, body),
            "BatchWriteItem" => BatchWriteItem(context, body, throttleItem),
            "BatchGetItem" => BatchGetItem(context, body, throttleItem),
            "TransactWriteItems" => TransactWriteItems(context, body),
            _ => null,
        };
    }

    /// <summary>The ARN of table <paramref name="name"/> in the caller's account and region.</summary>
    public static string TableArn(AwsRequestContext context, string name) =>
        "arn:aws:dynamodb:" + context.Region + ":" + context.Caller.AccountId + ":table/" + name;

    /// <summary>The text IAM compares for <c>dynamodb:LeadingKeys</c>: the partition key value.</summary>
    private static string LeadingKey(AttributeValue value) => value.Scalar ?? string.Empty;

    private static void Require(AwsRequestContext context, string action, string resource, IReadOnlyList<string>? leadingKeys)
    {
        var iamAction = "dynamodb:" + action;
        IReadOnlyDictionary<string, IReadOnlyList<string>>? multiValued = leadingKeys is { Count: > 0 }
            ? new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase) { ["dynamodb:LeadingKeys"] = leadingKeys.Distinct(StringComparer.Ordinal).ToList() }
            : null;
        var decision = Authorizer.Decide(context.State, context.Caller, iamAction, resource, multiValued);
        if (decision != PolicyDecision.Allow)
        {
            var reason = decision == PolicyDecision.ExplicitDeny
                ? "with an explicit deny in an identity-based policy"
                : "because no identity-based policy allows the " + iamAction + " action";
            throw new AwsServiceError(400, "AccessDeniedException", string.Format(CultureInfo.InvariantCulture,
                "User: {0} is not authorized to perform: {1} on resource: {2} {3}", context.Caller.Arn, iamAction, resource, reason));
        }
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Property(Utf8JsonWriter writer, string name, Action value)
    {
        writer.WritePropertyName(name);
        value();
    }

    private static void WriteItemProperty(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, AttributeValue> item)
    {
        writer.WritePropertyName(name);
        AttributeValue.WriteItem(writer, item);
    }

    private static string? OptionalString(JsonElement json, string name) =>
        json.ValueKind == JsonValueKind.Object && json.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw DynamoDbErrors.Serialization()
            : null;

    private static string RequiredString(JsonElement json, string name) =>
        OptionalString(json, name) ?? throw DynamoDbErrors.Validation("1 validation error detected: Value null at '" + char.ToLowerInvariant(name[0]) + name[1..] + "' failed to satisfy constraint: Member must not be null");

    private static bool OptionalBool(JsonElement json, string name) =>
        json.TryGetProperty(name, out var value) && value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False or JsonValueKind.Null => false,
            _ => throw DynamoDbErrors.Serialization(),
        };

    /// <summary>ExpressionAttributeNames and ExpressionAttributeValues of a request (or of one transaction action).</summary>
    private static ExpressionScope Scope(JsonElement json)
    {
        Dictionary<string, string>? names = null;
        Dictionary<string, AttributeValue>? values = null;
        if (json.TryGetProperty("ExpressionAttributeNames", out var n) && n.ValueKind == JsonValueKind.Object)
        {
            names = n.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
        }

        if (json.TryGetProperty("ExpressionAttributeValues", out var v) && v.ValueKind == JsonValueKind.Object)
        {
            values = v.EnumerateObject().ToDictionary(p => p.Name, p => AttributeValue.Parse(p.Value), StringComparer.Ordinal);
        }

        return new ExpressionScope(names, values);
    }
}
