namespace RemediationTools.Core.Aws.Signed.CloudTrail;

// Request and result types shaped like AWSSDK.CloudTrail's (Amazon.CloudTrail.Model), so the official package can
// replace CloudTrailClient later with few changes in callers. As in SDK v4, values the answer may leave out are nullable.

/// <summary>Base of every CloudTrail response.</summary>
internal class CloudTrailResponse
{
    public string? RequestId { get; set; }
}

/// <summary>A trail's settings.</summary>
internal sealed class Trail
{
    public string Name { get; set; } = string.Empty;

    public string? S3BucketName { get; set; }

    public string? S3KeyPrefix { get; set; }

    public string? SnsTopicName { get; set; }

    public string? SnsTopicARN { get; set; }

    public bool? IncludeGlobalServiceEvents { get; set; }

    public bool? IsMultiRegionTrail { get; set; }

    /// <summary>The region the trail was created in (where UpdateTrail must be called).</summary>
    public string? HomeRegion { get; set; }

    public string? TrailARN { get; set; }

    public bool? LogFileValidationEnabled { get; set; }

    public string? CloudWatchLogsLogGroupArn { get; set; }

    public string? CloudWatchLogsRoleArn { get; set; }

    /// <summary>The ARN of the KMS key the logs are encrypted with; null when none.</summary>
    public string? KmsKeyId { get; set; }

    public bool? HasCustomEventSelectors { get; set; }

    public bool? HasInsightSelectors { get; set; }

    public bool? IsOrganizationTrail { get; set; }
}

internal sealed class GetTrailRequest
{
    /// <summary>The trail's name or ARN.</summary>
    public string Name { get; set; } = string.Empty;
}

internal sealed class GetTrailResponse : CloudTrailResponse
{
    public Trail Trail { get; set; } = new();
}

internal sealed class DescribeTrailsRequest
{
    /// <summary>Names (of trails of the current region) or ARNs; empty for every trail of the region.</summary>
    public List<string> TrailNameList { get; set; } = new();

    /// <summary>Whether shadows of other regions' multi-region trails are included; CloudTrail's default is true.</summary>
    public bool? IncludeShadowTrails { get; set; }
}

internal sealed class DescribeTrailsResponse : CloudTrailResponse
{
    public List<Trail> TrailList { get; set; } = new();
}

/// <summary>UpdateTrail: a member left null is not sent and stays as it is. Must be called in the trail's home region.</summary>
internal sealed class UpdateTrailRequest
{
    /// <summary>The trail's name or ARN.</summary>
    public string Name { get; set; } = string.Empty;

    public string? S3BucketName { get; set; }

    public string? S3KeyPrefix { get; set; }

    public string? SnsTopicName { get; set; }

    public bool? IncludeGlobalServiceEvents { get; set; }

    public bool? IsMultiRegionTrail { get; set; }

    public bool? EnableLogFileValidation { get; set; }

    public string? CloudWatchLogsLogGroupArn { get; set; }

    public string? CloudWatchLogsRoleArn { get; set; }

    /// <summary>A KMS key ID, key ARN, alias name or alias ARN; an empty string turns encryption off.</summary>
    public string? KmsKeyId { get; set; }

    public bool? IsOrganizationTrail { get; set; }
}

/// <summary>The trail's settings after the update.</summary>
internal sealed class UpdateTrailResponse : CloudTrailResponse
{
    public string Name { get; set; } = string.Empty;

    public string? S3BucketName { get; set; }

    public string? S3KeyPrefix { get; set; }

    public string? SnsTopicName { get; set; }

    public string? SnsTopicARN { get; set; }

    public bool? IncludeGlobalServiceEvents { get; set; }

    public bool? IsMultiRegionTrail { get; set; }

    public string? TrailARN { get; set; }

    public bool? LogFileValidationEnabled { get; set; }

    public string? CloudWatchLogsLogGroupArn { get; set; }

    public string? CloudWatchLogsRoleArn { get; set; }

    public string? KmsKeyId { get; set; }

    public bool? IsOrganizationTrail { get; set; }
}

/// <summary>ListTags: the trails' ARNs.</summary>
internal sealed class ListTagsRequest
{
    public List<string> ResourceIdList { get; set; } = new();
}

/// <summary>A tag of a trail.</summary>
internal sealed class Tag
{
    public string Key { get; set; } = string.Empty;

    public string? Value { get; set; }
}

/// <summary>The tags of one trail.</summary>
internal sealed class ResourceTag
{
    public string ResourceId { get; set; } = string.Empty;

    public List<Tag> TagsList { get; set; } = new();
}

internal sealed class ListTagsResponse : CloudTrailResponse
{
    public List<ResourceTag> ResourceTagList { get; set; } = new();
}
