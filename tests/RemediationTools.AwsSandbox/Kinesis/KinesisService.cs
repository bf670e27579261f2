using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Ec2;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Kinesis;

/// <summary>A Kinesis data stream: its status over time (ACTIVE, or UPDATING until a transition ends), encryption and tags.</summary>
internal sealed class KinesisStream
{
    public required string Name { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string Arn => $"arn:aws:kinesis:{Region}:{AccountId}:stream/{Name}";

    /// <summary>The status: ACTIVE, or UPDATING until the transition of the last encryption change ends.</summary>
    public StateTransition Status { get; set; } = StateTransition.Settled("ACTIVE");

    /// <summary>NONE or KMS.</summary>
    public string EncryptionType { get; set; } = "NONE";

    /// <summary>The key as StartStreamEncryption was given it; null when not encrypted.</summary>
    public string? KeyId { get; set; }

    public int OpenShardCount { get; init; } = 1;

    public SortedDictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);
}

/// <summary>The streams of every account and region, attached to a <see cref="SandboxState"/> (read and written under its Gate).</summary>
internal sealed class KinesisState
{
    private static readonly ConditionalWeakTable<SandboxState, KinesisState> States = new();

    public Dictionary<(string AccountId, string Region), SortedDictionary<string, KinesisStream>> Regions { get; } = [];

    public static KinesisState For(SandboxState state) => States.GetValue(state, _ => new KinesisState());

    public SortedDictionary<string, KinesisStream> Region(string accountId, string region)
    {
        if (!Regions.TryGetValue((accountId, region), out var streams))
        {
            streams = new SortedDictionary<string, KinesisStream>(StringComparer.Ordinal);
            Regions[(accountId, region)] = streams;
        }

        return streams;
    }
}

/// <summary>
/// Amazon Kinesis Data Streams over AWS JSON 1.1 (<c>X-Amz-Target: Kinesis_20131202.&lt;Op&gt;</c>), as the API reference
/// (2013-12-02) describes it: DescribeStreamSummary, StartStreamEncryption, StopStreamEncryption and ListTagsForStream,
/// each naming the stream by <c>StreamName</c> or <c>StreamARN</c>. Encryption changes are asynchronous: the stream is
/// UPDATING for <see cref="SandboxState.TransitionDelay"/>, then ACTIVE, and a change while it is not ACTIVE is
/// ResourceInUseException. KMS keys are checked for shape (key ID, key ARN, alias name such as alias/aws/kinesis, alias
/// ARN) and region, as the sandbox has no key store here: KMSNotFoundException otherwise. IAM: <c>kinesis:&lt;Op&gt;</c> on
/// the stream ARN.
/// </summary>
internal static partial class KinesisService
{
    public const string TargetPrefix = "Kinesis_20131202.";

    public static string? Handle(AwsRequestContext context, JsonElement body) => context.Action switch
    {
        "DescribeStreamSummary" => DescribeStreamSummary(context, body),
        "StartStreamEncryption" => ChangeEncryption(context, body, start: true),
        "StopStreamEncryption" => ChangeEncryption(context, body, start: false),
        "ListTagsForStream" => ListTagsForStream(context, body),
        _ => null,
    };

