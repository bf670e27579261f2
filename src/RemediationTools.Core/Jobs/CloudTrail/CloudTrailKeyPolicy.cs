using System.Text.Json.Nodes;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Jobs.CloudTrail;

/// <summary>
/// The key policy of the key <c>aws-cloudtrail-logs-encrypted</c> creates, following the CloudTrail User Guide
/// ("Configure AWS KMS key policies for CloudTrail" and its default key policy for trails), for one key that every
/// trail of the account in a region shares: the account keeps full control through IAM ("Enable IAM user
/// permissions", which also keeps the key manageable); CloudTrail may <c>kms:GenerateDataKey*</c> only for this
/// account's trails (<c>aws:SourceArn</c> and the <c>kms:EncryptionContext:aws:cloudtrail:arn</c> encryption context
/// both <c>arn:&lt;partition&gt;:cloudtrail:*:&lt;account&gt;:trail/*</c>) and <c>kms:DescribeKey</c> for them; principals of the
/// account (<c>kms:CallerAccount</c>) may <c>kms:Decrypt</c> and <c>kms:ReEncryptFrom</c> the log and digest files
/// (the CloudTrail encryption context present).
/// </summary>
internal static class CloudTrailKeyPolicy
{
    /// <summary>The CloudTrail service principal.</summary>
    public const string ServicePrincipal = "cloudtrail.amazonaws.com";

    /// <summary>The policy for the account's key in <paramref name="region"/>.</summary>
    public static JsonObject For(string accountId, string region)
    {
        var partition = AwsPartition.Of(region);
        var trails = "arn:" + partition + ":cloudtrail:*:" + accountId + ":trail/*";
        return new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = "Key policy created by RemediationTools for CloudTrail",
            ["Statement"] = new JsonArray(
                new JsonObject
                {
                    ["Sid"] = "Enable IAM user permissions",
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["AWS"] = "arn:" + partition + ":iam::" + accountId + ":root" },
                    ["Action"] = "kms:*",
                    ["Resource"] = "*",
                },
                new JsonObject
                {
                    ["Sid"] = "Allow CloudTrail to encrypt logs",
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = ServicePrincipal },
                    ["Action"] = "kms:GenerateDataKey*",
                    ["Resource"] = "*",
                    ["Condition"] = new JsonObject
                    {
                        ["StringLike"] = new JsonObject
                        {
                            ["aws:SourceArn"] = trails,
                            ["kms:EncryptionContext:aws:cloudtrail:arn"] = trails,
                        },
                    },
                },
                new JsonObject
                {
                    ["Sid"] = "Allow CloudTrail to describe key",
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["Service"] = ServicePrincipal },
                    ["Action"] = "kms:DescribeKey",
                    ["Resource"] = "*",
                    ["Condition"] = new JsonObject { ["StringLike"] = new JsonObject { ["aws:SourceArn"] = trails } },
                },
                new JsonObject
                {
                    ["Sid"] = "Allow principals in the account to decrypt log files",
                    ["Effect"] = "Allow",
                    ["Principal"] = new JsonObject { ["AWS"] = "*" },
                    ["Action"] = new JsonArray("kms:Decrypt", "kms:ReEncryptFrom"),
                    ["Resource"] = "*",
                    ["Condition"] = new JsonObject
                    {
                        ["StringEquals"] = new JsonObject { ["kms:CallerAccount"] = accountId },
                        ["StringLike"] = new JsonObject { ["kms:EncryptionContext:aws:cloudtrail:arn"] = trails },
                    },
                }),
        };
    }
}
