using System.Globalization;
using RemediationTools.Core.Aws.Signed;

namespace RemediationTools.Core.Roles;

/// <summary>What a role managed by the module should look like.</summary>
internal sealed class ManagedRoleSpec
{
    public string RoleName { get; set; } = string.Empty;

    public string TrustPolicy { get; set; } = string.Empty;

    public string Description { get; set; } = string.Empty;

    public int MaxSessionDuration { get; set; } = 3600;

    public IReadOnlyDictionary<string, string> Tags { get; set; } = new Dictionary<string, string>();

    /// <summary>Our inline policies are named PolicyBaseName, PolicyBaseName-2, ...; others are left alone.</summary>
    public string PolicyBaseName { get; set; } = string.Empty;

    public IReadOnlyList<BuiltPolicyDocument> Policies { get; set; } = Array.Empty<BuiltPolicyDocument>();

    /// <summary>When false, an existing role's trust policy is never replaced (a job-list change must not touch trust).</summary>
    public bool ManageTrust { get; set; } = true;
}

/// <summary>The changes that bring a role in line with its <see cref="ManagedRoleSpec"/>; computed by reading only.</summary>
internal sealed class RolePlan
{
    public RolePlan(ManagedRoleSpec spec, Role? existing, string roleArn, string accountId)
    {
        Spec = spec;
        Existing = existing;
        RoleArn = roleArn;
        AccountId = accountId;
    }

    public ManagedRoleSpec Spec { get; }

    public Role? Existing { get; }

    public string RoleArn { get; }

    public string AccountId { get; }

    /// <summary>One human-readable line per change.</summary>
    public List<string> Changes { get; } = new();

    /// <summary>The IAM calls that make the changes, in order.</summary>
    public List<Func<IIamClient, CancellationToken, Task>> Steps { get; } = new();

    /// <summary>Things the operator should know that the plan does not change.</summary>
    public List<string> Warnings { get; } = new();

    public RemediationRoleStatus Status => Existing is null ? RemediationRoleStatus.Created : Changes.Count == 0 ? RemediationRoleStatus.Unchanged : RemediationRoleStatus.Updated;
}

/// <summary>Creates a role or brings an existing one in line: trust, description, session length, tags, our inline policies.</summary>
internal static class RoleSynchronizer
{
    /// <summary>Reads the role and plans the changes; throws <see cref="PolicyTooLargeException"/> before any change when IAM would refuse the size.</summary>
    public static async Task<RolePlan> PlanAsync(IIamClient iam, ManagedRoleSpec spec, string accountId, string partition, CancellationToken cancellationToken)
    {
        var existing = await IamRoleReader.FindRoleAsync(iam, spec.RoleName, cancellationToken).ConfigureAwait(false);
        var arn = existing?.Arn ?? $"arn:{partition}:iam::{accountId}:role/{spec.RoleName}";
        var plan = new RolePlan(spec, existing, arn, accountId);
        var names = JobPolicyFactory.PolicyNames(spec.PolicyBaseName, spec.Policies.Count);
        int desiredSize = spec.Policies.Sum(p => p.CountedLength);
        if (existing is null)
        {
            CheckAggregateSize(spec, desiredSize, 0);
            plan.Changes.Add($"create role {spec.RoleName}");
            plan.Steps.Add((client, token) => client.CreateRoleAsync(
                new CreateRoleRequest
                {
                    RoleName = spec.RoleName,
                    AssumeRolePolicyDocument = spec.TrustPolicy,
                    Description = spec.Description,
                    MaxSessionDuration = spec.MaxSessionDuration,
                    Tags = spec.Tags.Select(t => new Tag(t.Key, t.Value)).ToList(),
                },
                token));
            for (int i = 0; i < names.Count; i++)
            {
                AddPut(plan, names[i], spec.Policies[i].Json, "add");
            }

            return plan;
        }

        if (spec.ManageTrust && !PolicyText.SameDocument(existing.AssumeRolePolicyDocument, spec.TrustPolicy))
        {
            plan.Changes.Add("replace the trust policy");
            plan.Steps.Add((client, token) => client.UpdateAssumeRolePolicyAsync(new UpdateAssumeRolePolicyRequest { RoleName = spec.RoleName, PolicyDocument = spec.TrustPolicy }, token));
        }

        bool descriptionDiffers = !string.Equals(existing.Description ?? string.Empty, spec.Description, StringComparison.Ordinal);
        bool durationDiffers = (existing.MaxSessionDuration ?? 3600) != spec.MaxSessionDuration;
        if (descriptionDiffers || durationDiffers)
        {
            if (descriptionDiffers)
            {
                plan.Changes.Add("set the description");
            }

            if (durationDiffers)
            {
                plan.Changes.Add(string.Format(CultureInfo.InvariantCulture, "set the maximum session duration to {0} s", spec.MaxSessionDuration));
            }

            plan.Steps.Add((client, token) => client.UpdateRoleAsync(
                new UpdateRoleRequest { RoleName = spec.RoleName, Description = spec.Description, MaxSessionDuration = spec.MaxSessionDuration },
                token));
        }

        var tags = await ListTagsAsync(iam, spec.RoleName, cancellationToken).ConfigureAwait(false);
        var changedTags = spec.Tags.Where(t => !tags.TryGetValue(t.Key, out var value) || value != t.Value).ToList();
        if (changedTags.Count > 0)
        {
            plan.Changes.Add("set tags " + string.Join(", ", changedTags.Select(t => t.Key)));
            plan.Steps.Add((client, token) => client.TagRoleAsync(new TagRoleRequest { RoleName = spec.RoleName, Tags = changedTags.Select(t => new Tag(t.Key, t.Value)).ToList() }, token));
        }

        var current = await IamRoleReader.InlinePoliciesAsync(iam, spec.RoleName, cancellationToken).ConfigureAwait(false);
        var foreign = current.Where(p => !JobPolicyFactory.IsOwnPolicyName(spec.PolicyBaseName, p.Key)).ToList();
        foreach (var policy in foreign)
        {
            plan.Warnings.Add($"Role {spec.RoleName} also has the inline policy '{policy.Key}', which this module does not manage; its permissions go beyond the generated policy.");
        }

        foreach (var attached in await IamRoleReader.AttachedPolicyArnsAsync(iam, spec.RoleName, cancellationToken).ConfigureAwait(false))
        {
            plan.Warnings.Add($"Role {spec.RoleName} has the managed policy {attached} attached, which this module does not manage.");
        }

        CheckAggregateSize(spec, desiredSize, foreign.Sum(p => PolicyText.CountedLength(p.Value)));

        // Delete obsolete policies of ours first: IAM counts every inline policy against the role's size quota.
        foreach (var obsolete in current.Keys.Where(n => JobPolicyFactory.IsOwnPolicyName(spec.PolicyBaseName, n) && !names.Contains(n)).ToList())
        {
            plan.Changes.Add($"delete inline policy {obsolete}");
            plan.Steps.Add((client, token) => client.DeleteRolePolicyAsync(new DeleteRolePolicyRequest { RoleName = spec.RoleName, PolicyName = obsolete }, token));
        }

        for (int i = 0; i < names.Count; i++)
        {
            if (!current.TryGetValue(names[i], out var document))
            {
                AddPut(plan, names[i], spec.Policies[i].Json, "add");
            }
            else if (!PolicyText.SameDocument(document, spec.Policies[i].Json))
            {
                AddPut(plan, names[i], spec.Policies[i].Json, "replace");
            }
        }

        return plan;
    }