    /// <summary>Checks a stream name as CreateStream does (1 to 128 of [a-zA-Z0-9_.-]); throws ArgumentException naming it.</summary>
    public static void ValidateName(string name)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"The stream name '{name}' is not valid: 1 to 128 letters, digits, underscores, periods or hyphens.", nameof(name));
        }
    }

    private static KinesisStream Find(AwsRequestContext context, JsonElement body, string action)
    {
        var name = String(body, "StreamName");
        var arn = String(body, "StreamARN");
        if (name is null && arn is null)
        {
            throw new AwsServiceError(400, "InvalidArgumentException", "Either StreamName or StreamARN should be provided.");
        }

        string accountId = context.Caller.AccountId;
        string region = context.Region;
        if (arn is not null)
        {
            var match = ArnPattern().Match(arn);
            if (!match.Success)
            {
                throw new AwsServiceError(400, "InvalidArgumentException", $"1 validation error detected: Value '{arn}' at 'streamARN' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{{12}}:stream/\\S+");
            }

            if (name is not null && name != match.Groups["name"].Value)
            {
                throw new AwsServiceError(400, "InvalidArgumentException", $"StreamARN {arn} and StreamName {name} do not name the same stream.");
            }

            name = match.Groups["name"].Value;
            accountId = match.Groups["account"].Value;
            region = match.Groups["region"].Value;
            if (region != context.Region)
            {
                throw new AwsServiceError(400, "InvalidArgumentException", $"The stream ARN {arn} is not in the region of the request, {context.Region}.");
            }
        }
        else if (!NamePattern().IsMatch(name!))
        {
            throw new AwsServiceError(400, "ValidationException", $"1 validation error detected: Value '{name}' at 'streamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
        }

        var resource = $"arn:aws:kinesis:{region}:{accountId}:stream/{name}";
        Authorizer.Require(context, action, resource);
        var streams = KinesisState.For(context.State).Region(accountId, region);
        return accountId == context.Caller.AccountId && streams.TryGetValue(name!, out var stream)
            ? stream
            : throw new AwsServiceError(400, "ResourceNotFoundException", $"Stream {name} under account {accountId} not found.");
    }

    private static string DescribeStreamSummary(AwsRequestContext context, JsonElement body)
    {
        var stream = Find(context, body, "kinesis:DescribeStreamSummary");
        var summary = new JsonObject
        {
            ["StreamName"] = stream.Name,
            ["StreamARN"] = stream.Arn,
            ["StreamStatus"] = stream.Status.Current(context.State.Now),
            ["StreamModeDetails"] = new JsonObject { ["StreamMode"] = "PROVISIONED" },
            ["RetentionPeriodHours"] = 24,
            ["StreamCreationTimestamp"] = stream.CreatedAt.ToUnixTimeMilliseconds() / 1000.0,
            ["EnhancedMonitoring"] = new JsonArray(new JsonObject { ["ShardLevelMetrics"] = new JsonArray() }),
            ["EncryptionType"] = stream.EncryptionType,
            ["OpenShardCount"] = stream.OpenShardCount,
            ["ConsumerCount"] = 0,
        };
        if (stream.KeyId is not null)
        {
            summary["KeyId"] = stream.KeyId;
        }

        return new JsonObject { ["StreamDescriptionSummary"] = summary }.ToJsonString();
    }

    private static string ChangeEncryption(AwsRequestContext context, JsonElement body, bool start)
    {
        var stream = Find(context, body, start ? "kinesis:StartStreamEncryption" : "kinesis:StopStreamEncryption");
        var type = String(body, "EncryptionType");
        var keyId = String(body, "KeyId");
        if (type is null || keyId is null)
        {
            throw new AwsServiceError(400, "ValidationException", $"1 validation error detected: Value null at '{(type is null ? "encryptionType" : "keyId")}' failed to satisfy constraint: Member must not be null");
        }

        if (type != "KMS")
        {
            throw new AwsServiceError(400, type == "NONE" ? "InvalidArgumentException" : "ValidationException", $"Encryption type {type} is not valid: the only valid value is KMS.");
        }

        if (keyId.Length is 0 or > 2048)
        {
            throw new AwsServiceError(400, "ValidationException", "1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must have length between 1 and 2048");
        }

        var now = context.State.Now;
        var status = stream.Status.Current(now);
        if (status != "ACTIVE")
        {
            throw new AwsServiceError(400, "ResourceInUseException", $"Stream {stream.Name} under account {stream.AccountId} not ACTIVE, instead in state {status}");
        }

        if (start)
        {
            CheckKey(stream, keyId);
            stream.EncryptionType = "KMS";
            stream.KeyId = keyId;
        }
        else
        {
            if (stream.EncryptionType != "KMS")
            {
                throw new AwsServiceError(400, "InvalidArgumentException", $"Stream {stream.Name} under account {stream.AccountId} is not encrypted.");
            }

            stream.EncryptionType = "NONE";
            stream.KeyId = null;
        }

        stream.Status = context.State.Transition("UPDATING", "ACTIVE");
        return "{}";
    }

    private static string ListTagsForStream(AwsRequestContext context, JsonElement body)
    {
        var stream = Find(context, body, "kinesis:ListTagsForStream");
        var limit = body.ValueKind == JsonValueKind.Object && body.TryGetProperty("Limit", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetInt32() : 10;
        if (limit is < 1 or > 50)
        {
            throw new AwsServiceError(400, "ValidationException", $"1 validation error detected: Value '{limit.ToString(CultureInfo.InvariantCulture)}' at 'limit' failed to satisfy constraint: Member must have value between 1 and 50");
        }

        var start = String(body, "ExclusiveStartTagKey");
        var page = stream.Tags.Where(t => start is null || string.CompareOrdinal(t.Key, start) > 0).ToList();
        var tags = new JsonArray(page.Take(limit).Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray());
        return new JsonObject { ["Tags"] = tags, ["HasMoreTags"] = page.Count > limit }.ToJsonString();
    }

    // Kinesis accepts a key ID, a key ARN, an alias name (alias/aws/kinesis: the AWS managed key) or an alias ARN; an
    // ARN names its key's region, which must be the stream's. The sandbox has no key store: any other value is unknown.
    private static void CheckKey(KinesisStream stream, string keyId)
    {
        var arn = KeyArnPattern().Match(keyId);
        var valid = KeyIdPattern().IsMatch(keyId) || AliasPattern().IsMatch(keyId) || (arn.Success && arn.Groups["region"].Value == stream.Region);
        if (!valid)
        {
            throw new AwsServiceError(400, "KMSNotFoundException", $"Key '{keyId}' does not exist (or is not in {stream.Region}).");
        }
    }

    private static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"^[a-zA-Z0-9_.-]{1,128}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:kinesis:(?<region>[a-z0-9-]+):(?<account>\d{12}):stream/(?<name>[a-zA-Z0-9_.-]{1,128})$")]
    private static partial Regex ArnPattern();

    [GeneratedRegex(@"^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$")]
    private static partial Regex KeyIdPattern();

    [GeneratedRegex(@"^alias/[a-zA-Z0-9/_-]{1,250}$")]
    private static partial Regex AliasPattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:kms:(?<region>[a-z0-9-]+):\d{12}:(?:key/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})|alias/[a-zA-Z0-9/_-]{1,250})$")]
    private static partial Regex KeyArnPattern();
}
