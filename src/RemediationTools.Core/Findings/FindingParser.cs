using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RemediationTools.Core.Findings;

/// <summary>
/// Reads findings: the peer worker payload (<c>{ "notificationInfo": { ... }, "autoRemediate": ... }</c>) with key
/// names in any casing and its <c>ObjectChain</c> JSON-in-a-string, or a plain object with <c>Job</c>/<c>RuleId</c>,
/// <c>ResourceId</c>, <c>AccountId</c> and <c>Region</c>, or an AWS Security Hub finding (ASFF) of a control a job
/// serves. Bad input throws <see cref="FindingFormatException"/> naming the field.
/// </summary>
internal static partial class FindingParser
{
    private const string NotificationInfo = "notificationInfo";
    private const string FindingInfoPath = "notificationInfo.FindingInfo";

    private static readonly char[] Dot = { '.' };
    private static readonly char[] Colon = { ':' };
    private static readonly Regex AccountIdPattern = new("^[0-9]{12}$", RegexOptions.CultureInvariant);
    private static readonly Regex RegionPattern = new("^[a-z]{2}(-[a-z]+)+-[0-9]+$", RegexOptions.CultureInvariant);

    /// <summary>Parses a finding from its JSON text.</summary>
    public static Finding Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new FindingFormatException("The finding is empty: expected a JSON object.");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FindingFormatException("The finding is not valid JSON: " + ex.Message, ex);
        }

        using (document)
        {
            return Parse(document.RootElement, json);
        }
    }

    /// <summary>
    /// Parses a finding from an object graph: dictionaries (generic or not), lists and scalars, as a PowerShell
    /// hashtable or a deserialized payload would give. A string is read as JSON text.
    /// </summary>
    public static Finding ParseObject(object? graph)
    {
        switch (graph)
        {
            case null:
                throw new FindingFormatException("The finding is null: expected a JSON object or a dictionary.");
            case string text:
                return Parse(text);
            case JsonElement element:
                return Parse(element, element.GetRawText());
            case IDictionary:
            case IEnumerable<KeyValuePair<string, object?>>:
                return Parse(JsonSerializer.Serialize(graph, graph.GetType()));
            default:
                throw new FindingFormatException(
                    "The finding must be a JSON object or a dictionary, not " + graph.GetType().Name + ".");
        }
    }

    /// <summary>Parses a finding from a parsed JSON element; <paramref name="raw"/> is kept as the raw payload.</summary>
    public static Finding Parse(JsonElement root, string raw) => Parse(root, raw, null);

    /// <summary>
    /// Parses a finding from a parsed JSON element, as the other overload; <paramref name="defaultRegion"/> is the region
    /// of a finding that carries none (<c>Invoke-Remediation -Region</c>), null to require one.
    /// </summary>
    public static Finding Parse(JsonElement root, string raw, string? defaultRegion)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new FindingFormatException("The finding must be a JSON object, not " + Describe(root.ValueKind) + ".");
        }

        if (TryGet(root, out var notification, NotificationInfo))
        {
            if (notification.ValueKind != JsonValueKind.Object)
            {
                throw new FindingFormatException(
                    "The finding's notificationInfo is not an object (it is " + Describe(notification.ValueKind) + ").", NotificationInfo);
            }

            return ParsePeer(root, notification, raw, defaultRegion);
        }

        // The notificationInfo object on its own (a worker that unwrapped the envelope).
        if (TryGet(root, out _, "FindingInfo"))
        {
            return ParsePeer(root, root, raw, defaultRegion);
        }

        if (IsSecurityHubFinding(root))
        {
            return ParseSecurityHub(root, raw);
        }

        return ParsePlain(root, raw, defaultRegion);
    }

    private static Finding ParsePeer(JsonElement root, JsonElement notification, string raw, string? defaultRegion)
    {
        if (!TryGet(notification, out var findingInfo, "FindingInfo") || findingInfo.ValueKind == JsonValueKind.Null)
        {
            throw new FindingFormatException("The finding has no FindingInfo (" + FindingInfoPath + ").", FindingInfoPath);
        }

        if (findingInfo.ValueKind != JsonValueKind.Object)
        {
            throw new FindingFormatException(
                "The finding's FindingInfo is not an object (" + FindingInfoPath + " is " + Describe(findingInfo.ValueKind) + ").",
                FindingInfoPath);
        }

        var ruleId = GetString(notification, "notificationInfo.RuleID", "RuleID")
            ?? throw new FindingFormatException("The finding has no RuleID (notificationInfo.RuleID): the rule decides which job runs.", "notificationInfo.RuleID");

        var chain = ReadObjectChain(findingInfo);
        var entity = EntityId.TryParse(chain.EntityId);

        var objectId = GetString(findingInfo, FindingInfoPath + ".ObjectId", "ObjectId");
        var arn = Arn.TryParse(objectId);

        var accountPath = "notificationInfo.CloudAccountID";
        var accountId = GetString(notification, accountPath, "CloudAccountID");
        if (accountId is null)
        {
            accountPath = "ObjectChain cloudAccountId";
            accountId = chain.CloudAccountId ?? entity?.AccountId ?? NullIfEmpty(arn?.AccountId);
        }

        if (accountId is null)
        {
            throw new FindingFormatException(
                "The finding has no cloud account ID (notificationInfo.CloudAccountID, or cloudAccountId in notificationInfo.FindingInfo.ObjectChain).",
                "notificationInfo.CloudAccountID");
        }

        ValidateAccountId(accountId, accountPath);

        var regionPath = FindingInfoPath + ".Region";
        var region = GetString(findingInfo, regionPath, "Region");
        if (region is null)
        {
            regionPath = "ObjectChain region";
            region = chain.Region ?? entity?.Region ?? NullIfEmpty(arn?.Region);
        }

        if (region is null && defaultRegion is not null)
        {
            regionPath = "-Region";
            region = defaultRegion;
        }

        if (region is null)
        {
            throw new FindingFormatException(
                "The finding has no region (" + FindingInfoPath + ".Region, or region in the ObjectChain; -Region gives one to findings without one).", FindingInfoPath + ".Region");
        }

        ValidateRegion(region, regionPath);

        var resourceId = arn is not null ? arn.ResourceId : objectId;
        resourceId ??= entity?.Name;
        if (resourceId is null)
        {
            throw new FindingFormatException(
                "The finding has no resource (" + FindingInfoPath + ".ObjectId, or entityId in the ObjectChain).", FindingInfoPath + ".ObjectId");
        }

        return new Finding
        {
            FindingId = GetString(findingInfo, FindingInfoPath + ".FindingId", "FindingId") ?? GetString(notification, "notificationInfo.FindingId", "FindingId"),
            RuleId = ruleId,
            RuleName = GetString(notification, "notificationInfo.RuleName", "RuleName") ?? GetString(notification, "notificationInfo.RuleDisplayName", "RuleDisplayName"),
            AccountId = accountId,
            Region = region,
            ResourceId = resourceId,
            ResourceArn = arn?.Text,
            Service = GetString(findingInfo, FindingInfoPath + ".Service", "Service") ?? GetString(notification, "notificationInfo.Service", "Service") ?? entity?.Service,
            ResourceType = chain.EntityType ?? entity?.Type,
            Level = GetString(notification, "notificationInfo.Level", "Level"),
            Tags = ReadTags(findingInfo, FindingInfoPath + ".CloudTags", "CloudTags", "Tags"),
            Properties = chain.Properties,
            AutoRemediate = GetBool(root, "autoRemediate", "autoRemediate"),
            RawPayload = raw,
        };
    }

    private static Finding ParsePlain(JsonElement root, string raw, string? defaultRegion)
    {
        var jobId = GetString(root, "Job", "Job", "JobId");
        var ruleId = GetString(root, "RuleId", "RuleId", "RuleID");
        if (jobId is null && ruleId is null)
        {
            throw new FindingFormatException(
                "The finding has neither notificationInfo nor Job/RuleId: name the job (Job) or the rule (RuleId), or pass the notificationInfo payload.",
                "Job");
        }

        var resource = GetString(root, "ResourceId", "ResourceId", "ObjectId", "ResourceArn")
            ?? throw new FindingFormatException("The finding has no ResourceId: name the resource to fix.", "ResourceId");
        var arn = Arn.TryParse(resource);

        var accountId = GetString(root, "AccountId", "AccountId", "CloudAccountId") ?? NullIfEmpty(arn?.AccountId);
        if (accountId is not null)
        {
            ValidateAccountId(accountId, "AccountId");
        }

        var region = GetString(root, "Region", "Region") ?? NullIfEmpty(arn?.Region) ?? defaultRegion
            ?? throw new FindingFormatException("The finding has no Region (give it one, or -Region for findings without one).", "Region");
        ValidateRegion(region, "Region");

        return new Finding
        {
            FindingId = GetString(root, "FindingId", "FindingId"),
            JobId = jobId,
            RuleId = ruleId,
            AccountId = accountId,
            Region = region,
            ResourceId = arn is not null ? arn.ResourceId : resource,
            ResourceArn = arn?.Text,
            Service = GetString(root, "Service", "Service"),
            Tags = ReadTags(root, "Tags", "Tags", "CloudTags"),
            AutoRemediate = GetBool(root, "AutoRemediate", "AutoRemediate"),
            RawPayload = raw,
        };
    }

    private static ObjectChain ReadObjectChain(JsonElement findingInfo)
    {
        const string path = FindingInfoPath + ".ObjectChain";
        if (!TryGet(findingInfo, out var value, "ObjectChain") || value.ValueKind == JsonValueKind.Null)
        {
            return ObjectChain.Empty;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString();
            if (string.IsNullOrWhiteSpace(text))
            {
                return ObjectChain.Empty;
            }

            try
            {
                using var document = JsonDocument.Parse(text!);
                return ObjectChain.From(document.RootElement, path);
            }
            catch (JsonException ex)
            {
                throw new FindingFormatException("The finding's ObjectChain (" + path + ") is not valid JSON: " + ex.Message, ex);
            }
        }

        return ObjectChain.From(value, path);
    }

    private static Dictionary<string, string> ReadTags(JsonElement owner, string path, params string[] names)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!TryGet(owner, out var value, names) || value.ValueKind == JsonValueKind.Null)
        {
            return tags;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in value.EnumerateObject())
            {
                tags[property.Name] = ScalarText(property.Value) ?? string.Empty;
            }

            return tags;
        }

        if (value.ValueKind == JsonValueKind.Array)
        {
            // AWS shape: [{ "Key": "k", "Value": "v" }].
            foreach (var item in value.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Object && GetString(item, path, "Key") is { } key)
                {
                    tags[key] = GetString(item, path, "Value") ?? string.Empty;
                }
            }

            return tags;
        }

        throw new FindingFormatException("The finding's tags (" + path + ") are not an object of key/value pairs.", path);
    }

    private static void ValidateAccountId(string accountId, string path)
    {
        if (!AccountIdPattern.IsMatch(accountId))
        {
            throw new FindingFormatException("The finding's account ID '" + accountId + "' (" + path + ") is not a 12-digit AWS account ID.", path);
        }
    }

    private static void ValidateRegion(string region, string path)
    {
        if (!RegionPattern.IsMatch(region))
        {
            throw new FindingFormatException("The finding's region '" + region + "' (" + path + ") is not an AWS region name such as us-east-1.", path);
        }
    }

    internal static bool TryGet(JsonElement obj, out JsonElement value, params string[] names)
    {
        if (obj.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in names)
            {
                foreach (var property in obj.EnumerateObject())
                {
                    if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                    {
                        value = property.Value;
                        return true;
                    }
                }
            }
        }

        value = default;
        return false;
    }

    /// <summary>The trimmed string value of the first present key, numbers as their text; null when absent, null or empty.</summary>
    internal static string? GetString(JsonElement obj, string path, params string[] names)
    {
        if (!TryGet(obj, out var value, names))
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            throw new FindingFormatException("The finding's " + path + " must be a string, not " + Describe(value.ValueKind) + ".", path);
        }

        return NullIfEmpty(ScalarText(value)?.Trim());
    }

    private static bool? GetBool(JsonElement obj, string path, params string[] names)
    {
        if (!TryGet(obj, out var value, names))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed):
                return parsed;
            default:
                throw new FindingFormatException("The finding's " + path + " must be true or false.", path);
        }
    }

    private static string? ScalarText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The parts of a peer <c>ObjectChain</c> the engine uses.</summary>
    private sealed class ObjectChain
    {
        public static readonly ObjectChain Empty = new();

        public string? CloudAccountId { get; private set; }

        public string? EntityId { get; private set; }

        public string? EntityType { get; private set; }

        public string? Region { get; private set; }

        public IReadOnlyDictionary<string, string> Properties { get; private set; } = new Dictionary<string, string>(StringComparer.Ordinal);

        public static ObjectChain From(JsonElement element, string path)
        {
            // Some producers send the chain as a list of entities; the first object is the resource.
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        return From(item, path);
                    }
                }

                return Empty;
            }

            if (element.ValueKind != JsonValueKind.Object)
            {
                throw new FindingFormatException("The finding's ObjectChain (" + path + ") must be a JSON object, not " + Describe(element.ValueKind) + ".", path);
            }

            var properties = new Dictionary<string, string>(StringComparer.Ordinal);
            if (TryGet(element, out var list, "properties") && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in list.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object || GetString(item, path + " properties.name", "name") is not { } name)
                    {
                        continue;
                    }

                    properties[name] = PropertyValue(item) ?? string.Empty;
                }
            }

            return new ObjectChain
            {
                CloudAccountId = GetString(element, path + " cloudAccountId", "cloudAccountId"),
                EntityId = GetString(element, path + " entityId", "entityId"),
                EntityType = GetString(element, path + " entityType", "entityType"),
                Region = GetString(element, path + " region", "region"),
                Properties = properties,
            };
        }

        private static string? PropertyValue(JsonElement item)
        {
            if (TryGet(item, out var value, "stringV", "boolV", "intV", "longV", "doubleV", "value"))
            {
                return ScalarText(value);
            }

            // Any other typed value field (for example a future "dateV").
            foreach (var property in item.EnumerateObject())
            {
                if (property.Name.Length > 1 && property.Name.EndsWith("V", StringComparison.Ordinal))
                {
                    return ScalarText(property.Value);
                }
            }

            return null;
        }
    }

    /// <summary>An ObjectChain entity ID: <c>AWS.&lt;Service&gt;.&lt;account&gt;.&lt;region&gt;.&lt;Type&gt;.&lt;name&gt;</c>; the name may contain dots.</summary>
    private sealed class EntityId
    {
        public string Service { get; private set; } = string.Empty;

        public string? AccountId { get; private set; }

        public string? Region { get; private set; }

        public string? Type { get; private set; }

        public string? Name { get; private set; }

        public static EntityId? TryParse(string? text)
        {
            if (text is null)
            {
                return null;
            }

            var parts = text.Split(Dot, 6);
            if (parts.Length < 6 || !string.Equals(parts[0], "AWS", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            return new EntityId
            {
                Service = parts[1],
                AccountId = NullIfEmpty(parts[2]),
                Region = NullIfEmpty(parts[3]),
                Type = NullIfEmpty(parts[4]),
                Name = NullIfEmpty(parts[5]),
            };
        }
    }

    /// <summary>An ARN: <c>arn:partition:service:region:account:resource</c>.</summary>
    private sealed class Arn
    {
        public string Text { get; private set; } = string.Empty;

        public string Region { get; private set; } = string.Empty;

        public string AccountId { get; private set; } = string.Empty;

        public string ResourceId { get; private set; } = string.Empty;

        public static Arn? TryParse(string? text)
        {
            if (text is null || !text.StartsWith("arn:", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var parts = text.Split(Colon, 6);
            if (parts.Length < 6 || parts[5].Length == 0)
            {
                throw new FindingFormatException("The finding's resource ARN '" + text + "' is not a valid ARN (arn:partition:service:region:account:resource).", "ObjectId");
            }

            // security-group/sg-1, instance/i-1, key/<uuid>, trail/name: the ID follows the type; db:name (RDS) likewise;
            // a bare resource (S3 bucket) is the ID itself.
            var resource = parts[5];
            var slash = resource.IndexOf('/');
            var colon = resource.IndexOf(':');
            var cut = slash < 0 ? colon : colon < 0 ? slash : Math.Min(slash, colon);
            var id = cut < 0 ? resource : resource.Substring(cut + 1);
            if (id.Length == 0)
            {
                throw new FindingFormatException("The finding's resource ARN '" + text + "' names no resource.", "ObjectId");
            }

            return new Arn
            {
                Text = text,
                Region = parts[3],
                AccountId = parts[4],
                ResourceId = id,
            };
        }
    }
}
