using System.Text.Json;

namespace RemediationTools.Core.Findings;

/// <summary>AWS Security Hub findings in the AWS Security Finding Format (ASFF), for the controls a job serves.</summary>
internal static partial class FindingParser
{
    /// <summary>
    /// Security Hub control IDs and the job that fixes their finding's first resource, checked against the Security Hub
    /// controls reference. Only controls whose check is exactly what a job of the catalog fixes are listed:
    /// <list type="bullet">
    /// <item>EC2.1 (EBS snapshots publicly restorable) is not: its resource type is the AWS account (a periodic
    /// account-wide check), so its finding names no snapshot for <c>ebs-private-snapshot</c>.</item>
    /// <item>EC2.53 and EC2.54 (security groups open from 0.0.0.0/0 or ::/0 to remote administration ports) are not:
    /// their rule (<c>vpc-sg-port-restriction-check</c>) checks TCP and UDP on ports 22 and 3389 together, and no job
    /// closes both ports on both protocols; the port-22 and port-3389 jobs each close one port over TCP.</item>
    /// <item>S3.1 (block public access settings) is not: its resource type is the account (account-level settings);
    /// <c>s3-remove-public-access</c> sets a bucket's own.</item>
    /// <item>S3.12 (ACLs should not be used to manage user access) is not: it fails on any ACL grant to another user,
    /// and the ACL jobs remove only the public grants their rule is about.</item>
    /// <item>IAM.7 and IAM.10 (strong password policy configurations) are not: they check several settings at once (character
    /// types, length, expiry); the password policy jobs each raise one setting.</item>
    /// <item>RDS.4 (snapshots encrypted at rest) is not: no job encrypts a snapshot (an existing one cannot be encrypted in
    /// place); <c>aws-rds-snapshot-remove-publicaccess</c> makes public snapshots private (RDS.1).</item>
    /// <item>RDS.50 (DB cluster backup retention) is not: its resource is the DB cluster, and
    /// <c>rds-backup-retention-30-days</c> takes a DB instance (whose cluster it raises).</item>
    /// </list>
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> SecurityHubControls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        // vpc-default-security-group-closed
        ["EC2.2"] = "aws-ec2-default-security-group-traffic",

        // restricted-ssh: TCP 22 from 0.0.0.0/0 or ::/0
        ["EC2.13"] = "security-group-close-port-22",

        // restricted-common-ports (restricted-rdp): TCP 3389
        ["EC2.14"] = "security-group-close-port-3389",

        // nacl-no-unrestricted-ssh-rdp: NACL ingress from 0.0.0.0/0 or ::/0 to TCP 22 or 3389
        ["EC2.21"] = "aws-ec2-administration-ports-ingress-allowed",

        // ec2-security-group-attached-to-eni-periodic: a group attached to no instance or network interface
        ["EC2.22"] = "security-group-not-attached-delete",

        // s3-bucket-public-read-prohibited: public read through the ACL or policy, unless block public access stops it
        ["S3.2"] = "s3-remove-public-access",

        // s3-bucket-public-write-prohibited: likewise for public write
        ["S3.3"] = "s3-remove-public-access",

        // s3-bucket-server-side-encryption-enabled: default encryption (or a policy denying unencrypted puts)
        ["S3.4"] = "s3-enable-default-encryption",

        // s3-bucket-level-public-access-prohibited: any of the four bucket-level settings false
        ["S3.8"] = "s3-remove-public-access",

        // s3-bucket-ssl-requests-only (AWS::S3::Bucket): the bucket policy must deny requests without SSL
        ["S3.5"] = "aws-s3-bucket-policy-allow-https",

        // s3-bucket-logging-enabled (AWS::S3::Bucket): server access logging on
        ["S3.9"] = "s3-enable-access-logging",

        // the S3 bucket CloudTrail logs to must not be publicly accessible (the finding's resource is the bucket)
        ["CloudTrail.6"] = "aws-s3-cloudtrail-public-access",

        // elb-logging-enabled (AWS::ElasticLoadBalancing::LoadBalancer, AWS::ElasticLoadBalancingV2::LoadBalancer; no
        // bucket parameter in Security Hub): access logs on for application and classic load balancers
        ["ELB.5"] = "elb-enable-access-logs",

        // IAM: the account-wide controls name the account (AWS::::Account:<id>), which is the jobs' ObjectId.
        // IAM.4: the root user has no access key (account summary AccountAccessKeysPresent)
        ["IAM.4"] = "aws-iam-root-user-disable-access-keys",

