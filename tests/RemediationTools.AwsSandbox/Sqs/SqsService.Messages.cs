using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>The outcome of one receive attempt: the response, or nothing yet and what a long poll waits on.</summary>
/// <param name="Json">The response body; null when no message was available and the poll may wait.</param>
/// <param name="WaitSeconds">The call's wait time (WaitTimeSeconds, else the queue's ReceiveMessageWaitTimeSeconds).</param>
/// <param name="Arrival">Completes when a message may have arrived.</param>
/// <param name="NextVisibleIn">Sandbox time until the next in-flight or delayed message becomes visible, if any.</param>
internal sealed record SqsReceiveAttempt(string? Json, int WaitSeconds, Task Arrival, TimeSpan? NextVisibleIn);

internal static partial class SqsService
{
    private const string ReceiptHandleVersion = "sbx1";

    private static readonly string[] SystemAttributeNames = ["SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp"];

    /// <summary>
    /// One attempt of ReceiveMessage: validates, authorizes, moves messages over their redrive policy's maxReceiveCount to
    /// the dead-letter queue (on the receive after their last allowed one, as SQS does) and takes up to
    /// MaxNumberOfMessages visible messages. With <paramref name="final"/> false and nothing to return, Json is null and the
    /// caller long-polls on <see cref="SqsReceiveAttempt.Arrival"/>.
    /// </summary>
    public static SqsReceiveAttempt Receive(SqsCall call, bool final)
    {
        var queue = ResolveQueue(call, "sqs:ReceiveMessage");
        var max = call.Int("MaxNumberOfMessages") ?? 1;
        if (max is < 1 or > 10)
        {
            throw SqsErrors.InvalidParameter("MaxNumberOfMessages", max.ToString(CultureInfo.InvariantCulture), "Must be between 1 and 10, if provided.");
        }

        var visibility = call.Int("VisibilityTimeout") ?? queue.IntAttribute("VisibilityTimeout");
        if (visibility is < 0 or > 43_200)
        {
            throw SqsErrors.InvalidParameter("VisibilityTimeout", visibility.ToString(CultureInfo.InvariantCulture), "Must be >= 0 and <= 43200, if provided.");
        }

        var wait = call.Int("WaitTimeSeconds") ?? queue.IntAttribute("ReceiveMessageWaitTimeSeconds");
        if (wait is < 0 or > 20)
        {
            throw SqsErrors.InvalidParameter("WaitTimeSeconds", wait.ToString(CultureInfo.InvariantCulture), "Must be >= 0 and <= 20, if provided.");
        }

        var systemNames = call.List("AttributeNames").Concat(call.List("MessageSystemAttributeNames")).ToList();
        var attributeNames = call.List("MessageAttributeNames");
        var now = call.Now;
        var (dlq, maxReceiveCount) = RedriveTarget(call, queue);
        var received = new List<SqsMessage>();
        foreach (var message in queue.Messages.Where(m => m.VisibleAt <= now).OrderBy(m => m.Sequence).ToList())
        {
            if (dlq is not null && message.ReceiveCount >= maxReceiveCount)
            {
                queue.Messages.Remove(message);
                MoveTo(dlq, message, now);
                continue;
            }

            if (received.Count == max)
            {
                continue;
            }

            message.ReceiveCount++;
            message.FirstReceivedAt ??= now;
            message.ReceivedAt = now;
            message.VisibleAt = now + TimeSpan.FromSeconds(visibility);
            message.ReceiptHandle = Convert.ToBase64String(Encoding.UTF8.GetBytes(
                ReceiptHandleVersion + "|" + queue.Arn + "|" + message.MessageId + "|" + Guid.NewGuid().ToString("N")));
            received.Add(message);
        }

        TimeSpan? nextVisibleIn = queue.Messages.Count == 0 ? null : queue.Messages.Min(m => m.VisibleAt) - now;
        if (received.Count == 0 && !final && wait > 0)
        {
            return new SqsReceiveAttempt(null, wait, queue.Arrival, nextVisibleIn);
        }

        var messages = received.Select(m => Render(m, systemNames, attributeNames)).ToList();
        var json = SqsCall.Json(messages.Count == 0 ? new Dictionary<string, object>() : new Dictionary<string, object> { ["Messages"] = messages });
        return new SqsReceiveAttempt(json, wait, queue.Arrival, nextVisibleIn);
    }

