using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>
/// Amazon SQS standard queues over the AWS JSON 1.0 protocol (<c>X-Amz-Target: AmazonSQS.&lt;Action&gt;</c>), following the
/// SQS API reference: queue operations here, message operations in SqsService.Messages.cs. Every call is authorized
/// with <see cref="SqsAccess"/> as <c>sqs:&lt;Action&gt;</c> on the queue ARN (batch calls as their single action).
/// </summary>
internal static partial class SqsService
{
    /// <summary>The X-Amz-Target prefix of the service.</summary>
    public const string TargetPrefix = "AmazonSQS.";

    private const int MaxMessageBytes = 262_144;

    /// <summary>The settable attributes and their defaults (null: optional, absent until set).</summary>
    private static readonly Dictionary<string, string?> Settable = new(StringComparer.Ordinal)
    {
        ["DelaySeconds"] = "0",
        ["MaximumMessageSize"] = "262144",
        ["MessageRetentionPeriod"] = "345600",
        ["ReceiveMessageWaitTimeSeconds"] = "0",
        ["VisibilityTimeout"] = "30",
        ["SqsManagedSseEnabled"] = "true",
        ["Policy"] = null,
        ["RedrivePolicy"] = null,
        ["RedriveAllowPolicy"] = null,
        ["KmsMasterKeyId"] = null,
        ["KmsDataKeyReusePeriodSeconds"] = null,
    };

    private static readonly string[] Computed =
    [
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
        "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
    ];

    /// <summary>Handles the call or throws <see cref="AwsServiceError"/>; null when the action is unknown. ReceiveMessage goes through <see cref="Receive"/>.</summary>
    public static string? Handle(SqsCall call) => call.Context.Action switch
    {
        "CreateQueue" => CreateQueue(call),
        "GetQueueUrl" => GetQueueUrl(call),
        "GetQueueAttributes" => GetQueueAttributes(call),
        "SetQueueAttributes" => SetQueueAttributes(call),
        "DeleteQueue" => DeleteQueue(call),
        "ListQueues" => ListQueues(call),
        "PurgeQueue" => PurgeQueue(call),
        "TagQueue" => TagQueue(call),
        "UntagQueue" => UntagQueue(call),
        "ListQueueTags" => ListQueueTags(call),
        "SendMessage" => SendMessage(call),
        "SendMessageBatch" => SendMessageBatch(call),
        "DeleteMessage" => DeleteMessage(call),
        "DeleteMessageBatch" => DeleteMessageBatch(call),
        "ChangeMessageVisibility" => ChangeMessageVisibility(call),
        "ChangeMessageVisibilityBatch" => ChangeMessageVisibilityBatch(call),
        _ => null,
    };

    /// <summary>The queue named by the call's <c>QueueUrl</c>, after authorizing <paramref name="action"/> on it; expired messages are dropped first.</summary>
    private static SqsQueue ResolveQueue(SqsCall call, string action)
    {
        var url = call.RequiredString("QueueUrl");
        var (accountId, name) = ParseQueueUrl(url);
        var arn = "arn:aws:sqs:" + call.Region + ":" + accountId + ":" + name;
        var queue = call.Sqs.Find(accountId, call.Region, name);
        SqsAccess.Require(call.Context.State, call.Caller, call.SecureTransport, action, arn, queue);
        if (queue is null)
        {
            throw SqsErrors.QueueDoesNotExist();
        }

        DropExpired(queue, call.Now);
        return queue;
    }

    private static (string AccountId, string Name) ParseQueueUrl(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            var segments = uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (segments.Length == 2 && AccountIdPattern().IsMatch(segments[0]) && QueueNamePattern().IsMatch(segments[1]))
            {
                return (segments[0], segments[1]);
            }
        }

