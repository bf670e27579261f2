namespace RemediationTools;

/// <summary>
/// The error IDs the cmdlets write. Each is the first part of an ErrorRecord's FullyQualifiedErrorId
/// (<c>&lt;ErrorId&gt;,RemediationTools.Commands.&lt;Cmdlet&gt;Command</c>), so scripts and tests can match them.
/// </summary>
internal static class ErrorIds
{
    /// <summary>No credentials, no region, an unknown profile or another unusable AWS setting.</summary>
    public const string AwsConfigurationInvalid = "AwsConfigurationInvalid";

    /// <summary>AssumeRole into a cloud account was refused (trust policy or external ID).</summary>
    public const string AssumeRoleDenied = "AssumeRoleDenied";

    /// <summary>The credentials (the caller's or an assumed role's) belong to another account than the finding's; nothing was touched.</summary>
    public const string AccountMismatch = "AccountMismatch";

    /// <summary>A finding could not be read: a missing or bad field.</summary>
    public const string FindingInvalid = "FindingInvalid";

    /// <summary>No job serves the finding's rule ID, or the named job does not exist.</summary>
    public const string JobNotFound = "JobNotFound";

    /// <summary>A path given to -Path or -LiteralPath matched no file.</summary>
    public const string PathNotFound = "PathNotFound";

    /// <summary>A file could not be read.</summary>
    public const string FileReadFailed = "FileReadFailed";

    /// <summary>A change needed confirmation (a High-impact change, or -Confirm) that the host could not ask for; it was not made.</summary>
    public const string ConfirmationRequired = "ConfirmationRequired";

    /// <summary>A remediation failed; the result object carries the details.</summary>
    public const string RemediationFailed = "RemediationFailed";

    /// <summary>An unexpected failure talking to AWS.</summary>
    public const string AwsCallFailed = "AwsCallFailed";

    /// <summary>The -RoleArn parameter is not an IAM role ARN.</summary>
    public const string RoleArnInvalid = "RoleArnInvalid";

    /// <summary>-KmsKeyId is not a KMS key ID, key ARN, alias name or alias ARN.</summary>
    public const string KmsKeyIdInvalid = "KmsKeyIdInvalid";

    /// <summary>A -CloudAccount entry lacks a role ARN or external ID, or its account ID does not match the role ARN.</summary>
    public const string CloudAccountInvalid = "CloudAccountInvalid";

    /// <summary>A result given to Undo-Remediation has no undo record (nothing was changed, or it was planned only).</summary>
    public const string UndoRecordMissing = "UndoRecordMissing";

    /// <summary>An object or file is not a remediation result (or a JSON array of them).</summary>
    public const string ResultInvalid = "ResultInvalid";

    /// <summary>The output file exists and neither -Force nor -Append was given.</summary>
    public const string FileExists = "FileExists";

    /// <summary>A file could not be written.</summary>
    public const string FileWriteFailed = "FileWriteFailed";

    /// <summary>A role cmdlet's input is invalid (name, ARN, external ID, tags, session duration) or conflicts with what exists.</summary>
    public const string RoleRequestInvalid = "RoleRequestInvalid";

    /// <summary>A generated policy does not fit IAM's size limits.</summary>
    public const string PolicyTooLarge = "PolicyTooLarge";

    /// <summary>The role to remove does not exist.</summary>
    public const string RoleNotFound = "RoleNotFound";

    /// <summary>A worker group name, organization ID or cloud account is not acceptable.</summary>
    public const string WorkerGroupInvalid = "WorkerGroupInvalid";

    /// <summary>No worker group has that name in the store.</summary>
    public const string WorkerGroupNotFound = "WorkerGroupNotFound";

    /// <summary>A worker group with that name exists already.</summary>
    public const string WorkerGroupExists = "WorkerGroupExists";

    /// <summary>Another session changed the worker group at the same time, again and again.</summary>
    public const string WorkerGroupConflict = "WorkerGroupConflict";

    /// <summary>The account is not in the worker group.</summary>
    public const string CloudAccountNotInGroup = "CloudAccountNotInGroup";

    /// <summary>The worker group's client ID or client secret is wrong.</summary>
    public const string WorkerCredentialsRefused = "WorkerCredentialsRefused";

    /// <summary>The store (-Store or REMEDIATION_STORE) cannot be used.</summary>
    public const string StoreUnavailable = "StoreUnavailable";

    /// <summary>Reading or writing the store failed.</summary>
    public const string StoreFailed = "StoreFailed";

    /// <summary>No run has that ID.</summary>
    public const string RunNotFound = "RunNotFound";

    /// <summary>The client secret file or SSM parameter given to a worker cannot be read, or is empty.</summary>
    public const string ClientSecretUnavailable = "ClientSecretUnavailable";

    /// <summary>A deployment request is not valid (bad image, subnet, instance type, count, store or parameter name; no default VPC without -SubnetId).</summary>
    public const string WorkerDeploymentInvalid = "WorkerDeploymentInvalid";

    /// <summary>A deployment could not be done as asked (a workers' security group with ingress, no worker to update).</summary>
    public const string WorkerDeploymentFailed = "WorkerDeploymentFailed";

    /// <summary>The workers of a deployment or an update did not report Healthy in time.</summary>
    public const string WorkerNotHealthy = "WorkerNotHealthy";

    /// <summary>-LoggingBucketPrefix cannot begin an S3 bucket name.</summary>
    public const string LoggingBucketPrefixInvalid = "LoggingBucketPrefixInvalid";
}
