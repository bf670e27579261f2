using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.CloudTrail;

/// <summary>A trail of an account: created in its home region; a multi-region trail has a shadow in every other region.</summary>
internal sealed class SandboxTrail
{
    public required string Name { get; init; }

    public required string AccountId { get; init; }

    public required string HomeRegion { get; init; }

    public string? S3BucketName { get; set; }

    public string? S3KeyPrefix { get; set; }

    public bool IsMultiRegionTrail { get; set; }

    public bool IsOrganizationTrail { get; set; }

    public bool IncludeGlobalServiceEvents { get; set; } = true;

    public bool LogFileValidationEnabled { get; set; }

    /// <summary>The KMS key ARN; null when the logs are not encrypted with a KMS key.</summary>
    public string? KmsKeyId { get; set; }

    /// <summary>The trail's tags (ListTags).</summary>
    public List<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string TrailArn => $"arn:aws:cloudtrail:{HomeRegion}:{AccountId}:trail/{Name}";

    /// <summary>Whether GetTrail and DescribeTrails in <paramref name="region"/> see the trail (home, or a shadow).</summary>
    public bool VisibleIn(string region) => HomeRegion == region || IsMultiRegionTrail;
}

/// <summary>
/// AWS CloudTrail over AWS JSON 1.1 (<c>X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.&lt;Op&gt;</c>):
/// GetTrail, DescribeTrails, ListTags and UpdateTrail. A name finds a trail of the current region or a multi-region trail's shadow;
/// an ARN finds the trail from any region. UpdateTrail works only in the trail's home region (InvalidHomeRegionException),
/// and a KmsKeyId must name an enabled symmetric key of the home region (KmsKeyNotFoundException, KmsException) whose
/// key policy lets cloudtrail.amazonaws.com call kms:GenerateDataKey* for the trail (InsufficientEncryptionPolicyException).
/// IAM: <c>cloudtrail:&lt;Op&gt;</c> on the trail's ARN (DescribeTrails on *).
/// </summary>
internal static partial class CloudTrailService
{
    public const string TargetPrefix = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";

    public static string? Handle(AwsRequestContext context, JsonElement body) => context.Action switch
    {
        "GetTrail" => GetTrail(context, body),
        "DescribeTrails" => DescribeTrails(context, body),
        "UpdateTrail" => UpdateTrail(context, body),
        "ListTags" => ListTags(context, body),
        _ => null,
    };

    /// <summary>Checks a trail name the way CreateTrail does; the message says what is wrong.</summary>
    public static void ValidateName(string name)
    {
        if (!NamePattern().IsMatch(name) || name.Contains("..", StringComparison.Ordinal) || name.Contains("._", StringComparison.Ordinal)
            || name.Contains("_.", StringComparison.Ordinal) || name.Contains("-.", StringComparison.Ordinal) || name.Contains(".-", StringComparison.Ordinal))
        {
            throw new AwsServiceError(400, "InvalidTrailNameException", $"Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_); start with a letter or number, end with a letter or number, and be 3 to 128 characters: '{name}'");
        }
    }

    private static AwsServiceError NotFound(AwsRequestContext context, string name) =>
        new(400, "TrailNotFoundException", $"Unknown trail: {name} for the user: {context.Caller.AccountId}");

    /// <summary>The trail a name (current region, shadows included) or an ARN (any region) names, after the IAM check.</summary>
    private static SandboxTrail Find(AwsRequestContext context, string nameOrArn, string action)
    {
        var trails = context.State.TrailsOf(context.Caller.AccountId);
        SandboxTrail? trail;
        string resource;
        if (nameOrArn.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (!ArnPattern().IsMatch(nameOrArn))
            {
                throw new AwsServiceError(400, "CloudTrailARNInvalidException", $"The ARN '{nameOrArn}' is not valid: arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail");
            }

            trail = trails.FirstOrDefault(t => t.TrailArn == nameOrArn);
            resource = nameOrArn;
        }
        else
        {
            ValidateName(nameOrArn);
            trail = trails.FirstOrDefault(t => t.Name == nameOrArn && t.HomeRegion == context.Region)
                ?? trails.FirstOrDefault(t => t.Name == nameOrArn && t.VisibleIn(context.Region));
            resource = trail?.TrailArn ?? $"arn:aws:cloudtrail:{context.Region}:{context.Caller.AccountId}:trail/{nameOrArn}";
        }

        Authorizer.Require(context, action, resource);
        return trail ?? throw NotFound(context, nameOrArn);
    }

