namespace RemediationTools.Core.Aws.Signed;

// Request and result types shaped like AWSSDK.IdentityManagement's, so the official package can replace
// IamClient later with few changes in callers. Policy documents are URL-decoded JSON.

/// <summary>A tag of an IAM resource.</summary>
internal sealed class Tag
{
    public Tag()
    {
    }

    public Tag(string key, string value)
    {
        Key = key;
        Value = value;
    }

    public string Key { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>An IAM role.</summary>
internal sealed class Role
{
    public string Path { get; set; } = "/";

    public string RoleName { get; set; } = string.Empty;

    public string RoleId { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public DateTime? CreateDate { get; set; }

    /// <summary>Trust policy JSON (decoded).</summary>
    public string? AssumeRolePolicyDocument { get; set; }

    public string? Description { get; set; }

    public int? MaxSessionDuration { get; set; }

    /// <summary>ARN of the permissions boundary policy, if any.</summary>
    public string? PermissionsBoundaryArn { get; set; }

    public List<Tag> Tags { get; set; } = new();
}

/// <summary>An IAM instance profile.</summary>
internal sealed class InstanceProfile
{
    public string Path { get; set; } = "/";

    public string InstanceProfileName { get; set; } = string.Empty;

    public string InstanceProfileId { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public DateTime? CreateDate { get; set; }

    public List<Role> Roles { get; set; } = new();

    public List<Tag> Tags { get; set; } = new();
}

/// <summary>A managed policy attached to a role.</summary>
internal sealed class AttachedPolicy
{
    public string PolicyName { get; set; } = string.Empty;

    public string PolicyArn { get; set; } = string.Empty;
}

/// <summary>Base of every IAM response.</summary>
internal class IamResponse
{
    public string? RequestId { get; set; }
}

/// <summary>Base of paged IAM responses.</summary>
internal class IamPagedResponse : IamResponse
{
    public bool IsTruncated { get; set; }

    /// <summary>Pass as the next request's Marker when <see cref="IsTruncated"/>.</summary>
    public string? Marker { get; set; }
}

internal sealed class GetRoleRequest
{
    public string RoleName { get; set; } = string.Empty;
}

internal sealed class GetRoleResponse : IamResponse
{
    public Role Role { get; set; } = new();
}

internal sealed class CreateRoleRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string AssumeRolePolicyDocument { get; set; } = string.Empty;

    public string? Path { get; set; }

    public string? Description { get; set; }

    /// <summary>Seconds, 3600 to 43200.</summary>
    public int? MaxSessionDuration { get; set; }

    public string? PermissionsBoundary { get; set; }

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class CreateRoleResponse : IamResponse
{
    public Role Role { get; set; } = new();
}

internal sealed class DeleteRoleRequest
{
    public string RoleName { get; set; } = string.Empty;
}

internal sealed class DeleteRoleResponse : IamResponse
{
}

internal sealed class UpdateAssumeRolePolicyRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string PolicyDocument { get; set; } = string.Empty;
}

internal sealed class UpdateAssumeRolePolicyResponse : IamResponse
{
}

internal sealed class UpdateRoleRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string? Description { get; set; }

    public int? MaxSessionDuration { get; set; }
}

internal sealed class UpdateRoleResponse : IamResponse
{
}

internal sealed class PutRolePolicyRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string PolicyName { get; set; } = string.Empty;

    public string PolicyDocument { get; set; } = string.Empty;
}

internal sealed class PutRolePolicyResponse : IamResponse
{
}

internal sealed class GetRolePolicyRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string PolicyName { get; set; } = string.Empty;
}

internal sealed class GetRolePolicyResponse : IamResponse
{
    public string RoleName { get; set; } = string.Empty;

    public string PolicyName { get; set; } = string.Empty;

    /// <summary>Policy JSON (decoded).</summary>
    public string PolicyDocument { get; set; } = string.Empty;
}

internal sealed class DeleteRolePolicyRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string PolicyName { get; set; } = string.Empty;
}

internal sealed class DeleteRolePolicyResponse : IamResponse
{
}

internal sealed class ListRolePoliciesRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string? Marker { get; set; }

    public int? MaxItems { get; set; }
}

internal sealed class ListRolePoliciesResponse : IamPagedResponse
{
    public List<string> PolicyNames { get; set; } = new();
}

internal sealed class ListAttachedRolePoliciesRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string? PathPrefix { get; set; }

    public string? Marker { get; set; }

    public int? MaxItems { get; set; }
}

internal sealed class ListAttachedRolePoliciesResponse : IamPagedResponse
{
    public List<AttachedPolicy> AttachedPolicies { get; set; } = new();
}

internal sealed class TagRoleRequest
{
    public string RoleName { get; set; } = string.Empty;

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class TagRoleResponse : IamResponse
{
}

internal sealed class ListRoleTagsRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string? Marker { get; set; }

    public int? MaxItems { get; set; }
}

internal sealed class ListRoleTagsResponse : IamPagedResponse
{
    public List<Tag> Tags { get; set; } = new();
}

internal sealed class CreateInstanceProfileRequest
{
    public string InstanceProfileName { get; set; } = string.Empty;

