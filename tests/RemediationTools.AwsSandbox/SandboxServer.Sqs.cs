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
}