    private static (SqsQueue? Queue, int MaxReceiveCount) RedriveTarget(SqsCall call, SqsQueue queue)
    {
        if (!queue.Attributes.TryGetValue("RedrivePolicy", out var policy))
        {
            return (null, 0);
        }

        using var document = JsonDocument.Parse(policy);
        var dlq = call.Sqs.FindByArn(document.RootElement.GetProperty("deadLetterTargetArn").GetString()!);
        return (dlq == queue ? null : dlq, document.RootElement.GetProperty("maxReceiveCount").GetInt32());
    }

    /// <summary>Moves a message to its dead-letter queue: same ID, body, attributes and original enqueue time, receive count reset.</summary>
    private static void MoveTo(SqsQueue dlq, SqsMessage message, DateTimeOffset now)
    {
        DropExpired(dlq, now);
        dlq.Messages.Add(new SqsMessage
        {
            MessageId = message.MessageId,
            Body = message.Body,
            MessageAttributes = message.MessageAttributes,
            SenderId = message.SenderId,
            SentAt = message.SentAt,
            Sequence = dlq.NextSequence++,
            VisibleAt = now,
        });
        dlq.SignalArrival();
    }

    private static Dictionary<string, object> Render(SqsMessage message, List<string> systemNames, List<string> attributeNames)
    {
        var all = systemNames.Contains("All", StringComparer.Ordinal);
        var system = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["SenderId"] = message.SenderId,
            ["SentTimestamp"] = SqsCall.EpochMilliseconds(message.SentAt),
            ["ApproximateReceiveCount"] = message.ReceiveCount.ToString(CultureInfo.InvariantCulture),
            ["ApproximateFirstReceiveTimestamp"] = SqsCall.EpochMilliseconds(message.FirstReceivedAt ?? message.SentAt),
        }.Where(a => all || systemNames.Contains(a.Key, StringComparer.Ordinal)).ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var attributes = message.MessageAttributes
            .Where(a => attributeNames.Any(n => n is "All" or ".*" || n == a.Key || (n.EndsWith(".*", StringComparison.Ordinal) && a.Key.StartsWith(n[..^1], StringComparison.Ordinal))))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);
        var result = new Dictionary<string, object>
        {
            ["MessageId"] = message.MessageId,
            ["ReceiptHandle"] = message.ReceiptHandle!,
            ["MD5OfBody"] = Md5(message.Body),
            ["Body"] = message.Body,
        };
        if (system.Count > 0)
        {
            result["Attributes"] = system;
        }

        if (attributes.Count > 0)
        {
            result["MD5OfMessageAttributes"] = Md5OfAttributes(attributes);
            result["MessageAttributes"] = attributes.ToDictionary(a => a.Key, a => RenderAttribute(a.Value), StringComparer.Ordinal);
        }

        return result;
    }

    private static Dictionary<string, object> RenderAttribute(SqsMessageAttribute attribute)
    {
        var result = new Dictionary<string, object> { ["DataType"] = attribute.DataType };
        if (attribute.IsBinary)
        {
            result["BinaryValue"] = Convert.ToBase64String(attribute.BinaryValue ?? []);
        }
        else
        {
            result["StringValue"] = attribute.StringValue ?? string.Empty;
        }

        return result;
    }

    private static string SendMessage(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:SendMessage");
        var message = NewMessage(call, queue, call.Body);
        Enqueue(queue, message);
        return SqsCall.Json(SendResult(message, id: null));
    }

    private static string SendMessageBatch(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:SendMessage");
        var entries = BatchEntries(call, "SendMessageBatchRequestEntry");
        var total = entries.Sum(e => Encoding.UTF8.GetByteCount(SqsCall.String(e.Entry, "MessageBody") ?? string.Empty) + AttributesSize(e.Entry));
        if (total > MaxMessageBytes)
        {
            throw new AwsServiceError(400, "BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes. You have sent " + total.ToString(CultureInfo.InvariantCulture) + " bytes.");
        }

        var successful = new List<Dictionary<string, object>>();
        var failed = new List<Dictionary<string, object>>();
        foreach (var (id, entry) in entries)
        {
            try
            {
                var message = NewMessage(call, queue, entry);
                Enqueue(queue, message);
                successful.Add(SendResult(message, id));
            }
            catch (AwsServiceError error)
            {
                failed.Add(Failure(id, error));
            }
        }

        return SqsCall.Json(new Dictionary<string, object> { ["Successful"] = successful, ["Failed"] = failed });
    }

    private static string DeleteMessage(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:DeleteMessage");
        Delete(queue, call.RequiredString("ReceiptHandle"));
        return "{}";
    }

    private static string DeleteMessageBatch(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:DeleteMessage");
        var successful = new List<Dictionary<string, object>>();
        var failed = new List<Dictionary<string, object>>();
        foreach (var (id, entry) in BatchEntries(call, "DeleteMessageBatchRequestEntry"))
        {
            try
            {
                Delete(queue, SqsCall.String(entry, "ReceiptHandle") ?? throw SqsErrors.MissingParameter("ReceiptHandle"));
                successful.Add(new Dictionary<string, object> { ["Id"] = id });
            }
            catch (AwsServiceError error)
            {
                failed.Add(Failure(id, error));
            }
        }

        return SqsCall.Json(new Dictionary<string, object> { ["Successful"] = successful, ["Failed"] = failed });
    }

    private static string ChangeMessageVisibility(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:ChangeMessageVisibility");
        ChangeVisibility(call, queue, call.RequiredString("ReceiptHandle"), call.Int("VisibilityTimeout") ?? throw SqsErrors.MissingParameter("VisibilityTimeout"));
        return "{}";
    }

    private static string ChangeMessageVisibilityBatch(SqsCall call)
    {
        var queue = ResolveQueue(call, "sqs:ChangeMessageVisibility");
        var successful = new List<Dictionary<string, object>>();
        var failed = new List<Dictionary<string, object>>();
        foreach (var (id, entry) in BatchEntries(call, "ChangeMessageVisibilityBatchRequestEntry"))
        {
            try
            {
                ChangeVisibility(call, queue, SqsCall.String(entry, "ReceiptHandle") ?? throw SqsErrors.MissingParameter("ReceiptHandle"),
                    SqsCall.Int(entry, "VisibilityTimeout") ?? throw SqsErrors.MissingParameter("VisibilityTimeout"));
                successful.Add(new Dictionary<string, object> { ["Id"] = id });
            }
            catch (AwsServiceError error)
            {
                failed.Add(Failure(id, error));
            }
        }

        return SqsCall.Json(new Dictionary<string, object> { ["Successful"] = successful, ["Failed"] = failed });
    }

    /// <summary>
    /// A receipt handle's message, if it still exists. A handle the sandbox never issued (or for another queue) is
    /// ReceiptHandleIsInvalid; a well-formed handle of a deleted message yields null.
    /// </summary>
    private static SqsMessage? FindByReceiptHandle(SqsQueue queue, string handle)
    {
        string[] parts;
        try
        {
            parts = Encoding.UTF8.GetString(Convert.FromBase64String(handle)).Split('|');
        }
        catch (FormatException)
        {
            parts = [];
        }

        if (parts.Length != 4 || parts[0] != ReceiptHandleVersion || parts[1] != queue.Arn)
        {
            throw new AwsServiceError(404, "ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
        }

        return queue.Messages.Find(m => m.MessageId == parts[2]);
    }

    /// <summary>Deletes by receipt handle. As SQS standard queues may, an older handle of the message still deletes it; a deleted message's handle succeeds.</summary>
    private static void Delete(SqsQueue queue, string handle)
    {
        if (FindByReceiptHandle(queue, handle) is { } message)
        {
            queue.Messages.Remove(message);
        }
    }

    /// <summary>
    /// Changes the visibility of an in-flight message received with <paramref name="handle"/> (its latest receive). A message
    /// that is no longer in flight (its timeout over, received again, deleted) fails with the InvalidParameterValue SQS
    /// returns for it; the total from the receive may not pass 12 hours.
    /// </summary>
    private static void ChangeVisibility(SqsCall call, SqsQueue queue, string handle, int timeout)
    {
        if (timeout is < 0 or > 43_200)
        {
            throw SqsErrors.InvalidParameter("VisibilityTimeout", timeout.ToString(CultureInfo.InvariantCulture), "VisibilityTimeout must be an integer between 0 and 43200");
        }

        var now = call.Now;
        var message = FindByReceiptHandle(queue, handle);
        if (message is null || message.ReceiptHandle != handle || !message.IsInFlight(now))
        {
            throw SqsErrors.InvalidParameter("ReceiptHandle", handle, "Message does not exist or is not available for visibility timeout change.");
        }

        var visibleAt = now + TimeSpan.FromSeconds(timeout);
        if (visibleAt - message.ReceivedAt!.Value > TimeSpan.FromSeconds(43_200))
        {
            throw SqsErrors.InvalidParameter("VisibilityTimeout", timeout.ToString(CultureInfo.InvariantCulture), "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
        }

        message.VisibleAt = visibleAt;
        if (timeout == 0)
        {
            queue.SignalArrival();
        }
    }

    /// <summary>The entries of a batch call, checked as SQS does before any entry runs: 1 to 10 entries, valid and distinct IDs.</summary>
    private static List<(string Id, JsonElement Entry)> BatchEntries(SqsCall call, string entryShape)
    {
        var entries = call.Entries("Entries");
        if (entries.Count == 0)
        {
            throw new AwsServiceError(400, "EmptyBatchRequest", "There should be at least one " + entryShape + " in the request.");
        }

        if (entries.Count > 10)
        {
            throw new AwsServiceError(400, "TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent " + entries.Count.ToString(CultureInfo.InvariantCulture) + ".");
        }

        var result = new List<(string, JsonElement)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var id = SqsCall.String(entry, "Id") ?? string.Empty;
            if (!BatchEntryIdPattern().IsMatch(id))
            {
                throw new AwsServiceError(400, "InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
            }

            if (!seen.Add(id))
            {
                throw new AwsServiceError(400, "BatchEntryIdsNotDistinct", "Id " + id + " repeated.");
            }

            result.Add((id, entry));
        }

        return result;
    }

    private static SqsMessage NewMessage(SqsCall call, SqsQueue queue, JsonElement input)
    {
        var body = SqsCall.String(input, "MessageBody");
        if (string.IsNullOrEmpty(body))
        {
            throw SqsErrors.MissingParameter("MessageBody");
        }

        if (!IsValidMessageText(body))
        {
            throw new AwsServiceError(400, "InvalidMessageContents", "Invalid binary character in the message body. Allowed: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF");
        }

        var delay = SqsCall.Int(input, "DelaySeconds") ?? queue.IntAttribute("DelaySeconds");
        if (delay is < 0 or > 900)
        {
            throw SqsErrors.InvalidParameter("DelaySeconds", delay.ToString(CultureInfo.InvariantCulture), "DelaySeconds must be >= 0 and <= 900.");
        }

        var attributes = MessageAttributes(input);
        var size = Encoding.UTF8.GetByteCount(body) + attributes.Sum(a => a.Value.Size(a.Key));
        var limit = queue.IntAttribute("MaximumMessageSize");
        if (size > limit)
        {
            throw SqsErrors.InvalidParameterValue("One or more parameters are invalid. Reason: Message must be shorter than " + limit.ToString(CultureInfo.InvariantCulture) + " bytes.");
        }

        var now = call.Now;
        return new SqsMessage
        {
            MessageId = Guid.NewGuid().ToString(),
            Body = body,
            MessageAttributes = attributes,
            SenderId = call.Caller.Kind == Auth.PrincipalKind.Root ? call.Caller.AccountId : call.Caller.UserId,
            SentAt = now,
            Sequence = queue.NextSequence++,
            VisibleAt = now + TimeSpan.FromSeconds(delay),
        };
    }

    private static void Enqueue(SqsQueue queue, SqsMessage message)
    {
        queue.Messages.Add(message);
        queue.SignalArrival();
    }

    private static Dictionary<string, SqsMessageAttribute> MessageAttributes(JsonElement input)
    {
        var result = new Dictionary<string, SqsMessageAttribute>(StringComparer.Ordinal);
        if (input.ValueKind != JsonValueKind.Object || !input.TryGetProperty("MessageAttributes", out var map) || map.ValueKind == JsonValueKind.Null)
        {
            return result;
        }

        foreach (var property in map.EnumerateObject())
        {
            var name = property.Name;
            if (!AttributeNamePattern().IsMatch(name) || name.StartsWith("AWS.", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Amazon.", StringComparison.OrdinalIgnoreCase) || name.Contains("..", StringComparison.Ordinal))
            {
                throw SqsErrors.InvalidParameterValue("Message (user) attribute name '" + name + "' is invalid.");
            }

            var type = SqsCall.String(property.Value, "DataType");
            if (string.IsNullOrEmpty(type))
            {
                throw SqsErrors.InvalidParameterValue("The message attribute '" + name + "' must contain non-empty message attribute type.");
            }

            var baseType = type.Split('.')[0];
            SqsMessageAttribute attribute;
            if (baseType is "String" or "Number")
            {
                var value = SqsCall.String(property.Value, "StringValue");
                if (string.IsNullOrEmpty(value))
                {
                    throw SqsErrors.InvalidParameterValue("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + type + "'.");
                }

                if (baseType == "Number" && !decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    throw SqsErrors.InvalidParameterValue("Can't cast the value of message (user) attribute '" + name + "' to a number.");
                }

                attribute = new SqsMessageAttribute(type, value, null);
            }
            else if (baseType == "Binary")
            {
                var encoded = SqsCall.String(property.Value, "BinaryValue");
                byte[] bytes;
                try
                {
                    bytes = Convert.FromBase64String(encoded ?? string.Empty);
                }
                catch (FormatException)
                {
                    throw SqsErrors.InvalidParameterValue("The message attribute '" + name + "' has an invalid binary value.");
                }

                if (bytes.Length == 0)
                {
                    throw SqsErrors.InvalidParameterValue("The message attribute '" + name + "' must contain non-empty message attribute value for message attribute type '" + type + "'.");
                }

                attribute = new SqsMessageAttribute(type, null, bytes);
            }
            else
            {
                throw SqsErrors.InvalidParameterValue("The type of message (user) attribute '" + name + "' is invalid. You must use only the following supported type prefixes: Binary, Number, String.");
            }

            result[name] = attribute;
        }

        return result.Count <= 10 ? result : throw SqsErrors.InvalidParameterValue("Number of message attributes [" + result.Count.ToString(CultureInfo.InvariantCulture) + "] exceeds the allowed maximum [10].");
    }

    private static int AttributesSize(JsonElement entry)
    {
        if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("MessageAttributes", out var map) || map.ValueKind != JsonValueKind.Object)
        {
            return 0;
        }

        return map.EnumerateObject().Sum(p => Encoding.UTF8.GetByteCount(p.Name) + Encoding.UTF8.GetByteCount(SqsCall.String(p.Value, "DataType") ?? string.Empty)
            + Encoding.UTF8.GetByteCount(SqsCall.String(p.Value, "StringValue") ?? string.Empty) + ((SqsCall.String(p.Value, "BinaryValue")?.Length ?? 0) * 3 / 4));
    }

    private static Dictionary<string, object> SendResult(SqsMessage message, string? id)
    {
        var result = new Dictionary<string, object>();
        if (id is not null)
        {
            result["Id"] = id;
        }

        result["MessageId"] = message.MessageId;
        result["MD5OfMessageBody"] = Md5(message.Body);
        if (message.MessageAttributes.Count > 0)
        {
            result["MD5OfMessageAttributes"] = Md5OfAttributes(message.MessageAttributes);
        }

        return result;
    }

    private static Dictionary<string, object> Failure(string id, AwsServiceError error) => new()
    {
        ["Id"] = id,
        ["SenderFault"] = error.StatusCode < 500,
        ["Code"] = error.Code,
        ["Message"] = error.Message,
    };

    /// <summary>Drops the messages whose retention period (from their original enqueue time) is over.</summary>
    private static void DropExpired(SqsQueue queue, DateTimeOffset now)
    {
        var retention = TimeSpan.FromSeconds(queue.IntAttribute("MessageRetentionPeriod"));
        queue.Messages.RemoveAll(m => m.SentAt + retention <= now);
    }

    private static bool IsValidMessageText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            if (!(c is '\t' or '\n' or '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)))
            {
                return false;
            }
        }

        return true;
    }

#pragma warning disable CA5351 // SQS's message checksums are MD5 by definition; nothing here is security.
    private static string Md5(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>
    /// MD5OfMessageAttributes as SQS computes it: for each attribute in name order, the name, the data type (each as a
    /// 4-byte big-endian length and UTF-8 bytes), a transport byte (1 string/number, 2 binary), then the value likewise.
    /// </summary>
    private static string Md5OfAttributes(IReadOnlyDictionary<string, SqsMessageAttribute> attributes)
    {
        using var buffer = new MemoryStream();
        void Write(byte[] bytes)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        foreach (var (name, attribute) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Write(Encoding.UTF8.GetBytes(name));
            Write(Encoding.UTF8.GetBytes(attribute.DataType));
            buffer.WriteByte(attribute.IsBinary ? (byte)2 : (byte)1);
            Write(attribute.IsBinary ? attribute.BinaryValue ?? [] : Encoding.UTF8.GetBytes(attribute.StringValue ?? string.Empty));
        }

        return Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
    }
#pragma warning restore CA5351

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,80}$")]
    private static partial Regex BatchEntryIdPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_.-]{1,256}$")]
    private static partial Regex AttributeNamePattern();
}
