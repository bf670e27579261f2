using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Amazon.SecurityToken.Model;
using RemediationTools.Core.Aws;

namespace RemediationTools.Core.Roles;

/// <summary>What New-RemediationAccountRole asks for.</summary>
internal sealed class AccountRoleRequest
{
    public string RoleName { get; set; } = RoleNames.DefaultAccountRoleName;

    /// <summary>The worker role that may assume the role; when null, <see cref="HostingAccountId"/> is trusted.</summary>
    public string? WorkerRoleArn { get; set; }

    /// <summary>The hosting account trusted when the worker role ARN is not known yet.</summary>
    public string? HostingAccountId { get; set; }

    /// <summary>
    /// With <see cref="HostingAccountId"/>: only roles of the hosting account whose name matches this IAM pattern
    /// (<c>*</c> and <c>?</c>) may assume the role (<c>ArnLike aws:PrincipalArn arn:aws:iam::&lt;hosting&gt;:role/&lt;pattern&gt;</c>).
    /// </summary>
    public string? TrustedRoleName { get; set; }

    /// <summary>
    /// With <see cref="HostingAccountId"/>: only principals of accounts in this AWS Organizations organization may
    /// assume the role (<c>StringEquals aws:PrincipalOrgID</c>).
    /// </summary>
    public string? OrganizationId { get; set; }

    public string ExternalId { get; set; } = string.Empty;

    public IReadOnlyList<RemediationJobInfo> Jobs { get; set; } = Array.Empty<RemediationJobInfo>();

    /// <summary>Also grant the actions only undoing the jobs' changes calls.</summary>
    public bool IncludeUndo { get; set; }

    public IDictionary<string, string>? Tags { get; set; }

    public string? Description { get; set; }

    public int MaxSessionDuration { get; set; } = 3600;
}

/// <summary>A planned New-RemediationAccountRole run: the role plan and the output it will produce.</summary>
internal sealed class AccountRolePlan
{
    public AccountRolePlan(RolePlan role, RemediationAccountRole output)
    {
        Role = role;
        Output = output;
    }

    public RolePlan Role { get; }

    public RemediationAccountRole Output { get; }
}

/// <summary>Creates, updates and removes the role that remediation workers assume in a cloud account.</summary>
internal sealed class AccountRoleService
{
    /// <summary>The description a role gets when the request names none.</summary>
    public const string DefaultDescription = "Lets RemediationTools workers fix security findings in this account (least privilege for the chosen jobs).";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly IAwsClients clients;
    private readonly string region;

    /// <summary>Creates the service over the cloud account's clients.</summary>
    public AccountRoleService(IAwsClients clients, string region)
    {
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
        this.region = region ?? throw new ArgumentNullException(nameof(region));
    }

    /// <summary>The trust policy: only <paramref name="principalArn"/> may assume the role, and only with the external ID.</summary>
    public static string TrustPolicy(string principalArn, string externalId) => TrustPolicy(principalArn, externalId, null, null);

    /// <summary>
    /// The trust policy: only <paramref name="principalArn"/> may assume the role, only with the external ID, and, when
    /// given, only principals whose ARN matches <paramref name="principalArnPattern"/> (<c>ArnLike aws:PrincipalArn</c>)
    /// of accounts in organization <paramref name="organizationId"/> (<c>StringEquals aws:PrincipalOrgID</c>). Several
    /// keys of one statement's condition all have to hold, as IAM evaluates them.
    /// </summary>
    public static string TrustPolicy(string principalArn, string externalId, string? principalArnPattern, string? organizationId)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("Version", IamPolicyBuilder.PolicyVersion);
            writer.WriteStartArray("Statement");
            writer.WriteStartObject();
            writer.WriteString("Sid", "RemediationWorker");
            writer.WriteString("Effect", "Allow");
            writer.WriteStartObject("Principal");
            writer.WriteString("AWS", principalArn);
            writer.WriteEndObject();
            writer.WriteString("Action", "sts:AssumeRole");
            writer.WriteStartObject("Condition");
            writer.WriteStartObject("StringEquals");
            writer.WriteString("sts:ExternalId", externalId);
            if (organizationId is not null)
            {
                writer.WriteString("aws:PrincipalOrgID", organizationId);
            }

