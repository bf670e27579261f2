using System.Globalization;
using System.Runtime.CompilerServices;

namespace RemediationTools.AwsSandbox.Sqs;

/// <summary>One message attribute as SendMessage takes it: a data type (String, Number, Binary, optionally with a custom suffix) and its value.</summary>
internal sealed record SqsMessageAttribute(string DataType, string? StringValue, byte[]? BinaryValue)
{
    /// <summary>True for the Binary data type (and its custom subtypes): the value is bytes, transport type 2.</summary>
    public bool IsBinary => DataType.StartsWith("Binary", StringComparison.Ordinal);

    /// <summary>The bytes SQS counts against the message size: name, data type and value.</summary>
    public int Size(string name) =>
        System.Text.Encoding.UTF8.GetByteCount(name) + System.Text.Encoding.UTF8.GetByteCount(DataType)
        + (IsBinary ? BinaryValue?.Length ?? 0 : System.Text.Encoding.UTF8.GetByteCount(StringValue ?? string.Empty));
}

/// <summary>One message of a standard queue, from its send until it is deleted, purged, expired or moved to the dead-letter queue.</summary>
internal sealed class SqsMessage
{
    public required string MessageId { get; init; }

    public required string Body { get; init; }

    public required IReadOnlyDictionary<string, SqsMessageAttribute> MessageAttributes { get; init; }

    public required string SenderId { get; init; }

    /// <summary>The original enqueue time: SentTimestamp and the start of the retention period (kept across a redrive, as SQS does).</summary>
    public required DateTimeOffset SentAt { get; init; }

    /// <summary>Order of arrival in its current queue.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the message becomes (or became) visible: after its delay, or when its visibility timeout ends.</summary>
    public DateTimeOffset VisibleAt { get; set; }

    public int ReceiveCount { get; set; }

    public DateTimeOffset? FirstReceivedAt { get; set; }

    /// <summary>The time of the latest receive (the 12-hour visibility limit counts from it).</summary>
    public DateTimeOffset? ReceivedAt { get; set; }

    /// <summary>The receipt handle of the latest receive; null before the first.</summary>
    public string? ReceiptHandle { get; set; }

    /// <summary>Received and its visibility timeout not yet over.</summary>
    public bool IsInFlight(DateTimeOffset now) => ReceiptHandle is not null && VisibleAt > now;

    /// <summary>Not yet visible because of its delivery delay.</summary>
    public bool IsDelayed(DateTimeOffset now) => ReceiptHandle is null && VisibleAt > now;
}

/// <summary>A standard queue: its attributes (the settable ones, stored as SQS returns them), tags and messages.</summary>
internal sealed class SqsQueue
{
    private TaskCompletionSource _arrival = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public required string Name { get; init; }

    public required string AccountId { get; init; }

    public required string Region { get; init; }

    public string Arn => "arn:aws:sqs:" + Region + ":" + AccountId + ":" + Name;

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset LastModifiedAt { get; set; }

    /// <summary>The settable attributes with their current values (defaults included); absent optional ones are not present.</summary>
    public Dictionary<string, string> Attributes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    public List<SqsMessage> Messages { get; } = [];

    public DateTimeOffset? LastPurgeAt { get; set; }

    public long NextSequence { get; set; }

    /// <summary>Completes when a message may have become receivable (a send, a visibility reset, a redrive into it, the queue's deletion).</summary>
    public Task Arrival => _arrival.Task;

    public int IntAttribute(string name) => int.Parse(Attributes[name], NumberStyles.Integer, CultureInfo.InvariantCulture);

    /// <summary>Wakes every long poll waiting on this queue.</summary>
    public void SignalArrival()
    {
        var previous = _arrival;
        _arrival = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        previous.TrySetResult();
    }
}

/// <summary>The queues of one account in one region, by name (case-sensitive), and when names were last deleted.</summary>
internal sealed class SqsRegionState
{
    public SortedDictionary<string, SqsQueue> Queues { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DateTimeOffset> DeletedAt { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// All SQS state of one sandbox, per account and region. Kept beside <see cref="SandboxState"/> (attached to it, not a
/// member of it) so the SQS service stays in its own folder; read and written under <see cref="SandboxState.Gate"/> only.
/// </summary>
internal sealed class SqsState
{
    private static readonly ConditionalWeakTable<SandboxState, SqsState> States = new();

    public Dictionary<(string AccountId, string Region), SqsRegionState> Regions { get; } = [];

    /// <summary>Long polls now waiting for a message.</summary>
    public int WaitingReceives { get; set; }

    /// <summary>Long polls that returned because a message arrived while they waited (not at the end of their wait).</summary>
    public long ReceivesWokenByArrival { get; set; }

    public static SqsState For(SandboxState state) => States.GetValue(state, _ => new SqsState());

    public SqsRegionState Region(string accountId, string region)
    {
        if (!Regions.TryGetValue((accountId, region), out var regionState))
        {
            regionState = new SqsRegionState();
            Regions[(accountId, region)] = regionState;
        }

        return regionState;
    }

    public SqsQueue? Find(string accountId, string region, string name) =>
        Regions.TryGetValue((accountId, region), out var regionState) && regionState.Queues.TryGetValue(name, out var queue) ? queue : null;

    /// <summary>Finds a queue by ARN (<c>arn:aws:sqs:region:account:name</c>).</summary>
    public SqsQueue? FindByArn(string arn)
    {
        var parts = arn.Split(':');
        return parts.Length == 6 && parts[0] == "arn" && parts[2] == "sqs" ? Find(parts[4], parts[3], parts[5]) : null;
    }
}
