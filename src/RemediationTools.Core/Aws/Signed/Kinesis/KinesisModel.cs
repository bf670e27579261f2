namespace RemediationTools.Core.Aws.Signed.Kinesis;

// Request and result types shaped like AWSSDK.Kinesis's (Amazon.Kinesis.Model), so the official package can replace
// KinesisClient later with few changes in callers. As in SDK v4, values the answer may leave out are nullable.

/// <summary>Base of every Kinesis response.</summary>
internal class KinesisResponse
{
    public string? RequestId { get; set; }
}

/// <summary>Base of the requests that name a stream by name or ARN (at least one of them).</summary>
internal abstract class KinesisStreamRequest
{
    public string? StreamName { get; set; }

    public string? StreamARN { get; set; }
}

/// <summary>The values of <c>StreamStatus</c>.</summary>
internal static class StreamStatus
{
    public const string Creating = "CREATING";
    public const string Deleting = "DELETING";
    public const string Active = "ACTIVE";
    public const string Updating = "UPDATING";
}

/// <summary>The values of <c>EncryptionType</c>.</summary>
internal static class EncryptionType
{
    public const string None = "NONE";
    public const string Kms = "KMS";
}

/// <summary>A stream as DescribeStreamSummary returns it (the members the module reads).</summary>
internal sealed class StreamDescriptionSummary
{
    public string StreamName { get; set; } = string.Empty;

    public string StreamARN { get; set; } = string.Empty;

    /// <summary>CREATING, DELETING, ACTIVE or UPDATING.</summary>
    public string? StreamStatus { get; set; }

    /// <summary>NONE or KMS; null when the answer leaves it out (no encryption).</summary>
    public string? EncryptionType { get; set; }

    /// <summary>The KMS key as it was given to StartStreamEncryption (key ID, ARN or alias); null when none.</summary>
    public string? KeyId { get; set; }

    public int? RetentionPeriodHours { get; set; }

    public int? OpenShardCount { get; set; }
}

internal sealed class DescribeStreamSummaryRequest : KinesisStreamRequest
{
}

internal sealed class DescribeStreamSummaryResponse : KinesisResponse
{
    public StreamDescriptionSummary StreamDescriptionSummary { get; set; } = new();
}

internal sealed class StartStreamEncryptionRequest : KinesisStreamRequest
{
    /// <summary>The only valid value is KMS.</summary>
    public string EncryptionType { get; set; } = Kinesis.EncryptionType.Kms;

    /// <summary>A key ID, key ARN, alias name (alias/aws/kinesis for the AWS managed key) or alias ARN.</summary>
    public string KeyId { get; set; } = string.Empty;
}

internal sealed class StartStreamEncryptionResponse : KinesisResponse
{
}

internal sealed class StopStreamEncryptionRequest : KinesisStreamRequest
{
    /// <summary>The only valid value is KMS.</summary>
    public string EncryptionType { get; set; } = Kinesis.EncryptionType.Kms;

    /// <summary>The key the stream is encrypted with.</summary>
    public string KeyId { get; set; } = string.Empty;
}

internal sealed class StopStreamEncryptionResponse : KinesisResponse
{
}

internal sealed class Tag
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

internal sealed class ListTagsForStreamRequest : KinesisStreamRequest
{
    /// <summary>The key to start after (the last key of the previous page).</summary>
    public string? ExclusiveStartTagKey { get; set; }

    /// <summary>At most this many tags (Kinesis: 1 to 50, default 10).</summary>
    public int? Limit { get; set; }
}

internal sealed class ListTagsForStreamResponse : KinesisResponse
{
    public List<Tag> Tags { get; set; } = new();

    public bool HasMoreTags { get; set; }
}
