using System.Text.Json;

namespace RemediationTools.Core.Aws.Signed.CloudTrail;

/// <summary><see cref="ICloudTrailClient"/> over the AWS JSON 1.1 protocol (CloudTrail API version 2013-11-01).</summary>
internal sealed class CloudTrailClient : ICloudTrailClient, IDisposable
{
    /// <summary>The X-Amz-Target prefix of CloudTrail's operations.</summary>
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

    /// <summary>The service ID of AWS_ENDPOINT_URL_CLOUDTRAIL.</summary>
    public const string ServiceId = "CloudTrail";

    public const string SigningName = "cloudtrail";

    private readonly AwsJsonClient json;

    public CloudTrailClient(AwsJsonClient json)
    {
        this.json = json ?? throw new ArgumentNullException(nameof(json));
    }

    public async Task<GetTrailResponse> GetTrailAsync(GetTrailRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w => w.WriteString("Name", Required(request.Name, "Name")));
        var r = await json.InvokeAsync("GetTrail", body, cancellationToken).ConfigureAwait(false);
        return new GetTrailResponse
        {
            Trail = r.Body.TryGetProperty("Trail", out var trail) ? ParseTrail(trail) : new Trail(),
            RequestId = r.RequestId,
        };
    }

    public async Task<DescribeTrailsResponse> DescribeTrailsAsync(DescribeTrailsRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            if (request.TrailNameList.Count > 0)
            {
                w.WriteStartArray("trailNameList");
                foreach (var name in request.TrailNameList)
                {
                    w.WriteStringValue(name);
                }

                w.WriteEndArray();
            }

            if (request.IncludeShadowTrails is { } shadows)
            {
                w.WriteBoolean("includeShadowTrails", shadows);
            }
        });
        var r = await json.InvokeAsync("DescribeTrails", body, cancellationToken).ConfigureAwait(false);
        return new DescribeTrailsResponse
        {
            TrailList = r.Body.TryGetProperty("trailList", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.EnumerateArray().Select(ParseTrail).ToList()
                : new List<Trail>(),
            RequestId = r.RequestId,
        };
    }

    public async Task<ListTagsResponse> ListTagsAsync(ListTagsRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            w.WriteStartArray("ResourceIdList");
            foreach (var id in request.ResourceIdList)
            {
                w.WriteStringValue(id);
            }

            w.WriteEndArray();
        });
        var r = await json.InvokeAsync("ListTags", body, cancellationToken).ConfigureAwait(false);
        var result = new ListTagsResponse { RequestId = r.RequestId };
        if (r.Body.TryGetProperty("ResourceTagList", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in list.EnumerateArray())
            {
                var resource = new ResourceTag { ResourceId = String(item, "ResourceId") ?? string.Empty };
                if (item.TryGetProperty("TagsList", out var tags) && tags.ValueKind == JsonValueKind.Array)
                {
                    resource.TagsList = tags.EnumerateArray().Select(t => new Tag { Key = String(t, "Key") ?? string.Empty, Value = String(t, "Value") }).ToList();
                }

                result.ResourceTagList.Add(resource);
            }
        }

        return result;
    }

    public async Task<UpdateTrailResponse> UpdateTrailAsync(UpdateTrailRequest request, CancellationToken cancellationToken = default)
    {
        var body = Write(request, w =>
        {
            w.WriteString("Name", Required(request.Name, "Name"));
            WriteIf(w, "S3BucketName", request.S3BucketName);
            WriteIf(w, "S3KeyPrefix", request.S3KeyPrefix);
            WriteIf(w, "SnsTopicName", request.SnsTopicName);
            WriteIf(w, "IncludeGlobalServiceEvents", request.IncludeGlobalServiceEvents);
            WriteIf(w, "IsMultiRegionTrail", request.IsMultiRegionTrail);
            WriteIf(w, "EnableLogFileValidation", request.EnableLogFileValidation);
            WriteIf(w, "CloudWatchLogsLogGroupArn", request.CloudWatchLogsLogGroupArn);
            WriteIf(w, "CloudWatchLogsRoleArn", request.CloudWatchLogsRoleArn);
            WriteIf(w, "KmsKeyId", request.KmsKeyId);
            WriteIf(w, "IsOrganizationTrail", request.IsOrganizationTrail);
        });
        var r = await json.InvokeAsync("UpdateTrail", body, cancellationToken).ConfigureAwait(false);
        var t = ParseTrail(r.Body);
        return new UpdateTrailResponse
        {
            Name = t.Name,
            S3BucketName = t.S3BucketName,
            S3KeyPrefix = t.S3KeyPrefix,
            SnsTopicName = t.SnsTopicName,
            SnsTopicARN = t.SnsTopicARN,
            IncludeGlobalServiceEvents = t.IncludeGlobalServiceEvents,
            IsMultiRegionTrail = t.IsMultiRegionTrail,
            TrailARN = t.TrailARN,
            LogFileValidationEnabled = t.LogFileValidationEnabled,
            CloudWatchLogsLogGroupArn = t.CloudWatchLogsLogGroupArn,
            CloudWatchLogsRoleArn = t.CloudWatchLogsRoleArn,
            KmsKeyId = t.KmsKeyId,
            IsOrganizationTrail = t.IsOrganizationTrail,
            RequestId = r.RequestId,
        };
    }

    public void Dispose() => json.Dispose();

    internal static Trail ParseTrail(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new Trail();
        }

        return new Trail
        {
            Name = String(element, "Name") ?? string.Empty,
            S3BucketName = String(element, "S3BucketName"),
            S3KeyPrefix = String(element, "S3KeyPrefix"),
            SnsTopicName = String(element, "SnsTopicName"),
            SnsTopicARN = String(element, "SnsTopicARN"),
            IncludeGlobalServiceEvents = Bool(element, "IncludeGlobalServiceEvents"),
            IsMultiRegionTrail = Bool(element, "IsMultiRegionTrail"),
            HomeRegion = String(element, "HomeRegion"),
            TrailARN = String(element, "TrailARN"),
            LogFileValidationEnabled = Bool(element, "LogFileValidationEnabled"),
            CloudWatchLogsLogGroupArn = String(element, "CloudWatchLogsLogGroupArn"),
            CloudWatchLogsRoleArn = String(element, "CloudWatchLogsRoleArn"),
            KmsKeyId = String(element, "KmsKeyId"),
            HasCustomEventSelectors = Bool(element, "HasCustomEventSelectors"),
            HasInsightSelectors = Bool(element, "HasInsightSelectors"),
            IsOrganizationTrail = Bool(element, "IsOrganizationTrail"),
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static void WriteIf(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteIf(Utf8JsonWriter writer, string name, bool? value)
    {
        if (value is { } flag)
        {
            writer.WriteBoolean(name, flag);
        }
    }

    private static string Required(string? value, string name) =>
        string.IsNullOrEmpty(value) ? throw new ArgumentException($"{name} is required.", name) : value!;

    private static byte[] Write(object request, Action<Utf8JsonWriter> members)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
