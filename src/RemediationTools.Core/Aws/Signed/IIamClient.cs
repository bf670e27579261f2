namespace RemediationTools.Core.Aws.Signed;

/// <summary>
/// The IAM operations the module uses, shaped like AWSSDK.IdentityManagement's <c>IAmazonIdentityManagementService</c>
/// (same operation, request and result names) so the official client can replace <see cref="IamClient"/> later.
/// Errors are <see cref="Amazon.Runtime.AmazonServiceException"/>s with IAM's error codes (NoSuchEntity,
/// EntityAlreadyExists, DeleteConflict, AccessDenied, ...).
/// </summary>
internal interface IIamClient
{
    /// <summary>Reads a role, its trust policy and tags.</summary>
    Task<GetRoleResponse> GetRoleAsync(GetRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Creates a role with trust policy, path, description, maximum session duration and tags.</summary>
    Task<CreateRoleResponse> CreateRoleAsync(CreateRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a role (its inline policies and instance profile memberships must be removed first).</summary>
    Task<DeleteRoleResponse> DeleteRoleAsync(DeleteRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces a role's trust policy.</summary>
    Task<UpdateAssumeRolePolicyResponse> UpdateAssumeRolePolicyAsync(UpdateAssumeRolePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Changes a role's description or maximum session duration.</summary>
    Task<UpdateRoleResponse> UpdateRoleAsync(UpdateRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces an inline policy of a role.</summary>
    Task<PutRolePolicyResponse> PutRolePolicyAsync(PutRolePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads an inline policy of a role.</summary>
    Task<GetRolePolicyResponse> GetRolePolicyAsync(GetRolePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes an inline policy of a role.</summary>
    Task<DeleteRolePolicyResponse> DeleteRolePolicyAsync(DeleteRolePolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the names of a role's inline policies (one page).</summary>
    Task<ListRolePoliciesResponse> ListRolePoliciesAsync(ListRolePoliciesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the managed policies attached to a role (one page).</summary>
    Task<ListAttachedRolePoliciesResponse> ListAttachedRolePoliciesAsync(ListAttachedRolePoliciesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Adds or overwrites tags of a role.</summary>
    Task<TagRoleResponse> TagRoleAsync(TagRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists a role's tags (one page).</summary>
    Task<ListRoleTagsResponse> ListRoleTagsAsync(ListRoleTagsRequest request, CancellationToken cancellationToken = default);

    /// <summary>Creates an instance profile.</summary>
    Task<CreateInstanceProfileResponse> CreateInstanceProfileAsync(CreateInstanceProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads an instance profile and its role.</summary>
    Task<GetInstanceProfileResponse> GetInstanceProfileAsync(GetInstanceProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes an instance profile (its role must be removed first).</summary>
    Task<DeleteInstanceProfileResponse> DeleteInstanceProfileAsync(DeleteInstanceProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>Puts a role in an instance profile.</summary>
    Task<AddRoleToInstanceProfileResponse> AddRoleToInstanceProfileAsync(AddRoleToInstanceProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>Takes a role out of an instance profile.</summary>
    Task<RemoveRoleFromInstanceProfileResponse> RemoveRoleFromInstanceProfileAsync(RemoveRoleFromInstanceProfileRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the instance profiles holding a role (one page).</summary>
    Task<ListInstanceProfilesForRoleResponse> ListInstanceProfilesForRoleAsync(ListInstanceProfilesForRoleRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the account password policy; NoSuchEntity when the account has none.</summary>
    Task<GetAccountPasswordPolicyResponse> GetAccountPasswordPolicyAsync(GetAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Replaces the account password policy: every parameter not sent reverts to its default.</summary>
    Task<UpdateAccountPasswordPolicyResponse> UpdateAccountPasswordPolicyAsync(UpdateAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes the account password policy; NoSuchEntity when there is none.</summary>
    Task<DeleteAccountPasswordPolicyResponse> DeleteAccountPasswordPolicyAsync(DeleteAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default);

    /// <summary>Lists the account's server certificates (one page; Marker paging).</summary>
    Task<ListServerCertificatesResponse> ListServerCertificatesAsync(ListServerCertificatesRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a server certificate by name: metadata (with expiration), body, chain and tags.</summary>
    Task<GetServerCertificateResponse> GetServerCertificateAsync(GetServerCertificateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Deletes a server certificate (its private key cannot be read back, so this cannot be undone).</summary>
    Task<DeleteServerCertificateResponse> DeleteServerCertificateAsync(DeleteServerCertificateRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads the account's IAM usage and quotas (AccountAccessKeysPresent: root access keys).</summary>
    Task<GetAccountSummaryResponse> GetAccountSummaryAsync(GetAccountSummaryRequest request, CancellationToken cancellationToken = default);
}