        // IAM.15: the password policy's minimum length is 14 or more
        ["IAM.15"] = "aws-iam-password-policy-min-length",

        // IAM.16: the password policy prevents password reuse (24 passwords remembered)
        ["IAM.16"] = "aws-iam-password-reuse-prevention",

        // IAM.26 (AWS::IAM::ServerCertificate): expired SSL/TLS certificates managed in IAM are removed
        ["IAM.26"] = "aws-iam-server-certificate-expired",

        // cmk-backing-key-rotation-enabled (AWS::KMS::Key): automatic rotation of customer managed keys on; the keys that
        // cannot rotate (asymmetric, HMAC, imported, custom key store) are the job's skips
        ["KMS.4"] = "aws-kms-key-rotates",

        // cloud-trail-encryption-enabled (AWS::CloudTrail::Trail): the trail has a KmsKeyId
        ["CloudTrail.2"] = "aws-cloudtrail-logs-encrypted",
        // sqs-queue-no-public-access (AWS::SQS::Queue): the queue policy must not allow public access
        ["SQS.3"] = "aws-sqs-queue-publicly-accessible",

        // kinesis-stream-encrypted (AWS::Kinesis::Stream): server-side encryption with a KMS key
        ["Kinesis.1"] = "kinesis-encrypt-stream",

        // RDS: the finding's resource is the ARN of the DB instance (AwsRdsDbInstance) or snapshot, which the jobs accept.
        // rds-snapshots-public-prohibited (AWS::RDS::DBSnapshot, AWS::RDS::DBClusterSnapshot): a manual snapshot whose
        // restore attribute holds 'all'; account shares are not the control's concern and stay
        ["RDS.1"] = "aws-rds-snapshot-remove-publicaccess",

        // rds-instance-public-access-check (AWS::RDS::DBInstance): PubliclyAccessible true
        ["RDS.2"] = "rds-remove-public-endpoint",

        // db-instance-backup-enabled (AWS::RDS::DBInstance): backups on with at least backupRetentionMinimum days (default
        // 7, 7 to 35). The threshold differs from the replaced system's rule: the job raises to -RetentionDays (default 30),
        // which passes the control's default; a control configured above 30 needs -RetentionDays at least that high. The
        // job never lowers, so a longer retention always passes.
        ["RDS.11"] = "rds-backup-retention-30-days",