    private static string GetTrail(AwsRequestContext context, JsonElement body)
    {
        var trail = Find(context, RequiredName(body), "cloudtrail:GetTrail");
        return new JsonObject { ["Trail"] = Json(trail) }.ToJsonString();
    }

    private static string DescribeTrails(AwsRequestContext context, JsonElement body)
    {
        Authorizer.Require(context, "cloudtrail:DescribeTrails", "*");
        var includeShadows = !(body.TryGetProperty("includeShadowTrails", out var shadows) && shadows.ValueKind == JsonValueKind.False);
        var names = body.TryGetProperty("trailNameList", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : [];
        var trails = context.State.TrailsOf(context.Caller.AccountId);
        IEnumerable<SandboxTrail> selected;
        if (names.Count == 0)
        {
            selected = trails.Where(t => t.HomeRegion == context.Region || (includeShadows && t.IsMultiRegionTrail));
        }
        else
        {
            // Names match trails of the current region only; an ARN finds a trail of any region. Unknown ones are left out.
            selected = trails.Where(t => names.Contains(t.TrailArn, StringComparer.Ordinal)
                || (names.Contains(t.Name, StringComparer.Ordinal) && (t.HomeRegion == context.Region || (includeShadows && t.IsMultiRegionTrail))));
        }

        return new JsonObject { ["trailList"] = new JsonArray(selected.Select(t => (JsonNode)Json(t)).ToArray()) }.ToJsonString();
    }

    private static string UpdateTrail(AwsRequestContext context, JsonElement body)
    {
        var trail = Find(context, RequiredName(body), "cloudtrail:UpdateTrail");
        if (trail.HomeRegion != context.Region)
        {
            throw new AwsServiceError(400, "InvalidHomeRegionException", "This operation must be called from the Region in which the trail was created.");
        }

        string? kmsKeyId = trail.KmsKeyId;
        if (body.TryGetProperty("KmsKeyId", out var key) && key.ValueKind == JsonValueKind.String)
        {
            kmsKeyId = KmsKeyArn(context, trail, key.GetString()!);
        }

        string? bucket = trail.S3BucketName;
        if (body.TryGetProperty("S3BucketName", out var s3) && s3.ValueKind == JsonValueKind.String)
        {
            bucket = s3.GetString() is { Length: >= 3 } name ? name : throw new AwsServiceError(400, "InvalidS3BucketNameException", $"Bucket name '{s3.GetString()}' is not valid.");
        }

        trail.KmsKeyId = kmsKeyId;
        trail.S3BucketName = bucket;
        trail.S3KeyPrefix = String(body, "S3KeyPrefix") ?? trail.S3KeyPrefix;
        trail.IsMultiRegionTrail = Bool(body, "IsMultiRegionTrail") ?? trail.IsMultiRegionTrail;
        trail.IncludeGlobalServiceEvents = Bool(body, "IncludeGlobalServiceEvents") ?? trail.IncludeGlobalServiceEvents;
        trail.LogFileValidationEnabled = Bool(body, "EnableLogFileValidation") ?? trail.LogFileValidationEnabled;
        trail.IsOrganizationTrail = Bool(body, "IsOrganizationTrail") ?? trail.IsOrganizationTrail;
        var result = Json(trail);
        result.Remove("HomeRegion");
        result.Remove("HasCustomEventSelectors");
        result.Remove("HasInsightSelectors");
        return result.ToJsonString();
    }

    /// <summary>
    /// The key ARN CloudTrail stores for a KMS key ID, key ARN, alias name or alias ARN ("" turns encryption off), after
    /// CloudTrail's checks: the key exists in the trail's home region (KmsKeyNotFoundException), is an enabled symmetric
    /// encryption key (KmsException), and its key policy lets CloudTrail generate data keys for this trail
    /// (InsufficientEncryptionPolicyException).
    /// </summary>
    private static string? KmsKeyArn(AwsRequestContext context, SandboxTrail trail, string value)
    {
        if (value.Length == 0)
        {
            return null;
        }

        Kms.SandboxKmsKey key;
        try
        {
            key = Kms.KmsService.Resolve(context.State, trail.AccountId, trail.HomeRegion, value, allowAlias: true);
        }
        catch (AwsServiceError error) when (error.Code == "NotFoundException")
        {
            throw new AwsServiceError(400, "KmsKeyNotFoundException", $"KMS key {value} does not exist in the trail's home region {trail.HomeRegion}, or the S3 bucket and the KMS key are not in the same region.");
        }

        if (key.KeyState != "Enabled" || !key.IsSymmetricEncryption)
        {
            throw new AwsServiceError(400, "KmsException", $"The KMS key {key.Arn} is {key.KeyState} with key spec {key.KeySpec}: CloudTrail needs an enabled symmetric encryption key.");
        }

        var encryptionContext = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["aws:SourceArn"] = trail.TrailArn,
            ["aws:SourceAccount"] = trail.AccountId,
            ["kms:EncryptionContext:aws:cloudtrail:arn"] = trail.TrailArn,
        };
        if (!Kms.KmsKeyPolicy.AllowsService(key, "cloudtrail.amazonaws.com", "kms:GenerateDataKey", encryptionContext))
        {
            throw new AwsServiceError(400, "InsufficientEncryptionPolicyException", $"Insufficient permissions to access S3 bucket {trail.S3BucketName} or KMS key {key.Arn}.");
        }

        return key.Arn;
    }

