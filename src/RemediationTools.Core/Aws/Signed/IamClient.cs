using System.Globalization;
using System.Xml.Linq;

namespace RemediationTools.Core.Aws.Signed;

/// <summary><see cref="IIamClient"/> over the AWS Query protocol (IAM API version 2010-05-08).</summary>
internal sealed class IamClient : IIamClient, IDisposable
{
    public const string ApiVersion = "2010-05-08";

    private readonly AwsQueryClient query;

    public IamClient(AwsQueryClient query)
    {
        this.query = query ?? throw new ArgumentNullException(nameof(query));
    }

    public async Task<GetRoleResponse> GetRoleAsync(GetRoleRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName);
        var r = await query.InvokeAsync("GetRole", p, cancellationToken).ConfigureAwait(false);
        return new GetRoleResponse { Role = ParseRole(r.Result.Child("Role")), RequestId = r.RequestId };
    }

    public async Task<CreateRoleResponse> CreateRoleAsync(CreateRoleRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("RoleName", request.RoleName)
            .Add("AssumeRolePolicyDocument", request.AssumeRolePolicyDocument)
            .AddIf("Path", request.Path)
            .AddIf("Description", request.Description)
            .AddIf("MaxSessionDuration", request.MaxSessionDuration)
            .AddIf("PermissionsBoundary", request.PermissionsBoundary)
            .AddTags(request.Tags);
        var r = await query.InvokeAsync("CreateRole", p, cancellationToken).ConfigureAwait(false);
        return new CreateRoleResponse { Role = ParseRole(r.Result.Child("Role")), RequestId = r.RequestId };
    }

    public async Task<DeleteRoleResponse> DeleteRoleAsync(DeleteRoleRequest request, CancellationToken cancellationToken = default)
    {
        var r = await query.InvokeAsync("DeleteRole", Params(request).Add("RoleName", request.RoleName), cancellationToken).ConfigureAwait(false);
        return new DeleteRoleResponse { RequestId = r.RequestId };
    }

    public async Task<UpdateAssumeRolePolicyResponse> UpdateAssumeRolePolicyAsync(UpdateAssumeRolePolicyRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).Add("PolicyDocument", request.PolicyDocument);
        var r = await query.InvokeAsync("UpdateAssumeRolePolicy", p, cancellationToken).ConfigureAwait(false);
        return new UpdateAssumeRolePolicyResponse { RequestId = r.RequestId };
    }

    public async Task<UpdateRoleResponse> UpdateRoleAsync(UpdateRoleRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("RoleName", request.RoleName)
            .AddIf("Description", request.Description)
            .AddIf("MaxSessionDuration", request.MaxSessionDuration);
        var r = await query.InvokeAsync("UpdateRole", p, cancellationToken).ConfigureAwait(false);
        return new UpdateRoleResponse { RequestId = r.RequestId };
    }

    public async Task<PutRolePolicyResponse> PutRolePolicyAsync(PutRolePolicyRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("RoleName", request.RoleName)
            .Add("PolicyName", request.PolicyName)
            .Add("PolicyDocument", request.PolicyDocument);
        var r = await query.InvokeAsync("PutRolePolicy", p, cancellationToken).ConfigureAwait(false);
        return new PutRolePolicyResponse { RequestId = r.RequestId };
    }

    public async Task<GetRolePolicyResponse> GetRolePolicyAsync(GetRolePolicyRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).Add("PolicyName", request.PolicyName);
        var r = await query.InvokeAsync("GetRolePolicy", p, cancellationToken).ConfigureAwait(false);
        return new GetRolePolicyResponse
        {
            RoleName = r.Result.Text("RoleName") ?? request.RoleName,
            PolicyName = r.Result.Text("PolicyName") ?? request.PolicyName,
            PolicyDocument = Decode(r.Result.Text("PolicyDocument")) ?? string.Empty,
            RequestId = r.RequestId,
        };
    }

    public async Task<DeleteRolePolicyResponse> DeleteRolePolicyAsync(DeleteRolePolicyRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).Add("PolicyName", request.PolicyName);
        var r = await query.InvokeAsync("DeleteRolePolicy", p, cancellationToken).ConfigureAwait(false);
        return new DeleteRolePolicyResponse { RequestId = r.RequestId };
    }

    public async Task<ListRolePoliciesResponse> ListRolePoliciesAsync(ListRolePoliciesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).AddIf("Marker", request.Marker).AddIf("MaxItems", request.MaxItems);
        var r = await query.InvokeAsync("ListRolePolicies", p, cancellationToken).ConfigureAwait(false);
        var response = new ListRolePoliciesResponse { PolicyNames = r.Result.Child("PolicyNames").Members().Select(m => m.Value).ToList() };
        return Paged(response, r);
    }

    public async Task<ListAttachedRolePoliciesResponse> ListAttachedRolePoliciesAsync(ListAttachedRolePoliciesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .Add("RoleName", request.RoleName)
            .AddIf("PathPrefix", request.PathPrefix)
            .AddIf("Marker", request.Marker)
            .AddIf("MaxItems", request.MaxItems);
        var r = await query.InvokeAsync("ListAttachedRolePolicies", p, cancellationToken).ConfigureAwait(false);
        var response = new ListAttachedRolePoliciesResponse
        {
            AttachedPolicies = r.Result.Child("AttachedPolicies").Members()
                .Select(m => new AttachedPolicy { PolicyName = m.Text("PolicyName") ?? string.Empty, PolicyArn = m.Text("PolicyArn") ?? string.Empty })
                .ToList(),
        };
        return Paged(response, r);
    }

    public async Task<TagRoleResponse> TagRoleAsync(TagRoleRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).AddTags(request.Tags);
        var r = await query.InvokeAsync("TagRole", p, cancellationToken).ConfigureAwait(false);
        return new TagRoleResponse { RequestId = r.RequestId };
    }

    public async Task<ListRoleTagsResponse> ListRoleTagsAsync(ListRoleTagsRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).AddIf("Marker", request.Marker).AddIf("MaxItems", request.MaxItems);
        var r = await query.InvokeAsync("ListRoleTags", p, cancellationToken).ConfigureAwait(false);
        return Paged(new ListRoleTagsResponse { Tags = ParseTags(r.Result.Child("Tags")) }, r);
    }

    public async Task<CreateInstanceProfileResponse> CreateInstanceProfileAsync(CreateInstanceProfileRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("InstanceProfileName", request.InstanceProfileName).AddIf("Path", request.Path).AddTags(request.Tags);
        var r = await query.InvokeAsync("CreateInstanceProfile", p, cancellationToken).ConfigureAwait(false);
        return new CreateInstanceProfileResponse { InstanceProfile = ParseInstanceProfile(r.Result.Child("InstanceProfile")), RequestId = r.RequestId };
    }

    public async Task<GetInstanceProfileResponse> GetInstanceProfileAsync(GetInstanceProfileRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("InstanceProfileName", request.InstanceProfileName);
        var r = await query.InvokeAsync("GetInstanceProfile", p, cancellationToken).ConfigureAwait(false);
        return new GetInstanceProfileResponse { InstanceProfile = ParseInstanceProfile(r.Result.Child("InstanceProfile")), RequestId = r.RequestId };
    }

    public async Task<DeleteInstanceProfileResponse> DeleteInstanceProfileAsync(DeleteInstanceProfileRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("InstanceProfileName", request.InstanceProfileName);
        var r = await query.InvokeAsync("DeleteInstanceProfile", p, cancellationToken).ConfigureAwait(false);
        return new DeleteInstanceProfileResponse { RequestId = r.RequestId };
    }

    public async Task<AddRoleToInstanceProfileResponse> AddRoleToInstanceProfileAsync(AddRoleToInstanceProfileRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("InstanceProfileName", request.InstanceProfileName).Add("RoleName", request.RoleName);
        var r = await query.InvokeAsync("AddRoleToInstanceProfile", p, cancellationToken).ConfigureAwait(false);
        return new AddRoleToInstanceProfileResponse { RequestId = r.RequestId };
    }

    public async Task<RemoveRoleFromInstanceProfileResponse> RemoveRoleFromInstanceProfileAsync(RemoveRoleFromInstanceProfileRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("InstanceProfileName", request.InstanceProfileName).Add("RoleName", request.RoleName);
        var r = await query.InvokeAsync("RemoveRoleFromInstanceProfile", p, cancellationToken).ConfigureAwait(false);
        return new RemoveRoleFromInstanceProfileResponse { RequestId = r.RequestId };
    }

    public async Task<ListInstanceProfilesForRoleResponse> ListInstanceProfilesForRoleAsync(ListInstanceProfilesForRoleRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("RoleName", request.RoleName).AddIf("Marker", request.Marker).AddIf("MaxItems", request.MaxItems);
        var r = await query.InvokeAsync("ListInstanceProfilesForRole", p, cancellationToken).ConfigureAwait(false);
        var response = new ListInstanceProfilesForRoleResponse
        {
            InstanceProfiles = r.Result.Child("InstanceProfiles").Members().Select(ParseInstanceProfile).ToList(),
        };
        return Paged(response, r);
    }

    public async Task<GetAccountPasswordPolicyResponse> GetAccountPasswordPolicyAsync(GetAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default)
    {
        var r = await query.InvokeAsync("GetAccountPasswordPolicy", Params(request), cancellationToken).ConfigureAwait(false);
        return new GetAccountPasswordPolicyResponse { PasswordPolicy = ParsePasswordPolicy(r.Result.Child("PasswordPolicy")), RequestId = r.RequestId };
    }

    public async Task<UpdateAccountPasswordPolicyResponse> UpdateAccountPasswordPolicyAsync(UpdateAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request)
            .AddIf("MinimumPasswordLength", request.MinimumPasswordLength)
            .AddIf("RequireSymbols", request.RequireSymbols)
            .AddIf("RequireNumbers", request.RequireNumbers)
            .AddIf("RequireUppercaseCharacters", request.RequireUppercaseCharacters)
            .AddIf("RequireLowercaseCharacters", request.RequireLowercaseCharacters)
            .AddIf("AllowUsersToChangePassword", request.AllowUsersToChangePassword)
            .AddIf("MaxPasswordAge", request.MaxPasswordAge)
            .AddIf("PasswordReusePrevention", request.PasswordReusePrevention)
            .AddIf("HardExpiry", request.HardExpiry);
        var r = await query.InvokeAsync("UpdateAccountPasswordPolicy", p, cancellationToken).ConfigureAwait(false);
        return new UpdateAccountPasswordPolicyResponse { RequestId = r.RequestId };
    }

    public async Task<DeleteAccountPasswordPolicyResponse> DeleteAccountPasswordPolicyAsync(DeleteAccountPasswordPolicyRequest request, CancellationToken cancellationToken = default)
    {
        var r = await query.InvokeAsync("DeleteAccountPasswordPolicy", Params(request), cancellationToken).ConfigureAwait(false);
        return new DeleteAccountPasswordPolicyResponse { RequestId = r.RequestId };
    }

    public async Task<ListServerCertificatesResponse> ListServerCertificatesAsync(ListServerCertificatesRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).AddIf("PathPrefix", request.PathPrefix).AddIf("Marker", request.Marker).AddIf("MaxItems", request.MaxItems);
        var r = await query.InvokeAsync("ListServerCertificates", p, cancellationToken).ConfigureAwait(false);
        var response = new ListServerCertificatesResponse
        {
            ServerCertificateMetadataList = r.Result.Child("ServerCertificateMetadataList").Members().Select(ParseServerCertificateMetadata).ToList(),
        };
        return Paged(response, r);
    }

    public async Task<GetServerCertificateResponse> GetServerCertificateAsync(GetServerCertificateRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("ServerCertificateName", request.ServerCertificateName);
        var r = await query.InvokeAsync("GetServerCertificate", p, cancellationToken).ConfigureAwait(false);
        var element = r.Result.Child("ServerCertificate");
        return new GetServerCertificateResponse
        {
            ServerCertificate = new ServerCertificate
            {
                ServerCertificateMetadata = ParseServerCertificateMetadata(element.Child("ServerCertificateMetadata")),
                CertificateBody = element.Text("CertificateBody") ?? string.Empty,
                CertificateChain = element.Text("CertificateChain"),
                Tags = ParseTags(element.Child("Tags")),
            },
            RequestId = r.RequestId,
        };
    }

    public async Task<DeleteServerCertificateResponse> DeleteServerCertificateAsync(DeleteServerCertificateRequest request, CancellationToken cancellationToken = default)
    {
        var p = Params(request).Add("ServerCertificateName", request.ServerCertificateName);
        var r = await query.InvokeAsync("DeleteServerCertificate", p, cancellationToken).ConfigureAwait(false);
        return new DeleteServerCertificateResponse { RequestId = r.RequestId };
    }

    public async Task<GetAccountSummaryResponse> GetAccountSummaryAsync(GetAccountSummaryRequest request, CancellationToken cancellationToken = default)
    {
        var r = await query.InvokeAsync("GetAccountSummary", Params(request), cancellationToken).ConfigureAwait(false);
        var response = new GetAccountSummaryResponse { RequestId = r.RequestId };
        foreach (var entry in r.Result.Child("SummaryMap")?.Elements().Where(e => e.Name.LocalName == "entry") ?? Enumerable.Empty<XElement>())
        {
            if (entry.Text("key") is { Length: > 0 } key && int.TryParse(entry.Text("value"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                response.SummaryMap[key] = value;
            }
        }

        return response;
    }

    public void Dispose() => query.Dispose();

    internal static Role ParseRole(XElement? element)
    {
        var role = new Role();
        if (element is null)
        {
            return role;
        }

        role.Path = element.Text("Path") ?? "/";
        role.RoleName = element.Text("RoleName") ?? string.Empty;
        role.RoleId = element.Text("RoleId") ?? string.Empty;
        role.Arn = element.Text("Arn") ?? string.Empty;
        role.CreateDate = ParseDate(element.Text("CreateDate"));
        role.AssumeRolePolicyDocument = Decode(element.Text("AssumeRolePolicyDocument"));
        role.Description = element.Text("Description");
        role.MaxSessionDuration = int.TryParse(element.Text("MaxSessionDuration"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : null;
        role.PermissionsBoundaryArn = element.Child("PermissionsBoundary")?.Text("PermissionsBoundaryArn");
        role.Tags = ParseTags(element.Child("Tags"));
        return role;
    }

    internal static InstanceProfile ParseInstanceProfile(XElement? element)
    {
        var profile = new InstanceProfile();
        if (element is null)
        {
            return profile;
        }

        profile.Path = element.Text("Path") ?? "/";
        profile.InstanceProfileName = element.Text("InstanceProfileName") ?? string.Empty;
        profile.InstanceProfileId = element.Text("InstanceProfileId") ?? string.Empty;
        profile.Arn = element.Text("Arn") ?? string.Empty;
        profile.CreateDate = ParseDate(element.Text("CreateDate"));
        profile.Roles = element.Child("Roles").Members().Select(ParseRole).ToList();
        profile.Tags = ParseTags(element.Child("Tags"));
        return profile;
    }

    internal static PasswordPolicy ParsePasswordPolicy(XElement? element) => new()
    {
        AllowUsersToChangePassword = Bool(element.Text("AllowUsersToChangePassword")) ?? false,
        ExpirePasswords = Bool(element.Text("ExpirePasswords")) ?? false,
        HardExpiry = Bool(element.Text("HardExpiry")),
        MaxPasswordAge = Int(element.Text("MaxPasswordAge")),
        MinimumPasswordLength = Int(element.Text("MinimumPasswordLength")),
        PasswordReusePrevention = Int(element.Text("PasswordReusePrevention")),
        RequireLowercaseCharacters = Bool(element.Text("RequireLowercaseCharacters")) ?? false,
        RequireNumbers = Bool(element.Text("RequireNumbers")) ?? false,
        RequireSymbols = Bool(element.Text("RequireSymbols")) ?? false,
        RequireUppercaseCharacters = Bool(element.Text("RequireUppercaseCharacters")) ?? false,
    };

    internal static ServerCertificateMetadata ParseServerCertificateMetadata(XElement? element) => new()
    {
        Path = element.Text("Path") ?? "/",
        ServerCertificateName = element.Text("ServerCertificateName") ?? string.Empty,
        ServerCertificateId = element.Text("ServerCertificateId") ?? string.Empty,
        Arn = element.Text("Arn") ?? string.Empty,
        UploadDate = ParseDate(element.Text("UploadDate")),
        Expiration = ParseDate(element.Text("Expiration")),
    };

    private static bool? Bool(string? value) =>
        value is null ? null : string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    private static int? Int(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    /// <summary>IAM returns policy documents URL-encoded (RFC 3986); '+' is a literal plus there.</summary>
    internal static string? Decode(string? document) => document is null ? null : Uri.UnescapeDataString(document);

    private static List<Tag> ParseTags(XElement? element) =>
        element.Members().Select(m => new Tag(m.Text("Key") ?? string.Empty, m.Text("Value") ?? string.Empty)).ToList();

    private static DateTime? ParseDate(string? value) =>
        DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    private static T Paged<T>(T response, AwsQueryResponse r)
        where T : IamPagedResponse
    {
        response.IsTruncated = string.Equals(r.Result.Text("IsTruncated"), "true", StringComparison.OrdinalIgnoreCase);
        response.Marker = r.Result.Text("Marker");
        response.RequestId = r.RequestId;
        return response;
    }

    private static QueryParameters Params(object request) =>
        request is null ? throw new ArgumentNullException(nameof(request)) : new QueryParameters();
}

/// <summary>Query-protocol parameters in order, with the list encodings IAM expects.</summary>
internal sealed class QueryParameters : List<KeyValuePair<string, string>>
{
    public QueryParameters Add(string name, string value)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"{name} is required.", name);
        }

        Add(new KeyValuePair<string, string>(name, value));
        return this;
    }

    public QueryParameters AddIf(string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            Add(new KeyValuePair<string, string>(name, value!));
        }

        return this;
    }

    public QueryParameters AddIf(string name, int? value)
    {
        if (value.HasValue)
        {
            Add(new KeyValuePair<string, string>(name, value.Value.ToString(CultureInfo.InvariantCulture)));
        }

        return this;
    }

    public QueryParameters AddIf(string name, bool? value)
    {
        if (value.HasValue)
        {
            Add(new KeyValuePair<string, string>(name, value.Value ? "true" : "false"));
        }

        return this;
    }

    public QueryParameters AddTags(IReadOnlyList<Tag>? tags)
    {
        for (var i = 0; tags is not null && i < tags.Count; i++)
        {
            var n = (i + 1).ToString(CultureInfo.InvariantCulture);
            Add(new KeyValuePair<string, string>($"Tags.member.{n}.Key", tags[i].Key));
            Add(new KeyValuePair<string, string>($"Tags.member.{n}.Value", tags[i].Value ?? string.Empty));
        }

        return this;
    }
}

/// <summary>Namespace-agnostic reading of Query-protocol XML.</summary>
internal static class QueryXml
{
    public static XElement? Child(this XElement? element, string name) =>
        element?.Elements().FirstOrDefault(e => e.Name.LocalName == name);

    public static string? Text(this XElement? element, string name) => element.Child(name)?.Value;

    public static IEnumerable<XElement> Members(this XElement? element) =>
        element?.Elements().Where(e => e.Name.LocalName == "member") ?? Enumerable.Empty<XElement>();
}