    public string? Path { get; set; }

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class CreateInstanceProfileResponse : IamResponse
{
    public InstanceProfile InstanceProfile { get; set; } = new();
}

internal sealed class GetInstanceProfileRequest
{
    public string InstanceProfileName { get; set; } = string.Empty;
}

internal sealed class GetInstanceProfileResponse : IamResponse
{
    public InstanceProfile InstanceProfile { get; set; } = new();
}

internal sealed class DeleteInstanceProfileRequest
{
    public string InstanceProfileName { get; set; } = string.Empty;
}

internal sealed class DeleteInstanceProfileResponse : IamResponse
{
}

internal sealed class AddRoleToInstanceProfileRequest
{
    public string InstanceProfileName { get; set; } = string.Empty;

    public string RoleName { get; set; } = string.Empty;
}

internal sealed class AddRoleToInstanceProfileResponse : IamResponse
{
}

internal sealed class RemoveRoleFromInstanceProfileRequest
{
    public string InstanceProfileName { get; set; } = string.Empty;

    public string RoleName { get; set; } = string.Empty;
}

internal sealed class RemoveRoleFromInstanceProfileResponse : IamResponse
{
}

internal sealed class ListInstanceProfilesForRoleRequest
{
    public string RoleName { get; set; } = string.Empty;

    public string? Marker { get; set; }

    public int? MaxItems { get; set; }
}

internal sealed class ListInstanceProfilesForRoleResponse : IamPagedResponse
{
    public List<InstanceProfile> InstanceProfiles { get; set; } = new();
}

/// <summary>The account password policy (AWSSDK.IdentityManagement's <c>PasswordPolicy</c>).</summary>
internal sealed class PasswordPolicy
{
    public bool AllowUsersToChangePassword { get; set; }

    /// <summary>True when passwords expire (MaxPasswordAge set); read-only.</summary>
    public bool ExpirePasswords { get; set; }

    public bool? HardExpiry { get; set; }

    /// <summary>Days, 1 to 1095; null = passwords never expire.</summary>
    public int? MaxPasswordAge { get; set; }

    /// <summary>6 to 128.</summary>
    public int? MinimumPasswordLength { get; set; }

    /// <summary>1 to 24; null = reuse allowed.</summary>
    public int? PasswordReusePrevention { get; set; }

    public bool RequireLowercaseCharacters { get; set; }

    public bool RequireNumbers { get; set; }

    public bool RequireSymbols { get; set; }

    public bool RequireUppercaseCharacters { get; set; }
}

internal sealed class GetAccountPasswordPolicyRequest
{
}

internal sealed class GetAccountPasswordPolicyResponse : IamResponse
{
    public PasswordPolicy PasswordPolicy { get; set; } = new();
}

/// <summary>Every parameter left null reverts to IAM's default (the operation replaces the whole policy).</summary>
internal sealed class UpdateAccountPasswordPolicyRequest
{
    public bool? AllowUsersToChangePassword { get; set; }

    public bool? HardExpiry { get; set; }

    public int? MaxPasswordAge { get; set; }

    public int? MinimumPasswordLength { get; set; }

    public int? PasswordReusePrevention { get; set; }

    public bool? RequireLowercaseCharacters { get; set; }

    public bool? RequireNumbers { get; set; }

    public bool? RequireSymbols { get; set; }

    public bool? RequireUppercaseCharacters { get; set; }
}

internal sealed class UpdateAccountPasswordPolicyResponse : IamResponse
{
}

internal sealed class DeleteAccountPasswordPolicyRequest
{
}

internal sealed class DeleteAccountPasswordPolicyResponse : IamResponse
{
}

/// <summary>A server certificate's metadata.</summary>
internal sealed class ServerCertificateMetadata
{
    public string Path { get; set; } = "/";

    public string ServerCertificateName { get; set; } = string.Empty;

    public string ServerCertificateId { get; set; } = string.Empty;

    public string Arn { get; set; } = string.Empty;

    public DateTime? UploadDate { get; set; }

    /// <summary>When the certificate expires (UTC).</summary>
    public DateTime? Expiration { get; set; }
}

/// <summary>A server certificate: its metadata, body, chain and tags.</summary>
internal sealed class ServerCertificate
{
    public ServerCertificateMetadata ServerCertificateMetadata { get; set; } = new();

    public string CertificateBody { get; set; } = string.Empty;

    public string? CertificateChain { get; set; }

    public List<Tag> Tags { get; set; } = new();
}

internal sealed class ListServerCertificatesRequest
{
    public string? PathPrefix { get; set; }

    public string? Marker { get; set; }

    public int? MaxItems { get; set; }
}

internal sealed class ListServerCertificatesResponse : IamPagedResponse
{
    public List<ServerCertificateMetadata> ServerCertificateMetadataList { get; set; } = new();
}

internal sealed class GetServerCertificateRequest
{
    public string ServerCertificateName { get; set; } = string.Empty;
}

internal sealed class GetServerCertificateResponse : IamResponse
{
    public ServerCertificate ServerCertificate { get; set; } = new();
}

internal sealed class DeleteServerCertificateRequest
{
    public string ServerCertificateName { get; set; } = string.Empty;
}

internal sealed class DeleteServerCertificateResponse : IamResponse
{
}

internal sealed class GetAccountSummaryRequest
{
}

internal sealed class GetAccountSummaryResponse : IamResponse
{
    /// <summary>IAM entity usage and quotas by name (AccountAccessKeysPresent, AccountMFAEnabled, Users, ...).</summary>
    public Dictionary<string, int> SummaryMap { get; set; } = new(StringComparer.Ordinal);
}
