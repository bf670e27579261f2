using System.Text.Json;
using RemediationTools.AwsSandbox.Sqs;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// The request header that marks an SQS request as sent without TLS: with the value <c>true</c>, <c>aws:SecureTransport</c>
    /// is <c>false</c> for it in queue policies. Every other request counts as TLS (the sandbox is plain HTTP on loopback and
    /// stands in for the HTTPS endpoint).
    /// </summary>
    public const string SqsInsecureTransportHeader = SqsEndpoint.InsecureTransportHeader;

    /// <summary>The number of SQS ReceiveMessage long polls waiting for a message right now.</summary>
    public int SqsWaitingReceives
    {
        get { lock (_state.Gate) { return SqsState.For(_state).WaitingReceives; } }
    }

    /// <summary>How many long polls returned because a message arrived while they waited (rather than at the end of their wait).</summary>
    public long SqsReceivesWokenByArrival
    {
        get { lock (_state.Gate) { return SqsState.For(_state).ReceivesWokenByArrival; } }
    }

    /// <summary>
    /// Everything SQS holds, as JSON text, for tests that scan the sandbox's state (e.g. for a secret): every queue of every
    /// account and region with its attributes, tags and messages (bodies, message attributes, receive counts).
    /// </summary>
    public string DumpSqsState()
    {
        lock (_state.Gate)
        {
            var queues = SqsState.For(_state).Regions.Values.SelectMany(r => r.Queues.Values).Select(q => new Dictionary<string, object>
            {
                ["QueueArn"] = q.Arn,
                ["Attributes"] = q.Attributes,
                ["Tags"] = q.Tags,
                ["Messages"] = q.Messages.Select(m => new Dictionary<string, object>
                {
                    ["MessageId"] = m.MessageId,
                    ["Body"] = m.Body,
                    ["ReceiveCount"] = m.ReceiveCount,
                    ["MessageAttributes"] = m.MessageAttributes.ToDictionary(
                        a => a.Key,
                        a => a.Value.StringValue ?? Convert.ToBase64String(a.Value.BinaryValue ?? [])),
                }).ToList(),
            }).ToList();
            return JsonSerializer.Serialize(queues);
        }
    }

    /// <summary>
    /// Seeds an SQS standard queue in any account and region, with an optional queue policy (the <c>Policy</c>
    /// attribute, validated as SQS validates it) and tags. The queue is as CreateQueue makes it otherwise.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The queue's region.</param>
    /// <param name="name">The queue name (1 to 80 letters, digits, hyphens, underscores); new in the account and region.</param>
    /// <param name="policy">The queue policy JSON, or null for none.</param>
    /// <param name="tags">The queue's tags, or null.</param>
    /// <returns>The queue URL, as GetQueueUrl returns it from this sandbox.</returns>
    public string AddQueue(string accountId, string region, string name, string? policy = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_state.Gate)
        {
            var queue = SqsService.Seed(_state, accountId, region, name, policy, tags);
            return "http://" + Endpoint.Authority + "/" + queue.AccountId + "/" + queue.Name;
        }
    }

    /// <summary>The queue's <c>Policy</c> attribute now; null when the queue has none (or does not exist).</summary>
    public string? QueuePolicy(string accountId, string region, string name)
    {
        lock (_state.Gate)
        {
            return SqsState.For(_state).Find(accountId, region, name) is { } queue && queue.Attributes.TryGetValue("Policy", out var policy) ? policy : null;
        }
    }
}