            writer.WriteEndObject();
            if (principalArnPattern is not null)
            {
                writer.WriteStartObject("ArnLike");
                writer.WriteString("aws:PrincipalArn", principalArnPattern);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Validates the request, reads the role and plans the changes (read-only).</summary>
    public async Task<AccountRolePlan> PlanAsync(AccountRoleRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        RoleNames.RoleName(request.RoleName);
        RoleNames.ExternalId(request.ExternalId);
        RoleNames.MaxSessionDuration(request.MaxSessionDuration);
        var tags = RoleNames.Tags(request.Tags);
        if (request.Jobs.Count == 0)
        {
            throw new ArgumentException("No job was chosen: the role needs at least one job.");
        }

        if ((request.TrustedRoleName is not null || request.OrganizationId is not null) && request.HostingAccountId is null)
        {
            throw new ArgumentException("A trusted role name pattern and an organization ID narrow the trust of a hosting account: name the hosting account ID with them.");
        }

        // Bad input is refused before any AWS call.
        if (request.TrustedRoleName is not null)
        {
            RoleNames.RoleNameWildcard(request.TrustedRoleName);
        }

        if (request.OrganizationId is not null)
        {
            RoleNames.OrganizationId(request.OrganizationId);
        }

        var (accountId, partition) = await CallerAccountAsync(cancellationToken).ConfigureAwait(false);
        string principal;
        string? principalArnPattern = null;

        if (request.WorkerRoleArn is not null)
        {
            RoleNames.RoleArn(request.WorkerRoleArn);
            principal = request.WorkerRoleArn;
        }
        else if (request.HostingAccountId is not null)
        {
            var hosting = RoleNames.AccountId(request.HostingAccountId);
            principal = $"arn:{partition}:iam::{hosting}:root";
            if (request.TrustedRoleName is not null)
            {
                principalArnPattern = $"arn:{partition}:iam::{hosting}:role/{request.TrustedRoleName}";
            }
        }
        else
        {
            throw new ArgumentException("Name the worker role ARN, or the hosting account ID when the worker role does not exist yet.");
        }

        var spec = new ManagedRoleSpec
        {
            RoleName = request.RoleName,
            TrustPolicy = TrustPolicy(principal, request.ExternalId, principalArnPattern, request.OrganizationId),
            Description = request.Description ?? DefaultDescription,
            MaxSessionDuration = request.MaxSessionDuration,
            Tags = tags,
            PolicyBaseName = RoleNames.DefaultAccountRoleName,
            Policies = JobPolicyFactory.Builder(request.Jobs, request.IncludeUndo).Build(),
        };
        var iam = clients.Iam();
        var plan = await RoleSynchronizer.PlanAsync(iam, spec, accountId, partition, cancellationToken).ConfigureAwait(false);
        var output = new RemediationAccountRole
        {
            RoleName = request.RoleName,
            RoleArn = plan.RoleArn,
            ExternalId = request.ExternalId,
            AccountId = accountId,
            Jobs = request.Jobs.Select(j => j.Id).ToList(),
            IncludeUndo = request.IncludeUndo,
            TrustedPrincipal = principal,
            TrustedPrincipalArnPattern = principalArnPattern,
            TrustedOrganizationId = request.OrganizationId,
            Status = plan.Status,
            Changes = plan.Changes.ToList(),
        };
        return new AccountRolePlan(plan, output);
    }

    /// <summary>Makes the planned changes and returns the role.</summary>
    public async Task<RemediationAccountRole> ApplyAsync(AccountRolePlan plan, CancellationToken cancellationToken)
    {
        await RoleSynchronizer.ApplyAsync(clients.Iam(), plan.Role, cancellationToken).ConfigureAwait(false);
        return plan.Output;
    }

    /// <summary>Deletes the role (inline policies first); false when it does not exist.</summary>
    public Task<bool> RemoveAsync(string roleName, CancellationToken cancellationToken) =>
        RoleSynchronizer.DeleteAsync(clients.Iam(), RoleNames.RoleName(roleName), deleteInstanceProfiles: false, cancellationToken);

    private async Task<(string AccountId, string Partition)> CallerAccountAsync(CancellationToken cancellationToken)
    {
        var identity = await clients.Sts(region).GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var arn = identity.Arn ?? string.Empty;
        var parts = arn.Split(':');
        return (identity.Account, parts.Length > 1 && parts[1].Length > 0 ? parts[1] : "aws");
    }
}
