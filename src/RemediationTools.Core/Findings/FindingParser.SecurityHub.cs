using System.Text.Json;

namespace RemediationTools.Core.Findings;

/// <summary>AWS Security Hub findings in the AWS Security Finding Format (ASFF), for the controls a job serves.</summary>
internal static partial class FindingParser
{
    /// <summary>
    /// Security Hub control IDs and the job that fixes their finding's first resource. Only controls whose check is
    /// exactly what the job fixes are listed.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SecurityHubControls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["EC2.1"] = "ebs-private-snapshot",
        ["EC2.2"] = "aws-ec2-default-security-group-traffic",
        ["EC2.13"] = "security-group-close-port-22",
        ["EC2.14"] = "security-group-close-port-3389",
        ["EC2.21"] = "aws-ec2-administration-ports-ingress-allowed",
        ["S3.5"] = "aws-s3-bucket-policy-allow-https",
        ["S3.8"] = "s3-remove-public-access",
        ["S3.9"] = "s3-enable-access-logging",
        ["KMS.4"] = "aws-kms-key-rotates",
        ["CloudTrail.2"] = "aws-cloudtrail-logs-encrypted",
        ["RDS.1"] = "aws-rds-snapshot-remove-publicaccess",
        ["RDS.2"] = "rds-remove-public-endpoint",
        ["RDS.13"] = "rds-enable-version-update",
        ["IAM.4"] = "aws-iam-root-user-disable-access-keys",
    };

    private const string SecurityControlPrefix = "security-control/";

    /// <summary>
    /// The findings inside a Security Hub envelope: an EventBridge event (<c>detail.findings</c>) or a
    /// BatchImportFindings / GetFindings body (<c>Findings</c>); null when <paramref name="root"/> is no envelope.
    /// </summary>
    public static IReadOnlyList<JsonElement>? SecurityHubEnvelope(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (TryGet(root, out var detail, "detail") && detail.ValueKind == JsonValueKind.Object
            && TryGet(detail, out var inner, "findings") && inner.ValueKind == JsonValueKind.Array)
        {
            return inner.EnumerateArray().ToList();
        }

        return TryGet(root, out var findings, "Findings") && findings.ValueKind == JsonValueKind.Array && !TryGet(root, out _, NotificationInfo)
            ? findings.EnumerateArray().ToList()
            : null;
    }

    private static bool IsSecurityHubFinding(JsonElement root)
        => TryGet(root, out _, "SchemaVersion") && TryGet(root, out _, "AwsAccountId");

    private static Finding ParseSecurityHub(JsonElement root, string raw)
    {
        string? controlId = null;
        if (TryGet(root, out var compliance, "Compliance") && compliance.ValueKind == JsonValueKind.Object)
        {
            controlId = GetString(compliance, "Compliance.SecurityControlId", "SecurityControlId");
        }

        if (controlId is null && TryGet(root, out var productFields, "ProductFields") && productFields.ValueKind == JsonValueKind.Object)
        {
            controlId = GetString(productFields, "ProductFields.ControlId", "ControlId");
        }

        var generatorId = GetString(root, "GeneratorId", "GeneratorId");
        if (controlId is null && generatorId is not null && generatorId.StartsWith(SecurityControlPrefix, StringComparison.OrdinalIgnoreCase))
        {
            controlId = generatorId.Substring(SecurityControlPrefix.Length);
        }

        if (controlId is null)
        {
            throw new FindingFormatException(
                "The Security Hub finding names no control (Compliance.SecurityControlId, ProductFields.ControlId or GeneratorId security-control/...): only control findings map to jobs.",
                "Compliance.SecurityControlId");
        }

        if (!SecurityHubControls.TryGetValue(controlId, out var jobId))
        {
            throw new FindingFormatException(
                "No job serves Security Hub control '" + controlId + "'. Controls with a job: " + string.Join(", ", SecurityHubControls.Keys) + ".",
                "Compliance.SecurityControlId");
        }

        var accountId = GetString(root, "AwsAccountId", "AwsAccountId")
            ?? throw new FindingFormatException("The Security Hub finding has no AwsAccountId.", "AwsAccountId");
        ValidateAccountId(accountId, "AwsAccountId");

        if (!TryGet(root, out var resources, "Resources") || resources.ValueKind != JsonValueKind.Array || resources.GetArrayLength() == 0)
        {
            throw new FindingFormatException("The Security Hub finding has no Resources: it must name the resource to fix.", "Resources");
        }

        var resource = resources[0];
        if (resource.ValueKind != JsonValueKind.Object)
        {
            throw new FindingFormatException("The Security Hub finding's Resources[0] is not an object.", "Resources[0]");
        }

        var resourceText = GetString(resource, "Resources[0].Id", "Id")
            ?? throw new FindingFormatException("The Security Hub finding's Resources[0] has no Id.", "Resources[0].Id");
        var arn = Arn.TryParse(resourceText);

        var regionPath = "Resources[0].Region";
        var region = GetString(resource, regionPath, "Region") ?? NullIfEmpty(arn?.Region);
        if (region is null)
        {
            regionPath = "Region";
            region = GetString(root, regionPath, "Region")
                ?? throw new FindingFormatException("The Security Hub finding has no Region (Region, or Resources[0].Region).", "Region");
        }

        ValidateRegion(region, regionPath);

        return new Finding
        {
            FindingId = GetString(root, "Id", "Id"),
            JobId = jobId,
            RuleId = controlId,
            RuleName = GetString(root, "Title", "Title"),
            AccountId = accountId,
            Region = region,
            ResourceId = arn is not null ? arn.ResourceId : resourceText,
            ResourceArn = arn?.Text,
            ResourceType = GetString(resource, "Resources[0].Type", "Type"),
            Level = TryGet(root, out var severity, "Severity") && severity.ValueKind == JsonValueKind.Object ? GetString(severity, "Severity.Label", "Label") : null,
            Tags = ReadTags(resource, "Resources[0].Tags", "Tags"),
            RawPayload = raw,
        };
    }
}