        // rds-automatic-minor-version-upgrade-enabled (AWS::RDS::DBInstance): AutoMinorVersionUpgrade true
        ["RDS.13"] = "rds-enable-version-update",
    };

    /// <summary>
    /// The control IDs of the CIS AWS Foundations Benchmark standards (findings without consolidated control findings)
    /// and the Security Hub control each one is, by benchmark version: the same number means different controls in
    /// different versions (5.3 is EC2.2 in v1.4.0 and EC2.54 in v3.0.0), so a CIS ID is read only with its version.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CisControls = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["1.2.0/4.1"] = "EC2.13",
        ["1.2.0/4.2"] = "EC2.14",
        ["1.2.0/4.3"] = "EC2.2",
        ["1.2.0/2.3"] = "CloudTrail.6",
        ["1.2.0/2.7"] = "CloudTrail.2",
        ["1.2.0/2.8"] = "KMS.4",
        ["1.4.0/3.7"] = "CloudTrail.2",
        ["1.4.0/3.8"] = "KMS.4",
        ["3.0.0/3.5"] = "CloudTrail.2",
        ["3.0.0/3.6"] = "KMS.4",
        ["1.4.0/2.1.2"] = "S3.5",
        ["1.4.0/3.3"] = "CloudTrail.6",
        ["1.4.0/5.1"] = "EC2.21",
        ["1.4.0/5.3"] = "EC2.2",
        ["1.4.0/2.1.1"] = "S3.4",
        ["3.0.0/5.1"] = "EC2.21",
        ["3.0.0/5.2"] = "EC2.53",
        ["3.0.0/5.3"] = "EC2.54",
        ["3.0.0/5.4"] = "EC2.2",
    };

    /// <summary>Controls the reference shows no job can serve, with the reason given when a finding names one.</summary>
    private static readonly Dictionary<string, string> UnservedControls = new(StringComparer.OrdinalIgnoreCase)
    {
        ["EC2.1"] = "its resource is the AWS account (an account-wide periodic check), not a snapshot; ebs-private-snapshot fixes one snapshot named by ID",
        ["EC2.53"] = "it checks TCP and UDP on both ports 22 and 3389 from 0.0.0.0/0; security-group-close-port-22 and -3389 each close one port over TCP",
        ["EC2.54"] = "it checks TCP and UDP on both ports 22 and 3389 from ::/0; security-group-close-port-22 and -3389 each close one port over TCP",
        ["S3.1"] = "its resource is the AWS account (the account-level block public access settings); s3-remove-public-access sets one bucket's settings",
        ["S3.12"] = "it fails on any ACL grant to another user; the ACL jobs remove only public FULL_CONTROL and WRITE_ACP grants",
        ["IAM.7"] = "it checks several password policy settings at once; aws-iam-password-policy-min-length and aws-iam-password-reuse-prevention each raise one",
        ["IAM.10"] = "it checks several password policy settings at once; aws-iam-password-policy-min-length and aws-iam-password-reuse-prevention each raise one",
        ["RDS.4"] = "it checks that snapshots are encrypted at rest; no job encrypts a snapshot, aws-rds-snapshot-remove-publicaccess only makes public snapshots private (RDS.1)",
        ["RDS.50"] = "its resource is the DB cluster; rds-backup-retention-30-days takes a DB instance and raises its cluster's retention",
    };

    /// <summary>The result error code of a Security Hub finding whose resource belongs to another account than its <c>AwsAccountId</c>.</summary>
    public const string AccountMismatchErrorCode = "AccountMismatch";

    private const string CisStandard = "cis-aws-foundations-benchmark/v/";

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

        var generatorId = GetString(root, "GeneratorId", "GeneratorId");
        if (controlId is null && TryGet(root, out var productFields, "ProductFields") && productFields.ValueKind == JsonValueKind.Object)
        {
            controlId = CisControl(productFields, generatorId) ?? GetString(productFields, "ProductFields.ControlId", "ControlId");
        }

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
                "No job serves Security Hub control '" + controlId + "'" + (UnservedControls.TryGetValue(controlId, out var why) ? " (" + why + ")" : string.Empty) + ". Controls with a job: " + string.Join(", ", SecurityHubControls.Keys) + ".",
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
        if (arn is not null && arn.AccountId.Length > 0 && !string.Equals(arn.AccountId, accountId, StringComparison.Ordinal))
        {
            // A finding may only ever change its own account: a resource of another account is refused before any call.
            throw new FindingFormatException(
                "The Security Hub finding's resource " + arn.Text + " belongs to account " + arn.AccountId + ", not to the finding's account " + accountId +
                " (AwsAccountId); nothing was changed.",
                "Resources[0].Id")
            {
                ErrorCode = AccountMismatchErrorCode,
            };
        }

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
            ComplianceStatus = compliance.ValueKind == JsonValueKind.Object ? GetString(compliance, "Compliance.Status", "Status") : null,
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

    /// <summary>
    /// The Security Hub control of a CIS AWS Foundations Benchmark finding (without consolidated control findings):
    /// the CIS ID (<c>ProductFields.RuleId</c> in v1.2.0, <c>ProductFields.ControlId</c> later) with the benchmark version
    /// from <c>ProductFields.StandardsGuideArn</c>, <c>ProductFields.StandardsArn</c> or the generator ID. Null when the
    /// finding is of no CIS standard. A CIS ID without a mapped control throws, naming it and its version.
    /// </summary>
    private static string? CisControl(JsonElement productFields, string? generatorId)
    {
        var standard = GetString(productFields, "ProductFields.StandardsGuideArn", "StandardsGuideArn")
            ?? GetString(productFields, "ProductFields.StandardsArn", "StandardsArn")
            ?? generatorId;
        var at = standard?.IndexOf(CisStandard, StringComparison.OrdinalIgnoreCase) ?? -1;
        if (standard is null || at < 0)
        {
            return null;
        }

        var version = standard.Substring(at + CisStandard.Length).Split('/')[0];
        var cisId = GetString(productFields, "ProductFields.RuleId", "RuleId") ?? GetString(productFields, "ProductFields.ControlId", "ControlId");
        if (cisId is null)
        {
            return null;
        }

        return CisControls.TryGetValue(version + "/" + cisId, out var control)
            ? control
            : throw new FindingFormatException(
                "No job serves CIS AWS Foundations Benchmark v" + version + " control '" + cisId + "'. CIS controls with a job: " +
                string.Join(", ", CisControls.Where(c => SecurityHubControls.ContainsKey(c.Value)).Select(c => "v" + c.Key + " (" + c.Value + ")")) + ".",
                "ProductFields.ControlId");
    }
}
