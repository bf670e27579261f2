using System.Globalization;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;
using static RemediationTools.AwsSandbox.Iam.IamXml;

namespace RemediationTools.AwsSandbox.Iam;

/// <summary>AWS IAM (awsQuery, API version 2010-05-08): roles, inline policies, tags, instance profiles.</summary>
internal sealed partial class IamService : IAwsService
{
    /// <summary>IAM's quota on the total size of a role's inline policies, whitespace not counted.</summary>
    public const int MaxRoleInlinePolicyCharacters = 10_240;

    /// <summary>IAM's default quota on a trust policy's size.</summary>
    public const int MaxTrustPolicyCharacters = 2_048;

    public string? Handle(AwsRequestContext context) => context.Action switch
    {
        "CreateRole" => CreateRole(context),
        "GetRole" => GetRole(context),
        "DeleteRole" => DeleteRole(context),
        "UpdateRole" => UpdateRole(context),
        "UpdateAssumeRolePolicy" => UpdateAssumeRolePolicy(context),
        "PutRolePolicy" => PutRolePolicy(context),
        "GetRolePolicy" => GetRolePolicy(context),
        "DeleteRolePolicy" => DeleteRolePolicy(context),
        "ListRolePolicies" => ListRolePolicies(context),
        "AttachRolePolicy" => AttachRolePolicy(context),
        "DetachRolePolicy" => DetachRolePolicy(context),
        "ListAttachedRolePolicies" => ListAttachedRolePolicies(context),
        "TagRole" => TagRole(context),
        "UntagRole" => UntagRole(context),
        "ListRoleTags" => ListRoleTags(context),
        "CreateInstanceProfile" => CreateInstanceProfile(context),
        "GetInstanceProfile" => GetInstanceProfile(context),
        "DeleteInstanceProfile" => DeleteInstanceProfile(context),
        "AddRoleToInstanceProfile" => AddRoleToInstanceProfile(context),
        "RemoveRoleFromInstanceProfile" => RemoveRoleFromInstanceProfile(context),
        "ListInstanceProfilesForRole" => ListInstanceProfilesForRole(context),
        _ => HandleAccount(context),
    };

    private static string Ok(AwsRequestContext context, params object?[] result) =>
        AwsXml.QueryResponse(Ns, context.Action, context.RequestId, result);

    private static string RoleArn(AwsRequestContext context, string path, string name) => $"arn:aws:iam::{context.Caller.AccountId}:role{path}{name}";

    /// <summary>Authorizes the call on the role's ARN, then returns the role or throws NoSuchEntity.</summary>
    private static IamRole AuthorizedRole(AwsRequestContext context, string roleName)
    {
        var iam = context.Account.Iam;
        iam.Roles.TryGetValue(roleName, out var role);
        Authorizer.Require(context, "iam:" + context.Action, role?.Arn ?? RoleArn(context, "/", roleName));
        return role ?? throw new AwsServiceError(404, "NoSuchEntity", $"The role with name {roleName} cannot be found.");
    }

    private static IamRole RoleFromArgs(AwsRequestContext context) =>
        AuthorizedRole(context, IamValidation.Name(context.Args, "RoleName", "roleName", 64));

    private static string CreateRole(AwsRequestContext context)
    {
        var args = context.Args;
        var name = IamValidation.Name(args, "RoleName", "roleName", 64);
        var path = IamValidation.Path(args);
        var trust = IamValidation.Required(args, "AssumeRolePolicyDocument", "assumeRolePolicyDocument");
        var description = args.Get("Description");
        if (description is { Length: > 1000 })
        {
            throw IamValidation.Error($"Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000");
        }

        var maxSession = MaxSessionDuration(args) ?? 3600;
        var tags = IamValidation.Tags(args);
        var arn = RoleArn(context, path, name);
        Authorizer.Require(context, "iam:CreateRole", arn);
        ValidateTrustPolicy(context, trust);
        if (tags.Count > 50)
        {
            throw new AwsServiceError(409, "LimitExceeded", "The number of tags has reached the maximum limit.");
        }

        var iam = context.Account.Iam;
        if (iam.Roles.ContainsKey(name))
        {
            throw new AwsServiceError(409, "EntityAlreadyExists", $"Role with name {name} already exists.");
        }

        var role = new IamRole
        {
            Name = name,
            Path = path,
            RoleId = IdGenerator.IamId("AROA", 17),
            Arn = arn,
            CreateDate = context.Now,
            TrustPolicy = trust,
            Description = description,
            MaxSessionDuration = maxSession,
        };
        role.Tags.AddRange(tags);
        iam.Roles[name] = role;
        return Ok(context, Role(role, withTags: true));
    }

