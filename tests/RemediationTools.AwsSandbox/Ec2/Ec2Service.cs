using System.Globalization;
using System.Text;
using System.Xml.Linq;
using RemediationTools.AwsSandbox.Policies;
using RemediationTools.AwsSandbox.Protocol;

namespace RemediationTools.AwsSandbox.Ec2;

/// <summary>Amazon EC2 (EC2 query protocol, API version 2016-11-15): security groups, rules, instances, ENIs, tags.</summary>
internal sealed partial class Ec2Service : IAwsService
{
    /// <summary>The default quota of inbound (and, separately, outbound) rules per security group.</summary>
    public const int MaxRulesPerDirection = 60;

    public string? Handle(AwsRequestContext context)
    {
        if (string.Equals(context.Args.Get("DryRun"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return DryRun(context);
        }

        return Dispatch(context);
    }

    /// <summary>
    /// DryRun checks permission only: DryRunOperation (412) when the caller may act, else UnauthorizedOperation.
    /// </summary>
    private static string? DryRun(AwsRequestContext context)
    {
        if (!KnownActions.Contains(context.Action) && !NetworkAclActions.Contains(context.Action))
        {
            return null;
        }

        var resource = "*";
        if (context.Args.Get("GroupId") is { } groupId)
        {
            resource = $"arn:aws:ec2:{context.Region}:{context.Caller.AccountId}:security-group/{groupId}";
        }

        Require(context, resource);
        throw new AwsServiceError(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
    }

    private static readonly HashSet<string> KnownActions = new(StringComparer.Ordinal)
    {
        "CreateSecurityGroup", "DeleteSecurityGroup", "DescribeSecurityGroups", "DescribeSecurityGroupRules",
        "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress",
        "DescribeInstances", "DescribeNetworkInterfaces", "CreateTags", "DeleteTags", "DescribeVpcs",
        "DescribeVolumes", "CreateVolume", "AttachVolume", "DetachVolume", "ModifyInstanceAttribute", "StopInstances", "StartInstances",
        "DescribeSnapshots", "CreateSnapshot", "CopySnapshot", "DeleteSnapshot", "DescribeSnapshotAttribute", "ModifySnapshotAttribute",
        "RunInstances", "TerminateInstances", "DescribeInstanceAttribute", "DescribeImages", "DescribeInstanceTypes", "DescribeSubnets",
    };

    /// <summary>Every EC2 action the sandbox emulates.</summary>
    public static IReadOnlyCollection<string> EmulatedActions => [.. KnownActions, .. NetworkAclActions];

    private static string? Dispatch(AwsRequestContext context) => context.Action switch
    {
        "CreateSecurityGroup" => CreateSecurityGroup(context),
        "DeleteSecurityGroup" => DeleteSecurityGroup(context),
        "DescribeSecurityGroups" => DescribeSecurityGroups(context),
        "DescribeSecurityGroupRules" => DescribeSecurityGroupRules(context),
        "AuthorizeSecurityGroupIngress" => Authorize(context, isEgress: false),
        "AuthorizeSecurityGroupEgress" => Authorize(context, isEgress: true),
        "RevokeSecurityGroupIngress" => Revoke(context, isEgress: false),
        "RevokeSecurityGroupEgress" => Revoke(context, isEgress: true),
        "DescribeInstances" => DescribeInstances(context),
        "DescribeNetworkInterfaces" => DescribeNetworkInterfaces(context),
        "CreateTags" => CreateTags(context),
        "DescribeVpcs" => DescribeVpcs(context),
        "DeleteTags" => DeleteTags(context),
        "DescribeVolumes" => DescribeVolumes(context),
        "CreateVolume" => CreateVolume(context),
        "AttachVolume" => AttachVolume(context),
        "DetachVolume" => DetachVolume(context),
        "ModifyInstanceAttribute" => ModifyInstanceAttribute(context),
        "StopInstances" => StopInstances(context),
        "StartInstances" => StartInstances(context),
        "DescribeSnapshots" => DescribeSnapshots(context),
        "CreateSnapshot" => CreateSnapshot(context),
        "CopySnapshot" => CopySnapshot(context),
        "DeleteSnapshot" => DeleteSnapshot(context),
        "DescribeSnapshotAttribute" => DescribeSnapshotAttribute(context),
        "ModifySnapshotAttribute" => ModifySnapshotAttribute(context),
        "RunInstances" => RunInstances(context),
        "TerminateInstances" => TerminateInstances(context),
        "DescribeInstanceAttribute" => DescribeInstanceAttribute(context),
        "DescribeImages" => DescribeImages(context),
        "DescribeInstanceTypes" => DescribeInstanceTypes(context),
        "DescribeSubnets" => DescribeSubnets(context),
        _ => DispatchNetworkAcls(context),
    };

    private static string Ok(AwsRequestContext context, params object?[] content) =>
        AwsXml.Ec2Response(context.Action, context.RequestId, content);

    private static Ec2RegionState RegionState(AwsRequestContext context) => context.State.Ec2(context.Caller.AccountId, context.Region);

    private static void Require(AwsRequestContext context, string resource) => Authorizer.Require(context, "ec2:" + context.Action, resource);

    private static AwsServiceError GroupNotFound(string groupId) => new(400, "InvalidGroup.NotFound", $"The security group '{groupId}' does not exist");

    private static void CheckGroupIdFormat(string groupId)
    {
        if (!IsEc2Id(groupId, "sg"))
        {
            throw new AwsServiceError(400, "InvalidGroupId.Malformed", $"Invalid id: \"{groupId}\" (expecting \"sg-...\")");
        }
    }

    public static bool IsEc2Id(string id, string prefix) =>
        id.StartsWith(prefix + "-", StringComparison.Ordinal)
        && id.Length - prefix.Length - 1 is 8 or 17
        && id[(prefix.Length + 1)..].All(char.IsAsciiHexDigitLower);

    /// <summary>A filter of a Describe call: name and values (values may hold * and ? wildcards).</summary>
    private sealed record Filter(string Name, IReadOnlyList<string> Values)
    {
        public bool Matches(string? value) => value is not null && Values.Any(v => WildcardPattern.IsMatch(v, value, ignoreCase: false));

        public bool MatchesAny(IEnumerable<string> values) => values.Any(Matches);

        /// <summary>tag:&lt;key&gt; and tag-key filters; null when the filter is not a tag filter.</summary>
        public bool? MatchesTags(IReadOnlyList<KeyValuePair<string, string>> tags)
        {
            if (Name.StartsWith("tag:", StringComparison.Ordinal))
            {
                var key = Name[4..];
                return tags.Any(t => t.Key == key && Matches(t.Value));
            }

            return Name == "tag-key" ? MatchesAny(tags.Select(t => t.Key)) : null;
        }
    }

    private static List<Filter> Filters(QueryArgs args)
    {
        var filters = new List<Filter>();
        foreach (var filter in args.List("Filter"))
        {
            var name = filter.Get("Name") ?? throw new AwsServiceError(400, "InvalidParameterValue", "The filter 'null' is invalid");
            filters.Add(new Filter(name, filter.Strings("Value")));
        }

        return filters;
    }

    /// <summary>
    /// DescribeInstances, DescribeNetworkInterfaces, DescribeVolumes and DescribeSnapshots refuse MaxResults together
    /// with a list of IDs ("You cannot specify this parameter and the ... IDs parameter in the same request").
    /// </summary>
    private static void RefuseMaxResultsWithIds(QueryArgs args, string idSetName)
    {
        if (args.Get("MaxResults") is not null)
        {
            throw new AwsServiceError(400, "InvalidParameterCombination", $"The parameter {idSetName} cannot be used with the parameter maxResults");
        }
    }

    private static AwsServiceError InvalidFilter(string name) => new(400, "InvalidParameterValue", $"The filter '{name}' is invalid");

    /// <summary>
    /// EC2 MaxResults/NextToken paging; returns everything when MaxResults is absent, as the describe calls the module
    /// makes do in AWS. A paged call gets at most <see cref="SandboxState.MaxPageSize"/> items per page when that is
    /// set: EC2 may return fewer items than MaxResults, and callers must follow NextToken.
    /// </summary>
    private static (List<T> Items, XElement? NextToken) Page<T>(AwsRequestContext context, IReadOnlyList<T> all)
    {
        var args = context.Args;
        var maxResults = args.GetInt("MaxResults");
        var token = args.Get("NextToken");
        if (maxResults is null && token is null)
        {
            return (all.ToList(), null);
        }

        if (maxResults is < 5 or > 1000)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", $"Value ( {maxResults} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.");
        }

        var start = 0;
        if (token is not null)
        {
            try
            {
                start = int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(token)), NumberStyles.None, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new AwsServiceError(400, "InvalidPaginationToken", $"Invalid pagination token: {token}");
            }
        }

        var size = Math.Min(maxResults ?? 1000, context.State.MaxPageSize ?? int.MaxValue);
        var items = all.Skip(start).Take(size).ToList();
        XElement? next = null;
        if (start + items.Count < all.Count)
        {
            next = Ec2Xml.E("nextToken", Convert.ToBase64String(Encoding.UTF8.GetBytes(AwsXml.Int(start + items.Count))));
        }

        return (items, next);
    }

    /// <summary>TagSpecification.N entries for one resource type.</summary>
    private static List<KeyValuePair<string, string>> TagSpecifications(QueryArgs args, string resourceType)
    {
        var tags = new List<KeyValuePair<string, string>>();
        foreach (var spec in args.List("TagSpecification"))
        {
            var type = spec.Get("ResourceType");
            if (type != resourceType)
            {
                throw new AwsServiceError(400, "InvalidParameterValue", $"'{type}' is not a valid taggable resource type for this operation.");
            }

            foreach (var tag in spec.List("Tag"))
            {
                AddTag(tags, tag.Get("Key"), tag.Get("Value") ?? string.Empty);
            }
        }

        return tags;
    }

    private static void AddTag(List<KeyValuePair<string, string>> tags, string? key, string value)
    {
        if (string.IsNullOrEmpty(key) || key.Length > 127 || value.Length > 255)
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Tag keys must be between 1 and 127 characters and values at most 255 characters.");
        }

        if (key.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new AwsServiceError(400, "InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use");
        }

        var index = tags.FindIndex(t => t.Key == key);
        if (index >= 0)
        {
            tags[index] = new(key, value);
        }
        else
        {
            tags.Add(new(key, value));
        }

        if (tags.Count > 50)
        {
            throw new AwsServiceError(400, "TagLimitExceeded", "The maximum number of tags per resource is 50.");
        }
    }
}