    /// <summary>Makes the planned calls in order.</summary>
    public static async Task ApplyAsync(IIamClient iam, RolePlan plan, CancellationToken cancellationToken)
    {
        foreach (var step in plan.Steps)
        {
            await step(iam, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes a role the way IAM requires: out of its instance profiles, inline policies deleted, then the role.</summary>
    public static async Task<bool> DeleteAsync(IIamClient iam, string roleName, bool deleteInstanceProfiles, CancellationToken cancellationToken)
    {
        if (await IamRoleReader.FindRoleAsync(iam, roleName, cancellationToken).ConfigureAwait(false) is null)
        {
            return false;
        }

        foreach (var profile in await IamRoleReader.InstanceProfileNamesAsync(iam, roleName, cancellationToken).ConfigureAwait(false))
        {
            await iam.RemoveRoleFromInstanceProfileAsync(new RemoveRoleFromInstanceProfileRequest { InstanceProfileName = profile, RoleName = roleName }, cancellationToken).ConfigureAwait(false);
            if (deleteInstanceProfiles)
            {
                await iam.DeleteInstanceProfileAsync(new DeleteInstanceProfileRequest { InstanceProfileName = profile }, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var policy in await IamRoleReader.InlinePolicyNamesAsync(iam, roleName, cancellationToken).ConfigureAwait(false))
        {
            await iam.DeleteRolePolicyAsync(new DeleteRolePolicyRequest { RoleName = roleName, PolicyName = policy }, cancellationToken).ConfigureAwait(false);
        }

        await iam.DeleteRoleAsync(new DeleteRoleRequest { RoleName = roleName }, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static void AddPut(RolePlan plan, string name, string json, string verb)
    {
        var roleName = plan.Spec.RoleName;
        plan.Changes.Add($"{verb} inline policy {name}");
        plan.Steps.Add((client, token) => client.PutRolePolicyAsync(new PutRolePolicyRequest { RoleName = roleName, PolicyName = name, PolicyDocument = json }, token));
    }

    private static void CheckAggregateSize(ManagedRoleSpec spec, int desired, int foreign)
    {
        if (desired + foreign > IamPolicyBuilder.MaxRoleInlinePolicyCharacters)
        {
            throw new PolicyTooLargeException(string.Format(
                CultureInfo.InvariantCulture,
                "The inline policies of role {0} would total {1} characters ({2} generated, {3} in policies this module does not manage); IAM allows {4} per role. Choose fewer jobs or account roles, or remove the other inline policies.",
                spec.RoleName,
                desired + foreign,
                desired,
                foreign,
                IamPolicyBuilder.MaxRoleInlinePolicyCharacters));
        }
    }

    private static async Task<Dictionary<string, string>> ListTagsAsync(IIamClient iam, string roleName, CancellationToken cancellationToken)
    {
        var tags = new Dictionary<string, string>(StringComparer.Ordinal);
        string? marker = null;
        do
        {
            var page = await iam.ListRoleTagsAsync(new ListRoleTagsRequest { RoleName = roleName, Marker = marker }, cancellationToken).ConfigureAwait(false);
            foreach (var tag in page.Tags)
            {
                tags[tag.Key] = tag.Value;
            }

            marker = page.IsTruncated ? page.Marker : null;
        }
        while (marker is not null);
        return tags;
    }
}
