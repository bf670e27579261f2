namespace RemediationTools.Core.Jobs;

/// <summary>
/// The names of the resources jobs read and change, within one account and region. A job's plan lists the keys of
/// what it will change (<see cref="JobPlan.Touches"/>); the engine locks them, so findings of any job on one resource
/// never change it at the same time. Reads of a resource are cached under the same key in <see cref="JobReadCache"/>.
/// </summary>
internal static class ResourceKeys
{
    /// <summary>A security group: its rules and tags.</summary>
    public static string SecurityGroup(string groupId) => "ec2:security-group:" + groupId;

    /// <summary>A network ACL: its entries.</summary>
    public static string NetworkAcl(string networkAclId) => "ec2:network-acl:" + networkAclId;

    /// <summary>An EBS snapshot: its create-volume permission.</summary>
    public static string Snapshot(string snapshotId) => "ec2:snapshot:" + snapshotId;

    /// <summary>An EBS volume.</summary>
    public static string Volume(string volumeId) => "ec2:volume:" + volumeId;

    /// <summary>An EC2 instance: its state and attachments.</summary>
    public static string Instance(string instanceId) => "ec2:instance:" + instanceId;

    /// <summary>An S3 bucket's ACL (a whole document: read, change, write back).</summary>
    public static string BucketAcl(string bucketName) => "s3:bucket-acl:" + bucketName;

    /// <summary>An S3 bucket's public access block configuration.</summary>
    public static string BucketPublicAccessBlock(string bucketName) => "s3:bucket-public-access-block:" + bucketName;

    /// <summary>An S3 bucket's default encryption configuration.</summary>
    public static string BucketEncryption(string bucketName) => "s3:bucket-encryption:" + bucketName;

    /// <summary>An S3 bucket's policy (a whole document).</summary>
    public static string BucketPolicy(string bucketName) => "s3:bucket-policy:" + bucketName;

    /// <summary>An S3 bucket's server access logging configuration.</summary>
    public static string BucketLogging(string bucketName) => "s3:bucket-logging:" + bucketName;

    /// <summary>
    /// The prefix of keys of global resources (IAM): <see cref="Engine.ResourceLockTable.Scope"/> scopes them by account only,
    /// since findings of one account may name different regions for the same IAM resource.
    /// </summary>
    public const string GlobalPrefix = "iam:";

    /// <summary>An account's IAM password policy (a whole document), account-wide.</summary>
    public static string AccountPasswordPolicy(string accountId) => GlobalPrefix + "account-password-policy:" + accountId;

    /// <summary>An IAM server certificate, account-wide.</summary>
    public static string ServerCertificate(string name) => GlobalPrefix + "server-certificate:" + name;
}