    private static int? MaxSessionDuration(QueryArgs args)
    {
        var value = args.GetInt("MaxSessionDuration");
        if (value is < 3600 or > 43200)
        {
            throw IamValidation.Error($"Value '{value}' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200");
        }

        return value;
    }

    private static void ValidateTrustPolicy(AwsRequestContext context, string document)
    {
        var parsed = PolicyDocument.Parse(document, isTrustPolicy: true);
        if (PolicyDocument.CountedLength(document) > MaxTrustPolicyCharacters)
        {
            throw new AwsServiceError(409, "LimitExceeded", $"Cannot exceed quota for ACLSizePerRole: {MaxTrustPolicyCharacters}");
        }

        // IAM stores a role or user principal as that entity's unique ID, so a trust policy naming a role or user that
        // does not exist is refused (the IAM User Guide, Principal element: "IAM roles", "IAM users").
        foreach (var principal in parsed.Statements.SelectMany(s => s.AwsPrincipals ?? []))
        {
            var match = PrincipalEntityArn().Match(principal);
            if (!match.Success)
            {
                continue;
            }

            var exists = context.State.Accounts.TryGetValue(match.Groups["account"].Value, out var account)
                && (match.Groups["kind"].Value == "role"
                    ? account.Iam.Roles.Values.Any(r => r.Arn == principal)
                    : account.Iam.Users.Values.Any(u => u.Arn == principal));
            if (!exists)
            {
                throw new AwsServiceError(400, "MalformedPolicyDocument", $"Invalid principal in policy: \"AWS\":\"{principal}\"");
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^arn:aws[a-z-]*:iam::(?<account>\d{12}):(?<kind>role|user)/")]
    private static partial System.Text.RegularExpressions.Regex PrincipalEntityArn();

    private static string GetRole(AwsRequestContext context) => Ok(context, Role(RoleFromArgs(context), withTags: true));

    private static string DeleteRole(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var iam = context.Account.Iam;
        if (role.InlinePolicies.Count > 0)
        {
            throw new AwsServiceError(409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
        }

        if (role.AttachedPolicyArns.Count > 0)
        {
            throw new AwsServiceError(409, "DeleteConflict", "Cannot delete entity, must detach all policies first.");
        }

        if (iam.InstanceProfiles.Values.Any(p => string.Equals(p.RoleName, role.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new AwsServiceError(409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
        }

        iam.Roles.Remove(role.Name);
        return Ok(context);
    }

    private static string UpdateRole(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var description = context.Args.Get("Description");
        if (description is { Length: > 1000 })
        {
            throw IamValidation.Error($"Value '{description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000");
        }

        var maxSession = MaxSessionDuration(context.Args);
        if (description is not null)
        {
            role.Description = description;
        }

        if (maxSession is { } value)
        {
            role.MaxSessionDuration = value;
        }

        return Ok(context);
    }

    private static string UpdateAssumeRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var document = IamValidation.Required(context.Args, "PolicyDocument", "policyDocument");
        ValidateTrustPolicy(context, document);
        role.TrustPolicy = document;
        return Ok(context);
    }

    private static string PutRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var policyName = IamValidation.Name(context.Args, "PolicyName", "policyName", 128);
        var document = IamValidation.Required(context.Args, "PolicyDocument", "policyDocument");
        PolicyDocument.Parse(document, isTrustPolicy: false);
        var total = PolicyDocument.CountedLength(document)
            + role.InlinePolicies.Where(p => p.Key != policyName).Sum(p => PolicyDocument.CountedLength(p.Value));
        if (total > MaxRoleInlinePolicyCharacters)
        {
            throw new AwsServiceError(409, "LimitExceeded", $"Maximum policy size of {MaxRoleInlinePolicyCharacters} bytes exceeded for role {role.Name}");
        }

        role.InlinePolicies[policyName] = document;
        return Ok(context);
    }

    private static string GetRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var policyName = IamValidation.Name(context.Args, "PolicyName", "policyName", 128);
        if (!role.InlinePolicies.TryGetValue(policyName, out var document))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"The role policy with name {policyName} cannot be found.");
        }

        return Ok(context, E("RoleName", role.Name), E("PolicyName", policyName), E("PolicyDocument", EncodePolicy(document)));
    }

    private static string DeleteRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var policyName = IamValidation.Name(context.Args, "PolicyName", "policyName", 128);
        if (!role.InlinePolicies.Remove(policyName))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"The role policy with name {policyName} cannot be found.");
        }

