using RemediationTools.AwsSandbox.Kinesis;

namespace RemediationTools.AwsSandbox;

public sealed partial class SandboxServer
{
    /// <summary>
    /// Seeds a Kinesis data stream (ACTIVE) in any account and region, unencrypted or encrypted with a KMS key, with tags.
    /// </summary>
    /// <param name="accountId">An existing sandbox account.</param>
    /// <param name="region">The stream's region.</param>
    /// <param name="name">The stream name (1 to 128 letters, digits, underscores, periods, hyphens); new in the account and region.</param>
    /// <param name="kmsKeyId">The KMS key the stream is encrypted with (EncryptionType KMS), or null for none.</param>
    /// <param name="tags">The stream's tags, or null.</param>
    /// <returns>The stream ARN.</returns>
    public string AddKinesisStream(string accountId, string region, string name, string? kmsKeyId = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        KinesisService.ValidateName(name);
        lock (_state.Gate)
        {
            _state.Account(accountId);
            var streams = KinesisState.For(_state).Region(accountId, region);
            if (streams.ContainsKey(name))
            {
                throw new ArgumentException($"A stream named '{name}' already exists in {accountId}/{region}.", nameof(name));
            }

            var stream = new KinesisStream { Name = name, AccountId = accountId, Region = region, CreatedAt = _state.Now };
            if (!string.IsNullOrEmpty(kmsKeyId))
            {
                stream.EncryptionType = "KMS";
                stream.KeyId = kmsKeyId;
            }

            foreach (var (key, value) in tags ?? new Dictionary<string, string>())
            {
                stream.Tags[key] = value;
            }

            streams[name] = stream;
            return stream.Arn;
        }
    }

    /// <summary>A stream's status, encryption type and key now: (StreamStatus, EncryptionType, KeyId); null when there is no such stream.</summary>
    public (string Status, string EncryptionType, string? KeyId)? KinesisStreamState(string accountId, string region, string name)
    {
        lock (_state.Gate)
        {
            return KinesisState.For(_state).Region(accountId, region).TryGetValue(name, out var stream)
                ? (stream.Status.Current(_state.Now), stream.EncryptionType, stream.KeyId)
                : null;
        }
    }

    /// <summary>Every Kinesis stream of every account and region as JSON text: name, ARN, account, region, status, encryption type, key, tags.</summary>
    public string DumpKinesisStreams()
    {
        lock (_state.Gate)
        {
            var streams = KinesisState.For(_state).Regions.Values.SelectMany(r => r.Values).Select(s => new Dictionary<string, object?>
            {
                ["name"] = s.Name,
                ["arn"] = s.Arn,
                ["accountId"] = s.AccountId,
                ["region"] = s.Region,
                ["status"] = s.Status.Current(_state.Now),
                ["encryptionType"] = s.EncryptionType,
                ["keyId"] = s.KeyId,
                ["tags"] = s.Tags,
            }).ToList();
            return System.Text.Json.JsonSerializer.Serialize(streams);
        }
    }
}
