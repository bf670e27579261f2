using RemediationTools.Core.Aws;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Roles;

/// <summary>What New-RemediationWorkerRole asks for.</summary>
internal sealed class WorkerRoleRequest
{
    public string RoleName { get; set; } = RoleNames.DefaultWorkerRoleName;

    /// <summary>The instance profile's name; the role name when null.</summary>
    public string? InstanceProfileName { get; set; }

    /// <summary>The account roles the worker may assume; added to those the role already may assume.</summary>
    public IReadOnlyList<string> AccountRoleArns { get; set; } = Array.Empty<string>();

    /// <summary>Allows sts:AssumeRole on any role (a wildcard resource).</summary>
    public bool AllowAnyAccountRole { get; set; }

    public IDictionary<string, string>? Tags { get; set; }

    public string? Description { get; set; }

    public int MaxSessionDuration { get; set; } = 3600;

    /// <summary>
    /// Worker groups on the AWS store whose workers run with this role: their queues and their partition of the table
    /// (<see cref="WorkerGroupStorePolicy"/>); added to the groups the role already serves.
    /// </summary>
    public IReadOnlyList<string> WorkerGroups { get; set; } = Array.Empty<string>();

    /// <summary>The AWS store installation of <see cref="WorkerGroups"/> (<c>aws:&lt;name&gt;</c>); null for the default.</summary>
    public string? StoreInstallation { get; set; }

    /// <summary>ECR repositories the workers pull their image from; added to those the role already may pull from.</summary>
    public IReadOnlyList<string> EcrRepositoryArns { get; set; } = Array.Empty<string>();

    /// <summary>Further statements of the worker's permission policy (for example its worker group's queue and table).</summary>
    public IReadOnlyList<PolicyStatementSpec> AdditionalStatements { get; set; } = Array.Empty<PolicyStatementSpec>();
}

/// <summary>A planned New-RemediationWorkerRole run.</summary>
internal sealed class WorkerRolePlan
{
    public WorkerRolePlan(RolePlan role, RemediationWorkerRole output)
    {
        Role = role;
        Output = output;
    }

    public RolePlan Role { get; }

    public RemediationWorkerRole Output { get; }
}

/// <summary>Creates, updates and removes the workers' EC2 role and instance profile in the hosting account.</summary>
internal sealed class WorkerRoleService
{
    /// <summary>The Sid of the statement that lets the worker assume the account roles.</summary>
    public const string AssumeStatementSid = "AssumeAccountRoles";

    /// <summary>The description a role gets when the request names none.</summary>
    public const string DefaultDescription = "RemediationTools workers on EC2: may only assume the account roles of the cloud accounts they fix.";

    private const string TrustedService = "ec2.amazonaws.com";
    private static readonly string[] AssumeRoleAction = { "sts:AssumeRole" };
    private readonly IAwsClients clients;
    private readonly string region;

    /// <summary>Creates the service over the hosting account's clients.</summary>
    public WorkerRoleService(IAwsClients clients, string region)
    {
        this.clients = clients ?? throw new ArgumentNullException(nameof(clients));
        this.region = region ?? throw new ArgumentNullException(nameof(region));
    }

    /// <summary>Raised with text the operator should see (wildcard resources, unmanaged policies).</summary>
    public event EventHandler<string>? Warning;

    /// <summary>The trust policy: EC2 (the instance profile) may assume the role.</summary>
    public static string TrustPolicy() =>
        "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Ec2Instances\",\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"" + TrustedService + "\"},\"Action\":\"sts:AssumeRole\"}]}";

    /// <summary>Validates the request, reads the role and instance profile and plans the changes (read-only).</summary>
    public async Task<WorkerRolePlan> PlanAsync(WorkerRoleRequest request, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            throw new ArgumentNullException(nameof(request));
        }

        RoleNames.RoleName(request.RoleName);
        var profileName = RoleNames.RoleName(request.InstanceProfileName ?? request.RoleName, "instance profile name");
        RoleNames.MaxSessionDuration(request.MaxSessionDuration);
        var tags = RoleNames.Tags(request.Tags);
        foreach (var arn in request.AccountRoleArns)
        {
            RoleNames.RoleArn(arn, request.AllowAnyAccountRole);
        }

        var identity = await clients.Sts(region).GetCallerIdentityAsync(new Amazon.SecurityToken.Model.GetCallerIdentityRequest(), cancellationToken).ConfigureAwait(false);
        var accountId = identity.Account;
        var arnParts = (identity.Arn ?? string.Empty).Split(':');
        var partition = arnParts.Length > 1 && arnParts[1].Length > 0 ? arnParts[1] : "aws";
        var iam = clients.Iam();

        // Accounts and worker groups added later extend the policy: keep what the role may already do.
        var resources = new List<string>();
        var storeQueues = new List<string>();
        var storeTables = new List<string>();
        var repositories = new List<string>();
        if (await IamRoleReader.FindRoleAsync(iam, request.RoleName, cancellationToken).ConfigureAwait(false) is not null)
        {
            foreach (var policy in await IamRoleReader.InlinePoliciesAsync(iam, request.RoleName, cancellationToken).ConfigureAwait(false))
            {
                if (JobPolicyFactory.IsOwnPolicyName(request.RoleName, policy.Key))
                {
                    resources.AddRange(PolicyText.ResourcesOfStatement(policy.Value, AssumeStatementSid)
                        .Where(r => request.AllowAnyAccountRole || !RoleNames.IsWildcard(r)));
                    storeQueues.AddRange(PolicyText.ResourcesOfStatement(policy.Value, WorkerGroupStorePolicy.QueueStatementSid));
                    storeTables.AddRange(PolicyText.ResourcesOfStatement(policy.Value, WorkerGroupStorePolicy.TableStatementSid));
                    repositories.AddRange(PolicyText.ResourcesOfStatement(policy.Value, WorkerImagePolicy.PullStatementSid));
                }
            }
        }