        return Ok(context);
    }

    private static string ListRolePolicies(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var page = Page(context.Args, role.InlinePolicies.Keys.ToList());
        return Ok(context, E("PolicyNames", page.Items.Select(n => E("member", n))), page.Elements);
    }

    private static string AttachRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var policyArn = PolicyArn(context);
        if (!role.AttachedPolicyArns.Contains(policyArn, StringComparer.Ordinal))
        {
            if (role.AttachedPolicyArns.Count >= 10)
            {
                throw new AwsServiceError(409, "LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10");
            }

            role.AttachedPolicyArns.Add(policyArn);
        }

        return Ok(context);
    }

    private static string DetachRolePolicy(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var policyArn = PolicyArn(context);
        if (!role.AttachedPolicyArns.Remove(policyArn))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"Policy {policyArn} was not found.");
        }

        return Ok(context);
    }

    /// <summary>Only AWS managed policies exist in the sandbox (it has no CreatePolicy).</summary>
    private static string PolicyArn(AwsRequestContext context)
    {
        var arn = IamValidation.Required(context.Args, "PolicyArn", "policyArn");
        if (!arn.StartsWith("arn:aws:iam::", StringComparison.Ordinal) || arn.Length < 20)
        {
            throw new AwsServiceError(400, "InvalidInput", $"ARN {arn} is not valid.");
        }

        if (!arn.StartsWith("arn:aws:iam::aws:policy/", StringComparison.Ordinal))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"Policy {arn} does not exist or is not attachable.");
        }

        return arn;
    }

    private static string ListAttachedRolePolicies(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var page = Page(context.Args, role.AttachedPolicyArns);
        return Ok(
            context,
            E("AttachedPolicies", page.Items.Select(arn => E("member", E("PolicyName", arn[(arn.LastIndexOf('/') + 1)..]), E("PolicyArn", arn)))),
            page.Elements);
    }

    private static string TagRole(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var tags = IamValidation.Tags(context.Args);
        if (tags.Count == 0)
        {
            throw IamValidation.Error("Value null at 'tags' failed to satisfy constraint: Member must not be null");
        }

        IamValidation.MergeTags(role.Tags, tags);
        return Ok(context);
    }

    private static string UntagRole(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var keys = context.Args.Strings("TagKeys.member");
        role.Tags.RemoveAll(t => keys.Contains(t.Key, StringComparer.OrdinalIgnoreCase));
        return Ok(context);
    }

    private static string ListRoleTags(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var page = Page(context.Args, role.Tags);
        return Ok(context, Tags(page.Items), page.Elements);
    }

    private static string ProfileArn(AwsRequestContext context, string path, string name) => $"arn:aws:iam::{context.Caller.AccountId}:instance-profile{path}{name}";

    private static IamInstanceProfile AuthorizedProfile(AwsRequestContext context)
    {
        var name = IamValidation.Name(context.Args, "InstanceProfileName", "instanceProfileName", 128);
        context.Account.Iam.InstanceProfiles.TryGetValue(name, out var profile);
        Authorizer.Require(context, "iam:" + context.Action, profile?.Arn ?? ProfileArn(context, "/", name));
        return profile ?? throw new AwsServiceError(404, "NoSuchEntity", $"Instance Profile {name} cannot be found.");
    }

    private static IamRole? ProfileRole(AwsRequestContext context, IamInstanceProfile profile) =>
        profile.RoleName is { } roleName && context.Account.Iam.Roles.TryGetValue(roleName, out var role) ? role : null;

    private static string CreateInstanceProfile(AwsRequestContext context)
    {
        var args = context.Args;
        var name = IamValidation.Name(args, "InstanceProfileName", "instanceProfileName", 128);
        var path = IamValidation.Path(args);
        var tags = IamValidation.Tags(args);
        var arn = ProfileArn(context, path, name);
        Authorizer.Require(context, "iam:CreateInstanceProfile", arn);
        var iam = context.Account.Iam;
        if (iam.InstanceProfiles.ContainsKey(name))
        {
            throw new AwsServiceError(409, "EntityAlreadyExists", $"Instance Profile {name} already exists.");
        }

        var profile = new IamInstanceProfile
        {
            Name = name,
            Path = path,
            InstanceProfileId = IdGenerator.IamId("AIPA", 17),
            Arn = arn,
            CreateDate = context.Now,
        };
        profile.Tags.AddRange(tags);
        iam.InstanceProfiles[name] = profile;
        return Ok(context, InstanceProfile(profile, null));
    }

    private static string GetInstanceProfile(AwsRequestContext context)
    {
        var profile = AuthorizedProfile(context);
        return Ok(context, InstanceProfile(profile, ProfileRole(context, profile)));
    }

    private static string DeleteInstanceProfile(AwsRequestContext context)
    {
        var profile = AuthorizedProfile(context);
        if (profile.RoleName is not null)
        {
            throw new AwsServiceError(409, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.");
        }

        context.Account.Iam.InstanceProfiles.Remove(profile.Name);
        return Ok(context);
    }

    private static string AddRoleToInstanceProfile(AwsRequestContext context)
    {
        var profile = AuthorizedProfile(context);
        var roleName = IamValidation.Name(context.Args, "RoleName", "roleName", 64);
        if (!context.Account.Iam.Roles.TryGetValue(roleName, out var role))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"The role with name {roleName} cannot be found.");
        }

        // Putting a role in an instance profile passes it to EC2, which IAM authorizes as iam:PassRole.
        Authorizer.Require(context, "iam:PassRole", role.Arn);
        if (profile.RoleName is not null)
        {
            throw new AwsServiceError(409, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
        }

        profile.RoleName = role.Name;
        return Ok(context);
    }

    private static string RemoveRoleFromInstanceProfile(AwsRequestContext context)
    {
        var profile = AuthorizedProfile(context);
        var roleName = IamValidation.Name(context.Args, "RoleName", "roleName", 64);
        if (!context.Account.Iam.Roles.ContainsKey(roleName))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"The role with name {roleName} cannot be found.");
        }

        if (!string.Equals(profile.RoleName, roleName, StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsServiceError(404, "NoSuchEntity", $"The role with name {roleName} cannot be found in instance profile {profile.Name}.");
        }

        profile.RoleName = null;
        return Ok(context);
    }

    private static string ListInstanceProfilesForRole(AwsRequestContext context)
    {
        var role = RoleFromArgs(context);
        var profiles = context.Account.Iam.InstanceProfiles.Values
            .Where(p => string.Equals(p.RoleName, role.Name, StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToList();
        var page = Page(context.Args, profiles);
        return Ok(context, E("InstanceProfiles", page.Items.Select(p => MemberOf(InstanceProfile(p, role)))), page.Elements);
    }

    private sealed record PageResult<T>(IReadOnlyList<T> Items, IReadOnlyList<XElement> Elements);

    /// <summary>IAM's Marker/MaxItems paging (MaxItems 1..1000, default 100), pages no larger than <paramref name="maxPageSize"/> (small pages on).</summary>
    private static PageResult<T> Page<T>(QueryArgs args, IReadOnlyList<T> all, int? maxPageSize = null)
    {
        var maxItems = args.GetInt("MaxItems") ?? 100;
        if (maxItems is < 1 or > 1000)
        {
            throw IamValidation.Error($"Value '{maxItems}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000");
        }

        var start = 0;
        if (args.Get("Marker") is { } marker && !int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start))
        {
            throw new AwsServiceError(400, "InvalidInput", "Invalid Marker.");
        }

        var items = all.Skip(start).Take(Math.Min(maxItems, maxPageSize ?? int.MaxValue)).ToList();
        var truncated = start + items.Count < all.Count;
        var elements = new List<XElement> { E("IsTruncated", AwsXml.Bool(truncated)) };
        if (truncated)
        {
            elements.Add(E("Marker", AwsXml.Int(start + items.Count)));
        }

        return new PageResult<T>(items, elements);
    }
}