    private static string ListTags(AwsRequestContext context, JsonElement body)
    {
        var ids = body.TryGetProperty("ResourceIdList", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
            : throw new AwsServiceError(400, "InvalidParameterException", "ResourceIdList is required.");
        var result = new JsonArray();
        foreach (var id in ids)
        {
            if (!ArnPattern().IsMatch(id))
            {
                throw new AwsServiceError(400, "CloudTrailARNInvalidException", $"The ARN '{id}' is not valid: arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail");
            }

            Authorizer.Require(context, "cloudtrail:ListTags", id);
            var trail = context.State.TrailsOf(context.Caller.AccountId).FirstOrDefault(t => t.TrailArn == id && t.VisibleIn(context.Region))
                ?? throw new AwsServiceError(400, "ResourceNotFoundException", $"Resource not found: {id}");
            result.Add(new JsonObject
            {
                ["ResourceId"] = trail.TrailArn,
                ["TagsList"] = new JsonArray(trail.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value }).ToArray()),
            });
        }

        return new JsonObject { ["ResourceTagList"] = result }.ToJsonString();
    }

    private static JsonObject Json(SandboxTrail trail)
    {
        var json = new JsonObject { ["Name"] = trail.Name };
        if (trail.S3BucketName is not null)
        {
            json["S3BucketName"] = trail.S3BucketName;
        }

        if (trail.S3KeyPrefix is not null)
        {
            json["S3KeyPrefix"] = trail.S3KeyPrefix;
        }

        json["IncludeGlobalServiceEvents"] = trail.IncludeGlobalServiceEvents;
        json["IsMultiRegionTrail"] = trail.IsMultiRegionTrail;
        json["HomeRegion"] = trail.HomeRegion;
        json["TrailARN"] = trail.TrailArn;
        json["LogFileValidationEnabled"] = trail.LogFileValidationEnabled;
        if (trail.KmsKeyId is not null)
        {
            json["KmsKeyId"] = trail.KmsKeyId;
        }

        json["HasCustomEventSelectors"] = false;
        json["HasInsightSelectors"] = false;
        json["IsOrganizationTrail"] = trail.IsOrganizationTrail;
        return json;
    }

    private static string RequiredName(JsonElement body) =>
        String(body, "Name") is { Length: > 0 } name
            ? name
            : throw new AwsServiceError(400, "InvalidTrailNameException", "Trail name cannot be empty.");

    private static string? String(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement body, string name) =>
        body.ValueKind == JsonValueKind.Object && body.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail/[A-Za-z0-9._-]{3,128}$")]
    private static partial Regex ArnPattern();
}