        var storeStatements = WorkerGroupStorePolicy.Extend(storeTables, storeQueues, request.WorkerGroups, request.StoreInstallation, accountId, partition, region);

        resources.AddRange(request.AccountRoleArns);
        if (request.AllowAnyAccountRole)
        {
            var anyRole = $"arn:{partition}:iam::*:role/*";
            if (request.AccountRoleArns.Count == 0)
            {
                resources = new List<string> { anyRole };
            }

            Warning?.Invoke(this, $"The worker role {request.RoleName} may assume {(request.AccountRoleArns.Count == 0 ? "any role in any account" : "roles matching wildcards")} that trusts it: only the account roles' trust policies and external IDs limit it.");
        }

        if (resources.Count == 0)
        {
            throw new ArgumentException("Name at least one account role ARN (-RoleArn), or pass -AllowAnyAccountRole.");
        }

        var builder = new IamPolicyBuilder().Add(new PolicyStatementSpec(AssumeStatementSid, AssumeRoleAction, resources));
        repositories.AddRange(request.EcrRepositoryArns.Select(WorkerImagePolicy.ValidateRepositoryArn));
        foreach (var statement in storeStatements.Concat(WorkerImagePolicy.Statements(repositories)).Concat(request.AdditionalStatements))
        {
            builder.Add(statement);
        }

        var spec = new ManagedRoleSpec
        {
            RoleName = request.RoleName,
            TrustPolicy = TrustPolicy(),
            Description = request.Description ?? DefaultDescription,
            MaxSessionDuration = request.MaxSessionDuration,
            Tags = tags,
            PolicyBaseName = request.RoleName,
            Policies = builder.Build(),
        };
        var plan = await RoleSynchronizer.PlanAsync(iam, spec, accountId, partition, cancellationToken).ConfigureAwait(false);
        var profile = await IamRoleReader.FindInstanceProfileAsync(iam, profileName, cancellationToken).ConfigureAwait(false);
        if (profile is null)
        {
            plan.Changes.Add($"create instance profile {profileName} holding {request.RoleName}");
            plan.Steps.Add((client, token) => client.CreateInstanceProfileAsync(
                new CreateInstanceProfileRequest { InstanceProfileName = profileName, Tags = tags.Select(t => new Tag(t.Key, t.Value)).ToList() },
                token));
            plan.Steps.Add((client, token) => client.AddRoleToInstanceProfileAsync(new AddRoleToInstanceProfileRequest { InstanceProfileName = profileName, RoleName = request.RoleName }, token));
        }
        else if (!profile.Roles.Any(r => string.Equals(r.RoleName, request.RoleName, StringComparison.OrdinalIgnoreCase)))
        {
            if (profile.Roles.Count > 0)
            {
                throw new InvalidOperationException($"The instance profile '{profileName}' already holds the role '{profile.Roles[0].RoleName}'; an instance profile holds one role. Choose another -InstanceProfileName.");
            }

            plan.Changes.Add($"add {request.RoleName} to instance profile {profileName}");
            plan.Steps.Add((client, token) => client.AddRoleToInstanceProfileAsync(new AddRoleToInstanceProfileRequest { InstanceProfileName = profileName, RoleName = request.RoleName }, token));
        }

        foreach (var warning in plan.Warnings)
        {
            Warning?.Invoke(this, warning);
        }

        var output = new RemediationWorkerRole
        {
            RoleName = request.RoleName,
            RoleArn = plan.RoleArn,
            InstanceProfileName = profileName,
            InstanceProfileArn = profile?.Arn ?? $"arn:{partition}:iam::{accountId}:instance-profile/{profileName}",
            AccountId = accountId,
            AccountRoleArns = spec.Policies.SelectMany(p => p.Statements).Where(s => s.Sid.StartsWith(AssumeStatementSid, StringComparison.Ordinal)).SelectMany(s => s.Resources).ToList(),
            Status = plan.Status,
            Changes = plan.Changes.ToList(),
        };
        return new WorkerRolePlan(plan, output);
    }

    /// <summary>Makes the planned changes and returns the role.</summary>
    public async Task<RemediationWorkerRole> ApplyAsync(WorkerRolePlan plan, CancellationToken cancellationToken)
    {
        await RoleSynchronizer.ApplyAsync(clients.Iam(), plan.Role, cancellationToken).ConfigureAwait(false);
        return plan.Output;
    }

    /// <summary>Removes the role from its instance profiles, deletes those profiles, the inline policies and the role; false when the role does not exist.</summary>
    public Task<bool> RemoveAsync(string roleName, CancellationToken cancellationToken) =>
        RoleSynchronizer.DeleteAsync(clients.Iam(), RoleNames.RoleName(roleName), deleteInstanceProfiles: true, cancellationToken);
}