        throw new AwsServiceError(404, "InvalidAddress", "The address " + url + " is not valid for this endpoint.");
    }

    private static string CreateQueue(SqsCall call)
    {
        var name = call.RequiredString("QueueName");
        if (!QueueNamePattern().IsMatch(name))
        {
            throw SqsErrors.InvalidParameterValue("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
        }

        var arn = "arn:aws:sqs:" + call.Region + ":" + call.Caller.AccountId + ":" + name;
        var regionState = call.Sqs.Region(call.Caller.AccountId, call.Region);
        regionState.Queues.TryGetValue(name, out var existing);
        SqsAccess.Require(call.Context.State, call.Caller, call.SecureTransport, "sqs:CreateQueue", arn, existing);
        var requested = Normalize(call, call.Map("Attributes"));
        if (existing is not null)
        {
            // Same name: the existing queue's URL if every attribute given has the queue's current value, else QueueNameExists.
            foreach (var (attribute, value) in requested)
            {
                var current = existing.Attributes.TryGetValue(attribute, out var stored) ? stored : null;
                if (!string.Equals(current, value, StringComparison.Ordinal))
                {
                    throw new AwsServiceError(400, "QueueNameExists", "A queue already exists with the same name and a different value for attribute " + attribute);
                }
            }

            return SqsCall.Json(new Dictionary<string, object> { ["QueueUrl"] = call.QueueUrl(existing) });
        }

        if (regionState.DeletedAt.TryGetValue(name, out var deletedAt) && call.Now - deletedAt < TimeSpan.FromSeconds(60))
        {
            throw new AwsServiceError(400, "QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can create another with the same name.");
        }

        var queue = new SqsQueue { Name = name, AccountId = call.Caller.AccountId, Region = call.Region, CreatedAt = call.Now, LastModifiedAt = call.Now };
        foreach (var (attribute, value) in Settable.Where(s => s.Value is not null))
        {
            queue.Attributes[attribute] = value!;
        }

        Apply(queue, requested);
        foreach (var (key, value) in call.Map("tags"))
        {
            queue.Tags[key] = value;
        }

        regionState.Queues[name] = queue;
        return SqsCall.Json(new Dictionary<string, object> { ["QueueUrl"] = call.QueueUrl(queue) });
    }

    private static string GetQueueUrl(SqsCall call)
    {
        var name = call.RequiredString("QueueName");
        var owner = call.String("QueueOwnerAWSAccountId") ?? call.Caller.AccountId;
        var queue = AccountIdPattern().IsMatch(owner) ? call.Sqs.Find(owner, call.Region, name) : null;
        SqsAccess.Require(call.Context.State, call.Caller, call.SecureTransport, "sqs:GetQueueUrl", "arn:aws:sqs:" + call.Region + ":" + owner + ":" + name, queue);
        return queue is null
            ? throw SqsErrors.QueueDoesNotExist()
            : SqsCall.Json(new Dictionary<string, object> { ["QueueUrl"] = call.QueueUrl(queue) });
    }

    private static string GetQueueAttributes(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:GetQueueAttributes");
        var names = call.List("AttributeNames");
        var all = names.Contains("All", StringComparer.Ordinal);
        foreach (var name in names.Where(n => n != "All" && !Settable.ContainsKey(n) && !Computed.Contains(n, StringComparer.Ordinal)))
        {
            throw SqsErrors.InvalidAttributeName(name);
        }

        var now = call.Now;
        var values = new Dictionary<string, string>(queue.Attributes, StringComparer.Ordinal)
        {
            ["ApproximateNumberOfMessages"] = Count(queue.Messages.Count(m => m.VisibleAt <= now)),
            ["ApproximateNumberOfMessagesNotVisible"] = Count(queue.Messages.Count(m => m.IsInFlight(now))),
            ["ApproximateNumberOfMessagesDelayed"] = Count(queue.Messages.Count(m => m.IsDelayed(now))),
            ["CreatedTimestamp"] = SqsCall.Epoch(queue.CreatedAt),
            ["LastModifiedTimestamp"] = SqsCall.Epoch(queue.LastModifiedAt),
            ["QueueArn"] = queue.Arn,
        };
        var selected = values.Where(v => all || names.Contains(v.Key, StringComparer.Ordinal)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        return SqsCall.Json(selected.Count == 0 ? new Dictionary<string, object>() : new Dictionary<string, object> { ["Attributes"] = selected });
    }

    private static string SetQueueAttributes(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:SetQueueAttributes");
        var attributes = call.Map("Attributes");
        if (attributes.Count == 0)
        {
            throw SqsErrors.MissingParameter("Attributes");
        }

        Apply(queue, Normalize(call, attributes));
        queue.LastModifiedAt = call.Now;

        // A shorter delay or a new redrive target can make messages receivable now.
        queue.SignalArrival();
        return "{}";
    }

    private static string DeleteQueue(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:DeleteQueue");
        var regionState = call.Sqs.Region(queue.AccountId, queue.Region);
        regionState.Queues.Remove(queue.Name);
        regionState.DeletedAt[queue.Name] = call.Now;
        queue.SignalArrival();
        return "{}";
    }

    private static string ListQueues(SqsCall call)
    {
        var prefix = call.String("QueueNamePrefix") ?? string.Empty;
        var maxResults = call.Int("MaxResults");
        if (maxResults is < 1 or > 1000)
        {
            throw SqsErrors.InvalidParameter("MaxResults", maxResults.Value.ToString(CultureInfo.InvariantCulture), "MaxResults must be an integer between 1 and 1000.");
        }

        SqsAccess.Require(call.Context.State, call.Caller, call.SecureTransport, "sqs:ListQueues", "arn:aws:sqs:" + call.Region + ":" + call.Caller.AccountId + ":*", null);
        var after = DecodeToken(call.String("NextToken"));
        var names = call.Sqs.Region(call.Caller.AccountId, call.Region).Queues.Values
            .Where(q => q.Name.StartsWith(prefix, StringComparison.Ordinal) && (after is null || string.CompareOrdinal(q.Name, after) > 0))
            .ToList();
        var page = names.Take(maxResults ?? 1000).ToList();
        var result = new Dictionary<string, object>();
        if (page.Count > 0)
        {
            result["QueueUrls"] = page.Select(call.QueueUrl).ToList();
        }

        if (maxResults is not null && names.Count > page.Count)
        {
            result["NextToken"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(page[^1].Name));
        }

        return SqsCall.Json(result);
    }

    private static string PurgeQueue(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:PurgeQueue");
        if (queue.LastPurgeAt is { } last && call.Now - last < TimeSpan.FromSeconds(60))
        {
            throw new AwsServiceError(403, "PurgeQueueInProgress", "Only one PurgeQueue operation on " + queue.Name + " is allowed every 60 seconds.");
        }

        queue.Messages.Clear();
        queue.LastPurgeAt = call.Now;
        return "{}";
    }

    private static string TagQueue(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:TagQueue");
        var tags = call.Map("Tags");
        if (tags.Count == 0)
        {
            throw SqsErrors.MissingParameter("Tags");
        }

        foreach (var (key, value) in tags)
        {
            queue.Tags[key] = value;
        }

        if (queue.Tags.Count > 50)
        {
            throw SqsErrors.InvalidParameterValue("Too many tags added for queue " + queue.Name + ".");
        }

        return "{}";
    }

    private static string UntagQueue(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:UntagQueue");
        foreach (var key in call.List("TagKeys"))
        {
            queue.Tags.Remove(key);
        }

        return "{}";
    }

    private static string ListQueueTags(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:ListQueueTags");
        return SqsCall.Json(queue.Tags.Count == 0 ? new Dictionary<string, object>() : new Dictionary<string, object> { ["Tags"] = queue.Tags });
    }

    /// <summary>
    /// Validates attributes as CreateQueue and SetQueueAttributes do and returns them as SQS stores them (null: remove).
    /// A KMS key turns SQS-managed encryption off; both at once is refused.
    /// </summary>
    private static Dictionary<string, string?> Normalize(SqsCall call, Dictionary<string, string> attributes)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in attributes)
        {
            switch (name)
            {
                case "DelaySeconds":
                    result[name] = Ranged(name, value, 0, 900);
                    break;
                case "MaximumMessageSize":
                    result[name] = Ranged(name, value, 1024, 1_048_576);
                    break;
                case "MessageRetentionPeriod":
                    result[name] = Ranged(name, value, 60, 1_209_600);
                    break;
                case "ReceiveMessageWaitTimeSeconds":
                    result[name] = Ranged(name, value, 0, 20);
                    break;
                case "VisibilityTimeout":
                    result[name] = Ranged(name, value, 0, 43_200);
                    break;
                case "KmsDataKeyReusePeriodSeconds":
                    result[name] = Ranged(name, value, 60, 86_400);
                    break;
                case "SqsManagedSseEnabled":
                    result[name] = value is "true" or "false" ? value : throw SqsErrors.InvalidAttributeValue(name);
                    break;
                case "KmsMasterKeyId":
                    result[name] = value.Length == 0 ? null : value;
                    break;
                case "Policy":
                case "RedriveAllowPolicy":
                    if (value.Length > 0)
                    {
                        ValidateJsonAttribute(name, value);
                    }

                    result[name] = value.Length == 0 ? null : value;
                    break;
                case "RedrivePolicy":
                    result[name] = value.Length == 0 ? null : NormalizeRedrivePolicy(call, value);
                    break;
                case "FifoQueue":
                    result[name] = value == "false" ? null : throw new AwsServiceError(400, "InvalidAttributeValue", "Invalid value for the parameter FifoQueue. The sandbox emulates standard queues only.");
                    break;
                default:
                    throw SqsErrors.InvalidAttributeName(name);
            }
        }

        result.Remove("FifoQueue");
        if (result.TryGetValue("KmsMasterKeyId", out var key) && key is not null)
        {
            if (result.TryGetValue("SqsManagedSseEnabled", out var managed) && managed == "true")
            {
                throw new AwsServiceError(400, "InvalidAttributeName", "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.");
            }

            result["SqsManagedSseEnabled"] = "false";
            result.TryAdd("KmsDataKeyReusePeriodSeconds", "300");
        }
        else if (result.TryGetValue("SqsManagedSseEnabled", out var managed) && managed == "true")
        {
            result["KmsMasterKeyId"] = null;
        }

        return result;
    }

    private static void Apply(SqsQueue queue, Dictionary<string, string?> attributes)
    {
        foreach (var (name, value) in attributes)
        {
            if (value is null)
            {
                queue.Attributes.Remove(name);
            }
            else
            {
                queue.Attributes[name] = value;
            }
        }

        if (!queue.Attributes.ContainsKey("KmsMasterKeyId"))
        {
            queue.Attributes.Remove("KmsDataKeyReusePeriodSeconds");
        }
    }

    private static string Ranged(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number.ToString(CultureInfo.InvariantCulture)
            : throw SqsErrors.InvalidAttributeValue(name);

    private static void ValidateJsonAttribute(string name, string value)
    {
        if (name == "Policy")
        {
            SqsAccess.ValidatePolicy(value);
            return;
        }

        try
        {
            using var document = JsonDocument.Parse(value);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw SqsErrors.InvalidAttributeValue(name);
            }
        }
        catch (JsonException)
        {
            throw SqsErrors.InvalidAttributeValue(name);
        }
    }

    /// <summary>
    /// A redrive policy as SQS stores it: <c>{"deadLetterTargetArn":"...","maxReceiveCount":N}</c> (N 1..1000, given as a
    /// number or a string), its target an existing queue of the same account and region.
    /// </summary>
    private static string NormalizeRedrivePolicy(SqsCall call, string value)
    {
        string? target;
        int count;
        try
        {
            using var document = JsonDocument.Parse(value);
            var root = document.RootElement;
            target = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("deadLetterTargetArn", out var arn) && arn.ValueKind == JsonValueKind.String ? arn.GetString() : null;
            count = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("maxReceiveCount", out var max) ? max.ValueKind switch
            {
                JsonValueKind.Number when max.TryGetInt32(out var n) => n,
                JsonValueKind.String when int.TryParse(max.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
                _ => -1,
            } : -1;
        }
        catch (JsonException)
        {
            throw SqsErrors.InvalidParameter("RedrivePolicy", value, "Invalid value for the parameter RedrivePolicy.");
        }

        if (target is null)
        {
            throw SqsErrors.InvalidParameter("RedrivePolicy", value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
        }

        if (count is < 1 or > 1000)
        {
            throw SqsErrors.InvalidParameter("RedrivePolicy", value, "Invalid value for maxReceiveCount: " + count.ToString(CultureInfo.InvariantCulture) + ", valid values are from 1 to 1000 both inclusive.");
        }

        var dlq = call.Sqs.FindByArn(target);
        if (dlq is null || dlq.AccountId != call.Caller.AccountId || dlq.Region != call.Region)
        {
            throw SqsErrors.InvalidParameter("RedrivePolicy", value, "Dead letter target does not exist.");
        }

        return SqsCall.Json(new Dictionary<string, object> { ["deadLetterTargetArn"] = target, ["maxReceiveCount"] = count });
    }

    private static string? DecodeToken(string? token)
    {
        if (token is null)
        {
            return null;
        }

        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(token));
        }
        catch (FormatException)
        {
            throw SqsErrors.InvalidParameter("NextToken", token, "Invalid NextToken value.");
        }
    }

    private static string Count(int count) => count.ToString(CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex QueueNamePattern();

    [GeneratedRegex(@"^\d{12}$")]
    private static partial Regex AccountIdPattern();
}
